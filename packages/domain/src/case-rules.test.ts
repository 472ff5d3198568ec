import { describe, expect, it } from "vitest";
import { CLOCK_EFFECTS, holdWithinLimit, missingFields, NEED_FIELDS } from "./case-rules.ts";
import { CASE_ACTIONS, MAX_HOLD_DAYS, TRANSITIONS } from "./case-workflow.ts";
import { addDays } from "./dates.ts";

describe("missingFields (TRANSITIONS[action].needs, checked generically)", () => {
  it("asks every action for exactly the data fields its rule needs", () => {
    for (const action of CASE_ACTIONS) {
      const expected = TRANSITIONS[action].needs.map((n) => NEED_FIELDS[n]).filter((p) => p !== null);
      expect(missingFields(action, {}).map((m) => m.path)).toEqual(expected);
    }
  });

  it("takes a filled field and refuses an empty text", () => {
    expect(missingFields("resolve", { outcome: "达成协议" })).toEqual([]);
    expect(missingFields("resolve", { outcome: "" })).toEqual([
      { path: "outcome", zh: "请填写化解结果", en: "Describe the outcome" },
    ]);
  });

  it("names both fields of a hold, in the table's order, with the hold's own wording", () => {
    expect(missingFields("hold", {})).toEqual([
      { path: "reason", zh: "请填写中止原因", en: "A reason is required" },
      { path: "holdUntil", zh: "请填写预计恢复日期", en: "Until when?" },
    ]);
  });

  it("leaves the follow-up a close needs to the case's record (no data field)", () => {
    expect(TRANSITIONS.close.needs).toContain("follow_up");
    expect(missingFields("close", {})).toEqual([]);
  });
});

describe("holdWithinLimit", () => {
  const today = "2026-03-02";
  it("allows today up to MAX_HOLD_DAYS ahead, and nothing past or beyond", () => {
    expect(holdWithinLimit(today, today)).toBe(true);
    expect(holdWithinLimit(addDays(today, MAX_HOLD_DAYS), today)).toBe(true);
    expect(holdWithinLimit(addDays(today, MAX_HOLD_DAYS + 1), today)).toBe(false);
    expect(holdWithinLimit(addDays(today, -1), today)).toBe(false);
  });
});

describe("CLOCK_EFFECTS (action → clocks)", () => {
  it("stops the first-contact clock on acceptance and the resolution clock on resolution", () => {
    expect(CLOCK_EFFECTS.accept).toEqual({ kind: "complete", stages: ["first_contact"] });
    expect(CLOCK_EFFECTS.resolve).toEqual({ kind: "complete", stages: ["resolution"] });
  });

  it("starts the follow-up clock when a case awaits follow-up, and a new resolution clock on reopening", () => {
    expect(CLOCK_EFFECTS.await_follow_up).toEqual({ kind: "start", stage: "follow_up" });
    expect(CLOCK_EFFECTS.record_referral_result).toEqual({ kind: "start", stage: "follow_up" });
    expect(CLOCK_EFFECTS.reopen).toEqual({ kind: "start", stage: "resolution" });
  });

  it("pauses on hold and resumes after, and stops every clock when a case leaves the work", () => {
    expect(CLOCK_EFFECTS.hold.kind).toBe("pause");
    expect(CLOCK_EFFECTS.resume.kind).toBe("resume");
    for (const action of ["close", "cancel", "archive", "mark_duplicate", "refer"] as const) {
      expect(CLOCK_EFFECTS[action]).toEqual({ kind: "complete", stages: [] });
    }
  });

  it("ends in a terminal state only with every clock stopped", () => {
    for (const action of CASE_ACTIONS) {
      const to = TRANSITIONS[action].to;
      if (to === "closed" || to === "cancelled" || to === "archived" || to === "duplicate") {
        expect(CLOCK_EFFECTS[action]).toEqual({ kind: "complete", stages: [] });
      }
    }
  });
});
