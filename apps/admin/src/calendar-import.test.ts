import { describe, expect, it } from "vitest";
import { parseCalendarImport } from "./calendar-import.ts";

describe("pasting a year's calendar", () => {
  it("reads the notice typed out as lines, ranges included", () => {
    const { days, problems } = parseCalendarImport(
      "# 2027年春节\n2027-02-06~2027-02-08 放假 春节\n2027-02-13 上班\n\n2027-04-05 休 清明节",
    );
    expect(problems).toEqual([]);
    expect(days).toEqual([
      { date: "2027-02-06", workday: false, name: "春节" },
      { date: "2027-02-07", workday: false, name: "春节" },
      { date: "2027-02-08", workday: false, name: "春节" },
      { date: "2027-02-13", workday: true, name: null },
      { date: "2027-04-05", workday: false, name: "清明节" },
    ]);
  });

  it("names the lines it cannot read", () => {
    const { days, problems } = parseCalendarImport("2027-02-30 放假\n2027-02-06 开会\n2027-02-09~2027-02-07 放假");
    expect(days).toEqual([]);
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3]);
  });

  it("reads a newer chinese-days data file", () => {
    const { days, problems } = parseCalendarImport(
      JSON.stringify({
        holidays: { "2027-02-06": "Spring Festival,春节,4", "2027-01-01": "New Year's Day,元旦,1" },
        workdays: { "2027-02-13": "Spring Festival,春节,4" },
        inLieuDays: {},
      }),
    );
    expect(problems).toEqual([]);
    expect(days).toEqual([
      { date: "2027-01-01", workday: false, name: "元旦" },
      { date: "2027-02-06", workday: false, name: "春节" },
      { date: "2027-02-13", workday: true, name: null },
    ]);
    expect(parseCalendarImport("{not json").problems).toHaveLength(1);
  });
});
