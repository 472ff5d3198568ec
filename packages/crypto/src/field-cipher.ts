/**
 * Encryption of personal-data columns (ID numbers, phones, addresses) behind one small interface,
 * so callers never touch a mode, a nonce or a key, and the algorithm can change behind it.
 */
export interface FieldCipher {
  /** Encrypts `plaintext` under the current key, bound to `context` (see `cipherContext`). */
  encrypt(plaintext: string, context: string): Buffer;
  /** Decrypts a value made by `encrypt` under any key of the keyring; throws `FieldCipherError` otherwise. */
  decrypt(ciphertext: Buffer, context: string): string;
  /** Deterministic keyed digest (16 bytes) of an already-normalised value, for equality search. */
  blindIndex(kind: string, normalized: string): Buffer;
  /** Id of the key that `encrypt` uses now. */
  readonly keyId: string;
}

/** Why a ciphertext or a keyring was refused. */
export type FieldCipherErrorCode =
  | "MALFORMED"
  | "UNSUPPORTED_VERSION"
  | "UNKNOWN_KEY"
  | "AUTHENTICATION_FAILED"
  | "INVALID_KEYRING"
  | "UNAVAILABLE";

/** The one error this package throws; its message never contains key material or plaintext. */
export class FieldCipherError extends Error {
  readonly code: FieldCipherErrorCode;

  constructor(code: FieldCipherErrorCode, message: string) {
    super(message);
    this.name = "FieldCipherError";
    this.code = code;
  }
}

/**
 * The context string for one column of one tenant scope, e.g. `cipherContext("parties", "id_number", tenantId)`.
 * Encoded as a JSON array so no two different triples can produce the same string.
 */
export function cipherContext(table: string, column: string, scope: string): string {
  return JSON.stringify(["zongzhi", table, column, scope]);
}
