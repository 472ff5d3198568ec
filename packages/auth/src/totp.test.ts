import { decodeBase32IgnorePadding, encodeBase64 } from "@oslojs/encoding";
import { generateHOTP, generateTOTP, verifyTOTP, verifyTOTPWithGracePeriod } from "@oslojs/otp";
import { createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  decryptTotpKey,
  encryptTotpKey,
  generateTotpKey,
  isReplay,
  matchTotpStep,
  normalizeTotpCode,
  TOTP_KEY_BYTES,
  totpKeyUri,
  totpRequiredFor,
  totpSecretBase32,
  totpStep,
} from "./totp.ts";

afterEach(() => {
  vi.useRealTimers();
});

/** Runs `fn` with the clock (Date.now) at `ms`. */
function at<T>(ms: number, fn: () => T): T {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(ms);
  try {
    return fn();
  } finally {
    vi.useRealTimers();
  }
}

// RFC 6238, Appendix B: HMAC-SHA1 with the ASCII key "12345678901234567890", 8 digits, 30 s steps.
const RFC_KEY = new TextEncoder().encode("12345678901234567890");
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, "94287082"],
  [1111111109, "07081804"],
  [1111111111, "14050471"],
  [1234567890, "89005924"],
  [2000000000, "69279037"],
  [20000000000, "65353130"],
];

describe("TOTP codes (RFC 6238 through @oslojs/otp)", () => {
  it.each(RFC_VECTORS)("at T=%i s the 8-digit code is %s", (seconds, code) => {
    expect(at(seconds * 1000, () => generateTOTP(RFC_KEY, 30, 8))).toBe(code);
    expect(at(seconds * 1000, () => verifyTOTP(RFC_KEY, 30, 8, code))).toBe(true);
  });

  it.each(RFC_VECTORS)("at T=%i s our 6-digit check accepts the last 6 digits of %s, at its step", (seconds, code) => {
    const six = code.slice(-6);
    expect(at(seconds * 1000, () => generateTOTP(RFC_KEY, 30, 6))).toBe(six);
    expect(matchTotpStep(RFC_KEY, six, seconds * 1000)).toBe(Math.floor(seconds / 30));
    expect(totpStep(seconds * 1000)).toBe(Math.floor(seconds / 30));
  });

  it("accepts the previous and the next step (±30 s of drift) and nothing further", () => {
    const now = 1_750_000_000_000;
    const step = totpStep(now);
    const codeOf = (s: number) => generateHOTP(RFC_KEY, BigInt(s), 6);
    expect(matchTotpStep(RFC_KEY, codeOf(step), now)).toBe(step);
    expect(matchTotpStep(RFC_KEY, codeOf(step - 1), now)).toBe(step - 1);
    expect(matchTotpStep(RFC_KEY, codeOf(step + 1), now)).toBe(step + 1);
    // Two steps away is outside the window (unless the code happens to collide, which these do not).
    for (const far of [step - 2, step + 2, step - 20]) {
      expect([codeOf(step - 1), codeOf(step), codeOf(step + 1)]).not.toContain(codeOf(far));
      expect(matchTotpStep(RFC_KEY, codeOf(far), now)).toBeNull();
    }
  });

  it("agrees with verifyTOTPWithGracePeriod(…, 30 s) for any key, instant and code offset", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        // From the sixth minute of 1970 on: no counter in play is negative.
        fc.integer({ min: 300_000, max: 4_000_000_000_000 }),
        fc.integer({ min: -3, max: 3 }),
        (key, now, offset) => {
          const code = generateHOTP(key, BigInt(totpStep(now) + offset), 6);
          const ours = matchTotpStep(key, code, now) !== null;
          const theirs = at(now, () => verifyTOTPWithGracePeriod(key, 30, 6, code, 30));
          expect(ours).toBe(theirs);
          if (Math.abs(offset) <= 1) expect(ours).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses anything but six digits; spaces and dashes inside a code are ignored", () => {
    const now = 1_750_000_000_000;
    const code = generateHOTP(RFC_KEY, BigInt(totpStep(now)), 6);
    for (const bad of ["", "12345", "1234567", "abcdef", `${code}0`, "１２３４５６"]) {
      expect(matchTotpStep(RFC_KEY, bad, now)).toBeNull();
    }
    expect(normalizeTotpCode(` ${code.slice(0, 3)} ${code.slice(3)} `)).toBe(code);
    expect(matchTotpStep(RFC_KEY, `${code.slice(0, 3)}-${code.slice(3)}`, now)).toBe(totpStep(now));
  });
});

