import { mintToken } from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";
import { tenants, userSetupTokens, users } from "@zongzhi/db/schema";
import { ADMIN_ROLES, AppError, conflict, notFound, type Role, separationOfDutiesProblem } from "@zongzhi/domain";
import { and, count, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { CreatedAccount, SetupLink, UserPage, UserView } from "../schemas/accounts.ts";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { assertRecentAuth } from "./reauth.ts";

/** How long a setup link stays usable. */
export const SETUP_LINK_TTL_MS = 72 * 60 * 60 * 1000;

/** A user as administrators see it, and a one-time setup link (schemas/accounts.ts; never a password hash or TOTP key). */
export type { CreatedAccount, SetupLink, UserPage, UserView };

const USER = { zh: "用户", en: "user" };

/**
 * Loads the unit of a user the caller may see (NOT_FOUND otherwise) and checks user.manage
 * against it: administrators manage their own unit's and their descendants' users.
 */
export async function authorizeUserManagement(tx: Tx, id: string): Promise<void> {
  const [row] = await tx.db.select({ scopeCode: users.scopeCode }).from(users).where(eq(users.id, id));
  if (!row) throw notFound(USER);
  authorizeFor(tx, "user.manage", row.scopeCode);
}

/** The columns of a user that a view is made of (zz_app may not read the secrets: never `select()` all). */
const userColumns = {
  id: users.id,
  tenantId: users.tenantId,
  username: users.username,
  displayName: users.displayName,
  roles: users.roles,
  status: users.status,
  mustChangePassword: users.mustChangePassword,
  lockedUntil: users.lockedUntil,
  passwordChangedAt: users.passwordChangedAt,
  createdAt: users.createdAt,
  version: users.version,
  totpEnabledAt: users.totpEnabledAt,
};

type UserRow = Pick<typeof users.$inferSelect, keyof typeof userColumns>;

function view(r: UserRow): UserView {
  return {
    id: r.id,
    tenantId: r.tenantId,
    username: r.username,
    displayName: r.displayName,
    // The database holds only known roles (users_roles_known, 0002).
    roles: r.roles as Role[],
    status: r.status,
    mustChangePassword: r.mustChangePassword,
    locked: r.lockedUntil !== null && r.lockedUntil > new Date(),
    lockedUntil: r.lockedUntil,
    passwordSet: r.passwordChangedAt !== null,
    totpEnabled: r.totpEnabledAt !== null,
    createdAt: r.createdAt,
    version: r.version,
  };
}

/**
 * Active security administrators of the caller's deployment root, when the caller stands at that
 * root (RLS shows it the root's users); null elsewhere (below the root, or an installation account).
 */
export async function countRootSecurityAdmins(
  tx: Tx,
  user: { tenantId: string | null; tenant: { rootCode: string } | null; scope: string },
): Promise<{ securityAdmins: number | null }> {
  if (!user.tenantId || !user.tenant || user.tenant.rootCode !== user.scope) return { securityAdmins: null };
  const [row] = await tx.db
    .select({ n: count() })
    .from(users)
    .where(
      and(eq(users.tenantId, user.tenantId), eq(users.status, "active"), sql`'security_admin' = any (${users.roles})`),
    );
  return { securityAdmins: row?.n ?? 0 };
}

/** One page of the users of a tenant in the caller's subtree, by login name. */
export async function listUsers(
  tx: Tx,
  input: { tenantId: string | null; q?: string | undefined; after?: string | undefined; limit: number },
): Promise<UserPage> {
  const rows = await tx.db
    .select(userColumns)
    .from(users)
    .where(
      and(
        input.tenantId === null ? isNull(users.tenantId) : eq(users.tenantId, input.tenantId),
        gt(users.username, input.after ?? ""),
        input.q
          ? or(
              sql`strpos(${users.username}, ${input.q.toLowerCase()}) > 0`,
              sql`strpos(${users.displayName}, ${input.q}) > 0`,
            )
          : undefined,
      ),
    )
    .orderBy(users.username)
    .limit(input.limit + 1);
  const items = rows.slice(0, input.limit).map(view);
  return { items, next: rows.length > input.limit ? (items.at(-1)?.username ?? null) : null };
}

/** Issues a fresh one-time setup link for a user (replacing unused earlier ones). */
export async function issueSetupLink(tx: Tx, userId: string, origin: string): Promise<SetupLink> {
  const minted = mintToken();
  const expiresAt = new Date(Date.now() + SETUP_LINK_TTL_MS);
  await tx.db.delete(userSetupTokens).where(and(eq(userSetupTokens.userId, userId), isNull(userSetupTokens.usedAt)));
  await tx.db.insert(userSetupTokens).values({
    id: minted.id,
    secretHash: Buffer.from(minted.secretHash),
    userId,
    createdBy: tx.ctx.userId,
    expiresAt,
  });
  await recordAudit(tx, { kind: "user.setup_link_issued", subjectId: userId });
  // The token travels in the fragment, which browsers never send to a server or a log.
  return { url: `${origin}/setup#${minted.token}`, expiresAt };
}

/** A unit below the caller with no account yet gets its centre administrator (no other power). */
async function isFirstAdmin(tx: Tx, unitCode: string, input: { tenantId: string; roles: Role[] }): Promise<boolean> {
  if (unitCode === tx.ctx.scope || input.roles.some((r) => ADMIN_ROLES.includes(r) && r !== "tenant_admin")) {
    return false;
  }
  const [row] = await tx.db.select({ id: users.id }).from(users).where(eq(users.tenantId, input.tenantId)).limit(1);
  return row === undefined;
}

/**
 * Creates a user in a tenant of the caller's subtree with no password: the user chooses one
 * through the returned one-time setup link.
 */
export async function createUser(
  tx: Tx,
  input: { tenantId: string; username: string; displayName: string; roles: Role[] },
  origin: string,
): Promise<CreatedAccount> {
  if (input.roles.includes("platform_admin")) {
    throw new AppError("FORBIDDEN", { zh: "不能授予平台管理员角色", en: "The platform role cannot be granted here" });
  }
  const [unit] = await tx.db.select({ code: tenants.code }).from(tenants).where(eq(tenants.id, input.tenantId));
  if (!unit) throw notFound({ zh: "单位", en: "unit" });
  authorizeFor(tx, "user.manage", unit.code);
  assertSeparated(input.roles);
  // A centre administrator creates accounts with working roles; an administrative role is a
  // grant (role.grant), except a new unit's first account as its centre administrator, made by
  // the administrator above that onboards it (the database holds the same rule, 0071).
  if (input.roles.some((r) => ADMIN_ROLES.includes(r)) && !(await isFirstAdmin(tx, unit.code, input))) {
    authorizeFor(tx, "role.grant", unit.code);
  }
  const [{ taken } = { taken: false }] = await tx.sql<
    { taken: boolean }[]
  >`select auth.username_taken(${input.username}) as taken`;
  if (taken) {
    throw new AppError(
      "CONFLICT",
      { zh: "该登录名已被使用", en: "This login name is taken" },
      { fields: [{ path: "username", zh: "该登录名已被使用", en: "login name taken" }] },
    );
  }
  const [row] = await tx.db
    .insert(users)
    .values({
      tenantId: input.tenantId,
      username: input.username.toLowerCase(),
      displayName: input.displayName,
      roles: input.roles,
      mustChangePassword: true,
    })
    .returning(userColumns);
  await recordAudit(tx, { kind: "user.created", subjectId: row!.id, detail: { roles: input.roles } });
  const setupLink = await issueSetupLink(tx, row!.id, origin);
  return { user: view(row!), setupLink };
}

async function updateUser(
  tx: Tx,
  id: string,
  version: number,
  set: Pick<Partial<typeof users.$inferInsert>, "displayName" | "roles" | "status" | "lockedUntil" | "failedAttempts">,
  kind: string,
  detail: Record<string, unknown> = {},
): Promise<UserView> {
  const [row] = await tx.db
    .update(users)
    .set({ ...set, version: sql`version + 1`, updatedAt: sql`now()` })
    .where(and(eq(users.id, id), eq(users.version, version)))
    .returning(userColumns);
  if (!row) {
    const [exists] = await tx.db.select({ id: users.id }).from(users).where(eq(users.id, id));
    throw exists ? conflict() : notFound(USER);
  }
  await recordAudit(tx, { kind, subjectId: id, detail });
  return view(row);
}

function refuseSelf(tx: Tx, id: string, what: { zh: string; en: string }): void {
  if (id === tx.ctx.userId) throw new AppError("FORBIDDEN", what);
}

/** VALIDATION (on the roles field) when the roles would combine administrative powers (三权分立). */
function assertSeparated(roles: readonly string[]): void {
  const problem = separationOfDutiesProblem(roles);
  if (problem) throw new AppError("VALIDATION", problem, { fields: [{ path: "roles", ...problem }] });
}

const sameRoles = (a: readonly string[], b: readonly string[]) =>
  a.every((r) => b.includes(r)) && b.every((r) => a.includes(r));

/**
 * Changes a user's name or roles (optimistic: `version` must match). A change of roles is a
 * grant (role.grant: the security administrator), never of one's own roles, and never one that
 * combines administrative powers; the database refuses the same (migration 0071).
 */
export async function editUser(
  tx: Tx,
  input: { id: string; version: number; displayName: string; roles: Role[] },
): Promise<UserView> {
  if (input.roles.includes("platform_admin")) {
    throw new AppError("FORBIDDEN", { zh: "不能授予平台管理员角色", en: "The platform role cannot be granted here" });
  }
  const [current] = await tx.db
    .select({ scopeCode: users.scopeCode, roles: users.roles })
    .from(users)
    .where(eq(users.id, input.id));
  if (!current) throw notFound(USER);
  authorizeFor(tx, "user.manage", current.scopeCode);
  if (!sameRoles(current.roles, input.roles)) {
    refuseSelf(tx, input.id, {
      zh: "不能更改自己的角色，请由其他安全管理员操作",
      en: "You cannot change your own roles; another security administrator must",
    });
    authorizeFor(tx, "role.grant", current.scopeCode);
    assertSeparated(input.roles);
    await assertRecentAuth(tx);
  }
  return updateUser(
    tx,
    input.id,
    input.version,
    { displayName: input.displayName, roles: input.roles },
    "user.edited",
    { roles: input.roles },
  );
}

/** Disables (ending every session at once, by trigger) or re-enables a user. */
export async function setUserStatus(
  tx: Tx,
  input: { id: string; version: number; status: "active" | "disabled" },
): Promise<UserView> {
  refuseSelf(tx, input.id, { zh: "不能停用自己的账号", en: "You cannot disable your own account" });
  await authorizeUserManagement(tx, input.id);
  return updateUser(tx, input.id, input.version, { status: input.status }, `user.${input.status}`);
}

/** Lifts a lock after failed logins. */
export async function unlockUser(tx: Tx, input: { id: string; version: number }): Promise<UserView> {
  await authorizeUserManagement(tx, input.id);
  return updateUser(tx, input.id, input.version, { lockedUntil: null, failedAttempts: 0 }, "user.unlocked");
}
