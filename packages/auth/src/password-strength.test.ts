import { AppError } from "@zongzhi/domain";
import { describe, expect, it } from "vitest";
import { assertPasswordStrength, estimatePassword, MIN_PASSWORD_SCORE } from "./password-strength.ts";
import { assertPasswordPolicy } from "./sessions.ts";

async function refusal(promise: Promise<void>): Promise<AppError> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected the password to be refused");
}

describe("password strength (zxcvbn-ts with its common-password dictionary)", () => {
  // Every one of these has the 4 classes and 8+ characters: only the estimator refuses them.
  it.each(["P@ssw0rd", "Passw0rd!", "Password1!", "Admin@123", "Qwerty123!", "Welcome1!", "Aa123456!", "Abc@12345"])(
    "refuses the common password %s, saying why in Chinese and English",
    async (password) => {
      const error = await refusal(assertPasswordPolicy(password));
      expect(error.code).toBe("PASSWORD_POLICY");
      expect(error.messages.zh).toContain("密码太容易被猜到");
      expect(error.messages.zh).toContain("请换一个更长");
      expect(error.messages.en).toContain("easy to guess");
      expect(estimatePassword(password).score).toBeLessThan(MIN_PASSWORD_SCORE);
    },
  );

  it("names a common password as such", async () => {
    const error = await refusal(assertPasswordStrength("P@ssw0rd"));
    expect(error.messages.zh).toContain("常见密码");
    expect(error.details?.hint).toMatchObject({ zh: expect.stringContaining("互不相关的词") });
  });

  it("refuses a password built on a part of the login name", async () => {
    expect(estimatePassword("Qingshui#2026").score).toBeGreaterThanOrEqual(MIN_PASSWORD_SCORE);
    // The domain rule does not see it ("qingshui.clerk" is not in the password); the estimator does.
    const error = await refusal(assertPasswordPolicy("Qingshui#2026", "qingshui.clerk"));
    expect(error.messages.zh).toContain("登录名或姓名");
  });

  it.each(["Zongzhi@2026", "Another#Pass2026", "Clerk#Reset2027", "Town#Admin2026", "Chijin#Clerk2026"])(
    "accepts %s (the demo password and the passwords the tests set)",
    async (password) => {
      await expect(assertPasswordPolicy(password, "yumen.clerk")).resolves.toBeUndefined();
    },
  );

  it("reports the 4-classes rule first, without estimating", async () => {
    const error = await refusal(assertPasswordPolicy("password"));
    expect(error.messages.zh).toContain("密码不符合要求");
    expect(error.messages.zh).toContain("大写字母");
  });
});