describe("replay refusal", () => {
  it("a step not newer than the last accepted one is a replay; the first code ever is not", () => {
    expect(isReplay(100, null)).toBe(false);
    expect(isReplay(100, undefined)).toBe(false);
    expect(isReplay(100, 99)).toBe(false);
    expect(isReplay(100, 100)).toBe(true);
    // A code from the previous step, after a newer one was accepted, is also refused.
    expect(isReplay(99, 100)).toBe(true);
    // bigint columns arrive as strings from the driver.
    expect(isReplay(58_333_334, "58333334")).toBe(true);
    expect(isReplay(58_333_335, "58333334")).toBe(false);
    expect(isReplay(58_333_335, 58_333_334n)).toBe(false);
  });

  it("accepting a code then presenting it again within its window is refused", () => {
    const key = generateTotpKey();
    const now = 1_760_000_000_000;
    const code = at(now, () => generateTOTP(key, 30, 6));
    let last: number | null = null;
    const signIn = (ms: number) => {
      const step = matchTotpStep(key, code, ms);
      if (step === null || isReplay(step, last)) return false;
      last = step;
      return true;
    };
    expect(signIn(now)).toBe(true);
    expect(signIn(now)).toBe(false);
    expect(signIn(now + 25_000)).toBe(false);
    // The next code is accepted.
    const next = at(now + 30_000, () => generateTOTP(key, 30, 6));
    expect(matchTotpStep(key, next, now + 30_000)).toBe(totpStep(now) + 1);
    expect(isReplay(totpStep(now) + 1, last)).toBe(false);
  });
});

describe("keys", () => {
  it("are 20 random bytes, never repeated", () => {
    const keys = Array.from({ length: 200 }, generateTotpKey);
    expect(keys.every((k) => k.length === TOTP_KEY_BYTES)).toBe(true);
    expect(new Set(keys.map((k) => encodeBase64(k))).size).toBe(200);
  });

  it("travel to the authenticator app as an otpauth URI with issuer, account, period and digits", () => {
    const key = generateTotpKey();
    const uri = new URL(totpKeyUri("yumen.clerk", key));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/综治中心平台:yumen.clerk");
    expect(uri.searchParams.get("issuer")).toBe("综治中心平台");
    expect(uri.searchParams.get("period")).toBe("30");
    expect(uri.searchParams.get("digits")).toBe("6");
    expect(uri.searchParams.get("algorithm")).toBe("SHA1");
    expect(uri.searchParams.get("secret")).toBe(totpSecretBase32(key));
    expect(decodeBase32IgnorePadding(totpSecretBase32(key))).toEqual(key);
  });

  it("are stored encrypted with the SM4 FieldCipher, bound to their user", () => {
    const cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));
    const key = generateTotpKey();
    const stored = encryptTotpKey(cipher, "user-a", key);
    expect(stored.includes(Buffer.from(key))).toBe(false);
    expect(stored.toString("latin1")).not.toContain(encodeBase64(key));
    expect(decryptTotpKey(cipher, "user-a", stored)).toEqual(key);
    // Copied onto another user's row, it does not decrypt.
    expect(() => decryptTotpKey(cipher, "user-b", stored)).toThrow();
  });
});

describe("who must have a second factor", () => {
  const tenant = { operator: false, requireOperatorTotp: false };
  it("staff of a deployment that requires it; grid workers never", () => {
    for (const role of [
      "tenant_admin",
      "security_admin",
      "leader",
      "auditor",
      "intake_clerk",
      "mediator",
      "department_liaison",
    ]) {
      expect(totpRequiredFor([role], { ...tenant, deploymentRequires: true })).toBe(true);
      expect(totpRequiredFor([role], { ...tenant, deploymentRequires: false })).toBe(false);
    }
    expect(totpRequiredFor(["grid_worker"], { ...tenant, deploymentRequires: true })).toBe(false);
    expect(totpRequiredFor(["grid_worker", "mediator"], { ...tenant, deploymentRequires: true })).toBe(true);
  });

  it("operators only when the installation requires it (REQUIRE_OPERATOR_TOTP=1)", () => {
    const operator = { operator: true, deploymentRequires: false };
    expect(totpRequiredFor(["platform_admin"], { ...operator, requireOperatorTotp: false })).toBe(false);
    expect(totpRequiredFor(["platform_admin"], { ...operator, requireOperatorTotp: true })).toBe(true);
  });
});
