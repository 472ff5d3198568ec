import { AppError, type Message } from "./errors.ts";
import { type Actor, authorize, type Permission, type Relation } from "./permissions.ts";

/**
 * The states of a case (一案一码 closed loop). Terminal: archived, cancelled, duplicate.
 * See ARCHITECTURE.md §Case workflow for the diagram.
 */
export const CASE_STATES = [
  "registered", // 登记
  "returned", // 退回补正 (missing information; back to the registering unit)
  "accepted", // 受理
  "triaged", // 分诊/研判 (routed)
  "in_mediation", // 调解中
  "on_hold", // 中止 (waiting for a party; bounded)
  "resolved", // 化解成功 (agreement or otherwise)
  "not_resolved", // 调解不成
  "referred", // 转仲裁/诉讼/行政程序
  "awaiting_follow_up", // 待回访
  "reopened", // 重办 (unsatisfied follow-up)
  "closed", // 结案
  "archived", // 归档
  "cancelled", // 撤销
  "duplicate", // 重复件
] as const;
/** One state. */
export type CaseState = (typeof CASE_STATES)[number];

/** States from which nothing further happens. */
export const TERMINAL_STATES: readonly CaseState[] = ["archived", "cancelled", "duplicate"];

/** Chinese and English names of the states. */
export const CASE_STATE_NAMES: Record<CaseState, Message> = {
  registered: { zh: "已登记", en: "Registered" },
  returned: { zh: "退回补正", en: "Returned" },
  accepted: { zh: "已受理", en: "Accepted" },
  triaged: { zh: "已分诊", en: "Triaged" },
  in_mediation: { zh: "调解中", en: "In mediation" },
  on_hold: { zh: "中止", en: "On hold" },
  resolved: { zh: "已化解", en: "Resolved" },
  not_resolved: { zh: "调解不成", en: "Not resolved" },
  referred: { zh: "已转办", en: "Referred" },
  awaiting_follow_up: { zh: "待回访", en: "Awaiting follow-up" },
  reopened: { zh: "重办", en: "Reopened" },
  closed: { zh: "已结案", en: "Closed" },
  archived: { zh: "已归档", en: "Archived" },
  cancelled: { zh: "已撤销", en: "Cancelled" },
  duplicate: { zh: "重复件", en: "Duplicate" },
};

/** Actions that move a case between states. */
export const CASE_ACTIONS = [
  "accept",
  "return",
  "resubmit",
  "triage",
  "start_mediation",
  "resolve",
  "fail",
  "refer",
  "record_referral_result",
  "await_follow_up",
  "close",
  "reopen",
  "archive",
  "hold",
  "resume",
  "cancel",
  "mark_duplicate",
] as const;
/** One action. */
export type CaseAction = (typeof CASE_ACTIONS)[number];

/**
 * One rule of the workflow: from which states, to which state, the permission it takes (who
 * holds it, and for which relation to the case's owner, is in permissions.ts), what it needs.
 */
export interface TransitionRule {
  from: readonly CaseState[];
  /** Target state; `resume` returns to the state the case was held from. */
  to: CaseState | "held_from";
  permission: Permission;
  /** What the transition must carry: checked generically by missingFields (case-rules.ts) in the API. */
  needs: readonly ("reason" | "route" | "outcome" | "referral" | "follow_up" | "duplicate_of" | "hold_until")[];
  name: Message;
}

