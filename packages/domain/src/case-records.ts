import type { Message } from "./errors.ts";

// The vocabularies of a case's records — summons, mediation sessions, agreements, follow-up
// visits — with their zh/en names, in display order. The API's input schemas take the values
// from here, the ledgers (Excel/CSV exports) and the admin UI show the names from here: one
// list, one wording.

/** States of a summons (吹哨召集) of a stationed department. */
export const SUMMONS_STATES = ["pending", "acknowledged", "objected", "done"] as const;
/** A summons' state. */
export type SummonsState = (typeof SUMMONS_STATES)[number];
/** Names of the summons states. */
export const SUMMONS_STATE_NAMES: Record<SummonsState, Message> = {
  pending: { zh: "待报到", en: "Awaiting report" },
  acknowledged: { zh: "已报到", en: "Reported" },
  objected: { zh: "已提出异议", en: "Objected" },
  done: { zh: "已反馈", en: "Fed back" },
};

/** How a mediation session ended. */
export const SESSION_OUTCOMES = ["continued", "agreement", "failed"] as const;
/** A session's outcome. */
export type SessionOutcome = (typeof SESSION_OUTCOMES)[number];
/** Names of the session outcomes. */
export const SESSION_OUTCOME_NAMES: Record<SessionOutcome, Message> = {
  continued: { zh: "继续调解", en: "To be continued" },
  agreement: { zh: "达成协议", en: "Agreement reached" },
  failed: { zh: "调解不成", en: "Failed" },
};

/** Whether an agreement was performed. */
export const PERFORMANCE_STATUSES = ["pending", "partly", "performed", "breached"] as const;
/** An agreement's performance. */
export type PerformanceStatus = (typeof PERFORMANCE_STATUSES)[number];
/** Names of the performance statuses. */
export const PERFORMANCE_NAMES: Record<PerformanceStatus, Message> = {
  pending: { zh: "待履行", en: "Pending" },
  partly: { zh: "部分履行", en: "Partly performed" },
  performed: { zh: "已履行", en: "Performed" },
  breached: { zh: "未履行（违约）", en: "Breached" },
};

/**
 * How a follow-up was made: by staff (phone, visit, on site), or `online`, the person's own
 * answer on the public lookup page (一码可查), which no staff member records.
 */
export const FOLLOW_UP_METHODS = ["phone", "visit", "on_site", "online"] as const;
/** The methods of a follow-up staff record (cases.recordFollowUp). */
export const STAFF_FOLLOW_UP_METHODS = ["phone", "visit", "on_site"] as const;
/** A follow-up's method. */
export type FollowUpMethod = (typeof FOLLOW_UP_METHODS)[number];
/** Names of the follow-up methods. */
export const FOLLOW_UP_METHOD_NAMES: Record<FollowUpMethod, Message> = {
  phone: { zh: "电话回访", en: "Phone" },
  visit: { zh: "上门回访", en: "Home visit" },
  on_site: { zh: "实地查看", en: "On site" },
  online: { zh: "群众查询页评价", en: "The person, on the lookup page" },
};

/** What the party said of the handling at the follow-up. */
export const SATISFACTIONS = ["satisfied", "basically_satisfied", "unsatisfied"] as const;
/** A party's satisfaction. */
export type Satisfaction = (typeof SATISFACTIONS)[number];
/** Names of the satisfaction grades. */
export const SATISFACTION_NAMES: Record<Satisfaction, Message> = {
  satisfied: { zh: "满意", en: "Satisfied" },
  basically_satisfied: { zh: "基本满意", en: "Basically satisfied" },
  unsatisfied: { zh: "不满意", en: "Unsatisfied" },
};

/** A party's role in a case (申请人, 被申请人, 第三人). */
export const PARTY_ROLES = ["applicant", "respondent", "third_party"] as const;
/** One party role. */
export type PartyRole = (typeof PARTY_ROLES)[number];

/** Where a case not resolved by mediation is referred (转仲裁 / 诉讼 / 行政程序). */
export const REFERRAL_KINDS = ["arbitration", "litigation", "administrative"] as const;
/** One kind of referral. */
export type ReferralKind = (typeof REFERRAL_KINDS)[number];

/** The name of `value` in `names`, in one language; an unknown value (an old row) as it is. */
export function nameOf<K extends string>(names: Record<K, Message>, value: string, lang: keyof Message): string {
  return (names as Record<string, Message | undefined>)[value]?.[lang] ?? value;
}
