import { type Level, levelOfCode } from "./division.ts";
import type { Message } from "./errors.ts";
import { ROLES, type Role } from "./roles.ts";

/**
 * The one authorisation table (DESIGN.md: "permission × the acting unit's relation to the
 * case's owner"). Pure, so that the server (packages/auth re-exports it, services call
 * {@link authorize}) and the admin UI (imports `@zongzhi/domain/permissions`) ask the same table.
 *
 * A permission is held by a role *for some relations* of the acting unit (the caller's unit)
 * to the subject's unit: the owner of a case (`owner_code`), the unit a configuration row, a
 * user, a summons' department or a supervision belongs to, or the caller's own unit for
 * anything it creates at home. A role alone is never enough.
 *
 * How the special units fit:
 * - the origin of an escalated case keeps reading it but is now a *descendant* of the owner,
 *   so it may no longer act on it (a village may not supervise the township above it);
 * - a sideways handler (`handler_code`) owns the case while it handles it, so it is `own`;
 *   its ancestors are `ancestor`; the origin branch watching it is `sibling` (reads only);
 * - a department liaison acts on summons of the department it is linked to: the subject is
 *   the unit of that stationing (`own`), and the service also requires the link itself;
 * - a platform operator has no unit: the installation (`!`) is its own unit, every
 *   deployment is `other_deployment` to it.
 * Read permissions list the relations RLS can show at all; RLS decides what is visible.
 */
export const RELATIONS = ["own", "ancestor", "descendant", "sibling", "other_deployment"] as const;
/** The acting unit's relation to the subject's unit. */
export type Relation = (typeof RELATIONS)[number];

/** Chinese and English names of the relations. */
export const RELATION_NAMES: Record<Relation, Message> = {
  own: { zh: "本单位", en: "own unit" },
  ancestor: { zh: "上级单位", en: "a unit above" },
  descendant: { zh: "下级单位", en: "a unit below" },
  sibling: { zh: "同级其他单位", en: "another branch" },
  other_deployment: { zh: "其他部署", en: "another deployment" },
};

/** Pseudo-code of the installation (the operators' unit). */
export const INSTALLATION_CODE = "!";

/**
 * The relation of the acting unit `acting` to the subject's unit `subject` (division codes, or
 * {@link INSTALLATION_CODE}). Two units of different deployments are never prefixes of each
 * other (deployments do not overlap); `actingRoot` (the acting unit's deployment root) tells a
 * sibling from another deployment, and without it an unrelated unit counts as a sibling (a row
 * the caller can see is always of its own deployment).
 */
export function relationOf(acting: string, subject: string, actingRoot?: string): Relation {
  if (acting === subject) return "own";
  if (acting === INSTALLATION_CODE || subject === INSTALLATION_CODE) return "other_deployment";
  if (subject.startsWith(acting)) return "ancestor";
  if (acting.startsWith(subject)) return "descendant";
  if (actingRoot !== undefined && !subject.startsWith(actingRoot)) return "other_deployment";
  return "sibling";
}

/** Named system actors: rules and jobs that act on their own authority, never a user's role. */
export const SYSTEM_ACTORS = [
  "deadline_scan",
  "follow_up_rule",
  "agreement_rule",
  "webhook_dispatch",
  "online_booking",
  "public_lookup",
] as const;
/** One system actor. */
export type SystemActor = (typeof SYSTEM_ACTORS)[number];

/** Who acts: a user's roles at its unit, or a named system actor within a deployment. */
export type Actor =
  | { roles: readonly string[]; scope: string; system?: undefined; key?: readonly Permission[] | undefined }
  | { system: SystemActor; scope: string; roles?: readonly string[] };

/** A role's hold on a permission: the relations, and optionally the tiers of the acting unit. */
export type Grant = readonly Relation[] | { relations: readonly Relation[]; atLevels: readonly Level[] };

