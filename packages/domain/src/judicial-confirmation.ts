import { chinaCalendar, type WorkCalendar } from "./calendar.ts";
import { addDays, type IsoDate } from "./dates.ts";
import { AppError, type Message } from "./errors.ts";

/** Parties apply within 30 days of the agreement taking effect (人民调解法 art. 33). */
export const APPLY_WITHIN_DAYS = 30;
/** The court decides whether to accept within 3 days (法释〔2011〕5号 art. 3). */
export const ACCEPT_WITHIN_DAYS = 3;
/** …and rules within 15 days of accepting (art. 6), extendable once by 10 days. */
export const RULE_WITHIN_DAYS = 15;
/** The one extension of the ruling period. */
export const EXTENSION_DAYS = 10;

/** Matters courts do not accept for confirmation (法释〔2011〕5号 art. 4). */
export const EXCLUDED_MATTERS = ["identity", "adoption", "marriage_status"] as const;
/** One excluded matter. */
export type ExcludedMatter = (typeof EXCLUDED_MATTERS)[number];

const EXCLUDED_NAMES: Record<ExcludedMatter, Message> = {
  identity: { zh: "确认身份关系", en: "establishing a personal-status (identity) relationship" },
  adoption: { zh: "确认收养关系", en: "establishing an adoption relationship" },
  marriage_status: { zh: "确认婚姻关系", en: "establishing a marriage relationship" },
};

/**
 * The last day of a legal period of `days` calendar days from `start`. When it falls on a
 * statutory holiday or rest day, the period ends on the next working day (民事诉讼法 art. 85).
 */
export function periodEnd(start: IsoDate, days: number, calendar: WorkCalendar = chinaCalendar): IsoDate {
  let end = addDays(start, days);
  while (!calendar.day(end).workday) end = addDays(end, 1);
  return end;
}

/** Refuses an application the court would not accept, with the reason; returns the acceptance deadline. */
export function checkConfirmationApplication(
  input: {
    signedOn: IsoDate;
    appliedOn: IsoDate;
    matters: readonly ExcludedMatter[];
  },
  calendar: WorkCalendar = chinaCalendar,
): { acceptDue: IsoDate } {
  const [matter] = input.matters;
  if (matter) {
    const name = EXCLUDED_NAMES[matter];
    throw new AppError(
      "VALIDATION",
      {
        zh: `涉及${name.zh}的调解协议，人民法院不予受理司法确认申请（法释〔2011〕5号第四条）`,
        en: `Courts do not accept confirmation of agreements ${name.en} (Fa Shi [2011] No. 5, art. 4)`,
      },
      { fields: [{ path: "matters", zh: `不予受理：${name.zh}`, en: `not accepted: ${name.en}` }] },
    );
  }
  if (input.appliedOn < input.signedOn) {
    throw new AppError("VALIDATION", { zh: "申请日期不能早于协议生效日期", en: "Application before the agreement" });
  }
  const last = periodEnd(input.signedOn, APPLY_WITHIN_DAYS, calendar);
  if (input.appliedOn > last) {
    throw new AppError(
      "VALIDATION",
      {
        zh: `已超过申请期限：应在调解协议生效之日起30日内（${last}前）申请`,
        en: `Too late: apply within 30 days of the agreement (by ${last})`,
      },
      { fields: [{ path: "appliedOn", zh: `申请期限至${last}`, en: `deadline ${last}` }] },
    );
  }
  return { acceptDue: periodEnd(input.appliedOn, ACCEPT_WITHIN_DAYS, calendar) };
}

/** When the court must rule, counted from acceptance (plus 10 days once extended). */
export function rulingDue(acceptedOn: IsoDate, extended: boolean, calendar: WorkCalendar = chinaCalendar): IsoDate {
  return periodEnd(acceptedOn, RULE_WITHIN_DAYS + (extended ? EXTENSION_DAYS : 0), calendar);
}
