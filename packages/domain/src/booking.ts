import type { WorkCalendar } from "./calendar.ts";
import { addDays, CHINA_UTC_OFFSET_MS, chinaToday, type IsoDate, startOfChinaDay } from "./dates.ts";
import type { Message } from "./errors.ts";
import type { Role } from "./roles.ts";

// Online booking (网上预约): the slots a centre's offer opens, the booking code, the vocabularies.
// No calendar data here (the caller passes the centre's calendar): safe for the UI bundle.

/** What an offer books: a visit at a service window, or a mediation slot in a room. */
export const OFFER_KINDS = ["visit", "mediation"] as const;
/** One kind of offer. */
export type OfferKind = (typeof OFFER_KINDS)[number];
/** Chinese and English names of the offer kinds. */
export const OFFER_KIND_NAMES: Record<OfferKind, Message> = {
  visit: { zh: "窗口来访", en: "Visit a window" },
  mediation: { zh: "调解预约", en: "Mediation slot" },
};

/** Where a booking stands: booked, then arrived (and received into a case), no-show, or cancelled. */
export const APPOINTMENT_STATUSES = ["booked", "arrived", "no_show", "cancelled", "converted"] as const;
/** One status of a booking. */
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];
/** Chinese and English names of the statuses. */
export const APPOINTMENT_STATUS_NAMES: Record<AppointmentStatus, Message> = {
  booked: { zh: "已预约", en: "Booked" },
  arrived: { zh: "已到场", en: "Arrived" },
  no_show: { zh: "未到场", en: "No-show" },
  cancelled: { zh: "已取消", en: "Cancelled" },
  converted: { zh: "已接待登记", en: "Received as a case" },
};
/** Statuses a clerk may still act on (mark, receive, cancel). */
export const OPEN_APPOINTMENT_STATUSES: readonly AppointmentStatus[] = ["booked", "arrived"];

/** Open (booked, not yet begun) bookings one phone may hold at one centre. */
export const MAX_OPEN_BOOKINGS_PER_PHONE = 2;
/** New bookings one phone may make per day (all centres), and one client address per hour. */
export const BOOKINGS_PER_PHONE_PER_DAY = 5;
export const BOOKINGS_PER_ADDRESS_PER_HOUR = 10;
/**
 * Who is told of a new online booking (the bell and message centre): the centre's clerks, who
 * receive (接待) it. A centre without an active clerk is told as a unit (every user of it).
 */
export const BOOKING_RECEIVERS: readonly Role[] = ["intake_clerk"];
/** The notification kind of a new online booking. */
export const BOOKING_NOTIFICATION = "appointment.booked";

/** The notification title of a new booking: its code, when (China time) and what (server's Chinese, as all titles). */
export function bookingNotice(input: { code: string; startsAt: Date; offerTitle: string }): string {
  const at = new Date(input.startsAt.getTime() + CHINA_UTC_OFFSET_MS).toISOString();
  return `网上预约：${input.code} ${at.slice(0, 10)} ${at.slice(11, 16)} ${input.offerTitle}`;
}

/** The part of an offer that decides its slots. */
export interface SlotRule {
  slotMinutes: number;
  /** Minutes after midnight, China time. */
  opensAt: number;
  closesAt: number;
  breakFrom: number | null;
  breakTo: number | null;
  daysAhead: number;
  noticeHours: number;
}

/** One slot: its instants and its minute of the day. */
export interface Slot {
  startsAt: Date;
  endsAt: Date;
  /** `HH:MM`, China time. */
  time: string;
}

/** `540` → `09:00`. */
export function clockText(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** `09:00` → `540` (the input schemas check the shape first). */
export function clockMinutes(text: string): number {
  const [h, m] = text.split(":").map(Number);
  return h! * 60 + m!;
}

/**
 * The slots of an offer on one date: none on a day off of the centre's calendar (a holiday, a
 * weekend that is not a make-up workday); otherwise one every `slotMinutes` from opening until
 * the break, and again from the break's end, each ending by the break or by closing time.
 */
export function slotsOn(rule: SlotRule, date: IsoDate, calendar: WorkCalendar): Slot[] {
  if (!calendar.day(date).workday) return [];
  const midnight = startOfChinaDay(date).getTime();
  const periods: [number, number][] =
    rule.breakFrom !== null && rule.breakTo !== null
      ? [
          [rule.opensAt, rule.breakFrom],
          [rule.breakTo, rule.closesAt],
        ]
      : [[rule.opensAt, rule.closesAt]];
  const slots: Slot[] = [];
  for (const [from, to] of periods) {
    for (let start = from; start + rule.slotMinutes <= to; start += rule.slotMinutes) {
      slots.push({
        startsAt: new Date(midnight + start * 60_000),
        endsAt: new Date(midnight + (start + rule.slotMinutes) * 60_000),
        time: clockText(start),
      });
    }
  }
  return slots;
}

/** The dates an offer books on, from today (China time) to `daysAhead` days later. */
export function bookingDates(rule: Pick<SlotRule, "daysAhead">, now: Date): IsoDate[] {
  const today = chinaToday(now);
  return Array.from({ length: rule.daysAhead + 1 }, (_, i) => addDays(today, i));
}

/** Whether a slot may still be booked at `now`: it starts at least `noticeHours` later. */
export function slotOpen(rule: Pick<SlotRule, "noticeHours">, slot: Pick<Slot, "startsAt">, now: Date): boolean {
  return slot.startsAt.getTime() >= now.getTime() + rule.noticeHours * 3_600_000;
}

/**
 * The slot of the offer that starts at `startsAt`, if it is one of the offer's slots on a
 * bookable date that may still be booked at `now`; otherwise why not.
 */
export function offeredSlot(
  rule: SlotRule,
  startsAt: Date,
  now: Date,
  calendar: WorkCalendar,
): { slot: Slot } | { refused: Message } {
  const dates = bookingDates(rule, now);
  const date = chinaToday(startsAt);
  if (!dates.includes(date)) {
    return {
      refused: {
        zh: `只能预约今天起${rule.daysAhead}天内的时段`,
        en: `Only slots within the next ${rule.daysAhead} days can be booked`,
      },
    };
  }
  const slot = slotsOn(rule, date, calendar).find((s) => s.startsAt.getTime() === startsAt.getTime());
  if (!slot) return { refused: { zh: "该时间不是可预约的时段", en: "That time is not one of the offered slots" } };
  if (!slotOpen(rule, slot, now)) {
    return {
      refused: {
        zh: `该时段已截止预约（须提前${rule.noticeHours}小时）`,
        en: `That slot is closed for booking (book ${rule.noticeHours} hours ahead)`,
      },
    };
  }
  return { slot };
}

/** Crockford's base-32 alphabet (no I, L, O, U: read aloud and typed without confusion). */
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A booking code: the centre's division code and 8 random characters (`620981101-7K3QD9XM`). */
export function bookingCode(centreCode: string, random: Uint8Array): string {
  if (random.length < 8) throw new RangeError("a booking code needs 8 random bytes");
  let tail = "";
  for (let i = 0; i < 8; i++) tail += CROCKFORD[random[i]! & 31];
  return `${centreCode}-${tail}`;
}

/** The shape of a booking code (what the lookup accepts, after upper-casing). */
export const BOOKING_CODE = /^(\d{2,12})-([0-9A-HJKMNP-TV-Z]{8})$/;

/** The centre of a booking code. */
export function centreOfBookingCode(code: string): string | null {
  return BOOKING_CODE.exec(code)?.[1] ?? null;
}
