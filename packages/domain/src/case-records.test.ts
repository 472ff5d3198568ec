import { describe, expect, it } from "vitest";
import {
  FOLLOW_UP_METHOD_NAMES,
  FOLLOW_UP_METHODS,
  nameOf,
  PERFORMANCE_NAMES,
  PERFORMANCE_STATUSES,
  SATISFACTION_NAMES,
  SATISFACTIONS,
  SESSION_OUTCOME_NAMES,
  SESSION_OUTCOMES,
  SUMMONS_STATE_NAMES,
  SUMMONS_STATES,
} from "./case-records.ts";

describe("the vocabularies of a case's records", () => {
  const vocabularies = [
    [SUMMONS_STATES, SUMMONS_STATE_NAMES],
    [SESSION_OUTCOMES, SESSION_OUTCOME_NAMES],
    [PERFORMANCE_STATUSES, PERFORMANCE_NAMES],
    [FOLLOW_UP_METHODS, FOLLOW_UP_METHOD_NAMES],
    [SATISFACTIONS, SATISFACTION_NAMES],
  ] as const;

  it("names every value, in both languages, each name once", () => {
    for (const [values, names] of vocabularies) {
      expect(Object.keys(names)).toEqual([...values]);
      const all = Object.values(names) as { zh: string; en: string }[];
      expect(new Set(all.map((n) => n.zh)).size).toBe(values.length);
      expect(new Set(all.map((n) => n.en)).size).toBe(values.length);
    }
  });

  it("gives a value's name in one language, and an unknown value as it is", () => {
    expect(nameOf(SATISFACTION_NAMES, "basically_satisfied", "zh")).toBe("基本满意");
    expect(nameOf(SUMMONS_STATE_NAMES, "objected", "en")).toBe("Objected");
    expect(nameOf(PERFORMANCE_NAMES, "renegotiated", "zh")).toBe("renegotiated");
  });
});
