import { describe, expect, it } from "vitest";
import { generateRecoveryCodes, hashRecoveryCode, normalizeRecoveryCode } from "./recovery-codes.ts";

describe("recovery codes", () => {
  it("are ten distinct 80-bit codes in four groups of four", () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    expect(generateRecoveryCodes(3)).toHaveLength(3);
  });

  it("are read as typed (case, spaces, dashes) and refused when they cannot be one", () => {
    expect(normalizeRecoveryCode("ABCD efgh-ijkl mnop")).toBe("abcdefghijklmnop");
    expect(normalizeRecoveryCode(" abcd-efgh-ijkl-mnop ")).toBe("abcdefghijklmnop");
    for (const bad of ["123456", "abcd-efgh-ijkl-mno", "abcd-efgh-ijkl-mnop1", "abcd-efgh-ijkl-mn0p", ""]) {
      expect(normalizeRecoveryCode(bad), bad).toBeNull();
    }
  });

  it("hash to 32 bytes, equal exactly for equal codes", () => {
    const a = hashRecoveryCode("abcdefghijklmnop");
    expect(a).toHaveLength(32);
    expect(hashRecoveryCode("abcdefghijklmnop")).toEqual(a);
    expect(hashRecoveryCode("abcdefghijklmnoq")).not.toEqual(a);
  });
});
