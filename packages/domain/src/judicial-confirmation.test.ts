import { describe, expect, it } from "vitest";
import { withOverrides } from "./calendar.ts";
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

describe("the court's periods on a unit's calendar", () => {
  it("end on a working day of the calendar given (a unit's entries), not only the package's", () => {
    // 2027 has no national data: a ruling due on Thursday 2027-02-11 (accepted 01-27, 15 days)
    // moves past the Spring Festival the province entered, to Saturday 02-13 (a make-up workday).
    const spring = withOverrides([
      ...["2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"].map(
        (date) => ({ date, workday: false, name: "春节" }),
      ),
      { date: "2027-02-13", workday: true, name: null },
    ]);
    expect(rulingDue("2027-01-27", false)).toBe("2027-02-11");
    expect(rulingDue("2027-01-27", false, spring)).toBe("2027-02-13");
    expect(
      checkConfirmationApplication({ signedOn: "2027-01-20", appliedOn: "2027-02-05", matters: [] }, spring).acceptDue,
    ).toBe("2027-02-13");
  });
});
