export * from "./client.ts";
export * from "./schema.ts";
export { migrate, migrationsDir } from "./migrate.ts";