/** One row of the table. */
export interface PermissionRule {
  name: Message;
  /** Which roles hold it, for which relations of the acting unit to the subject. */
  grants: Partial<Record<Role, Grant>>;
  /** Whether it changes data (mutations) or only reads. */
  kind: "read" | "write";
}

const OWN: readonly Relation[] = ["own"];
const OWN_UP: readonly Relation[] = ["own", "ancestor"];
const UP: readonly Relation[] = ["ancestor"];
/** What RLS can show at all (it narrows further): never another deployment. */
const READ: readonly Relation[] = ["own", "ancestor", "descendant", "sibling"];

const read = (name: Message, roles: readonly Role[], relations: readonly Relation[] = READ): PermissionRule => ({
  name,
  kind: "read",
  grants: Object.fromEntries(roles.map((r) => [r, relations])),
});
const write = (name: Message, grants: Partial<Record<Role, Grant>>): PermissionRule => ({
  name,
  kind: "write",
  grants,
});
const each = (roles: readonly Role[], grant: Grant): Partial<Record<Role, Grant>> =>
  Object.fromEntries(roles.map((r) => [r, grant]));

const UNIT_ROLES: readonly Role[] = ROLES.filter((r) => r !== "platform_admin");
const STAFF: readonly Role[] = ["tenant_admin", "intake_clerk", "mediator", "grid_worker", "leader", "auditor"];
const CLERKS: readonly Role[] = ["intake_clerk", "tenant_admin", "leader"];
const HANDLERS: readonly Role[] = ["mediator", "intake_clerk", "tenant_admin", "leader"];
const CASEWORKERS: readonly Role[] = ["intake_clerk", "mediator", "tenant_admin"];

