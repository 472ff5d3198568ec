import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { generateKeyringString } from "@zongzhi/crypto";
import { placeDataDir, removeRelocated, startEmbeddedPostgres } from "@zongzhi/db/embedded";
import { migrate } from "@zongzhi/db/migrate";
import { ensureSearchIndex, loadRegistry } from "@zongzhi/registry";
import postgres from "postgres";
import type { ServerEnv } from "./env.ts";
import type { Logger } from "./logger.ts";
import { StartupError } from "./startup.ts";
import { prepareWorkerSchema } from "./worker.ts";

/** Connection URLs of the database the server runs on. */
export interface ResolvedDatabase {
  /**
   * The owner/admin URL (migrations, the demo's loading, the CLIs). Absent on a runtime-only
   * instance (MIGRATE=off with APP_DATABASE_URL and WORKER_DATABASE_URL and no DATABASE_URL),
   * which holds no credential above the runtime roles.
   */
  adminUrl: string | undefined;
  appUrl: string;
  /** The job queue's role (zz_worker). */
  workerUrl: string;
  embedded: boolean;
  /** The embedded cluster's port and data directory (quick start only). */
  embeddedCluster: { port: number; dataDir: string } | undefined;
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

/** The quick start's default port for its embedded database (taken: another free port, remembered). */
export const DEFAULT_EMBEDDED_PG_PORT = 54329;

/** What the quick start remembers about its embedded cluster (DATA_DIR/embedded.json). */
interface EmbeddedState {
  port?: number;
  /** Where the cluster lives when it cannot live in DATA_DIR/pg (root, private checkout). */
  dataDir?: string;
}

/** A path for messages: relative to the working directory when inside it. */
function shown(path: string): string {
  const r = relative(process.cwd(), path);
  return r && !r.startsWith("..") && !isAbsolute(r) ? r : path;
}

function unreadableSecrets(file: string, dataDir: string, reason: string): StartupError {
  const fix =
    reason === "permission denied"
      ? "run as the user that created it"
      : `restore it (it holds the database passwords and the encryption key of ${shown(dataDir)}/), or remove ${shown(dataDir)}/ to start over with a fresh demo (this deletes the local data)`;
  return new StartupError(`${shown(file)} cannot be read (${reason}): ${fix}`);
}

async function readSecrets(file: string, dataDir: string): Promise<Secrets> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw unreadableSecrets(file, dataDir, code === "EACCES" || code === "EPERM" ? "permission denied" : String(code));
  }
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    throw unreadableSecrets(file, dataDir, "not valid JSON");
  }
  const s = stored as Partial<Secrets> | null;
  if (typeof s?.adminPassword !== "string" || typeof s.appPassword !== "string") {
    throw unreadableSecrets(file, dataDir, "adminPassword or appPassword missing");
  }
  return s as Secrets;
}

async function embeddedSecrets(dataDir: string): Promise<Secrets> {
  const file = join(dataDir, "secrets.json");
  if (existsSync(file)) {
    const stored = await readSecrets(file, dataDir);
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
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function readState(dataDir: string): Promise<EmbeddedState> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, "embedded.json"), "utf8")) as EmbeddedState;
    return {
      ...(Number.isInteger(parsed.port) ? { port: parsed.port } : {}),
      ...(typeof parsed.dataDir === "string" ? { dataDir: parsed.dataDir } : {}),
    };
  } catch {
    return {};
  }
}

