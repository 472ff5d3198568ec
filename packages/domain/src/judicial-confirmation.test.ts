import { describe, expect, it } from "vitest";
import { AppError } from "./errors.ts";
import { checkConfirmationApplication, periodEnd, rulingDue } from "./judicial-confirmation.ts";

describe("judicial confirmation deadlines", () => {
  it("accepts an application within 30 days and sets the 3-day acceptance deadline", () => {
    expect(checkConfirmationApplication({ signedOn: "2026-03-02", appliedOn: "2026-03-02", matters: [] })).toEqual({
      acceptDue: "2026-03-05",
    });
  });

  it("refuses an application after 30 days, naming the last day", () => {
    try {
      checkConfirmationApplication({ signedOn: "2026-03-02", appliedOn: "2026-04-02", matters: [] });
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).messages.zh).toContain("30日内（2026-04-01前）");
    }
  });

  it("a period ending in the National Day holiday runs to the next working day", () => {
    // 2026-09-28 + 3 days = 10-01 (holiday) → next working day 10-08.
    expect(periodEnd("2026-09-28", 3)).toBe("2026-10-08");
    // 15 days from 2026-09-19 is 10-04 (holiday): ends 10-08.
    expect(rulingDue("2026-09-19", false)).toBe("2026-10-08");
    expect(rulingDue("2026-03-02", true)).toBe("2026-03-27");
  });

  it.each([
    ["identity", "确认身份关系"],
    ["adoption", "确认收养关系"],
    ["marriage_status", "确认婚姻关系"],
  ] as const)("refuses agreements on %s with the reason", (matter, zh) => {
    expect(() =>
      checkConfirmationApplication({ signedOn: "2026-03-02", appliedOn: "2026-03-03", matters: [matter] }),
    ).toThrowError(AppError);
    try {
      checkConfirmationApplication({ signedOn: "2026-03-02", appliedOn: "2026-03-03", matters: [matter] });
    } catch (e) {
      expect((e as AppError).messages.zh).toContain(zh);
      expect((e as AppError).messages.zh).toContain("不予受理");
    }
  });
});
