import { randomBytes } from "node:crypto";
import { FieldCipherError } from "./field-cipher.ts";
import { KEY_ID_PATTERN, type Sm4Keyring } from "./sm4-cipher.ts";

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const invalid = (message: string) => new FieldCipherError("INVALID_KEYRING", message);

/** Decodes strict base64 of an exact length; messages name the key, never its bytes. */
function decodeKey(name: string, text: string, bytes: number): Buffer {
  const decoded = BASE64.test(text) ? Buffer.from(text, "base64") : Buffer.alloc(0);
  // Why: Node's decoder skips bad characters silently; re-encoding catches a mangled key.
  if (decoded.length === 0 || decoded.toString("base64") !== text) throw invalid(`key "${name}" is not valid base64`);
  if (decoded.length !== bytes) throw invalid(`key "${name}" must be ${bytes} bytes, got ${decoded.length}`);
  return decoded;
}

/**
 * Parses a keyring string `k1:<base64 16 bytes>,k2:<base64 16 bytes>;index:<base64 32 bytes>`.
 * The last data key listed encrypts; the earlier ones still decrypt. To rotate, append a new
 * key (`openssl rand -base64 16`), re-encrypt rows still under old ids, then drop those ids.
 * The index key cannot rotate this way: changing it means recomputing every blind index.
 */
export function keyringFromEnv(value: string): Sm4Keyring {
  const sections = value
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const indexSections = sections.filter((s) => s.startsWith("index:"));
  const keySections = sections.filter((s) => !s.startsWith("index:"));
  if (indexSections.length !== 1 || keySections.length !== 1) {
    throw invalid("keyring must be '<id>:<base64>[,<id>:<base64>…];index:<base64>'");
  }
  const indexKey = decodeKey("index", (indexSections[0] as string).slice("index:".length).trim(), 32);

  const keys = new Map<string, Buffer>();
  let currentKeyId = "";
  for (const entry of (keySections[0] as string).split(",")) {
    const colon = entry.indexOf(":");
    const id = entry.slice(0, colon).trim();
    if (colon < 0 || !KEY_ID_PATTERN.test(id)) {
      throw invalid("each data key must be '<id>:<base64>' with an id of 1–32 letters, digits, '-' or '_'");
    }
    if (id === "index") throw invalid(`"index" is reserved for the blind-index key`);
    if (keys.has(id)) throw invalid(`key id "${id}" appears twice`);
    keys.set(id, decodeKey(id, entry.slice(colon + 1).trim(), 16));
    currentKeyId = id;
  }
  return { keys: Object.fromEntries(keys), currentKeyId, indexKey };
}

/** A fresh keyring string (one 16-byte SM4 key and a 32-byte index key) for a first start. */
export function generateKeyringString(keyId = "k1"): string {
  if (!KEY_ID_PATTERN.test(keyId) || keyId === "index") throw invalid(`"${keyId}" cannot be a key id`);
  return `${keyId}:${randomBytes(16).toString("base64")};index:${randomBytes(32).toString("base64")}`;
}
