export * from "./api-keys.ts";
export * from "./password.ts";
export * from "./permissions.ts";
export * from "./recovery-codes.ts";
export * from "./sessions.ts";
export * from "./tokens.ts";
export * from "./totp.ts";
