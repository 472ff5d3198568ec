import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

/** How many recovery codes a set holds. */
export const RECOVERY_CODE_COUNT = 10;
/** Random bytes per code: 80 bits, 16 base32 characters (shown as four groups of four). */
const RECOVERY_CODE_BYTES = 10;
const NORMALIZED = /^[a-z2-7]{16}$/;

/**
 * A fresh set of recovery codes from the CSPRNG, formatted for reading out (`abcd-efgh-ijkl-mnop`).
 * They are shown once; only {@link hashRecoveryCode} of each is stored.
 */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const bytes = new Uint8Array(RECOVERY_CODE_BYTES);
    crypto.getRandomValues(bytes);
    return (encodeBase32LowerCaseNoPadding(bytes).match(/.{4}/g) ?? []).join("-");
  });
}

/** The code as typed, without spaces, dashes or case; null when it cannot be a recovery code. */
export function normalizeRecoveryCode(typed: string): string | null {
  const code = typed.replace(/[\s-]/g, "").toLowerCase();
  return NORMALIZED.test(code) ? code : null;
}

/**
 * SHA-256 of a normalised code (as tokens' secrets are kept, lucia-auth.com): the codes are
 * 80-bit random values, not passwords, so a fast hash suffices and lets the database find one.
 */
export function hashRecoveryCode(normalized: string): Uint8Array {
  return sha256(new TextEncoder().encode(`zongzhi/recovery-code/${normalized}`));
}
