export * from "./calendar.ts";
export * from "./division.ts";
export * from "./errors.ts";
export * from "./password-policy.ts";
export * from "./roles.ts";
export * from "./roster.ts";
export * from "./case-workflow.ts";
