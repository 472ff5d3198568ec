import { describe, expect, it } from "vitest";
import {
  BOOKING_CODE,
  bookingCode,
  bookingDates,
  centreOfBookingCode,
  clockMinutes,
  clockText,
  offeredSlot,
  type SlotRule,
  slotsOn,
} from "./booking.ts";
import { chinaCalendar, withOverrides } from "./calendar.ts";

const RULE: SlotRule = {
  slotMinutes: 30,
  opensAt: 9 * 60,
  closesAt: 17 * 60 + 30,
  breakFrom: 12 * 60,
  breakTo: 14 * 60 + 30,
  daysAhead: 7,
  noticeHours: 2,
};

describe("the slots of an offer", () => {
  it("run from opening to closing, skip the break and exist on working days only", () => {
    // 2026-12-01 is a Tuesday; 2026-12-05 a Saturday; 2026-10-01 National Day.
    const times = slotsOn(RULE, "2026-12-01", chinaCalendar).map((s) => s.time);
    expect(times).toEqual([
      "09:00",
      "09:30",
      "10:00",
      "10:30",
      "11:00",
      "11:30",
      "14:30",
      "15:00",
      "15:30",
      "16:00",
      "16:30",
      "17:00",
    ]);
    expect(slotsOn(RULE, "2026-12-05", chinaCalendar)).toEqual([]);
    expect(slotsOn(RULE, "2026-10-01", chinaCalendar)).toEqual([]);
    const first = slotsOn(RULE, "2026-12-01", chinaCalendar)[0]!;
    expect(first.startsAt.toISOString()).toBe("2026-12-01T01:00:00.000Z");
    expect(first.endsAt.toISOString()).toBe("2026-12-01T01:30:00.000Z");
  });

  it("follow the centre's calendar entries: a declared day off has none, a make-up Saturday has them", () => {
    const calendar = withOverrides([
      { date: "2026-12-01", workday: false, name: "停电" },
      { date: "2026-12-05", workday: true, name: null },
    ]);
    expect(slotsOn(RULE, "2026-12-01", calendar)).toEqual([]);
    expect(slotsOn(RULE, "2026-12-05", calendar)).toHaveLength(12);
  });

  it("never overlap the break, whatever the slot length", () => {
    const hour = { ...RULE, slotMinutes: 60 };
    expect(slotsOn(hour, "2026-12-01", chinaCalendar).map((s) => s.time)).toEqual([
      "09:00",
      "10:00",
      "11:00",
      "14:30",
      "15:30",
      "16:30",
    ]);
    const long = { ...RULE, slotMinutes: 150, breakFrom: null, breakTo: null };
    expect(slotsOn(long, "2026-12-01", chinaCalendar).map((s) => s.time)).toEqual(["09:00", "11:30", "14:00"]);
  });

  it("are offered from today for the days ahead, past the notice", () => {
    const now = new Date("2026-12-01T01:30:00Z"); // 09:30 in China
    expect(bookingDates(RULE, now)).toEqual([
      "2026-12-01",
      "2026-12-02",
      "2026-12-03",
      "2026-12-04",
      "2026-12-05",
      "2026-12-06",
      "2026-12-07",
      "2026-12-08",
    ]);
    const at = (iso: string) => offeredSlot(RULE, new Date(iso), now, chinaCalendar);
    expect(at("2026-12-01T03:30:00Z")).toMatchObject({ slot: { time: "11:30" } });
    expect(at("2026-12-01T02:30:00Z")).toMatchObject({ refused: { zh: expect.stringContaining("截止") } });
    expect(at("2026-12-01T03:45:00Z")).toMatchObject({ refused: { en: expect.stringContaining("not one of") } });
    expect(at("2026-12-01T04:00:00Z")).toMatchObject({ refused: { en: expect.stringContaining("not one of") } });
    expect(at("2026-12-09T01:00:00Z")).toMatchObject({ refused: { en: expect.stringContaining("next 7 days") } });
    expect(at("2026-11-30T01:00:00Z")).toMatchObject({ refused: { en: expect.stringContaining("next 7 days") } });
  });
});

describe("booking codes and clock times", () => {
  it("carry the centre's code and 8 characters of Crockford's alphabet", () => {
    const code = bookingCode("620981101", new Uint8Array([0, 1, 8, 18, 21, 27, 31, 255]));
    expect(code).toBe("620981101-018JNVZZ");
    expect(BOOKING_CODE.test(code)).toBe(true);
    expect(centreOfBookingCode(code)).toBe("620981101");
    expect(centreOfBookingCode("620981101-ILOU0000")).toBeNull();
    expect(() => bookingCode("62", new Uint8Array(4))).toThrow(RangeError);
  });

  it("turn HH:MM into minutes and back", () => {
    for (const t of ["00:00", "09:05", "12:30", "23:59", "24:00"]) expect(clockText(clockMinutes(t))).toBe(t);
  });
});
