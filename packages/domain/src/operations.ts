import { type CaseAction, TRANSITIONS } from "./case-workflow.ts";
import type { Message } from "./errors.ts";

/**
 * Names of the operations the operation log (操作日志) records: one per mutation of the API
 * (`op.<router>.<procedure>`), and the personal-data reveal. The log stores the key; the UI and
 * the export show these names, never the raw key. A test holds every mutation to this table.
 */
export const OPERATION_NAMES: Record<string, Message> = {
  "appointments.mark": {
    zh: "办理网上预约（到场、未到场、取消）",
    en: "Mark an online booking (arrived, no-show, cancelled)",
  },
  "appointments.receive": { zh: "接待网上预约并登记案件", en: "Receive an online booking as a case" },
  "appointments.saveOffer": { zh: "设置网上预约项目", en: "Set up an online booking offer" },
  "auth.changePassword": { zh: "修改密码", en: "Change password" },
  "auth.reauthenticate": { zh: "重新验证身份", en: "Re-authenticate" },
  "calendar.removeDay": { zh: "删除日历调整", en: "Remove a calendar entry" },
  "calendar.setDays": { zh: "调整工作日历", en: "Adjust the working calendar" },
  "cases.attach": { zh: "上传案件材料", en: "Upload a case file" },
  "cases.fieldReport": { zh: "现场上报", en: "Field report" },
  "cases.acknowledgeSummons": { zh: "召集报到", en: "Report to a summons" },
  "cases.applyForConfirmation": { zh: "申请司法确认", en: "Apply for judicial confirmation" },
  "cases.objectToSummons": { zh: "对召集提出异议", en: "Object to a summons" },
  "cases.recordAgreement": { zh: "登记调解协议", en: "Record an agreement" },
  "cases.recordConfirmationStep": { zh: "登记司法确认进展", en: "Record a confirmation step" },
  "cases.recordFollowUp": { zh: "登记回访", en: "Record a follow-up" },
  "cases.recordSession": { zh: "记录调解", en: "Record a session" },
  "cases.register": { zh: "登记案件", en: "Register a case" },
  "cases.scheduleSession": { zh: "安排调解", en: "Schedule a session" },
  "cases.summon": { zh: "吹哨召集部门", en: "Summon departments" },
  "cases.summonsFeedback": { zh: "召集反馈", en: "Feed back on a summons" },
  "cases.transition": { zh: "办理案件", en: "Case action" },
  "cases.updatePerformance": { zh: "登记协议履行", en: "Record performance" },
  "cockpit.saveSettings": { zh: "设置考评权重与平安指数", en: "Set ranking weights and the safety index" },
  "centre.addDepartmentKind": { zh: "新增部门类别", en: "Add a department kind" },
  "centre.editDepartmentKind": { zh: "编辑部门类别", en: "Edit a department kind" },
  "centre.addMediator": { zh: "新增调解员", en: "Add a mediator" },
  "centre.book": { zh: "预约调解室", en: "Book a room" },
  "centre.cancelBooking": { zh: "取消预约", en: "Cancel a booking" },
  "centre.createRoom": { zh: "新增调解室", en: "Create a room" },
  "centre.createWindow": { zh: "新增服务窗口", en: "Create a window" },
  "centre.editMediator": { zh: "编辑调解员", en: "Edit a mediator" },
  "centre.editRoom": { zh: "编辑调解室", en: "Edit a room" },
  "centre.editStationing": { zh: "编辑入驻部门", en: "Edit a stationing" },
  "centre.editWindow": { zh: "编辑服务窗口", en: "Edit a window" },
  "centre.removeStationing": { zh: "撤出入驻部门", en: "Remove a stationing" },
  "centre.saveCommittee": { zh: "保存调委会", en: "Save a committee" },
  "centre.saveContact": { zh: "设置中心联系电话", en: "Set the centre's contact" },
  "centre.station": { zh: "部门入驻", en: "Station a department" },
  "channels.createKey": { zh: "签发接口密钥", en: "Issue an API key" },
  "channels.revokeKey": { zh: "吊销接口密钥", en: "Revoke an API key" },
  "channels.createWebhook": { zh: "新增推送地址", en: "Add a webhook" },
  "channels.replayDelivery": { zh: "重新推送", en: "Replay a delivery" },
  "dictionaries.addCategory": { zh: "新增纠纷类别", en: "Add a dispute category" },
  "dictionaries.editCategory": { zh: "编辑纠纷类别", en: "Edit a dispute category" },
  "dictionaries.addEntry": {
    zh: "新增字典项（服务事项、调解员资质）",
    en: "Add a dictionary entry (service item, qualification)",
  },
  "dictionaries.editEntry": {
    zh: "编辑字典项（服务事项、调解员资质）",
    en: "Edit a dictionary entry (service item, qualification)",
  },
  "escalation.answerSupervision": { zh: "回复督办", en: "Answer a supervision" },
  "escalation.assignDown": { zh: "交办", en: "Assign down" },
  "escalation.escalate": { zh: "上报", en: "Escalate" },
  "escalation.markRead": { zh: "标记消息已读", en: "Mark messages read" },
  "escalation.openSupervision": { zh: "督办", en: "Supervise" },
  "escalation.returnCase": { zh: "退回上报或交办", en: "Return an escalation or assignment" },
  "escalation.setPolicy": { zh: "设置时限规则", en: "Set a deadline rule" },
  "escalation.signFor": { zh: "签收", en: "Sign for" },
  "escalation.takeCharge": { zh: "领导包案", en: "Take personal charge" },
  "grids.addWorker": { zh: "新增网格员", en: "Add a grid worker" },
  "grids.assign": { zh: "分配网格员", en: "Assign grid workers" },
  "grids.create": { zh: "新增网格", en: "Create a grid" },
  "grids.edit": { zh: "编辑网格", en: "Edit a grid" },
  "grids.editWorker": { zh: "编辑网格员", en: "Edit a grid worker" },
  "patrols.record": { zh: "记录巡查", en: "Record a patrol" },
  "patrols.setNorm": { zh: "设置巡查考核标准", en: "Set the patrol norm" },
  "mfa.begin": { zh: "开始绑定两步验证", en: "Begin second-factor enrolment" },
  "mfa.confirm": { zh: "启用两步验证", en: "Enable the second factor" },
  "mfa.disable": { zh: "停用两步验证", en: "Disable the second factor" },
  "mfa.setRequired": { zh: "设置两步验证要求", en: "Set the second-factor requirement" },
  "mfa.recoveryCodes": { zh: "生成恢复码", en: "Make recovery codes" },
  "notices.acknowledge": { zh: "确认已读通知公告", en: "Acknowledge a notice" },
  "notices.attach": { zh: "上传通知附件", en: "Attach a file to a notice" },
  "notices.publish": { zh: "发布通知公告", en: "Publish a notice" },
  "platform.createDeployment": { zh: "新建部署", en: "Create a deployment" },
  "platform.setDeploymentStatus": { zh: "停用或恢复部署", en: "Suspend or reactivate a deployment" },
  "platform.addSecurityAdmin": {
    zh: "为部署添加首位安全管理员",
    en: "Add a deployment's first security administrator",
  },
  "tenants.onboard": { zh: "开通下级单位", en: "Onboard units" },
  "tenants.setStatus": { zh: "停用或恢复单位", en: "Suspend or reactivate a unit" },
  "users.create": { zh: "新建用户", en: "Create a user" },
  "users.edit": { zh: "编辑用户", en: "Edit a user" },
  "users.resetTotp": { zh: "重置两步验证", en: "Reset a second factor" },
  "users.setStatus": { zh: "停用或启用用户", en: "Disable or enable a user" },
  "users.signOut": { zh: "强制退出登录", en: "Force a sign-out" },
  "users.setupLink": { zh: "生成设置链接", en: "Issue a setup link" },
  "users.unlock": { zh: "解锁用户", en: "Unlock a user" },
};