/** The table. Anything not granted here is refused. */
export const PERMISSION_TABLE = {
  // Reads: gated by role here, narrowed by RLS.
  "tenant.read": read({ zh: "查看单位", en: "Read units" }, ROLES),
  "registry.read": read({ zh: "检索区划库", en: "Search the registry" }, ["platform_admin", "tenant_admin"]),
  "user.read": read({ zh: "查看用户", en: "Read users" }, [
    "platform_admin",
    "tenant_admin",
    "security_admin",
    "leader",
    "auditor",
  ]),
  // Separation of duties (三权分立): only the audit administrator reads the audit and operation logs.
  "audit.read": read({ zh: "查看审计日志", en: "Read the audit log" }, ["auditor"]),
  "centre.read": read({ zh: "查看中心配置", en: "Read centre configuration" }, UNIT_ROLES),
  "case.read": read({ zh: "查看案件", en: "Read cases" }, STAFF),
  "case.read_summoned": read({ zh: "查看被召集的案件", en: "Read cases one's department is summoned to" }, [
    "department_liaison",
  ]),
  // The integrity view of a case (完整性校验): the timeline's hash chain, recomputed. Auditors only.
  "case.integrity": read({ zh: "查看完整性校验", en: "Read the integrity view" }, ["auditor"]),
  "stats.read": read({ zh: "查看统计", en: "Read statistics" }, STAFF),
  "grid.read": read({ zh: "查看网格", en: "Read grids" }, STAFF),
  "notice.read": read({ zh: "查看通知公告", en: "Read notices" }, UNIT_ROLES),
  "personal.reveal": read({ zh: "查看当事人完整信息", en: "Reveal personal data" }, CASEWORKERS, [
    "own",
    "ancestor",
    "descendant",
  ]),

  // One's own account (password, second factor, inbox read marks): everyone, at home.
  "account.self": write({ zh: "管理本人账号", en: "Manage one's own account" }, each(ROLES, OWN)),

  // The installation, the tree and its users.
  "platform.deployments": write({ zh: "管理部署", en: "Manage deployments" }, { platform_admin: OWN }),
  "user.manage": write(
    { zh: "管理用户", en: "Manage users" },
    { tenant_admin: OWN_UP, security_admin: OWN_UP, platform_admin: OWN },
  ),
  // Separation of duties (三权分立): granting or withdrawing roles is the security administrator's
  // power (a centre administrator creates accounts with working roles only); the operator grants
  // a new deployment's first administrator. The database holds the same line (migration 0071).
  "role.grant": write(
    { zh: "授予或收回角色", en: "Grant or withdraw roles" },
    { security_admin: OWN_UP, platform_admin: OWN },
  ),
  // Online users (在线用户): who is signed in, and a forced sign-out (subject: the session's unit).
  // Separation of duties (三权分立): sessions are the security administrator's (the auditor
  // watches them); the centre administrator (system administrator) neither sees nor ends them.
  "session.read": read({ zh: "查看在线用户", en: "See who is signed in" }, [
    "platform_admin",
    "security_admin",
    "auditor",
  ]),
  "session.revoke": write(
    { zh: "强制退出登录", en: "Force a sign-out" },
    { security_admin: OWN_UP, platform_admin: OWN },
  ),
  // Clearing another account's second factor (a lost phone) is an authentication power, the
  // security administrator's (三权分立), not the centre administrator's; the operator clears an
  // operator's. The database holds the same line (migration 0110). Subject: the user's unit.
  "mfa.reset": write(
    { zh: "重置他人两步验证", en: "Reset another user's second factor" },
    { security_admin: OWN_UP, platform_admin: OWN },
  ),
  // Subject: the unit below which new units are onboarded.
  "tenant.onboard": write({ zh: "开通下级单位", en: "Onboard units" }, { tenant_admin: OWN_UP }),
  "tenant.suspend": write({ zh: "停用下级单位", en: "Suspend units" }, { tenant_admin: UP }),
  // Subject: the deployment's root unit. The second-factor policy is the security administrator's
  // alone (三权分立), at the deployment's root.
  "mfa.require": write({ zh: "要求两步验证", en: "Require a second factor" }, { security_admin: OWN }),

  // A centre's own configuration: only the centre itself changes it.
  "centre.configure": write({ zh: "配置中心", en: "Configure the centre" }, { tenant_admin: OWN }),
  // Notices (通知公告): published by a unit to its subtree; each reader acknowledges its own, at home.
  "notice.publish": write({ zh: "发布通知公告", en: "Publish notices" }, { tenant_admin: OWN, leader: OWN }),
  "notice.acknowledge": write({ zh: "确认已读通知公告", en: "Acknowledge notices" }, each(UNIT_ROLES, OWN)),
  // The unit's own dictionary entries (字典管理: dispute categories), inherited by the units below it.
  "dictionary.manage": write({ zh: "管理字典", en: "Manage dictionaries" }, { tenant_admin: OWN }),
  // The unit's own calendar entries (节假日调整), inherited by the units below it.
  "calendar.manage": write({ zh: "调整工作日历", en: "Adjust the working calendar" }, { tenant_admin: OWN }),
  "booking.manage": write({ zh: "预约调解室", en: "Book rooms" }, each(CASEWORKERS, OWN)),
  // Online booking (网上预约): the bookings people made at the centre (masked), read by its staff and
  // the units above; the centre's clerks mark arrivals and no-shows, cancel, and receive (接待) them
  // into cases (which takes case.register too). What is bookable is centre.configure.
  "appointment.read": read({ zh: "查看网上预约", en: "Read online bookings" }, [...CLERKS, "mediator"]),
  "appointment.handle": write(
    { zh: "办理网上预约（到场、未到、取消、接待）", en: "Handle online bookings (arrival, no-show, cancel, receive)" },
    each(["intake_clerk", "tenant_admin", "mediator"], OWN),
  ),
  // Held by no role: the public booking page acts as the system actor online_booking at the
  // chosen centre (a person books, looks up and cancels a booking of their own).
  "appointment.book": write({ zh: "网上预约", en: "Book online" }, {}),
  // The grid (一张网): a unit divides its own land and staffs its own grids.
  "grid.manage": write({ zh: "管理网格和网格员", en: "Manage grids and grid workers" }, { tenant_admin: OWN }),
  // Patrols (巡查): a grid worker records its own; the unit sets the norm it is measured by.
  "patrol.record": write({ zh: "记录巡查", en: "Record patrols" }, { grid_worker: OWN }),
  "patrol.norm": write({ zh: "设置巡查考核标准", en: "Set the patrol norm" }, { tenant_admin: OWN }),
  // Open channels: API keys of integrators (12345, apps) and their webhooks.
  "channel.read": read({ zh: "查看开放接口", en: "Read open channels" }, ["tenant_admin", "auditor"]),
  "channel.manage": write({ zh: "管理开放接口密钥", en: "Manage API keys" }, { tenant_admin: OWN }),

  // Intake and the workflow (TRANSITIONS names the permission of each action).
  "case.register": write(
    { zh: "登记案件", en: "Register cases" },
    each(["intake_clerk", "mediator", "grid_worker", "tenant_admin"], OWN),
  ),
  // A village has no intake clerk: its mediator accepts and triages (the outpost, 前哨站).
  "case.accept": write({ zh: "受理", en: "Accept" }, each([...CLERKS, "mediator"], OWN_UP)),
  "case.return": write({ zh: "退回补正", en: "Return for correction" }, each(CLERKS, OWN_UP)),
  "case.resubmit": write(
    { zh: "补正后重新提交", en: "Resubmit" },
    each(["intake_clerk", "grid_worker", "mediator", "tenant_admin"], OWN_UP),
  ),
  "case.triage": write(
    { zh: "分诊", en: "Triage" },
    { ...each(CLERKS, OWN_UP), mediator: { relations: OWN, atLevels: ["village"] } },
  ),
  "case.start_mediation": write({ zh: "开始调解", en: "Start mediation" }, each(HANDLERS, OWN_UP)),
  "case.resolve": write({ zh: "化解成功", en: "Resolve" }, each(HANDLERS, OWN_UP)),
  "case.fail": write({ zh: "调解不成", en: "Record failed mediation" }, each(HANDLERS, OWN_UP)),
  "case.refer": write({ zh: "转仲裁/诉讼/行政程序", en: "Refer" }, each(HANDLERS, OWN_UP)),
  "case.record_referral_result": write({ zh: "登记转办结果", en: "Record a referral result" }, each(HANDLERS, OWN_UP)),
  "case.await_follow_up": write({ zh: "转入回访", en: "Move to follow-up" }, each(HANDLERS, OWN_UP)),
  "case.close": write({ zh: "结案", en: "Close" }, each(CLERKS, OWN_UP)),
  "case.reopen": write({ zh: "重办", en: "Reopen" }, each([...CLERKS, "mediator", "grid_worker"], OWN_UP)),
  "case.archive": write({ zh: "归档", en: "Archive" }, each(["intake_clerk", "tenant_admin"], OWN_UP)),
  "case.hold": write({ zh: "中止", en: "Put on hold" }, each(HANDLERS, OWN_UP)),
  "case.resume": write({ zh: "恢复办理", en: "Resume" }, each(HANDLERS, OWN_UP)),
  "case.cancel": write({ zh: "撤销", en: "Cancel" }, each(CLERKS, OWN_UP)),
  "case.mark_duplicate": write({ zh: "标记为重复件", en: "Mark as duplicate" }, each(CLERKS, OWN_UP)),

  // Work on a case besides its state: the owner, or a unit above it.
  "case.summon": write({ zh: "吹哨召集部门", en: "Summon departments" }, each(CLERKS, OWN_UP)),
  "case.session": write({ zh: "安排和记录调解", en: "Schedule and record sessions" }, each(CASEWORKERS, OWN_UP)),
  "case.agreement": write(
    { zh: "调解协议与司法确认", en: "Agreements and judicial confirmation" },
    each(CASEWORKERS, OWN_UP),
  ),
  "case.follow_up": write(
    { zh: "回访", en: "Record follow-ups" },
    {
      ...each(["intake_clerk", "mediator", "tenant_admin", "leader"], OWN_UP),
      // The reporter's loop (issue 13 §3): the origin's grid worker confirms on site or rejects
      // the result of a case it reported, also when a unit above handled it.
      grid_worker: ["own", "ancestor", "descendant"],
    },
  ),
  "case.follow_up_override": write(
    { zh: "说明不重办的理由", en: "Override rework after an unsatisfied follow-up" },
    each(["leader", "tenant_admin"], OWN_UP),
  ),
  // Liaisons attach evidence to cases their department is summoned to (the service checks the summons).
  "case.attach": write(
    { zh: "上传附件", en: "Attach files" },
    { ...each(["intake_clerk", "mediator", "grid_worker", "tenant_admin", "leader"], OWN_UP), department_liaison: OWN },
  ),

  // Summons answered by the summoned department (subject: the stationing's unit).
  "summons.answer": write({ zh: "报到与反馈", en: "Answer summons" }, { department_liaison: OWN }),
  "summons.answer_any": write(
    { zh: "代入驻部门报到与反馈", en: "Answer summons for any department of the centre" },
    { tenant_admin: OWN },
  ),

  // Across tiers: only the owning tier moves a case; units above supervise and take charge.
  "case.escalate": write({ zh: "上报", en: "Escalate" }, each(HANDLERS, OWN)),
  "case.sign_for": write({ zh: "签收", en: "Sign for" }, each(HANDLERS, OWN)),
  "case.assign_down": write({ zh: "交办", en: "Assign down" }, each(HANDLERS, OWN)),
  "case.return_hop": write({ zh: "退回上报或交办", en: "Return an escalation or assignment" }, each(HANDLERS, OWN)),
  "case.decide_bounced": write({ zh: "对多次退回的案件作出决定", en: "Decide a case that bounced" }, { leader: OWN }),
  "supervision.open": write({ zh: "督办", en: "Supervise" }, { leader: OWN_UP }),
  // Subject: the supervised (addressed) unit.
  "supervision.answer": write({ zh: "回复督办", en: "Answer a supervision" }, each(HANDLERS, OWN)),
  "case.take_charge": write({ zh: "领导包案", en: "Take personal charge" }, { leader: OWN_UP }),

  // The cockpit of a unit (ranking weights of its children, its safety index): its leader or administrator.
  "cockpit.configure": write(
    { zh: "设置考评权重与平安指数", en: "Set the ranking weights and the safety index" },
    each(["leader", "tenant_admin"], OWN),
  ),
} satisfies Record<string, PermissionRule>;

