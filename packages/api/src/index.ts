export { type AppRouter, appRouter, createCaller } from "./root.ts";
export { type ApiContext, type ErrorData } from "./trpc.ts";
export { ERROR_STATUS, toAppError } from "./errors.ts";
