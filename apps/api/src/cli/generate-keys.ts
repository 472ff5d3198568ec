import { generateKeyringString } from "@zongzhi/crypto";

/** `pnpm keys:generate`: prints a fresh FIELD_KEYS keyring (SM4 data key + blind-index key). */
console.log(generateKeyringString());
