import { describe, expect, it } from "vitest";
import { cipherContext, FieldCipherError } from "./field-cipher.ts";
import { generateKeyringString, keyringFromEnv } from "./keyring.ts";
import { createSm4Cipher } from "./sm4-cipher.ts";

const b64 = (bytes: number, fill: number) => Buffer.alloc(bytes, fill).toString("base64");
const context = cipherContext("parties", "phone", "tenant-yumen");

describe("keyring string", () => {
  it("generates a fresh keyring that parses into a working cipher", () => {
    const text = generateKeyringString();
    expect(text).toMatch(/^k1:[A-Za-z0-9+/]{22}==;index:[A-Za-z0-9+/]{43}=$/);
    expect(generateKeyringString()).not.toBe(text);
    const keyring = keyringFromEnv(text);
    expect(keyring.currentKeyId).toBe("k1");
    expect(keyring.keys.k1).toHaveLength(16);
    expect(keyring.indexKey).toHaveLength(32);
    const cipher = createSm4Cipher(keyring);
    expect(cipher.decrypt(cipher.encrypt("13800138000", context), context)).toBe("13800138000");
  });

  it("makes the last listed key the current one, tolerating spaces and section order", () => {
    const keyring = keyringFromEnv(` index:${b64(32, 9)} ; k1:${b64(16, 1)}, 2026-10:${b64(16, 2)} `);
    expect(Object.keys(keyring.keys)).toEqual(["k1", "2026-10"]);
    expect(keyring.currentKeyId).toBe("2026-10");
    expect(keyring.keys["2026-10"]?.equals(Buffer.alloc(16, 2))).toBe(true);
    expect(keyring.indexKey.equals(Buffer.alloc(32, 9))).toBe(true);
  });

  it("decrypts values written before a key was appended", () => {
    const first = `k1:${b64(16, 1)};index:${b64(32, 9)}`;
    const sealed = createSm4Cipher(keyringFromEnv(first)).encrypt("张三丰", context);
    const rotated = createSm4Cipher(keyringFromEnv(`k1:${b64(16, 1)},k2:${b64(16, 2)};index:${b64(32, 9)}`));
    expect(rotated.keyId).toBe("k2");
    expect(rotated.decrypt(sealed, context)).toBe("张三丰");
  });

  it.each([
    ["an empty string", "", "must be"],
    ["no index key", `k1:${b64(16, 1)}`, "must be"],
    ["no data key", `index:${b64(32, 9)}`, "must be"],
    ["two index keys", `k1:${b64(16, 1)};index:${b64(32, 9)};index:${b64(32, 8)}`, "must be"],
    ["a 15-byte key", `k1:${b64(15, 1)};index:${b64(32, 9)}`, 'key "k1" must be 16 bytes, got 15'],
    ["a 16-byte index key", `k1:${b64(16, 1)};index:${b64(16, 9)}`, 'key "index" must be 32 bytes'],
    ["mangled base64", `k1:AAAA!AAAAAAAAAAAAAAAAA==;index:${b64(32, 9)}`, "not valid base64"],
    ["a duplicate id", `k1:${b64(16, 1)},k1:${b64(16, 2)};index:${b64(32, 9)}`, "appears twice"],
    ["an entry without id", `${b64(16, 1)};index:${b64(32, 9)}`, "'<id>:<base64>'"],
    ["'index' as a data key", `k1:${b64(16, 1)},index:${b64(16, 2)};index:${b64(32, 9)}`, "reserved"],
  ])("refuses %s without echoing key material", (_, text, message) => {
    let caught: unknown;
    try {
      keyringFromEnv(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FieldCipherError);
    const error = caught as FieldCipherError;
    expect(error.code).toBe("INVALID_KEYRING");
    expect(error.message).toContain(message);
    expect(error.message).not.toMatch(/AQEB|CQkJ|AgIC/);
  });

  it("refuses to generate a keyring under a reserved or malformed id", () => {
    expect(() => generateKeyringString("index")).toThrow(FieldCipherError);
    expect(() => generateKeyringString("k:1")).toThrow(FieldCipherError);
  });
});
