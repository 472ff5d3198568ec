import { migrate } from "../migrate.ts";

/** `pnpm db:migrate`: applies pending migrations to DATABASE_URL (an owner/admin URL). */
const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is required");
  process.exit(1);
}
const result = await migrate(url, {
  log: console.log,
  ...(process.env.APP_DATABASE_PASSWORD ? { appPassword: process.env.APP_DATABASE_PASSWORD } : {}),
  ...(process.env.WORKER_DATABASE_PASSWORD ? { workerPassword: process.env.WORKER_DATABASE_PASSWORD } : {}),
});
console.log(`applied ${result.applied.length}, already applied ${result.skipped}`);