/** The explicit allowed-transition map: anything not listed here is refused. */
export const TRANSITIONS: Record<CaseAction, TransitionRule> = {
  accept: {
    from: ["registered"],
    to: "accepted",
    permission: "case.accept",
    needs: [],
    name: { zh: "受理", en: "Accept" },
  },
  return: {
    from: ["registered"],
    to: "returned",
    permission: "case.return",
    needs: ["reason"],
    name: { zh: "退回补正", en: "Return" },
  },
  resubmit: {
    from: ["returned"],
    to: "registered",
    permission: "case.resubmit",
    needs: [],
    name: { zh: "补正后重新提交", en: "Resubmit" },
  },
  triage: {
    from: ["accepted", "reopened"],
    to: "triaged",
    permission: "case.triage",
    needs: ["route"],
    name: { zh: "分诊", en: "Triage" },
  },
  start_mediation: {
    from: ["triaged"],
    to: "in_mediation",
    permission: "case.start_mediation",
    needs: [],
    name: { zh: "开始调解", en: "Start mediation" },
  },
  resolve: {
    from: ["triaged", "in_mediation"],
    to: "resolved",
    permission: "case.resolve",
    needs: ["outcome"],
    name: { zh: "化解成功", en: "Resolve" },
  },
  fail: {
    from: ["in_mediation"],
    to: "not_resolved",
    permission: "case.fail",
    needs: ["reason"],
    name: { zh: "调解不成", en: "Mediation failed" },
  },
  refer: {
    from: ["triaged", "not_resolved"],
    to: "referred",
    permission: "case.refer",
    needs: ["referral"],
    name: { zh: "转仲裁/诉讼/行政程序", en: "Refer" },
  },
  record_referral_result: {
    from: ["referred"],
    to: "awaiting_follow_up",
    permission: "case.record_referral_result",
    needs: ["outcome"],
    name: { zh: "登记转办结果", en: "Record referral result" },
  },
  await_follow_up: {
    from: ["resolved"],
    to: "awaiting_follow_up",
    permission: "case.await_follow_up",
    needs: [],
    name: { zh: "转入回访", en: "Move to follow-up" },
  },
  close: {
    from: ["awaiting_follow_up"],
    to: "closed",
    permission: "case.close",
    needs: ["follow_up"],
    name: { zh: "结案", en: "Close" },
  },
  reopen: {
    from: ["awaiting_follow_up", "closed"],
    to: "reopened",
    permission: "case.reopen",
    needs: ["reason"],
    name: { zh: "重办", en: "Reopen for rework" },
  },
  archive: {
    from: ["closed"],
    to: "archived",
    permission: "case.archive",
    needs: [],
    name: { zh: "归档", en: "Archive" },
  },
  hold: {
    from: ["accepted", "triaged", "in_mediation"],
    to: "on_hold",
    permission: "case.hold",
    needs: ["reason", "hold_until"],
    name: { zh: "中止", en: "Put on hold" },
  },
  resume: {
    from: ["on_hold"],
    to: "held_from",
    permission: "case.resume",
    needs: [],
    name: { zh: "恢复办理", en: "Resume" },
  },
  cancel: {
    from: ["registered", "returned", "accepted", "triaged", "in_mediation", "on_hold"],
    to: "cancelled",
    permission: "case.cancel",
    needs: ["reason"],
    name: { zh: "撤销", en: "Cancel" },
  },
  mark_duplicate: {
    from: ["registered", "accepted"],
    to: "duplicate",
    permission: "case.mark_duplicate",
    needs: ["duplicate_of"],
    name: { zh: "标记为重复件", en: "Mark as duplicate" },
  },
};

/**
 * The state a transition leads to, or an AppError explaining the refusal: FORBIDDEN unless
 * `actor` holds the action's permission for its `relation` to the case's owner (the one table,
 * permissions.ts), PRECONDITION_FAILED when the action does not apply to the current state.
 */
export function nextState(
  current: CaseState,
  action: CaseAction,
  actor: Actor,
  relation: Relation,
  heldFrom: CaseState | null = null,
): CaseState {
  const rule = TRANSITIONS[action];
  if (!authorize(actor, rule.permission, relation)) {
    throw new AppError(
      "FORBIDDEN",
      {
        zh: `您不能对本案执行"${rule.name.zh}"`,
        en: `You may not ${rule.name.en.toLowerCase()} this case`,
      },
      { action, permission: rule.permission, relation },
    );
  }
  if (!rule.from.includes(current)) {
    throw new AppError(
      "PRECONDITION_FAILED",
      {
        zh: `案件当前为"${CASE_STATE_NAMES[current].zh}"，不能执行"${rule.name.zh}"`,
        en: `A case that is ${CASE_STATE_NAMES[current].en.toLowerCase()} cannot be ${action.replaceAll("_", " ")}ed`,
      },
      { state: current, action },
    );
  }
  if (rule.to === "held_from") {
    if (!heldFrom || heldFrom === "on_hold") {
      throw new AppError("PRECONDITION_FAILED", { zh: "无法确定恢复后的状态", en: "Unknown state to resume to" });
    }
    return heldFrom;
  }
  return rule.to;
}

