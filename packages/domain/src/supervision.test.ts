import { describe, expect, it } from "vitest";
import {
  FIRST_LEVEL,
  LEVEL_TITLES,
  levelAt,
  nextLevel,
  overdueInstructions,
  RAISES,
  SUPERVISION_LEVEL_NAMES,
  SUPERVISION_LEVELS,
} from "./supervision.ts";

const at = (s: string) => new Date(`${s}+08:00`);

describe("the supervision ladder (催办 → 通报)", () => {
  it("starts at a chase, raises a chase to a notice, and stops at the notice", () => {
    expect(FIRST_LEVEL).toBe("chase");
    expect(nextLevel("chase")).toBe("notice");
    expect(nextLevel("notice")).toBeNull();
    expect(RAISES).toEqual([{ from: "chase", to: "notice" }]);
  });

  it("raises an open supervision only once its reply deadline has passed, and never an answered one", () => {
    const due = at("2026-12-02T18:00:00");
    expect(levelAt({ level: "chase", dueAt: due, answered: false }, at("2026-12-02T17:59:59"))).toBe("chase");
    expect(levelAt({ level: "chase", dueAt: due, answered: false }, at("2026-12-02T18:00:00"))).toBe("chase");
    expect(levelAt({ level: "chase", dueAt: due, answered: false }, at("2026-12-02T18:00:01"))).toBe("notice");
    expect(levelAt({ level: "notice", dueAt: due, answered: false }, at("2026-12-09T00:00:00"))).toBe("notice");
    expect(levelAt({ level: "chase", dueAt: due, answered: true }, at("2026-12-09T00:00:00"))).toBe("chase");
  });

  it("names every rung in both languages and titles its notifications", () => {
    for (const level of SUPERVISION_LEVELS) {
      expect(SUPERVISION_LEVEL_NAMES[level].zh).not.toBe("");
      expect(SUPERVISION_LEVEL_NAMES[level].en).not.toBe("");
      expect(LEVEL_TITLES[level].unit).not.toBe(LEVEL_TITLES[level].parent);
    }
    expect(overdueInstructions("resolution")).toBe("resolution 已超期，请于下一个工作日内办理并反馈");
  });
});
