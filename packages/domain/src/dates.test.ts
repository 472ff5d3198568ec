import { describe, expect, it } from "vitest";
import { isIsoDate } from "./dates.ts";

describe("isIsoDate", () => {
  it("accepts real calendar dates and refuses the rest without throwing", () => {
    expect(isIsoDate("2026-12-01")).toBe(true);
    expect(isIsoDate("2028-02-29")).toBe(true);
    expect(isIsoDate("2027-02-29")).toBe(false);
    // An Invalid Date (month 13, day 32) must read as false, not throw from toISOString.
    expect(isIsoDate("2026-13-01")).toBe(false);
    expect(isIsoDate("2026-12-32")).toBe(false);
    expect(isIsoDate("2026-12-1")).toBe(false);
    expect(isIsoDate("")).toBe(false);
  });
});