/** Prefix of the operation log's kinds (`op.cases.register`). */
export const OPERATION_PREFIX = "op.";

/** Readable name of a logged kind: an operation (with the workflow action, if any), a reveal, or the raw kind. */
export function operationName(kind: string, detail?: { action?: unknown } | null): Message {
  if (kind === "personal_data.revealed") return { zh: "查看当事人完整信息", en: "Reveal personal data" };
  if (kind === "personal_data.export_started") {
    return { zh: "开始导出含当事人完整信息的台账", en: "Start a ledger export with full personal data" };
  }
  if (kind === "personal_data.exported") {
    return { zh: "导出含当事人完整信息的台账", en: "Export a ledger with full personal data" };
  }
  if (kind === "cockpit.settings_saved")
    return { zh: "设置考评权重与平安指数", en: "Set ranking weights and the safety index" };
  const path = kind.startsWith(OPERATION_PREFIX) ? kindToPath(kind.slice(OPERATION_PREFIX.length)) : null;
  const name = path ? OPERATION_NAMES[path] : undefined;
  if (!name) return { zh: kind, en: kind };
  const action = detail?.action;
  if (path === "cases.transition" && typeof action === "string" && action in TRANSITIONS) {
    const a = TRANSITIONS[action as CaseAction].name;
    return { zh: `${name.zh}：${a.zh}`, en: `${name.en}: ${a.en}` };
  }
  return name;
}

