import { CASE_STATES } from "@zongzhi/domain/case-workflow";
import { describe, expect, it } from "vitest";
import { CASE_STEPS, stepOf } from "./case-steps.ts";

describe("the case's step bar", () => {
  it("places every state on a step", () => {
    for (const s of CASE_STATES) {
      const p = stepOf(s);
      expect(p.current, s).toBeGreaterThanOrEqual(0);
      expect(p.current, s).toBeLessThan(CASE_STEPS.length);
    }
  });

  it("follows the main line", () => {
    expect(stepOf("registered")).toEqual({ current: 0, done: false, note: null });
    expect(stepOf("accepted")).toEqual({ current: 1, done: true, note: null });
    expect(stepOf("in_mediation")).toEqual({ current: 3, done: false, note: null });
    expect(stepOf("awaiting_follow_up")).toEqual({ current: 5, done: false, note: null });
    expect(stepOf("archived")).toEqual({ current: 7, done: true, note: null });
  });

  it("says how a case stands off the main line", () => {
    expect(stepOf("returned").note).toBe("returned");
    expect(stepOf("referred")).toEqual({ current: 4, done: false, note: "referred" });
    // On hold where it was put on hold.
    expect(stepOf("on_hold", "accepted")).toEqual({ current: 1, done: false, note: "on_hold" });
    expect(stepOf("cancelled", null, "triaged")).toEqual({ current: 2, done: false, note: "cancelled" });
  });
});
