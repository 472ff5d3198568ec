import { type Algorithm, hash, verify } from "@node-rs/argon2";

/** Argon2id in @node-rs/argon2's (const) Algorithm enum. */
const ARGON2ID = 2 as Algorithm;

/**
 * Argon2id parameters: 19 MiB memory, 2 passes, 1 lane — the OWASP minimum that MLPS
 * assessments accept; raise them, never lower them (old hashes keep verifying).
 */
const PARAMS = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password with Argon2id. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

let dummy: Promise<string> | undefined;

/**
 * Verifies a password; with no stored hash it still spends the same work on a dummy hash,
 * so that response time does not reveal whether a login name exists.
 */
export async function verifyPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  if (!stored) {
    dummy ??= hashPassword("dummy-password-for-timing");
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
