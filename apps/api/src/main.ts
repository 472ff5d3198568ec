import type { Server } from "node:http";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { createSm4Cipher, keyringFromEnv } from "@zongzhi/crypto";
import { auditKeyFromEnv } from "@zongzhi/db/audit-chain";
import { createPool } from "@zongzhi/db/client";
import { shippedMigrations } from "@zongzhi/db/migrate";
import { assertReplicaRoleSafe, assertRuntimeRoleSafe } from "@zongzhi/db/safety";
import postgres from "postgres";
import { createApp } from "./app.ts";
import { auditCheckpointFile } from "./audit-file.ts";
import { prepareDatabase, type ResolvedDatabase } from "./database.ts";
import { DEMO_PASSWORD, type DemoLogin, loadDemo, presentDemoLogins } from "./demo.ts";
import { readEnv, staffTotpRequired, webhookLoopbackAllowed } from "./env.ts";
import { createLifecycle } from "./lifecycle.ts";
import { createLogger, type Logger } from "./logger.ts";
import { queueDepthOf } from "./metrics.ts";
import { createPhotoPool } from "./photos.ts";
import { assertHttpPortFree, describeStartupFailure, httpPortInUse, StartupError } from "./startup.ts";
import { localDiskStore } from "./storage.ts";
import { startWorker } from "./worker.ts";

const started = Date.now();
let logger: Logger = createLogger("info");
let db: ResolvedDatabase | null = null;
const closers: (() => Promise<unknown>)[] = [];

const lifecycle = createLifecycle();
let shutdownTimeoutMs = 10_000;

/**
 * Logs one line for a failed start, on stderr (the stack only at LOG_LEVEL=debug), releases
 * what was started, exits 1.
 */
async function failStartup(error: unknown): Promise<never> {
  logger.debug({ err: error }, "start-up failed");
  createLogger("fatal", 2).fatal(`启动失败 / start-up failed: ${describeStartupFailure(error)}`);
  for (const close of closers.reverse()) await close().catch(() => {});
  await db?.stop().catch(() => {});
  process.exit(1);
}

