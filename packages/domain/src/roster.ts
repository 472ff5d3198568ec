import type { DayInfo, WorkCalendar } from "./calendar.ts";
import { addDays, daysBetween, type IsoDate, isoWeekday } from "./dates.ts";

/** How a department is stationed at a centre: 常驻 / 轮驻 / 随叫随驻. */
export type Residency = "permanent" | "rotating" | "on_call";

/** Chinese and English names of the residency modes. */
export const RESIDENCY_NAMES: Record<Residency, { zh: string; en: string }> = {
  permanent: { zh: "常驻", en: "Permanent" },
  rotating: { zh: "轮驻", en: "Rotating" },
  on_call: { zh: "随叫随驻", en: "On call" },
};

/** When a rotating department is present, and who is on duty. */
export interface RotationSlot {
  /** ISO weekdays (1 = Monday) of a weekly pattern; null for an explicit date range only. */
  weekdays: number[] | null;
  /** The pattern repeats every N weeks, counted from the week of `anchorDate`. */
  everyWeeks: number;
  anchorDate: IsoDate | null;
  /** Optional bounds (inclusive); with no weekdays, the explicit range of presence. */
  validFrom: IsoDate | null;
  validTo: IsoDate | null;
  staffName: string;
  staffPhone: string | null;
}

/** A stationed department as the roster needs it. */
export interface RosterStationing {
  id: string;
  name: string;
  kindCode: string;
  residency: Residency;
  contactName: string | null;
  contactPhone: string | null;
  responseMinutes: number | null;
  slots: RotationSlot[];
}

/** Who is at the centre on one day. */
export interface DayRoster extends DayInfo {
  /** Permanent departments: present on every working day. */
  permanent: RosterStationing[];
  /** Rotating departments on duty that day, with the staff on duty. */
  rotating: { stationing: RosterStationing; staff: { name: string; phone: string | null }[] }[];
  /** On-call departments: reachable every day within their response time. */
  onCall: RosterStationing[];
}

/**
 * Does a rotation slot put its department at the centre on `date`? Only on working days of
 * the official calendar (a make-up Saturday counts; a holiday Monday does not). A weekly
 * pattern matches the date's ISO weekday, in the weeks selected by `everyWeeks`; a slot with
 * no weekdays is an explicit range of working days.
 */
export function slotApplies(slot: RotationSlot, day: DayInfo): boolean {
  if (!day.workday) return false;
  if (slot.validFrom && day.date < slot.validFrom) return false;
  if (slot.validTo && day.date > slot.validTo) return false;
  if (!slot.weekdays) return slot.validFrom !== null && slot.validTo !== null;
  if (!slot.weekdays.includes(isoWeekday(day.date))) return false;
  if (slot.everyWeeks > 1 && slot.anchorDate) {
    const weeks = Math.floor(daysBetween(weekStart(slot.anchorDate), weekStart(day.date)) / 7);
    return ((weeks % slot.everyWeeks) + slot.everyWeeks) % slot.everyWeeks === 0;
  }
  return true;
}

function weekStart(date: IsoDate): IsoDate {
  return addDays(date, 1 - isoWeekday(date));
}

/** The roster of one centre on one day. */
export function rosterForDay(stationings: RosterStationing[], date: IsoDate, calendar: WorkCalendar): DayRoster {
  const day = calendar.day(date);
  const roster: DayRoster = { ...day, permanent: [], rotating: [], onCall: [] };
  for (const s of stationings) {
    if (s.residency === "permanent") {
      if (day.workday) roster.permanent.push(s);
    } else if (s.residency === "on_call") {
      roster.onCall.push(s);
    } else {
      const staff = s.slots
        .filter((slot) => slotApplies(slot, day))
        .map((slot) => ({ name: slot.staffName, phone: slot.staffPhone }));
      if (staff.length > 0) roster.rotating.push({ stationing: s, staff });
    }
  }
  return roster;
}

/** Seven consecutive days of rosters starting at `start` (usually a Monday). */
export function rosterForWeek(stationings: RosterStationing[], start: IsoDate, calendar: WorkCalendar): DayRoster[] {
  return Array.from({ length: 7 }, (_, i) => rosterForDay(stationings, addDays(start, i), calendar));
}
