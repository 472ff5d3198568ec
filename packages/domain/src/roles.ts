/** The roles a user may hold (a user belongs to one tenant with one or more roles). */
export const ROLES = [
  "platform_admin",
  "tenant_admin",
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
  intake_clerk: { zh: "受理登记员", en: "Intake clerk" },
  mediator: { zh: "调解员", en: "Mediator" },
  department_liaison: { zh: "入驻部门联络员", en: "Department liaison" },
  grid_worker: { zh: "网格员", en: "Grid worker" },
  leader: { zh: "领导", en: "Leader" },
  auditor: { zh: "审计员", en: "Auditor" },
};