/** One permission. */
export type Permission = keyof typeof PERMISSION_TABLE;
/** Every permission, in table order. */
export const PERMISSIONS = Object.keys(PERMISSION_TABLE) as Permission[];

/** What each system actor may do (relation-free, but never outside its deployment). */
export const SYSTEM_PERMISSIONS: Record<SystemActor, { name: Message; permissions: readonly Permission[] }> = {
  deadline_scan: { name: { zh: "期限扫描", en: "Deadline scan" }, permissions: ["supervision.open"] },
  follow_up_rule: {
    name: { zh: "回访不满意自动重办", en: "Unsatisfied follow-up rule" },
    permissions: ["case.reopen"],
  },
  agreement_rule: { name: { zh: "达成协议即化解", en: "Agreement resolves the case" }, permissions: ["case.resolve"] },
  // Sends the open channels' webhooks: it changes nothing of a case, only its own delivery log.
  webhook_dispatch: { name: { zh: "推送状态变更", en: "Webhook dispatch" }, permissions: [] },
  // The public booking page (网上预约): no user behind it, the centre the person chose as its unit.
  online_booking: {
    name: { zh: "网上预约（公众）", en: "Online booking (public)" },
    permissions: ["appointment.book"],
  },
  // The public lookup page (一码可查): the person who found their case by its code and phone
  // answers its result (a follow-up), at the case's owning unit. Nothing else.
  public_lookup: {
    name: { zh: "群众查询页评价", en: "Public lookup (the person's answer)" },
    permissions: ["case.follow_up"],
  },
};

