import { sha256 } from "@oslojs/crypto/sha2";
import { constantTimeEqual } from "@oslojs/crypto/subtle";
import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";

/** A freshly minted token: `<id>.<secret>`; only `secretHash` is ever stored. */
export interface MintedToken {
  id: string;
  token: string;
  secretHash: Uint8Array;
}

function randomPart(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return encodeBase32LowerCaseNoPadding(buffer);
}

/** SHA-256 of a token secret. */
export function hashSecret(secret: string): Uint8Array {
  return sha256(new TextEncoder().encode(secret));
}

/**
 * Mints a session or setup token as the lucia-auth.com guide describes: a public id and a
 * 160-bit secret from the CSPRNG (≥ 120 bits required), joined by a dot.
 */
export function mintToken(): MintedToken {
  const id = randomPart(15);
  const secret = randomPart(20);
  return { id, token: `${id}.${secret}`, secretHash: hashSecret(secret) };
}

/** Splits `<id>.<secret>`; null when malformed. */
export function parseToken(token: string): { id: string; secret: string } | null {
  const match = /^([a-z2-7]{24})\.([a-z2-7]{32})$/.exec(token);
  if (!match?.[1] || !match[2]) return null;
  return { id: match[1], secret: match[2] };
}

/** Compares a presented secret with the stored hash in constant time. */
export function secretMatches(secret: string, storedHash: Uint8Array): boolean {
  const presented = hashSecret(secret);
  return presented.length === storedHash.length && constantTimeEqual(presented, storedHash);
}
