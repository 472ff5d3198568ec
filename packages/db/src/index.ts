export * from "./client.ts";
export { migrate, migrationsDir } from "./migrate.ts";
export * from "./schema.ts";
