import { randomBytes } from "node:crypto";
import { generateKeyringString } from "@zongzhi/crypto";

/**
 * `pnpm keys:generate`: prints a fresh FIELD_KEYS keyring (SM4 data key + blind-index key).
 * `pnpm keys:generate audit`: prints a fresh AUDIT_HMAC_KEY (the audit checkpoints' HMAC-SM3 key).
 */
console.log(process.argv[2] === "audit" ? `a1:${randomBytes(32).toString("base64")}` : generateKeyringString());
