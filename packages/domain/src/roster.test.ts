import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chinaCalendar } from "./calendar.ts";
import { addDays, isoWeekday, mondayOf } from "./dates.ts";
import { type RosterStationing, type RotationSlot, rosterForDay, rosterForWeek } from "./roster.ts";

const slot = (over: Partial<RotationSlot>): RotationSlot => ({
  weekdays: null,
  everyWeeks: 1,
  anchorDate: null,
  validFrom: null,
  validTo: null,
  staffName: "值班员",
  staffPhone: null,
  ...over,
});

const dept = (id: string, residency: RosterStationing["residency"], slots: RotationSlot[] = []): RosterStationing => ({
  id,
  name: id,
  kindCode: "court",
  residency,
  contactName: null,
  contactPhone: residency === "on_call" ? "0937-1234567" : null,
  responseMinutes: residency === "on_call" ? 120 : null,
  slots,
});

const court = dept("法院", "permanent");
const labour = dept("人社局", "rotating", [slot({ weekdays: [2, 4], staffName: "张敏" })]);
const women = dept("妇联", "rotating", [
  slot({ weekdays: [1], everyWeeks: 2, anchorDate: "2026-09-28", staffName: "李娟" }),
]);
const notary = dept("公证处", "rotating", [
  slot({ validFrom: "2026-10-08", validTo: "2026-10-12", staffName: "王强" }),
]);
const medical = dept("医调委", "on_call");
const all = [court, labour, women, notary, medical];
const names = (r: RosterStationing[]) => r.map((s) => s.name);

describe("duty roster on the official calendar", () => {
  it("an ordinary Tuesday: permanent, Tuesday's rotation, on-call", () => {
    const day = rosterForDay(all, "2026-09-29", chinaCalendar);
    expect(day.workday).toBe(true);
    expect(names(day.permanent)).toEqual(["法院"]);
    expect(day.rotating.map((r) => [r.stationing.name, r.staff[0]?.name])).toEqual([["人社局", "张敏"]]);
    expect(names(day.onCall)).toEqual(["医调委"]);
  });

  it("National Day (Thursday 2026-10-01) is a holiday: nobody is stationed, on-call still answers", () => {
    const day = rosterForDay(all, "2026-10-01", chinaCalendar);
    expect(day.workday).toBe(false);
    expect(day.holiday).toBe("国庆节");
    expect(day.permanent).toEqual([]);
    expect(day.rotating).toEqual([]);
    expect(names(day.onCall)).toEqual(["医调委"]);
  });

  it("Tuesday 2026-10-06 is inside the holiday, so Tuesday's rotation does not come", () => {
    expect(isoWeekday("2026-10-06")).toBe(2);
    const day = rosterForDay(all, "2026-10-06", chinaCalendar);
    expect(day.workday).toBe(false);
    expect(day.rotating).toEqual([]);
  });

  it("the make-up Saturday 2026-10-10 (调休) is a working day for permanent departments", () => {
    const day = rosterForDay(all, "2026-10-10", chinaCalendar);
    expect(day.workday).toBe(true);
    expect(day.makeUpWorkday).toBe(true);
    expect(names(day.permanent)).toEqual(["法院"]);
    // A weekday pattern without Saturday does not apply; an explicit range does.
    expect(day.rotating.map((r) => r.stationing.name)).toEqual(["公证处"]);
  });

  it("the make-up Sunday 2026-09-20 is worked; the ordinary Sunday 2026-10-11 is not", () => {
    expect(rosterForDay(all, "2026-09-20", chinaCalendar).workday).toBe(true);
    const sunday = rosterForDay(all, "2026-10-11", chinaCalendar);
    expect(sunday.workday).toBe(false);
    expect(sunday.rotating).toEqual([]);
  });

  it("2025's National Day make-up days (Sunday 09-28, Saturday 10-11) are working days", () => {
    expect(rosterForDay([court], "2025-09-28", chinaCalendar).permanent).toHaveLength(1);
    expect(rosterForDay([court], "2025-10-11", chinaCalendar).permanent).toHaveLength(1);
    expect(rosterForDay([court], "2025-10-03", chinaCalendar).permanent).toHaveLength(0);
  });

  it("a fortnightly Monday rotation comes every other week from its anchor", () => {
    const mondays = ["2026-09-28", "2026-10-12", "2026-10-19", "2026-10-26"].map(
      (d) => rosterForDay([women], d, chinaCalendar).rotating.length,
    );
    expect(mondays).toEqual([1, 1, 0, 1]);
  });

  it("the week view starts on Monday and marks the holiday week", () => {
    const week = rosterForWeek(all, mondayOf("2026-10-01"), chinaCalendar);
    expect(week.map((d) => d.date)).toEqual([
      "2026-09-28",
      "2026-09-29",
      "2026-09-30",
      "2026-10-01",
      "2026-10-02",
      "2026-10-03",
      "2026-10-04",
    ]);
    expect(week.map((d) => d.workday)).toEqual([true, true, true, false, false, false, false]);
  });

  it("nobody but on-call departments is ever rostered on a non-working day (any date 2025–2026)", () => {
    const date = fc.integer({ min: 0, max: 729 }).map((n) => addDays("2025-01-01", n));
    fc.assert(
      fc.property(date, (d) => {
        const day = rosterForDay(all, d, chinaCalendar);
        if (!day.workday) expect(day.permanent.length + day.rotating.length).toBe(0);
        else expect(day.permanent).toHaveLength(1);
        expect(day.onCall).toHaveLength(1);
      }),
      { numRuns: 300 },
    );
  });
});