/** The embedded cluster the quick start runs on, started (see README "Quick start"). */
async function startQuickStartCluster(env: ServerEnv, logger: Logger) {
  const dataDir = resolve(env.DATA_DIR);
  try {
    await mkdir(dataDir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartupError(`cannot create ${shown(dataDir)} (${code}): run where you may write, or set DATA_DIR=…`);
  }
  const state = await readState(dataDir);
  const placement = await placeDataDir(join(dataDir, "pg"));
  const secretsFile = join(dataDir, "secrets.json");
  if (!existsSync(secretsFile) && existsSync(join(placement.dataDir, "PG_VERSION"))) {
    if (placement.relocated && state.dataDir !== placement.dataDir) {
      // Made for an earlier DATA_DIR at this path that has been removed since (a reset).
      logger.info({ dataDir: placement.dataDir }, "removing the embedded database of a removed data directory");
      await removeRelocated(placement.dataDir);
    } else {
      throw new StartupError(
        `${shown(placement.dataDir)} holds a database but ${shown(secretsFile)} (its passwords and encryption key) is missing: restore it, or remove ${shown(dataDir)}/ to start over with a fresh demo (this deletes the local data)`,
      );
    }
  }
  const secrets = await embeddedSecrets(dataDir);
  if (placement.relocated) {
    logger.info(
      { dataDir: placement.dataDir },
      "running as root in a directory the postgres user cannot enter: the embedded database lives outside the checkout",
    );
  }
  const wanted = env.EMBEDDED_PG_PORT ?? state.port ?? DEFAULT_EMBEDDED_PG_PORT;
  const started = Date.now();
  const cluster = await startEmbeddedPostgres({
    dataDir: placement.dataDir,
    port: wanted,
    portFallback: env.EMBEDDED_PG_PORT === undefined,
    password: secrets.adminPassword,
    persistent: true,
    log: (line) => logger.debug({ pg: line }),
    notice: (line) => logger.warn(line),
  });
  if (cluster.port !== wanted) {
    logger.warn(
      { taken: wanted, port: cluster.port },
      `port ${wanted} was taken: the embedded database uses port ${cluster.port} from now on (remembered in ${shown(join(dataDir, "embedded.json"))})`,
    );
  }
  if (cluster.port !== state.port || (placement.relocated ? placement.dataDir : undefined) !== state.dataDir) {
    const next: EmbeddedState = { port: cluster.port, ...(placement.relocated ? { dataDir: placement.dataDir } : {}) };
    await writeFile(join(dataDir, "embedded.json"), `${JSON.stringify(next, null, 2)}\n`);
  }
  logger.info(
    { ms: Date.now() - started, port: cluster.port, dataDir: cluster.dataDir },
    "embedded PostgreSQL started",
  );
  return { cluster, secrets };
}

export function withCredentials(url: string, database: string | null, user?: string, password?: string): string {
  const u = new URL(url);
  if (database) u.pathname = `/${database}`;
  if (user) u.username = user;
  if (password !== undefined) u.password = encodeURIComponent(password);
  return u.toString();
}

/**
 * Finds the database: DATABASE_URL when given, otherwise an embedded PostgreSQL whose data
 * lives under DATA_DIR and survives restarts. Then migrates it and loads the registry.
 * A failure after the embedded server started stops it again.
 */
export async function prepareDatabase(env: ServerEnv, logger: Logger): Promise<ResolvedDatabase> {
  if (!env.DATABASE_URL && env.APP_DATABASE_URL) {
    // A runtime-only instance: another one (the migration job) migrated; this one connects as
    // the runtime roles only.
    if (env.MIGRATE === "on" || !env.WORKER_DATABASE_URL) {
      throw new StartupError(
        "APP_DATABASE_URL without DATABASE_URL runs an instance that does not migrate: set MIGRATE=off and WORKER_DATABASE_URL too (or give DATABASE_URL)",
      );
    }
    logger.info("runtime-only instance: no owner credentials, migrations left to the migration job");
    return {
      adminUrl: undefined,
      appUrl: env.APP_DATABASE_URL,
      workerUrl: env.WORKER_DATABASE_URL,
      embedded: false,
      embeddedCluster: undefined,
      fieldKeys: env.FIELD_KEYS,
      stop: async () => {},
    };
  }
  let adminUrl: string;
  let stop = async () => {};
  let appPassword = env.APP_DATABASE_PASSWORD;
  let workerPassword = env.WORKER_DATABASE_PASSWORD;
  let fieldKeys = env.FIELD_KEYS;
  let embeddedCluster: ResolvedDatabase["embeddedCluster"];
  const embedded = !env.DATABASE_URL;
  if (env.DATABASE_URL) {
    adminUrl = env.DATABASE_URL;
  } else {
    const { cluster, secrets } = await startQuickStartCluster(env, logger);
    embeddedCluster = { port: cluster.port, dataDir: cluster.dataDir };
    stop = () => cluster.stop();
    adminUrl = withCredentials(cluster.adminUrl, "zongzhi");
    appPassword = secrets.appPassword;
    workerPassword = secrets.workerPassword;
    fieldKeys ??= secrets.fieldKeys;
    try {
      const admin = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
      try {
        const [exists] = await admin`select 1 from pg_database where datname = 'zongzhi'`;
        if (!exists) await admin.unsafe("create database zongzhi");
      } finally {
        await admin.end();
      }
    } catch (error) {
      await stop();
      throw error;
    }
  }
  try {
    if (env.MIGRATE === "on" || embedded)
      await migrateAndLoad(adminUrl, { appPassword, workerPassword }, logger, { searchIndexInBackground: true });
    else logger.info("MIGRATE=off: migrations and the registry are left to the migration job");
    const workerUrl = env.WORKER_DATABASE_URL ?? withCredentials(adminUrl, null, "zz_worker", workerPassword ?? "");
    if (env.MIGRATE === "on" || embedded) await prepareWorkerSchema(workerUrl);
    const appUrl = env.APP_DATABASE_URL ?? withCredentials(adminUrl, null, "zz_app", appPassword ?? "");
    return { adminUrl, appUrl, workerUrl, embedded, embeddedCluster, fieldKeys, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Applies the pending migrations (setting the runtime roles' passwords) and loads the division
 * registry. `searchIndexInBackground` (a server's start): the registry's name-search index is
 * built after this returns, without blocking (see {@link buildSearchIndex}); otherwise (the
 * migration job, which exits when done) before.
 */
export async function migrateAndLoad(
  adminUrl: string,
  passwords: { appPassword: string | undefined; workerPassword: string | undefined },
  logger: Logger,
  options: { searchIndexInBackground?: boolean } = {},
): Promise<void> {
  const migrated = await migrate(adminUrl, {
    ...(passwords.appPassword !== undefined ? { appPassword: passwords.appPassword } : {}),
    ...(passwords.workerPassword !== undefined ? { workerPassword: passwords.workerPassword } : {}),
    log: (line) => logger.info(line),
  });
  logger.info({ applied: migrated.applied.length }, "migrations up to date");
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const started = Date.now();
    const background = options.searchIndexInBackground ?? false;
    const rows = await loadRegistry(admin, { searchIndex: background ? "after" : "now" });
    if (rows > 0) logger.info({ rows, ms: Date.now() - started }, "division registry loaded");
    if (!background && (await ensureSearchIndex(admin))) logger.info("division name-search index rebuilt");
  } finally {
    await admin.end();
  }
  if (options.searchIndexInBackground) buildSearchIndex(adminUrl, logger);
}

/**
 * Builds the registry's name-search index in the background when it is missing (first start) or
 * was left invalid (a start stopped mid-build): concurrently, so the server starts and serves
 * meanwhile (a name search scans the table until it is there). A failure is logged, not fatal:
 * the next start tries again.
 */
function buildSearchIndex(adminUrl: string, logger: Logger): void {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const started = Date.now();
  ensureSearchIndex(sql)
    .then((built) => {
      if (built) logger.info({ ms: Date.now() - started }, "division name-search index built");
    })
    .catch((error: unknown) =>
      logger.warn({ err: error }, "division name-search index not built; the next start retries"),
    )
    .finally(() => sql.end({ timeout: 5 }).catch(() => {}));
}

/** The owner/admin URL a command needs (the CLIs), or a start-up error saying to give it. */
export function adminUrlOf(db: ResolvedDatabase): string {
  if (!db.adminUrl) throw new StartupError("this command needs DATABASE_URL (the database owner's URL)");
  return db.adminUrl;
}
