import { describe, expect, it } from "vitest";
import {
  addSums,
  computeFigures,
  DEFAULT_RANKING_WEIGHTS,
  DEFAULT_SAFETY,
  emptySums,
  FIGURE_SUM_KEYS,
  medianFromHistogram,
  monthsBetween,
  rankingFormula,
  rankingScore,
  rankUnits,
  type SafetyDefinition,
  safetyDefinitionProblem,
  safetyIndex,
  shiftMonth,
} from "./figures.ts";

describe("figures", () => {
  it("has every sum in the empty sums and adds each of them (written out key by key)", () => {
    expect(Object.keys(emptySums()).sort()).toEqual([...FIGURE_SUM_KEYS].sort());
    expect(Object.values(emptySums()).every((v) => v === 0)).toBe(true);
    const a = Object.fromEntries(FIGURE_SUM_KEYS.map((k, i) => [k, i + 1])) as unknown as ReturnType<typeof emptySums>;
    const b = Object.fromEntries(FIGURE_SUM_KEYS.map((k, i) => [k, 100 * (i + 1)])) as unknown as ReturnType<
      typeof emptySums
    >;
    expect(addSums(a, b)).toEqual(Object.fromEntries(FIGURE_SUM_KEYS.map((k, i) => [k, 101 * (i + 1)])));
  });

  it("derives rates from sums, null without a denominator", () => {
    const s = {
      ...emptySums(),
      received: 10,
      accepted: 8,
      resolved: 6,
      closed: 4,
      onTime: 3,
      followedUp: 2,
      satisfied: 1,
      escalated: 5,
      returns: 3,
      resolveDaysSum: 18,
      resolvedVillage: 3,
      resolvedTownship: 1,
      resolvedCounty: 2,
      amountCents: 12345,
    };
    const f = computeFigures(s, [
      [1, 2],
      [3, 3],
      [9, 1],
    ]);
    expect(f.resolutionRate).toBe(0.75);
    expect(f.closureRate).toBe(0.5);
    expect(f.onTimeRate).toBe(0.75);
    expect(f.satisfactionRate).toBe(0.5);
    expect(f.followUpRate).toBe(0.5);
    expect(f.escalationRate).toBe(0.5);
    expect(f.returnsPerCase).toBe(0.3);
    expect(f.averageDaysToResolve).toBe(3);
    expect(f.medianDaysToResolve).toBe(3);
    expect(f.tiers.village).toEqual({ resolved: 3, share: 0.5 });
    expect(f.tiers.above).toEqual({ resolved: 0, share: 0 });
    expect(f.localShare).toBeCloseTo(4 / 6);
    expect(f.amountYuan).toBe(123.45);
    // A median computed elsewhere (the database, for the cockpit's children) is taken as it is.
    expect(computeFigures(s, 5.5).medianDaysToResolve).toBe(5.5);
    expect(computeFigures(s, null).medianDaysToResolve).toBeNull();
    const none = computeFigures(emptySums());
    expect(none.resolutionRate).toBeNull();
    expect(none.medianDaysToResolve).toBeNull();
    expect(none.tiers.county.share).toBeNull();
    expect([none.reworks, none.reworksPerCase, none.reworkFreeRate]).toEqual([0, null, null]);
  });

  it("reworks (重办): per case, and a rework-free rate that never goes below 0", () => {
    const s = { ...emptySums(), received: 4, accepted: 4 };
    expect(computeFigures(s, [], 1)).toMatchObject({ reworks: 1, reworksPerCase: 0.25, reworkFreeRate: 0.75 });
    expect(computeFigures(s, [], 6)).toMatchObject({ reworks: 6, reworksPerCase: 1.5, reworkFreeRate: 0 });
    const only = { ...DEFAULT_RANKING_WEIGHTS, resolutionRate: 0, closureRate: 0, onTimeRate: 0, satisfactionRate: 0 };
    expect(rankingScore(computeFigures(s, [], 1), { ...only, localShare: 0, reworkFreeRate: 100 })).toBe(75);
    expect(DEFAULT_RANKING_WEIGHTS.reworkFreeRate).toBe(0);
  });

  it("median of a histogram: odd, even, and unsorted input", () => {
    expect(medianFromHistogram([[5, 1]])).toBe(5);
    expect(
      medianFromHistogram([
        [4, 1],
        [2, 1],
      ]),
    ).toBe(3);
    expect(
      medianFromHistogram(
        new Map([
          [10, 1],
          [0, 2],
          [7, 0],
        ]),
      ),
    ).toBe(0);
    expect(medianFromHistogram([])).toBeNull();
  });

  it("ranking score is the weighted mean of the rates; equal scores share a rank", () => {
    const f = computeFigures({ ...emptySums(), received: 4, accepted: 4, resolved: 2, closed: 4, onTime: 4 });
    expect(rankingScore(f, { resolutionRate: 1, closureRate: 1 })).toBe(75);
    expect(rankingScore(computeFigures(emptySums()))).toBeNull();
    const ranked = rankUnits(
      [
        { n: "a", s: 50 },
        { n: "b", s: null },
        { n: "c", s: 80 },
        { n: "d", s: 50 },
      ],
      (x) => x.s,
    );
    expect(ranked.map((r) => [r.item.n, r.rank])).toEqual([
      ["c", 1],
      ["a", 2],
      ["d", 2],
      ["b", null],
    ]);
    expect(rankingFormula({ resolutionRate: 30, closureRate: 20 }, "zh")).toBe(
      "得分 = 100 × (30×化解率 + 20×办结率) ÷ 50",
    );
  });

  it("safety index takes each component's weight off in proportion to its threshold, with bands", () => {
    const calm = safetyIndex({
      received: 100,
      groupDisputes: 0,
      repeatClaims: 0,
      open: 10,
      openRed: 0,
      openRiskRed: 0,
      reworks: 0,
    });
    expect(calm).toMatchObject({ index: 100, band: "blue" });
    // overdue 1/10 = threshold (full 25), group 5/100 = threshold (full 25): 100 − 50 = 50.
    const bad = safetyIndex({
      received: 100,
      groupDisputes: 5,
      repeatClaims: 0,
      open: 10,
      openRed: 1,
      openRiskRed: 0,
      reworks: 0,
    });
    expect(bad.index).toBeCloseTo(50);
    expect(bad.band).toBe("red");
    // half the repeat-claim threshold: 15 × 0.5 = 7.5 off.
    const mid = safetyIndex({
      received: 100,
      groupDisputes: 0,
      repeatClaims: 5,
      open: 0,
      openRed: 0,
      openRiskRed: 0,
      reworks: 0,
    });
    expect(mid.index).toBeCloseTo(92.5);
    expect(
      safetyIndex(
        { received: 100, groupDisputes: 2, repeatClaims: 5, open: 0, openRed: 0, openRiskRed: 0, reworks: 0 },
        DEFAULT_SAFETY,
      ).band,
    ).toBe("yellow");
  });

  it("safety index weighs reworks (重办) only when a unit gives them a weight", () => {
    const quiet = { received: 100, groupDisputes: 0, repeatClaims: 0, open: 10, openRed: 0, openRiskRed: 0 };
    // By default reworks weigh 0: ten reworks in a hundred cases take nothing off.
    expect(DEFAULT_SAFETY.weights.reworkShare).toBe(0);
    const byDefault = safetyIndex({ ...quiet, reworks: 10 });
    expect(byDefault.index).toBe(100);
    expect(byDefault.components.reworkShare).toBeCloseTo(0.1);
    const weighed: SafetyDefinition = {
      weights: { redRiskShare: 30, overdueShare: 20, groupDisputeShare: 20, repeatClaimShare: 10, reworkShare: 20 },
      thresholds: { ...DEFAULT_SAFETY.thresholds, reworkShare: 0.05 },
      bands: { blue: 85, yellow: 70 },
    };
    // 2 of 100: share 0.02, 0.4 of the threshold 0.05, so 0.4 × 20 = 8 of 100 off.
    expect(safetyIndex({ ...quiet, reworks: 2 }, weighed)).toMatchObject({ index: 92, band: "blue" });
    // 10 of 100: past the threshold, the whole 20 off: 80, yellow.
    const many = safetyIndex({ ...quiet, reworks: 10 }, weighed);
    expect(many.index).toBeCloseTo(80);
    expect(many.band).toBe("yellow");
    expect(safetyDefinitionProblem(weighed)).toBeNull();
  });

  it("months", () => {
    expect(monthsBetween("2024-11", "2025-02")).toEqual(["2024-11", "2024-12", "2025-01", "2025-02"]);
    expect(shiftMonth("2025-01", -1)).toBe("2024-12");
    expect(shiftMonth("2025-03", -12)).toBe("2024-03");
    // Years below 1000 keep four digits: "29-12" would not be a month PostgreSQL reads as meant.
    expect(shiftMonth("0030-01", -1)).toBe("0029-12");
  });
});
