export * from "./field-cipher.ts";
export * from "./keyring.ts";
export * from "./sm4-cipher.ts";
