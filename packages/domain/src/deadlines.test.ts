import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chinaCalendar, dueAt } from "./calendar.ts";
import { chinaDate } from "./dates.ts";
import {
  DEADLINE_STAGES,
  type PolicyRule,
  resolvePolicy,
  ruleInForce,
  type StoredRule,
  warningColour,
  YELLOW_SHARE,
} from "./deadlines.ts";

const cst = (s: string) => new Date(`${s}+08:00`);

describe("deadlines on the official calendar", () => {
  it("counts working days across the 2026 National Day holiday and its make-up Saturday", () => {
    // Registered Wednesday 2026-09-30 10:00; 1 working day → Thursday 10-01 is a holiday … the
    // next working day is 10-08.
    expect(chinaDate(dueAt(cst("2026-09-30T10:00:00"), { amount: 1, unit: "working_days" }))).toBe("2026-10-08");
    // 3 working days: 10-08 (Thu), 10-09 (Fri), 10-10 (make-up Saturday).
    expect(chinaDate(dueAt(cst("2026-09-30T10:00:00"), { amount: 3, unit: "working_days" }))).toBe("2026-10-10");
    // 4: skips Sunday 10-11 → Monday 10-12.
    expect(chinaDate(dueAt(cst("2026-09-30T10:00:00"), { amount: 4, unit: "working_days" }))).toBe("2026-10-12");
  });

  it("ends a working-day deadline at the end of the day, China time", () => {
    expect(dueAt(cst("2026-11-02T09:00:00"), { amount: 1, unit: "working_days" }).toISOString()).toBe(
      "2026-11-03T15:59:59.999Z",
    );
  });

  it("counts hours as elapsed time (the 8-hour objection window) and adds paused time", () => {
    const start = cst("2026-10-01T20:00:00");
    expect(dueAt(start, { amount: 8, unit: "hours" }).getTime() - start.getTime()).toBe(8 * 3_600_000);
    expect(dueAt(start, { amount: 8, unit: "hours" }, 3_600_000).getTime() - start.getTime()).toBe(9 * 3_600_000);
  });

  it("counts calendar days through holidays", () => {
    expect(chinaDate(dueAt(cst("2026-09-30T10:00:00"), { amount: 30, unit: "calendar_days" }))).toBe("2026-10-30");
  });

  it("a working-day deadline never falls on a non-working day (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 700 }), fc.integer({ min: 1, max: 25 }), (offset, n) => {
        const start = new Date(Date.parse("2025-01-01T02:00:00Z") + offset * 86_400_000);
        const due = dueAt(start, { amount: n, unit: "working_days" });
        expect(chinaCalendar.day(chinaDate(due)).workday).toBe(true);
        expect(due.getTime()).toBeGreaterThan(start.getTime());
      }),
      { numRuns: 300 },
    );
  });
});

describe("warning colours (time left, not risk)", () => {
  const start = cst("2026-11-02T09:00:00");
  const due = cst("2026-11-05T09:00:00");
  it.each([
    ["2026-11-02T10:00:00", "blue"],
    ["2026-11-04T08:59:00", "blue"],
    ["2026-11-04T09:00:00", "yellow"],
    ["2026-11-05T09:00:00", "yellow"],
    ["2026-11-05T09:00:01", "red"],
  ])("at %s the deadline is %s", (now, colour) => {
    expect(warningColour(start, due, cst(now))).toBe(colour);
  });
});

describe("policy inheritance", () => {
  const rule = (scopeCode: string, categoryCode: string | null, amount: number, version = 1): PolicyRule => ({
    scopeCode,
    categoryCode,
    stage: "resolution",
    amount,
    unit: "working_days",
    version,
  });
  const rules = [
    rule("62", null, 30),
    rule("620981", null, 20),
    rule("620981", "petition", 3),
    rule("620981101", null, 10),
    rule("620981101", null, 12, 2),
  ];
  it("takes the nearest unit's rule, the category-specific one first, the newest version", () => {
    expect(resolvePolicy(rules, "620981101001", "labour", "resolution")?.amount).toBe(12);
    expect(resolvePolicy(rules, "620981102", "labour", "resolution")?.amount).toBe(20);
    expect(resolvePolicy(rules, "620981102", "petition", "resolution")?.amount).toBe(3);
    expect(resolvePolicy(rules, "620982", "labour", "resolution")?.amount).toBe(30);
    expect(resolvePolicy(rules, "14", "labour", "resolution")).toBeNull();
  });
});

describe("ruleInForce (the policy fallbacks)", () => {
  const rule = (scopeCode: string, over: Partial<StoredRule> = {}): StoredRule => ({
    id: `r-${scopeCode}`,
    scopeCode,
    categoryCode: null,
    stage: "resolution",
    amount: 10,
    unit: "working_days",
    version: 1,
    yellowShare: 0.25,
    ...over,
  });
  const at = { unitCode: "620981101201", categoryCode: "land", stage: "resolution" as const };

  it("takes the nearest unit's stored rule, with its id, version and yellow share", () => {
    const r = ruleInForce([rule("62"), rule("620981", { amount: 20, version: 3 })], at);
    expect(r).toEqual({
      id: "r-620981",
      amount: 20,
      unit: "working_days",
      yellowShare: 0.25,
      version: 3,
      scopeCode: "620981",
    });
  });

  it("falls back to the law's default for the stage when no unit on the path sets one", () => {
    const r = ruleInForce([rule("630000")], at);
    expect(r).toEqual({
      id: null,
      amount: 30,
      unit: "calendar_days",
      yellowShare: YELLOW_SHARE,
      version: 0,
      scopeCode: null,
    });
  });

  it("uses the category's default before the general one (petitions: 1, 2, 3 working days)", () => {
    const r = ruleInForce([], { ...at, categoryCode: "petition" });
    expect(r).toMatchObject({ id: null, amount: 3, unit: "working_days", yellowShare: YELLOW_SHARE });
  });

  it("gives complex petitions 1, 2 and 3 weeks, and only petitions", () => {
    expect(ruleInForce([], { ...at, categoryCode: "petition", complex: true })).toMatchObject({
      amount: 21,
      unit: "calendar_days",
    });
    expect(ruleInForce([], { ...at, stage: "sign_for", categoryCode: "petition", complex: true })).toMatchObject({
      amount: 7,
    });
    expect(ruleInForce([], { ...at, complex: true })).toMatchObject({ amount: 30, unit: "calendar_days" });
  });

  it("has a default for every stage", () => {
    for (const stage of DEADLINE_STAGES) expect(ruleInForce([], { ...at, stage }).amount).toBeGreaterThan(0);
  });
});
