import { beforeAll, describe, expect, it, vi } from "vitest";
import { dateText, monthGrid, parseDateText, shiftMonth } from "./date-text.ts";
import { formatDateTime, formatDay, formatPaperDate, setLocale } from "./i18n.ts";

describe("the date fields' text", () => {
  it("reports what a native input of that type would: the value, or empty while incomplete or impossible", () => {
    expect(parseDateText("date", "2026-12-01")).toBe("2026-12-01");
    expect(parseDateText("date", " 2026/12/01 ")).toBe("2026-12-01");
    expect(parseDateText("date", "2026-12-1")).toBe("");
    expect(parseDateText("date", "2027-02-29")).toBe("");
    expect(parseDateText("date", "12/01/2026")).toBe("");
    expect(parseDateText("datetime-local", "2026-12-01 09:30")).toBe("2026-12-01T09:30");
    expect(parseDateText("datetime-local", "2026-12-01T09:30")).toBe("2026-12-01T09:30");
    expect(parseDateText("datetime-local", "2026-12-01 24:00")).toBe("");
    expect(parseDateText("datetime-local", "2026-13-01 00:00")).toBe("");
    expect(parseDateText("datetime-local", "2026-12-01")).toBe("");
    expect(parseDateText("time", "23:59")).toBe("23:59");
    expect(parseDateText("time", "9:30")).toBe("");
    expect(parseDateText("month", "2026-12")).toBe("2026-12");
    expect(parseDateText("month", "2026-13")).toBe("");
    expect(dateText("2026-12-01T09:30")).toBe("2026-12-01 09:30");
  });

  it("lays a month out in weeks from Monday", () => {
    // 2026-12-01 is a Tuesday: one blank before it, then 31 days.
    const december = monthGrid("2026-12");
    expect(december.slice(0, 2)).toEqual([null, "2026-12-01"]);
    expect(december.filter(Boolean)).toHaveLength(31);
    expect(monthGrid("2027-02").filter(Boolean)).toHaveLength(28);
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
    expect(shiftMonth("2027-01", -1)).toBe("2026-12");
  });
});

describe("the UI's one date format", () => {
  // The language switch sets <html lang>; there is no page here.
  beforeAll(() => vi.stubGlobal("document", { documentElement: { lang: "zh-CN" } }));
  it("is the same in both languages, in China Standard Time whatever the machine's zone", () => {
    const late = new Date("2026-11-30T16:05:09Z"); // 00:05 on 1 December in China
    for (const locale of ["zh-CN", "en"] as const) {
      setLocale(locale);
      expect(formatDateTime(late)).toBe("2026-12-01 00:05");
      expect(formatDateTime(late, { seconds: true })).toBe("2026-12-01 00:05:09");
      expect(formatDay(late)).toBe("2026-12-01");
      // A date-only column arrives as UTC midnight, or as text.
      expect(formatDay(new Date("2026-12-01T00:00:00Z"))).toBe("2026-12-01");
      expect(formatDay("2026-12-01")).toBe("2026-12-01");
      expect(formatDay(null)).toBe("—");
    }
    setLocale("zh-CN");
    expect(formatPaperDate(late)).toBe("2026年12月1日");
    setLocale("en");
    expect(formatPaperDate(late)).toBe("1 December 2026");
    setLocale("zh-CN");
  });
});
