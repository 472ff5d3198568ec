import type { CalendarOverride, Disagreement } from "@zongzhi/domain";
import { z } from "zod";
import { created, versioned } from "./common.ts";

// The output contracts of the dictionaries (字典管理) and the working calendar (工作日历): what
// their procedures answer. The services' return types are these schemas' types, the procedures
// declare them with `.output()`, and the UI reads them through inferRouterOutputs. Only zod and
// type imports of the domain: the browser may load this module.

/** The kinds of plain dictionary entries (a unit's own, inherited down the tree). */
export const DICTIONARY_KINDS = ["service_item", "qualification"] as const;
export type DictionaryKind = (typeof DICTIONARY_KINDS)[number];

/** One dispute category (纠纷类别): of the national catalogue, or a unit's own (dictionaries.categories). */
export const categoryView = z.object({
  code: z.string(),
  name: z.string(),
  docking: z.boolean(),
  active: z.boolean(),
  /** Null for the national catalogue; else the unit that added it. */
  id: z.string().nullable(),
  scopeCode: z.string().nullable(),
  unitName: z.string().nullable(),
  version: z.number().nullable(),
  /** The caller's own unit's (it may edit it). */
  own: z.boolean(),
});

/** One entry of a plain dictionary: a window service item (服务事项) or a mediator qualification (资质). */
export const dictionaryEntryView = z.object({
  id: z.string(),
  kind: z.enum(DICTIONARY_KINDS),
  name: z.string(),
  active: z.boolean(),
  version: z.number(),
  scopeCode: z.string(),
  unitName: z.string().nullable(),
  /** The caller's own unit's (it may edit it). */
  own: z.boolean(),
});

/** What dictionaries.addCategory answers: the new row's id and its code (made by the server). */
export const addedCategory = created.extend({ code: z.string() });
/** What an optimistic edit of a dictionary answers: the row and its new version. */
export const edited = created.extend(versioned.shape);

const disagreementKind = z.enum([
  "national_holiday_worked",
  "national_workday_off",
  "no_national_data",
]) satisfies z.ZodType<Disagreement, Disagreement>;

/** A day of the calendar: a holiday (with its name) or a worked day (the domain's CalendarOverride). */
const calendarDay = z.object({
  date: z.string(),
  workday: z.boolean(),
  name: z.string().nullable(),
}) satisfies z.ZodType<CalendarOverride, CalendarOverride>;

/** One entry as the calendar page shows it. */
export const calendarEntryView = calendarDay.extend({
  id: z.string(),
  scopeCode: z.string(),
  unitName: z.string().nullable(),
  note: z.string().nullable(),
  version: z.number(),
  /** The caller's own unit's entry (the others are inherited from above). */
  own: z.boolean(),
  /** How it stands against the package, null when it agrees. */
  disagreement: disagreementKind.nullable(),
});

/** A year of the caller's unit's calendar (calendar.year). */
export const calendarYearView = z.object({
  year: z.number(),
  /** Whether the package knows the State Council's holidays of that year. */
  nationalData: z.boolean(),
  national: z.array(calendarDay),
  entries: z.array(calendarEntryView),
});

/** calendar.setDays: how many days were entered. */
export const savedDays = z.object({ saved: z.number() });

export type Category = z.output<typeof categoryView>;
export type DictionaryEntry = z.output<typeof dictionaryEntryView>;
export type CalendarEntry = z.output<typeof calendarEntryView>;
export type CalendarYear = z.output<typeof calendarYearView>;