/**
 * What an API key of an open channel (the 12345 platform, an app) may be given: submit
 * requests (cases), read their status, and rate the result (a follow-up). Always for the key's
 * own unit; who may create keys is `channel.manage`.
 */
export const KEY_PERMISSIONS = [
  "case.register",
  "case.read",
  "case.follow_up",
] as const satisfies readonly Permission[];
/** One permission an API key may hold. */
export type KeyPermission = (typeof KEY_PERMISSIONS)[number];

function grantAllows(grant: Grant | undefined, relation: Relation, level: Level | null): boolean {
  if (!grant) return false;
  if ("atLevels" in grant)
    return grant.relations.includes(relation) && level !== null && grant.atLevels.includes(level);
  return grant.includes(relation);
}

/**
 * The one decision: may `actor` exercise `permission` on a subject to which its unit stands
 * in `relation`? A user needs a role holding it for that relation (and, for tier-bound grants,
 * at its unit's tier); a system actor needs it in {@link SYSTEM_PERMISSIONS}.
 */
export function authorize(actor: Actor, permission: Permission, relation: Relation): boolean {
  const rule: PermissionRule = PERMISSION_TABLE[permission];
  if (actor.system !== undefined) {
    return relation !== "other_deployment" && SYSTEM_PERMISSIONS[actor.system].permissions.includes(permission);
  }
  // An integrator's API key acts for its own unit only, with the permissions it was given.
  if (actor.key !== undefined) {
    return (
      relation === "own" &&
      (KEY_PERMISSIONS as readonly Permission[]).includes(permission) &&
      actor.key.includes(permission)
    );
  }
  const level = levelOfCode(actor.scope);
  return actor.roles.some((role) => grantAllows(rule.grants[role as Role], relation, level));
}

