import { describe, expect, it } from "vitest";
import {
  calendarGaps,
  checkedChinaCalendar,
  chinaCalendar,
  disagreement,
  dueAt,
  hasNationalData,
  withOverrides,
} from "./calendar.ts";
import { chinaDate } from "./dates.ts";

// 2027's Spring Festival as a State Council notice would set it (the package has no 2027 data).
const SPRING_2027 = [
  ...["2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"].map((date) => ({
    date,
    workday: false,
    name: "春节",
  })),
  { date: "2027-02-13", workday: true, name: null },
];

describe("the calendar beyond the package", () => {
  it("knows which years the package covers", () => {
    expect(hasNationalData(2026)).toBe(true);
    expect(hasNationalData(2027)).toBe(false);
    expect(checkedChinaCalendar.known("2026-10-01")).toBe(true);
    expect(checkedChinaCalendar.known("2027-02-10")).toBe(false);
    // Without data, Spring Festival 2027 reads as an ordinary Wednesday: what the warning is for.
    expect(chinaCalendar.day("2027-02-10").workday).toBe(true);
  });

  it("an entry wins over the package, and entering a year makes it known", () => {
    const cal = withOverrides(SPRING_2027);
    expect(cal.day("2027-02-10")).toEqual({
      date: "2027-02-10",
      workday: false,
      makeUpWorkday: false,
      holiday: "春节",
    });
    expect(cal.day("2027-02-13")).toMatchObject({ workday: true, makeUpWorkday: true, holiday: null });
    expect(cal.known("2027-06-01")).toBe(true);
    // A unit's own adjustment on a national holiday: the nearest (first) entry wins.
    const local = withOverrides([
      { date: "2026-10-08", workday: true, name: null },
      { date: "2026-10-08", workday: false, name: "国庆节" },
    ]);
    expect(local.day("2026-10-08").workday).toBe(true);
  });

  it("working-day deadlines count the entered holidays", () => {
    // Registered Friday 2027-02-05 10:00 China time, 3 working days.
    const start = new Date("2027-02-05T02:00:00Z");
    expect(chinaDate(dueAt(start, { amount: 3, unit: "working_days" }))).toBe("2027-02-10");
    const due = dueAt(start, { amount: 3, unit: "working_days" }, 0, withOverrides(SPRING_2027));
    // 02-06..12 off, 02-13 (Saturday) worked, then Monday 15 and Tuesday 16.
    expect(chinaDate(due)).toBe("2027-02-16");
  });

  it("reports the years a span reaches without data", () => {
    expect(calendarGaps("2026-12-20", "2027-01-10", checkedChinaCalendar)).toEqual(["2027-01-01"]);
    expect(calendarGaps("2026-12-20", "2027-01-10", withOverrides(SPRING_2027))).toEqual([]);
    expect(calendarGaps("2027-03-01", "2028-01-02", checkedChinaCalendar)).toEqual(["2027-03-01", "2028-01-01"]);
  });

  it("says when an entry disagrees with the national calendar", () => {
    expect(disagreement({ date: "2026-10-01", workday: false, name: "国庆节" })).toBeNull();
    expect(disagreement({ date: "2026-10-01", workday: true, name: null })).toBe("national_holiday_worked");
    expect(disagreement({ date: "2026-10-12", workday: false, name: "地方节日" })).toBe("national_workday_off");
    // 2026-09-20 is a make-up workday (Sunday): giving it off disagrees too.
    expect(disagreement({ date: "2026-09-20", workday: false, name: null })).toBe("national_workday_off");
    expect(disagreement({ date: "2027-02-10", workday: false, name: "春节" })).toBe("no_national_data");
  });
});
