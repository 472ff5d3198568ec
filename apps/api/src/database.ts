import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { generateKeyringString } from "@zongzhi/crypto";
import { startEmbeddedPostgres } from "@zongzhi/db/embedded";
import { migrate } from "@zongzhi/db/migrate";
import { loadRegistry } from "@zongzhi/registry";
import postgres from "postgres";
import type { ServerEnv } from "./env.ts";
import type { Logger } from "./logger.ts";
import { prepareWorkerSchema } from "./worker.ts";

/** Connection URLs of the database the server runs on. */
export interface ResolvedDatabase {
  adminUrl: string;
  appUrl: string;
  /** The job queue's role (zz_worker). */
  workerUrl: string;
  embedded: boolean;
  /** The personal-data keyring of the embedded quick start (production passes FIELD_KEYS). */
  fieldKeys: string | undefined;
  stop(): Promise<void>;
}

interface Secrets {
  adminPassword: string;
  appPassword: string;
  workerPassword?: string;
  fieldKeys?: string;
}

async function embeddedSecrets(dataDir: string): Promise<Secrets> {
  const file = join(dataDir, "secrets.json");
  if (existsSync(file)) {
    const stored = JSON.parse(await readFile(file, "utf8")) as Secrets;
    if (stored.fieldKeys && stored.workerPassword) return stored;
    // Data directories made before these secrets existed get them now.
    const upgraded = {
      ...stored,
      fieldKeys: stored.fieldKeys ?? generateKeyringString(),
      workerPassword: stored.workerPassword ?? randomBytes(18).toString("base64url"),
    };
    await writeFile(file, JSON.stringify(upgraded, null, 2), { mode: 0o600 });
    return upgraded;
  }
  const secrets = {
    adminPassword: randomBytes(18).toString("base64url"),
    appPassword: randomBytes(18).toString("base64url"),
    workerPassword: randomBytes(18).toString("base64url"),
    fieldKeys: generateKeyringString(),
  };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

function withCredentials(url: string, database: string | null, user?: string, password?: string): string {
  const u = new URL(url);
  if (database) u.pathname = `/${database}`;
  if (user) u.username = user;
  if (password !== undefined) u.password = encodeURIComponent(password);
  return u.toString();
}

/**
 * Finds the database: DATABASE_URL when given, otherwise an embedded PostgreSQL whose data
 * lives under DATA_DIR and survives restarts. Then migrates it and loads the registry.
 */
export async function prepareDatabase(env: ServerEnv, logger: Logger): Promise<ResolvedDatabase> {
  let adminUrl: string;
  let stop = async () => {};
  let appPassword = env.APP_DATABASE_PASSWORD;
  let workerPassword = env.WORKER_DATABASE_PASSWORD;
  let fieldKeys = env.FIELD_KEYS;
  const embedded = !env.DATABASE_URL;
  if (env.DATABASE_URL) {
    adminUrl = env.DATABASE_URL;
  } else {
    const dataDir = resolve(env.DATA_DIR);
    const secrets = await embeddedSecrets(dataDir);
    const started = Date.now();
    const cluster = await startEmbeddedPostgres({
      dataDir: join(dataDir, "pg"),
      port: env.EMBEDDED_PG_PORT,
      password: secrets.adminPassword,
      persistent: true,
      log: (line) => logger.debug({ pg: line }),
    });
    logger.info({ ms: Date.now() - started, port: cluster.port, dataDir }, "embedded PostgreSQL started");
    const admin = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
    const [exists] = await admin`select 1 from pg_database where datname = 'zongzhi'`;
    if (!exists) await admin.unsafe("create database zongzhi");
    await admin.end();
    adminUrl = withCredentials(cluster.adminUrl, "zongzhi");
    appPassword = secrets.appPassword;
    workerPassword = secrets.workerPassword;
    fieldKeys ??= secrets.fieldKeys;
    stop = () => cluster.stop();
  }
  const migrated = await migrate(adminUrl, {
    ...(appPassword !== undefined ? { appPassword } : {}),
    ...(workerPassword !== undefined ? { workerPassword } : {}),
    log: (line) => logger.info(line),
  });
  logger.info({ applied: migrated.applied.length }, "migrations up to date");
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const started = Date.now();
    const rows = await loadRegistry(admin);
    if (rows > 0) logger.info({ rows, ms: Date.now() - started }, "division registry loaded");
  } finally {
    await admin.end();
  }
  const workerUrl = env.WORKER_DATABASE_URL ?? withCredentials(adminUrl, null, "zz_worker", workerPassword ?? "");
  await prepareWorkerSchema(workerUrl);
  const appUrl = env.APP_DATABASE_URL ?? withCredentials(adminUrl, null, "zz_app", appPassword ?? "");
  return { adminUrl, appUrl, workerUrl, embedded, fieldKeys, stop };
}