/** The audit kind of a procedure path (kinds are lower-case: `cases.acknowledgeSummons` → `op.cases.acknowledge_summons`). */
export function operationKind(path: string): string {
  return OPERATION_PREFIX + path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function kindToPath(rest: string): string {
  return rest.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Names of the security and sign-in events of the audit (登录日志 and the account events): the
 * UI and the log export show these, never the raw kind.
 */
export const AUDIT_KIND_NAMES: Record<string, Message> = {
  "auth.login": { zh: "登录", en: "Signed in" },
  "auth.login_failed": { zh: "登录失败（密码错误）", en: "Wrong password" },
  "auth.locked": { zh: "账号被锁定", en: "Account locked" },
  "auth.login_refused": { zh: "登录被拒绝", en: "Sign-in refused" },
  "auth.logout": { zh: "退出登录", en: "Signed out" },
  "auth.forced_logout": { zh: "被管理员强制退出", en: "Signed out by an administrator" },
  "auth.setup_completed": { zh: "通过链接设置密码", en: "Password set via link" },
  "auth.session_renewed": { zh: "会话更新", en: "Session renewed" },
  "auth.password_changed": { zh: "修改密码", en: "Password changed" },
  "tenant.onboarded": { zh: "接入单位", en: "Units onboarded" },
  "tenant.active": { zh: "恢复单位", en: "Unit reactivated" },
  "tenant.suspended": { zh: "暂停单位", en: "Unit suspended" },
  "user.created": { zh: "新建用户", en: "User created" },
  "user.edited": { zh: "编辑用户", en: "User edited" },
  "user.active": { zh: "启用用户", en: "User enabled" },
  "user.disabled": { zh: "停用用户", en: "User disabled" },
  "user.unlocked": { zh: "解锁用户", en: "User unlocked" },
  "user.setup_link_issued": { zh: "生成设置链接", en: "Setup link issued" },
  "platform.deployment_created": { zh: "新建部署", en: "Deployment created" },
  "platform.operator_created": { zh: "新建平台运维账号", en: "Operator account created" },
  "platform.security_admin_added": {
    zh: "为部署添加首位安全管理员",
    en: "Deployment's first security administrator added",
  },
  "platform.auditor_created": { zh: "新建平台审计员账号", en: "Installation auditor account created" },
  "auth.totp_challenged": { zh: "密码正确，等待验证码", en: "Password accepted, code pending" },
  "auth.totp_failed": { zh: "验证码错误", en: "Wrong verification code" },
  "auth.totp_enabled": { zh: "启用两步验证", en: "Two-step verification on" },
  "auth.totp_disabled": { zh: "停用两步验证", en: "Two-step verification off" },
  "user.totp_reset": { zh: "重置两步验证", en: "Two-step verification reset" },
  "tenant.require_totp": { zh: "设置两步验证要求", en: "Two-step requirement set" },
};

/** The name of a logged kind: an operation (with its workflow action) or an audit event; the raw kind when unknown. */
export function logKindName(kind: string, detail?: { action?: unknown } | null): Message {
  return AUDIT_KIND_NAMES[kind] ?? operationName(kind, detail);
}
