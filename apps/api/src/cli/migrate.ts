import { migrateAndLoad, withCredentials } from "../database.ts";
import { readEnv } from "../env.ts";
import { createLogger } from "../logger.ts";
import { describeStartupFailure } from "../startup.ts";
import { prepareWorkerSchema } from "../worker.ts";

/**
 * The one-shot migration job (compose's `migrate` service, `node dist/migrate.js`): applies the
 * pending migrations as DATABASE_URL's administrator, sets the runtime roles' passwords, loads
 * the division registry and installs the job queue's schema. The API replicas then start with
 * MIGRATE=off and report ready once this build's migrations are in.
 */
const env = readEnv();
const logger = createLogger(env.LOG_LEVEL);
try {
  if (!env.DATABASE_URL) throw new Error("DATABASE_URL is required: the administrator's URL that migrations run as");
  await migrateAndLoad(
    env.DATABASE_URL,
    { appPassword: env.APP_DATABASE_PASSWORD, workerPassword: env.WORKER_DATABASE_PASSWORD },
    logger,
  );
  await prepareWorkerSchema(
    env.WORKER_DATABASE_URL ?? withCredentials(env.DATABASE_URL, null, "zz_worker", env.WORKER_DATABASE_PASSWORD ?? ""),
  );
  logger.info("database ready: migrations, registry and job queue schema in place");
} catch (error) {
  createLogger("fatal", 2).fatal(`migration failed: ${describeStartupFailure(error)}`);
  process.exit(1);
}
