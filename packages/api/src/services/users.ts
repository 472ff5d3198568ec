import { mintToken } from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";
import { userSetupTokens } from "@zongzhi/db/schema";
import { ADMIN_ROLES, AppError, conflict, notFound, type Role, separationOfDutiesProblem } from "@zongzhi/domain";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { assertRecentAuth } from "./reauth.ts";

/** How long a setup link stays usable. */
export const SETUP_LINK_TTL_MS = 72 * 60 * 60 * 1000;

/** A user as administrators see it (never a password hash or TOTP key). */
export interface UserView {
  id: string;
  tenantId: string | null;
  username: string;
  displayName: string;
  roles: Role[];
  status: "active" | "disabled";
  mustChangePassword: boolean;
  locked: boolean;
  lockedUntil: Date | null;
  passwordSet: boolean;
  /** A second factor (TOTP) is set up. */
  totpEnabled: boolean;
  createdAt: Date;
  version: number;
}

/** A one-time link that lets a new user choose a password. */
export interface SetupLink {
  url: string;
  expiresAt: Date;
}

const USER = { zh: "用户", en: "user" };

/**
 * Loads the unit of a user the caller may see (NOT_FOUND otherwise) and checks user.manage
 * against it: administrators manage their own unit's and their descendants' users.
 */
export async function authorizeUserManagement(tx: Tx, id: string): Promise<void> {
  const [row] = await tx.sql<{ scope_code: string }[]>`select scope_code from app.users where id = ${id}`;
  if (!row) throw notFound(USER);
  authorizeFor(tx, "user.manage", row.scope_code);
}

type UserRow = {
  id: string;
  tenant_id: string | null;
  username: string;
  display_name: string;
  roles: Role[];
  status: "active" | "disabled";
  must_change_password: boolean;
  locked_until: Date | null;
  password_changed_at: Date | null;
  created_at: Date;
  version: number;
  totp_enabled_at: Date | null;
};

function view(r: UserRow): UserView {
  return {
    id: r.id,
    tenantId: r.tenant_id,
    username: r.username,
    displayName: r.display_name,
    roles: r.roles,
    status: r.status,
    mustChangePassword: r.must_change_password,
    locked: r.locked_until !== null && r.locked_until > new Date(),
    lockedUntil: r.locked_until,
    passwordSet: r.password_changed_at !== null,
    totpEnabled: r.totp_enabled_at !== null,
    createdAt: r.created_at,
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
  const [row] = await tx.sql<{ n: number }[]>`select count(*)::int as n from app.users
    where tenant_id = ${user.tenantId} and status = 'active' and 'security_admin' = any (roles)`;
  return { securityAdmins: row?.n ?? 0 };
}

/** One page of the users of a tenant in the caller's subtree, by login name. */
export async function listUsers(
  tx: Tx,
  input: { tenantId: string | null; q?: string | undefined; after?: string | undefined; limit: number },
): Promise<{ items: UserView[]; next: string | null }> {
  const rows = await tx.sql<UserRow[]>`select id, tenant_id, username, display_name, roles, status,
      must_change_password, locked_until, password_changed_at, created_at, version, totp_enabled_at
    from app.users
    where ${input.tenantId === null ? tx.sql`tenant_id is null` : tx.sql`tenant_id = ${input.tenantId}`}
      and username > ${input.after ?? ""}
      ${input.q ? tx.sql`and (strpos(username, ${input.q.toLowerCase()}) > 0 or strpos(display_name, ${input.q}) > 0)` : tx.sql``}
    order by username limit ${input.limit + 1}`;
  const items = rows.slice(0, input.limit).map(view);
  return { items, next: rows.length > input.limit ? (items.at(-1)?.username ?? null) : null };
}

/** Issues a fresh one-time setup link for a user (replacing unused earlier ones). */
export async function issueSetupLink(tx: Tx, userId: string, origin: string): Promise<SetupLink> {
  const minted = mintToken();
  const expiresAt = new Date(Date.now() + SETUP_LINK_TTL_MS);
  await tx.sql`delete from app.user_setup_tokens where user_id = ${userId} and used_at is null`;
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
  const [row] = await tx.sql`select 1 from app.users where tenant_id = ${input.tenantId} limit 1`;
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
): Promise<{ user: UserView; setupLink: SetupLink }> {
  if (input.roles.includes("platform_admin")) {
    throw new AppError("FORBIDDEN", { zh: "不能授予平台管理员角色", en: "The platform role cannot be granted here" });
  }
  const [unit] = await tx.sql<{ code: string }[]>`select code from app.tenants where id = ${input.tenantId}`;
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
  const [row] = await tx.sql<
    UserRow[]
  >`insert into app.users (tenant_id, username, display_name, roles, must_change_password)
    values (${input.tenantId}, ${input.username.toLowerCase()}, ${input.displayName}, ${input.roles}, true)
    returning id, tenant_id, username, display_name, roles, status, must_change_password, locked_until,
      password_changed_at, created_at, version, totp_enabled_at`;
  await recordAudit(tx, { kind: "user.created", subjectId: row!.id, detail: { roles: input.roles } });
  const setupLink = await issueSetupLink(tx, row!.id, origin);
  return { user: view(row!), setupLink };
}

async function updateUser(
  tx: Tx,
  id: string,
  version: number,
  set: ReturnType<Tx["sql"]>,
  kind: string,
  detail: Record<string, unknown> = {},
): Promise<UserView> {
  const [row] = await tx.sql<UserRow[]>`update app.users set ${set}, version = version + 1, updated_at = now()
    where id = ${id} and version = ${version}
    returning id, tenant_id, username, display_name, roles, status, must_change_password, locked_until,
      password_changed_at, created_at, version, totp_enabled_at`;
  if (!row) {
    const [exists] = await tx.sql`select 1 from app.users where id = ${id}`;
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
  const [current] = await tx.sql<
    { scope_code: string; roles: Role[] }[]
  >`select scope_code, roles from app.users where id = ${input.id}`;
  if (!current) throw notFound(USER);
  authorizeFor(tx, "user.manage", current.scope_code);
  if (!sameRoles(current.roles, input.roles)) {
    refuseSelf(tx, input.id, {
      zh: "不能更改自己的角色，请由其他安全管理员操作",
      en: "You cannot change your own roles; another security administrator must",
    });
    authorizeFor(tx, "role.grant", current.scope_code);
    assertSeparated(input.roles);
    await assertRecentAuth(tx);
  }
  return updateUser(
    tx,
    input.id,
    input.version,
    tx.sql`display_name = ${input.displayName}, roles = ${input.roles}`,
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
  return updateUser(tx, input.id, input.version, tx.sql`status = ${input.status}`, `user.${input.status}`);
}

/** Lifts a lock after failed logins. */
export async function unlockUser(tx: Tx, input: { id: string; version: number }): Promise<UserView> {
  await authorizeUserManagement(tx, input.id);
  return updateUser(tx, input.id, input.version, tx.sql`locked_until = null, failed_attempts = 0`, "user.unlocked");
}
