import { describe, expect, it } from "vitest";
import { passwordProblems } from "./password-policy.ts";

describe("password policy (≥ 8 characters of 4 classes)", () => {
  it.each([
    ["Zongzhi@2026", 0],
    ["Aa1!aaaa", 0],
    ["短密码Aa1!x", 0],
    ["短密码Aa1!", 1],
    ["Aa1!aaa", 1],
    ["aaaaaaaa", 3],
    ["AAAAAAA1", 2],
    ["Password1", 1],
  ])("%s has %i problem(s)", (password, count) => {
    expect(passwordProblems(password)).toHaveLength(count);
  });

  it("refuses a password that contains the login name", () => {
    expect(passwordProblems("Yumen.admin#1", "yumen.admin").map((p) => p.en)).toContain(
      "must not contain the login name",
    );
  });

  it("explains each problem in Chinese and English", () => {
    const [first] = passwordProblems("abc");
    expect(first?.zh).toBe("至少8个字符");
    expect(first?.en).toBe("at least 8 characters");
  });
});
