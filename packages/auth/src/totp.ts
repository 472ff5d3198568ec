import { decodeBase64, encodeBase32NoPadding, encodeBase64 } from "@oslojs/encoding";
import { createTOTPKeyURI, verifyHOTP } from "@oslojs/otp";
import { cipherContext, type FieldCipher } from "@zongzhi/crypto";

/**
 * The second factor (DESIGN.md "Auth"): TOTP as RFC 6238 and every authenticator app expect it —
 * HMAC-SHA1, 30-second steps, 6 digits — through `@oslojs/otp`. A code is accepted in the current
 * step and one step either side (±30 s of clock drift), and only once (see {@link isReplay}).
 */
export const TOTP_PERIOD_SECONDS = 30;
/** Digits of a code. */
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the current one (clock drift between phone and server). */
export const TOTP_WINDOW_STEPS = 1;
/** Bytes of a key: 160 bits, the HMAC-SHA1 block-size recommendation of RFC 4226. */
export const TOTP_KEY_BYTES = 20;
/** The issuer shown in the authenticator app. */
export const TOTP_ISSUER = "综治中心平台";
/** How long a sign-in challenge (right password, code pending) stays open (mirrored in 0016_totp.sql). */
export const LOGIN_CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** Codes one challenge accepts before it is spent (mirrored in 0016_totp.sql). */
export const LOGIN_CHALLENGE_MAX_ATTEMPTS = 5;
/** How long an enrolment waits for its first code (mirrored in 0016_totp.sql). */
export const TOTP_PENDING_TTL_MS = 10 * 60 * 1000;

/**
 * Roles bound by a deployment's TOTP requirement: every staff role. Grid workers (village
 * volunteers on shared phones, who only register cases) are not; operators (platform_admin) are
 * bound by REQUIRE_OPERATOR_TOTP instead of a deployment's switch.
 */
export const TOTP_ROLES = [
  "platform_admin",
  "tenant_admin",
  "security_admin",
  "leader",
  "auditor",
  "intake_clerk",
  "mediator",
  "department_liaison",
] as const;

/** A fresh random key from the CSPRNG. */
export function generateTotpKey(): Uint8Array {
  const key = new Uint8Array(TOTP_KEY_BYTES);
  crypto.getRandomValues(key);
  return key;
}

/** The otpauth:// URI an authenticator app scans (shown as a QR code). */
export function totpKeyUri(username: string, key: Uint8Array): string {
  return createTOTPKeyURI(TOTP_ISSUER, username, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

/** The key in base32 (RFC 4648, no padding), for typing into an app that cannot scan. */
export function totpSecretBase32(key: Uint8Array): string {
  return encodeBase32NoPadding(key);
}

/** The time step (counter) of an instant. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / (TOTP_PERIOD_SECONDS * 1000));
}

/** A code as typed: spaces and dashes that apps display inside codes are dropped. */
export function normalizeTotpCode(input: string): string {
  return input.replace(/[\s-]/g, "");
}

/**
 * The step whose code `code` is, within ±{@link TOTP_WINDOW_STEPS} of `nowMs`, or null.
 * Why not `verifyTOTPWithGracePeriod` directly: it answers only true/false, and refusing a replay
 * needs the step that matched. This is the same computation (`verifyHOTP` of `@oslojs/otp`, a
 * constant-time comparison, over the same window); totp.test.ts checks that both always agree.
 */
export function matchTotpStep(key: Uint8Array, code: string, nowMs: number = Date.now()): number | null {
  const otp = normalizeTotpCode(code);
  if (!/^[0-9]{6}$/.test(otp)) return null;
  const now = totpStep(nowMs);
  let found: number | null = null;
  // Every step of the window is checked (no early exit), so timing does not tell which matched.
  for (let step = now - TOTP_WINDOW_STEPS; step <= now + TOTP_WINDOW_STEPS; step++) {
    if (step >= 0 && verifyHOTP(key, BigInt(step), TOTP_DIGITS, otp) && found === null) found = step;
  }
  return found;
}

/** A code whose step is not newer than the last accepted one has been used (or overtaken) already. */
export function isReplay(step: number, lastStep: number | bigint | string | null | undefined): boolean {
  return lastStep !== null && lastStep !== undefined && BigInt(step) <= BigInt(lastStep);
}

/** The cipher context of a user's TOTP key: bound to the column and the user, so a copy elsewhere fails. */
export function totpKeyContext(userId: string): string {
  return cipherContext("users", "totp_key", userId);
}

/** Encrypts a key for app.users.totp_key (or the pending enrolment) with the SM4 FieldCipher. */
export function encryptTotpKey(cipher: FieldCipher, userId: string, key: Uint8Array): Buffer {
  return cipher.encrypt(encodeBase64(key), totpKeyContext(userId));
}

/** Decrypts a key made by {@link encryptTotpKey}; throws when it was made for another user or column. */
export function decryptTotpKey(cipher: FieldCipher, userId: string, stored: Uint8Array): Uint8Array {
  return decodeBase64(cipher.decrypt(Buffer.from(stored), totpKeyContext(userId)));
}

/**
 * Whether a user must have a second factor: staff roles in a deployment whose root requires it,
 * or an operator when the installation requires it for operators (REQUIRE_OPERATOR_TOTP=1);
 * every staff role and operator when the installation requires it of all staff
 * (`requireStaffTotp`, REQUIRE_STAFF_TOTP: on by default in production, MLPS level 3).
 */
export function totpRequiredFor(
  roles: readonly string[],
  where: { operator: boolean; deploymentRequires: boolean; requireOperatorTotp: boolean; requireStaffTotp?: boolean },
): boolean {
  const staff = roles.some((r) => (TOTP_ROLES as readonly string[]).includes(r));
  if (!staff) return false;
  if (where.requireStaffTotp) return true;
  return where.operator ? where.requireOperatorTotp : where.deploymentRequires;
}