async function main(): Promise<void> {
  const env = readEnv();
  logger = createLogger(env.LOG_LEVEL);
  shutdownTimeoutMs = env.SHUTDOWN_TIMEOUT_MS;
  const production = env.NODE_ENV === "production";
  if (production && !env.DATABASE_URL && !env.APP_DATABASE_URL) {
    throw new StartupError(
      "production mode needs DATABASE_URL (or APP_DATABASE_URL with MIGRATE=off): the embedded database is for trying the product",
    );
  }
  const origin = env.PUBLIC_ORIGIN ?? `http://${env.HOST === "0.0.0.0" ? "127.0.0.1" : env.HOST}:${env.PORT}`;
  if (production && !origin.startsWith("https:") && env.ALLOW_INSECURE_COOKIE !== "1") {
    throw new StartupError(
      "production mode needs an https PUBLIC_ORIGIN: set one (or ALLOW_INSECURE_COOKIE=1 behind a trusted TLS proxy)",
    );
  }
  // Before the database starts: a taken port should not cost a database start-up to learn.
  await assertHttpPortFree(env.PORT, env.HOST);

  db = await prepareDatabase(env, logger);
  const sql = createPool(db.appUrl, {
    ...(env.DATABASE_POOL_MAX ? { max: env.DATABASE_POOL_MAX } : {}),
    prepare: env.DATABASE_PREPARE === "on",
  });
  closers.push(() => sql.end({ timeout: 5 }));
  // Lag-tolerant reads (lists, figures, exports) on a streaming replica, as the same runtime role.
  const replicaSql = env.REPLICA_DATABASE_URL
    ? createPool(env.REPLICA_DATABASE_URL, {
        ...(env.DATABASE_POOL_MAX ? { max: env.DATABASE_POOL_MAX } : {}),
        prepare: env.DATABASE_PREPARE === "on",
      })
    : undefined;
  if (replicaSql) closers.push(() => replicaSql.end({ timeout: 5 }));
  const listenSql = env.LISTEN_DATABASE_URL ? createPool(env.LISTEN_DATABASE_URL, { max: 1 }) : undefined;
  if (listenSql) closers.push(() => listenSql.end({ timeout: 1 }));
  // The queue role, for readiness and the queue's depth (one connection).
  const queueSql = postgres(db.workerUrl, { max: 1, prepare: false, onnotice: () => {}, idle_timeout: 30 });
  closers.push(() => queueSql.end({ timeout: 1 }));
  await assertRuntimeRoleSafe(sql);
  if (replicaSql) {
    await assertReplicaRoleSafe(sql, replicaSql);
    const [standby] = await replicaSql<{ recovery: boolean }[]>`select pg_is_in_recovery() as recovery`;
    logger.info({ standby: standby?.recovery }, "lag-tolerant reads go to REPLICA_DATABASE_URL");
  }

  if (!db.fieldKeys) {
    throw new StartupError(
      "FIELD_KEYS is missing: personal data is encrypted at rest; generate one with `pnpm keys:generate`",
    );
  }
  const cipher = createSm4Cipher(keyringFromEnv(db.fieldKeys));

  const demoWanted = env.DEMO ? env.DEMO === "on" : !production;
  if (demoWanted && !db.adminUrl) {
    throw new StartupError("DEMO=on loads data as the database owner: give DATABASE_URL, or set DEMO=off");
  }
  const loaded = demoWanted && db.adminUrl ? await loadDemo(db.adminUrl, { cipher }) : null;
  // Printed on every start while demo data is there: the logins are the only way in. Read as
  // the runtime role (a definer function), so an instance that does not migrate needs no owner URL.
  const demo: DemoLogin[] = loaded ?? (await presentDemoLogins(sql));

  const requireStaffTotp = staffTotpRequired(env);
  if (production && !requireStaffTotp) {
    logger.warn(
      "REQUIRE_STAFF_TOTP=0: staff may sign in without a second factor (not MLPS level 3 compliant; for demos only)",
    );
  }
  const webhookNetwork = { allowLoopback: webhookLoopbackAllowed(env) };
  const staticDir = fileURLToPath(new URL("../../admin/dist/", import.meta.url));
  // Closed after the HTTP server has drained (closers run newest first): requests in flight
  // finish their photos; what is still running after SHUTDOWN_TIMEOUT_MS ends with the threads.
  const photos = createPhotoPool({
    ...(env.PHOTO_WORKERS ? { threads: env.PHOTO_WORKERS } : {}),
    queue: env.PHOTO_QUEUE,
    timeoutMs: env.PHOTO_TIMEOUT_MS,
  });
  closers.push(async () => {
    const stats = photos.stats();
    await photos.close();
    logger.info({ photos: stats }, "photo pool closed");
  });
  const app = createApp({
    sql,
    replicaSql,
    logger,
    origin,
    allowedOrigins: env.ALLOWED_ORIGINS.split(",").filter(Boolean),
    staticDir,
    cipher,
    store: localDiskStore(env.ATTACHMENTS_DIR ?? join(env.DATA_DIR, "attachments")),
    insecureCookie: !origin.startsWith("https:"),
    requireOperatorTotp: env.REQUIRE_OPERATOR_TOTP === "1",
    requireStaffTotp,
    webhookNetwork,
    trustedProxies: env.TRUSTED_PROXIES,
    ...(listenSql ? { listenSql } : {}),
    lifecycle,
    metricsToken: env.METRICS_TOKEN,
    readiness: {
      queue: () => queueSql`select 1 from graphile_worker.jobs limit 1`,
      migrations: (await shippedMigrations()).map(({ name, checksum }) => ({ name, checksum })),
    },
    queueDepth: queueDepthOf(queueSql),
    photos,
  });

  if (env.JOBS === "on") {
    const audit = env.AUDIT_HMAC_KEY
      ? { key: auditKeyFromEnv(env.AUDIT_HMAC_KEY), file: auditCheckpointFile(env) }
      : undefined;
    if (!audit && env.NODE_ENV === "production") {
      logger.warn("AUDIT_HMAC_KEY is missing: the audit log's chain is not checkpointed (MLPS level 3 needs it)");
    }
    const worker = await startWorker({ workerUrl: db.workerUrl, sql, logger, cipher, webhookNetwork, audit });
    closers.push(() => worker.stop());
  }

  const embedded = db.embeddedCluster;
  const server = await new Promise<ReturnType<typeof serve>>((listening, fail) => {
    const s = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => listening(s));
    s.once("error", (error: NodeJS.ErrnoException) =>
      fail(error.code === "EADDRINUSE" ? httpPortInUse(env.PORT, env.HOST) : error),
    );
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : env.PORT;
  // The banner is a log line like any other (log shippers read it); its message is what a person reads.
  const banner: Record<string, unknown> = {
    origin,
    port,
    ms: Date.now() - started,
    secondFactor: requireStaffTotp ? "required of all staff" : "as each deployment sets it (REQUIRE_STAFF_TOTP=0)",
  };
  if (embedded) {
    const where = relative(process.cwd(), embedded.dataDir);
    const shownDir = where && !where.startsWith("..") ? where : embedded.dataDir;
    banner.embeddedDatabase = `Embedded PostgreSQL on 127.0.0.1:${embedded.port}, data in ${shownDir}  (Ctrl-C stops both)`;
  }
  if (demo.length > 0) {
    banner.demo = `【演示数据 DEMO】 ${loaded ? "demo deployments loaded" : "demo deployments present"}; every demo login uses the password ${DEMO_PASSWORD}`;
    banner.demoLogins = demo.map((d) => `${d.username} ${d.roles.join(",")} ${d.unit}`);
  }
  // Shown at any LOG_LEVEL: the demo logins are the only way in.
  logger
    .child({}, { level: "info" })
    .info(
      banner,
      `综治中心平台 / Social-governance centre platform: Ready in ${banner.ms} ms: ${origin} (port ${port})`,
    );

  closers.push(async () => {
    const report = await lifecycle.drain(server as Server, shutdownTimeoutMs);
    logger[report.timedOut ? "warn" : "info"]({ drain: report }, "HTTP server drained");
  });
}

let stopping = false;
/**
 * Stops what has started, newest first, then the database. Also during start-up: exiting
 * asks an embedded server not yet handed over to shut down (see @zongzhi/db/embedded).
 */
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  const stoppedAt = Date.now();
  logger.info({ signal, inFlight: lifecycle.inFlight, streams: lifecycle.openStreams }, "shutting down");
  // Bounded even if a closer hangs: the supervisor's kill is the only thing worse.
  const deadline = setTimeout(() => {
    logger.error({ timeoutMs: shutdownTimeoutMs }, "shutdown did not finish in time; exiting");
    process.exit(1);
  }, shutdownTimeoutMs + 5_000);
  deadline.unref();
  for (const close of closers.reverse()) {
    await close().catch((error: unknown) => logger.warn({ err: error }, "a resource did not close cleanly"));
  }
  await db?.stop().catch(() => {});
  logger.info({ ms: Date.now() - stoppedAt }, "stopped");
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));

await main().catch(failStartup);
