import { AppError, type Role } from "@zongzhi/domain";

/** Everything the server checks. The UI receives the caller's list and hides the rest. */
export const PERMISSIONS = [
  "tenant.read",
  "tenant.onboard",
  "tenant.suspend",
  "registry.read",
  "user.read",
  "user.manage",
  "audit.read",
  "platform.deployments",
  "centre.read",
  "centre.configure",
  "booking.manage",
  "case.read",
  "case.register",
  "case.summon",
  "case.escalate",
  "summons.answer",
  "personal.reveal",
  "stats.read",
] as const;
/** One permission. */
export type Permission = (typeof PERMISSIONS)[number];

const STAFF: Permission[] = ["tenant.read", "centre.read", "case.read", "stats.read"];

/** The one place that says which role may do what. */
export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  platform_admin: ["platform.deployments", "registry.read", "tenant.read", "user.read", "user.manage", "audit.read"],
  tenant_admin: [
    ...STAFF,
    "tenant.onboard",
    "tenant.suspend",
    "registry.read",
    "user.read",
    "user.manage",
    "audit.read",
    "centre.configure",
    "booking.manage",
    "case.register",
    "case.summon",
    "case.escalate",
    "summons.answer",
    "personal.reveal",
  ],
  intake_clerk: [...STAFF, "booking.manage", "case.register", "case.summon", "case.escalate", "personal.reveal"],
  mediator: [...STAFF, "booking.manage", "case.register", "case.escalate", "personal.reveal"],
  department_liaison: ["tenant.read", "centre.read", "case.read", "summons.answer"],
  grid_worker: [...STAFF, "case.register"],
  leader: [...STAFF, "user.read", "case.summon", "case.escalate"],
  auditor: [...STAFF, "user.read", "audit.read"],
};

/** The union of the permissions of the given roles. */
export function permissionsOf(roles: readonly string[]): Permission[] {
  const out = new Set<Permission>();
  for (const role of roles) for (const p of ROLE_PERMISSIONS[role as Role] ?? []) out.add(p);
  return [...out].sort();
}

/** True when any of the roles grants the permission. */
export function can(roles: readonly string[], permission: Permission): boolean {
  return roles.some((role) => ROLE_PERMISSIONS[role as Role]?.includes(permission));
}

/** Throws FORBIDDEN unless the roles grant the permission. */
export function assertCan(roles: readonly string[], permission: Permission): void {
  if (!can(roles, permission)) {
    throw new AppError(
      "FORBIDDEN",
      { zh: "您没有执行此操作的权限", en: "You are not allowed to do this" },
      { permission },
    );
  }
}
