export { ERROR_STATUS, toAppError } from "./errors.ts";
export { type AppRouter, appRouter, createCaller } from "./root.ts";
export type { ApiContext, ErrorData } from "./trpc.ts";