/** The actions allowed from a state for the actor at its relation to the owner (what the UI offers). */
export function availableActions(current: CaseState, actor: Actor, relation: Relation): CaseAction[] {
  return CASE_ACTIONS.filter(
    (a) => TRANSITIONS[a].from.includes(current) && authorize(actor, TRANSITIONS[a].permission, relation),
  );
}

/** Source channels of a case. */
export const CHANNELS = [
  "visit",
  "grid_patrol",
  "department_transfer",
  "township_report",
  "hotline_12345",
  "online",
  "phone",
] as const;
/** One channel. */
export type Channel = (typeof CHANNELS)[number];

/** Chinese and English names of the channels. */
export const CHANNEL_NAMES: Record<Channel, Message> = {
  visit: { zh: "群众来访", en: "Walk-in visit" },
  grid_patrol: { zh: "网格巡查", en: "Grid patrol" },
  department_transfer: { zh: "部门转办", en: "Department transfer" },
  township_report: { zh: "镇街上报", en: "Township report" },
  hotline_12345: { zh: "12345热线", en: "12345 hotline" },
  online: { zh: "网上预约", en: "Online" },
  phone: { zh: "电话", en: "Phone" },
};

/** Risk of escalation into a group incident or petition — not a deadline colour. */
export const RISK_GRADES = ["red", "yellow", "blue", "none"] as const;
/** One risk grade. */
export type RiskGrade = (typeof RISK_GRADES)[number];
/** Chinese and English names of the risk grades. */
export const RISK_GRADE_NAMES: Record<RiskGrade, Message> = {
  red: { zh: "红色风险", en: "Red risk" },
  yellow: { zh: "黄色风险", en: "Yellow risk" },
  blue: { zh: "蓝色风险", en: "Blue risk" },
  none: { zh: "无风险", en: "No risk" },
};

/** Longest a case may be put on hold (waiting for a party); its clocks are paused meanwhile. */
export const MAX_HOLD_DAYS = 30;

/** Returns or bounces between tiers after which the owning tier's leader must decide (policy default). */
export const MAX_BOUNCES = 2;

/** Qufu's rule: a summoned department may object within 8 hours; after that it owns the work. */
export const OBJECTION_WINDOW_HOURS = 8;

/** States in which mediation sessions may be scheduled. */
export const SCHEDULING_STATES: readonly CaseState[] = ["triaged", "in_mediation", "reopened"];

/** States in which a mediation agreement may be recorded. */
export const AGREEMENT_STATES: readonly CaseState[] = ["in_mediation", "triaged", "resolved"];

/** States in which follow-up visits (回访) are recorded. */
export const FOLLOW_UP_STATES: readonly CaseState[] = ["awaiting_follow_up", "closed"];
/** States before a case is resolved: the owner's resolution clock runs (交办 deadlines time it). */
export const PRE_RESOLUTION_STATES: readonly CaseState[] = [
  "registered",
  "returned",
  "accepted",
  "triaged",
  "in_mediation",
  "on_hold",
  "not_resolved",
  "reopened",
];

/** Where triage (分诊) may send a case. */
export const ROUTE_KINDS = [
  "room",
  "mediator",
  "committee",
  "window",
  "joint_consultation",
  "litigation_docking",
] as const;
/** One triage route. */
export type RouteKind = (typeof ROUTE_KINDS)[number];
