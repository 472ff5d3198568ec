import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  getCiphers,
  getHashes,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";
import { type FieldCipher, FieldCipherError } from "./field-cipher.ts";

/**
 * Keys handed to `createSm4Cipher`: SM4 data keys by id (16 bytes each), the id that encrypts now,
 * and a separate 32-byte key for blind indexes.
 */
export interface Sm4Keyring {
  keys: Readonly<Record<string, Buffer>>;
  currentKeyId: string;
  indexKey: Buffer;
}

/** Format version 1: SM4-CTR, then HMAC-SM3 over header, context and ciphertext (encrypt-then-MAC). */
export const FORMAT_SM4_CTR_HMAC_SM3 = 0x01;

/** Key ids are short ASCII names, so they fit the format's one length byte and the keyring string. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const IV_BYTES = 16;
const TAG_BYTES = 32;
const INDEX_BYTES = 16;
const KIND_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

// Why derive: one 16-byte key per id is what operators manage, but encryption and MAC must not
// share a key. HMAC-SM3 with fixed labels gives two independent subkeys; changing a label
// would make every stored ciphertext unreadable, so the labels are part of format version 1.
/** Label of the SM4-CTR subkey derived from a data key (format version 1). */
export const ENC_KEY_LABEL = "zongzhi/field-cipher/v1/sm4-ctr";
/** Label of the HMAC-SM3 subkey derived from a data key (format version 1). */
export const MAC_KEY_LABEL = "zongzhi/field-cipher/v1/hmac-sm3";

interface DerivedKeys {
  id: Buffer;
  enc: KeyObject;
  mac: KeyObject;
}

/** Throws unless this Node.js links an OpenSSL with SM4-CTR and SM3 (FIPS-only builds do not). */
function assertSmAvailable(): void {
  if (!getCiphers().includes("sm4-ctr") || !getHashes().includes("sm3")) {
    throw new FieldCipherError(
      "UNAVAILABLE",
      "this Node.js build's OpenSSL does not provide sm4-ctr and sm3; personal data cannot be encrypted",
    );
  }
}

function derive(id: string, key: Buffer): DerivedKeys {
  const sub = (label: string) => createHmac("sm3", key).update(label, "utf8").digest();
  return {
    id: Buffer.from(id, "ascii"),
    enc: createSecretKey(sub(ENC_KEY_LABEL).subarray(0, 16)),
    mac: createSecretKey(sub(MAC_KEY_LABEL)),
  };
}

/** The tag input: everything before the tag, the context (length-prefixed), then the ciphertext. */
function tagOf(mac: KeyObject, header: Buffer, context: Buffer, body: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(context.length);
  return createHmac("sm3", mac).update(header).update(length).update(context).update(body).digest();
}

interface Parsed {
  keyId: string;
  header: Buffer;
  iv: Buffer;
  tag: Buffer;
  body: Buffer;
}

/** Splits `version | id length | key id | iv | tag | ciphertext` without checking the tag. */
function parse(ciphertext: Buffer): Parsed {
  if (!Buffer.isBuffer(ciphertext) || ciphertext.length < 2) {
    throw new FieldCipherError("MALFORMED", "ciphertext is too short to be a field-cipher value");
  }
  const version = ciphertext[0];
  if (version !== FORMAT_SM4_CTR_HMAC_SM3) {
    throw new FieldCipherError("UNSUPPORTED_VERSION", `ciphertext format version ${version} is not supported`);
  }
  const idLength = ciphertext[1] ?? 0;
  const headerEnd = 2 + idLength + IV_BYTES;
  if (idLength === 0 || ciphertext.length < headerEnd + TAG_BYTES) {
    throw new FieldCipherError("MALFORMED", "ciphertext is truncated");
  }
  const keyId = ciphertext.subarray(2, 2 + idLength).toString("latin1");
  if (!KEY_ID_PATTERN.test(keyId)) throw new FieldCipherError("MALFORMED", "ciphertext carries an invalid key id");
  return {
    keyId,
    header: ciphertext.subarray(0, headerEnd),
    iv: ciphertext.subarray(2 + idLength, headerEnd),
    tag: ciphertext.subarray(headerEnd, headerEnd + TAG_BYTES),
    body: ciphertext.subarray(headerEnd + TAG_BYTES),
  };
}