/** `authorize` with the relation computed from the acting unit and the subject's unit code. */
export function authorizeOn(actor: Actor, permission: Permission, subjectCode: string, actingRoot?: string): boolean {
  return authorize(actor, permission, relationOf(actor.scope, subjectCode, actingRoot));
}

/** True when some role holds the permission for some relation (what a page may offer at all). */
export function holds(roles: readonly string[], permission: Permission): boolean {
  const rule: PermissionRule = PERMISSION_TABLE[permission];
  return roles.some((role) => rule.grants[role as Role] !== undefined);
}

/** Every permission the roles hold for some relation, sorted (sent to the UI by `auth.me`). */
export function permissionsOf(roles: readonly string[]): Permission[] {
  return PERMISSIONS.filter((p) => holds(roles, p)).sort();
}

/** Where a user's home page starts: the leaders' cockpit (领导驾驶舱) or the user's own work. */
export type HomePage = "cockpit" | "work";

/**
 * The cockpit is the home of whoever answers for its own unit's figures: it may read them
 * (`stats.read`) and set how its unit judges them (`cockpit.configure`, the ranking weights and
 * the safety index), both for its own unit (today the leader and the centre's administrator).
 * Everyone else, and an operator without a unit, starts on its work. Asked of the permission
 * table, so that a role given or taken these permissions changes its home with them.
 */
export function homePageOf(actor: { roles: readonly string[]; scope: string | null }): HomePage {
  if (actor.scope === null) return "work";
  const own = { roles: actor.roles, scope: actor.scope };
  return authorize(own, "stats.read", "own") && authorize(own, "cockpit.configure", "own") ? "cockpit" : "work";
}

/** True when the caller reads only the cases its departments are summoned to. */
export function readsOnlySummoned(roles: readonly string[]): boolean {
  return !holds(roles, "case.read") && holds(roles, "case.read_summoned");
}
