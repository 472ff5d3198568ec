/** The roles a user may hold (a user belongs to one tenant with one or more roles). */
export const ROLES = [
  "platform_admin",
  "tenant_admin",
  "security_admin",
  "intake_clerk",
  "mediator",
  "department_liaison",
  "grid_worker",
  "leader",
  "auditor",
] as const;
/** One role. */
export type Role = (typeof ROLES)[number];

/** Chinese and English names of the roles. */
export const ROLE_NAMES: Record<Role, { zh: string; en: string }> = {
  platform_admin: { zh: "平台运维管理员", en: "Platform operator" },
  tenant_admin: { zh: "中心管理员", en: "Centre administrator" },
  security_admin: { zh: "安全管理员", en: "Security administrator" },
  intake_clerk: { zh: "受理登记员", en: "Intake clerk" },
  mediator: { zh: "调解员", en: "Mediator" },
  department_liaison: { zh: "入驻部门联络员", en: "Department liaison" },
  grid_worker: { zh: "网格员", en: "Grid worker" },
  leader: { zh: "领导", en: "Leader" },
  auditor: { zh: "审计员", en: "Auditor" },
};

/**
 * The three administrative powers of MLPS level 3 (等保三级, 三权分立): the system
 * administrator (configuration and accounts: the centre administrator, and at the installation
 * the platform operator), the security administrator (role grants, second-factor policy,
 * sign-outs) and the audit administrator (the only reader of the audit and operation logs).
 * One account holds at most one of them; the database enforces it too
 * (`users_separation_of_duties`, migration 0071).
 */
export const ADMIN_POWERS = {
  system: ["platform_admin", "tenant_admin"],
  security: ["security_admin"],
  audit: ["auditor"],
} as const satisfies Record<string, readonly Role[]>;
/** One of the three powers. */
export type AdminPower = keyof typeof ADMIN_POWERS;

/** Chinese and English names of the powers. */
export const ADMIN_POWER_NAMES: Record<AdminPower, { zh: string; en: string }> = {
  system: { zh: "系统管理员", en: "system administrator" },
  security: { zh: "安全管理员", en: "security administrator" },
  audit: { zh: "审计管理员", en: "audit administrator" },
};

/** The roles that carry an administrative power. */
export const ADMIN_ROLES: readonly Role[] = Object.values(ADMIN_POWERS).flat();

/** The powers a set of roles carries, in the order system, security, audit. */
export function adminPowersOf(roles: readonly string[]): AdminPower[] {
  return (Object.keys(ADMIN_POWERS) as AdminPower[]).filter((power) =>
    (ADMIN_POWERS[power] as readonly string[]).some((role) => roles.includes(role)),
  );
}

/**
 * Why `roles` may not be held by one account (more than one administrative power), or null.
 * The same rule as the database's `users_separation_of_duties`.
 */
export function separationOfDutiesProblem(roles: readonly string[]): { zh: string; en: string } | null {
  const powers = adminPowersOf(roles);
  if (powers.length < 2) return null;
  return {
    zh: `三权分立：同一账号不能兼任${powers.map((p) => ADMIN_POWER_NAMES[p].zh).join("和")}`,
    en: `Separation of duties: one account cannot be both ${powers.map((p) => ADMIN_POWER_NAMES[p].en).join(" and ")}`,
  };
}
