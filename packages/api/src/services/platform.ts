import { setLocalScope, type Tx } from "@zongzhi/db/client";
import { refDivisions } from "@zongzhi/db/schema";
import { AppError, conflict, isDivisionCode, type Level, levelOfCode } from "@zongzhi/domain";
import { eq } from "drizzle-orm";
import type { CreatedAccount } from "../schemas/accounts.ts";
import type { CreatedDeployment, Deployment } from "../schemas/tenants.ts";
import { recordAudit } from "./audit.ts";
import { createUser } from "./users.ts";

/** A deployment: one root unit and everything onboarded below it (schemas/tenants.ts). */
export type { Deployment };

/** Every deployment on this installation (operators only; enforced in the database too). */
export async function listDeployments(tx: Tx): Promise<Deployment[]> {
  const rows = await tx.sql<
    {
      id: string;
      code: string;
      level: Level;
      name: string;
      status: "active" | "suspended";
      created_at: Date;
      version: number;
      tenants: string;
      users: string;
      security_admins: string;
    }[]
  >`select * from auth.platform_list_deployments()`;
  return rows.map(({ created_at, security_admins, ...r }) => ({
    ...r,
    createdAt: created_at,
    tenants: Number(r.tenants),
    users: Number(r.users),
    securityAdmins: Number(security_admins),
  }));
}

/** A new account's login and name. */
type NewAccount = { username: string; displayName: string };

/**
 * Creates a deployment rooted at any registry unit (province … village) that overlaps no other
 * deployment, with its first administrator and, optionally, its first security administrator
 * (三权分立: role grants, sessions and the second-factor rule are theirs, and only they or the
 * operator grant that role); each receives a one-time setup link.
 */
export async function createDeployment(
  tx: Tx,
  input: { code: string; admin: NewAccount; security?: NewAccount | undefined },
  origin: string,
): Promise<CreatedDeployment> {
  const level = levelOfCode(input.code);
  if (!level || !isDivisionCode(input.code)) {
    throw new AppError("VALIDATION", { zh: "区划代码格式不正确", en: "Malformed division code" });
  }
  const [unit] = await tx.db
    .select({ name: refDivisions.name })
    .from(refDivisions)
    .where(eq(refDivisions.code, input.code));
  if (!unit) {
    throw new AppError("VALIDATION", { zh: "区划代码不在行政区划库中", en: "Not in the division registry" });
  }
  const [row] = await tx.sql<
    { id: string }[]
  >`select auth.platform_create_deployment(${input.code}, ${level}, ${unit.name}) as id`;
  const id = row!.id;
  // The first admin is created inside the new deployment's own scope.
  await setLocalScope(tx, input.code);
  const scoped = { ...tx, ctx: { ...tx.ctx, scope: input.code } };
  const { user, setupLink } = await createUser(
    scoped,
    { tenantId: id, ...input.admin, roles: ["tenant_admin"] },
    origin,
  );
  const security = input.security
    ? await createUser(scoped, { tenantId: id, ...input.security, roles: ["security_admin"] }, origin)
    : null;
  await setLocalScope(tx, tx.ctx.scope);
  return { deployment: { id, code: input.code, name: unit.name }, admin: user, setupLink, security };
}

/**
 * Gives a deployment that has none its first security administrator (三权分立: a deployment made
 * before that role existed has nobody to grant roles, watch sessions or set the second-factor
 * rule). Only while its root unit has no active one: after that, role grants are theirs, not the
 * operator's. The account receives a one-time setup link; the installation's audit log records it.
 */
export async function addSecurityAdmin(
  tx: Tx,
  input: { id: string; security: NewAccount },
  origin: string,
): Promise<CreatedAccount> {
  const [root] = await tx.sql<
    { code: string }[]
  >`select code from auth.platform_list_deployments() where id = ${input.id}`;
  if (!root) throw new AppError("NOT_FOUND", { zh: "部署不存在", en: "deployment not found" });
  // One at a time per deployment, so that two operators cannot both add a "first" one.
  await tx.sql`select pg_advisory_xact_lock(hashtext(${`platform.addSecurityAdmin:${root.code}`}))`;
  const [count] = await tx.sql<{ n: number }[]>`select security_admins::int as n
    from auth.platform_list_deployments() where id = ${input.id}`;
  if ((count?.n ?? 0) > 0) {
    throw new AppError("PRECONDITION_FAILED", {
      zh: "该部署已有安全管理员：新的安全管理员由其授予",
      en: "This deployment already has a security administrator, who grants further ones",
    });
  }
  await setLocalScope(tx, root.code);
  const scoped = { ...tx, ctx: { ...tx.ctx, scope: root.code } };
  const made = await createUser(scoped, { tenantId: input.id, ...input.security, roles: ["security_admin"] }, origin);
  await setLocalScope(tx, tx.ctx.scope);
  await recordAudit(tx, {
    kind: "platform.security_admin_added",
    subjectId: made.user.id,
    detail: { deployment: root.code, user: made.user.username },
  });
  return made;
}

/** Suspends or reactivates a whole deployment; suspension ends its sessions at once. */
export async function setDeploymentStatus(
  tx: Tx,
  input: { id: string; status: "active" | "suspended"; version: number },
): Promise<void> {
  const [row] = await tx.sql<{ result: "ok" | "not_found" | "conflict" }[]>`select auth.platform_set_deployment_status(
    ${input.id}, ${input.status}, ${input.version}) as result`;
  if (row?.result === "not_found") throw new AppError("NOT_FOUND", { zh: "部署不存在", en: "deployment not found" });
  if (row?.result === "conflict") throw conflict();
}