/** Id of the key a ciphertext was made with, e.g. to find rows still under a retired key. */
export function ciphertextKeyId(ciphertext: Buffer): string {
  return parse(ciphertext).keyId;
}

function requireContext(context: string): Buffer {
  // Why: the context is what stops a ciphertext being copied into another column or tenant;
  // an empty one would silently bind nothing.
  if (typeof context !== "string" || context.length === 0) {
    throw new TypeError("a non-empty context (table, column and tenant scope) is required");
  }
  return Buffer.from(context, "utf8");
}

/**
 * A `FieldCipher` using SM4 (GB/T 32907) in CTR mode with HMAC-SM3 (GB/T 32905) encrypt-then-MAC,
 * and HMAC-SM3 blind indexes. Node's OpenSSL offers no SM4-GCM, hence the composed AEAD; the
 * version byte leaves room for one later.
 */
export function createSm4Cipher(keyring: Sm4Keyring): FieldCipher {
  assertSmAvailable();
  const derived = new Map<string, DerivedKeys>();
  for (const [id, key] of Object.entries(keyring.keys)) {
    if (!KEY_ID_PATTERN.test(id)) {
      throw new FieldCipherError("INVALID_KEYRING", `key id "${id}" must be 1–32 letters, digits, '-' or '_'`);
    }
    if (!Buffer.isBuffer(key) || key.length !== 16) {
      throw new FieldCipherError("INVALID_KEYRING", `key "${id}" must be 16 bytes (SM4 key size)`);
    }
    derived.set(id, derive(id, key));
  }
  const current = derived.get(keyring.currentKeyId);
  if (current === undefined) {
    throw new FieldCipherError("INVALID_KEYRING", `current key "${keyring.currentKeyId}" is not in the keyring`);
  }
  if (!Buffer.isBuffer(keyring.indexKey) || keyring.indexKey.length !== 32) {
    throw new FieldCipherError("INVALID_KEYRING", "the blind-index key must be 32 bytes");
  }
  const indexKey = createSecretKey(Buffer.from(keyring.indexKey));

  return {
    keyId: keyring.currentKeyId,

    encrypt(plaintext, context) {
      const aad = requireContext(context);
      if (typeof plaintext !== "string") throw new TypeError("plaintext must be a string");
      // Why: a lone UTF-16 surrogate would be replaced by U+FFFD on encoding and not come back.
      if (/\p{Cs}/u.test(plaintext)) throw new TypeError("plaintext is not well-formed Unicode");
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("sm4-ctr", current.enc, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      const header = Buffer.concat([Buffer.of(FORMAT_SM4_CTR_HMAC_SM3, current.id.length), current.id, iv]);
      return Buffer.concat([header, tagOf(current.mac, header, aad, body), body]);
    },

    decrypt(ciphertext, context) {
      const aad = requireContext(context);
      const parsed = parse(ciphertext);
      const keys = derived.get(parsed.keyId);
      if (keys === undefined) {
        throw new FieldCipherError("UNKNOWN_KEY", `ciphertext was made with key "${parsed.keyId}", not in the keyring`);
      }
      // Why: the tag is checked, in constant time, before any byte is decrypted, so a moved,
      // truncated or altered value is refused instead of yielding garbage.
      const expected = tagOf(keys.mac, parsed.header, aad, parsed.body);
      if (!timingSafeEqual(expected, parsed.tag)) {
        throw new FieldCipherError(
          "AUTHENTICATION_FAILED",
          "ciphertext failed authentication: it was altered or belongs to another field or tenant",
        );
      }
      const decipher = createDecipheriv("sm4-ctr", keys.enc, parsed.iv);
      return Buffer.concat([decipher.update(parsed.body), decipher.final()]).toString("utf8");
    },

    blindIndex(kind, normalized) {
      // Why: the kind is separated from the value by ':', so it must not contain one itself,
      // or "a:b" + "c" and "a" + "b:c" would share an index.
      if (!KIND_PATTERN.test(kind)) throw new TypeError("blind-index kind must be 1–64 of [A-Za-z0-9_.-]");
      return createHmac("sm3", indexKey)
        .update(kind + ":" + normalized, "utf8")
        .digest()
        .subarray(0, INDEX_BYTES);
    },
  };
}
