import { setLocalScope, type Tx } from "@zongzhi/db/client";
import { AppError, conflict, isDivisionCode, type Level, levelOfCode } from "@zongzhi/domain";
import { createUser, type SetupLink, type UserView } from "./users.ts";

/** A deployment: one root unit and everything onboarded below it. */
export interface Deployment {
  id: string;
  code: string;
  level: Level;
  name: string;
  status: "active" | "suspended";
  createdAt: Date;
  version: number;
  tenants: number;
  users: number;
}

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
    }[]
  >`select * from auth.platform_list_deployments()`;
  return rows.map((r) => ({ ...r, createdAt: r.created_at, tenants: Number(r.tenants), users: Number(r.users) }));
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
): Promise<{
  deployment: { id: string; code: string; name: string };
  admin: UserView;
  setupLink: SetupLink;
  security: { user: UserView; setupLink: SetupLink } | null;
}> {
  const level = levelOfCode(input.code);
  if (!level || !isDivisionCode(input.code)) {
    throw new AppError("VALIDATION", { zh: "区划代码格式不正确", en: "Malformed division code" });
  }
  const [unit] = await tx.sql<{ name: string }[]>`select name from ref.divisions where code = ${input.code}`;
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
