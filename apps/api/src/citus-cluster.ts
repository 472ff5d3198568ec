import { existsSync } from "node:fs";
import { join } from "node:path";
import { type DistributionStep, type DroppedConstraint, distributeSchema } from "@zongzhi/db/citus";
import { type EmbeddedCluster, startEmbeddedPostgres } from "@zongzhi/db/embedded";
import type { Logger } from "pino";
import postgres from "postgres";
import { migrateAndLoad, withCredentials } from "./database.ts";
import { prepareWorkerSchema } from "./worker.ts";

// A Citus cluster on loopback for the scale-out proof (infra/SCALE.md): a coordinator and
// workers, each a PostgreSQL server started from an installation that has the Citus extension
// built into it (the build stays outside the repository; CITUS_PG_BIN names its bin/). As root
// they run as the postgres system user (PostgreSQL refuses root), like every embedded cluster.

/** The roles Citus connects to the workers as: the runtime roles, and the owners it runs DDL as. */
const NODE_ROLES = ["zz_app", "zz_worker", "zz_owner", "zz_auth"] as const;

/** Passwords of the roles on the cluster (the owners log in on the workers only). */
export interface CitusPasswords {
  admin: string;
  app: string;
  worker: string;
  owner: string;
}

/** A running coordinator with its workers. */
export interface CitusCluster {
  coordinator: EmbeddedCluster;
  workers: EmbeddedCluster[];
  /** The application database's name on every node. */
  database: string;
  /** Superuser URL of the application database on the coordinator. */
  adminUrl: string;
  /** The runtime role's URL on the coordinator (what the API connects to). */
  appUrl: string;
  workerUrl: string;
  stop(): Promise<void>;
}

/**
 * The installation a Citus build lives in, from CITUS_PG_BIN (its bin/ directory, holding
 * postgres and initdb; its lib/ holds citus.so), or undefined when unset. Throws when it is set
 * but holds no Citus.
 */
export function citusInstallation(bin = process.env.CITUS_PG_BIN): string | undefined {
  if (!bin) return undefined;
  const dir = join(bin, "..");
  if (!existsSync(join(bin, "postgres")) || !existsSync(join(dir, "lib", "citus.so"))) {
    throw new Error(`CITUS_PG_BIN=${bin} has no postgres next to a lib/citus.so (see infra/SCALE.md for the build)`);
  }
  return dir;
}

async function onNode<T>(url: string, fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** The password Citus uses for `role`'s connections to every other node (nodeid 0: any node). */
async function authinfo(sql: postgres.Sql, role: string, password: string): Promise<void> {
  await sql`insert into pg_dist_authinfo (nodeid, rolename, authinfo) values (0, ${role}, ${`password=${password}`})`;
}

const literal = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Starts a coordinator and `workers` workers on loopback from the installation `pgDir` (with
 * `shared_preload_libraries = citus`), creates the application database with the extension on
 * each, and registers the workers with the coordinator. Inter-node connections authenticate
 * with passwords from `pg_dist_authinfo` (scram on every node; nothing is trusted).
 */
export async function startCitusCluster(options: {
  pgDir: string;
  dir: string;
  passwords: CitusPasswords;
  workers?: number;
  database?: string;
  log?: (line: string) => void;
}): Promise<CitusCluster> {
  const database = options.database ?? "zongzhi";
  const log = options.log ?? (() => {});
  const start = (name: string) =>
    startEmbeddedPostgres({
      dataDir: join(options.dir, name),
      password: options.passwords.admin,
      persistent: false,
      fast: true,
      nativeDir: options.pgDir,
      flags: ["-c", "shared_preload_libraries=citus", "-c", "max_prepared_transactions=100"],
      // The node's own connections to the others (libpq) look for a client certificate under
      // HOME; this process's HOME (/root, as root) is not the server account's to read.
      env: { HOME: join(options.dir, name) },
    });
  const nodes: EmbeddedCluster[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    for (const name of ["coordinator", ...Array.from({ length: options.workers ?? 2 }, (_, i) => `worker${i + 1}`)]) {
      nodes.push(await start(name));
      log(`${name} on 127.0.0.1:${nodes.at(-1)!.port}`);
    }
    for (const node of nodes) {
      await onNode(node.adminUrl, (sql) => sql.unsafe(`create database ${database}`));
      await onNode(withCredentials(node.adminUrl, database), (sql) => sql.unsafe("create extension citus"));
    }
    const [coordinator, ...workers] = nodes as [EmbeddedCluster, ...EmbeddedCluster[]];
    const adminUrl = withCredentials(coordinator.adminUrl, database);
    await onNode(adminUrl, async (sql) => {
      // The superuser's password for the coordinator's own connections to the workers (DDL,
      // metadata); the other roles' follow once the migrations have made them.
      await authinfo(sql, "postgres", options.passwords.admin);
      await sql`select citus_set_coordinator_host('127.0.0.1', ${coordinator.port})`;
      for (const w of workers) await sql`select citus_add_node('127.0.0.1', ${w.port})`;
    });
    return {
      coordinator,
      workers,
      database,
      adminUrl,
      appUrl: withCredentials(adminUrl, null, "zz_app", options.passwords.app),
      workerUrl: withCredentials(adminUrl, null, "zz_worker", options.passwords.worker),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The roles of migration 0001 (same attributes), made on the coordinator before the migrations
 * run (0001 then finds them and makes none); Citus copies them to the workers.
 */
const ROLES_OF_0001 = [
  "create role zz_owner nologin nosuperuser nobypassrls nocreaterole nocreatedb",
  "create role zz_auth nologin nosuperuser nobypassrls nocreaterole nocreatedb",
  "create role zz_app login nosuperuser nobypassrls nocreaterole nocreatedb noinherit",
];

/**
 * Migrates the application database on the coordinator (objects propagate to the workers) and
 * distributes the schema ({@link distributeSchema}). Citus opens its connections to the workers
 * as the current role, and the migrations run as zz_owner (definer functions as zz_auth), so
 * first: the roles exist (as 0001 makes them), the owner roles may log in on the workers only
 * (on the coordinator they stay NOLOGIN, and nothing changes for zz_app), and every role Citus
 * connects as has its password in `pg_dist_authinfo`.
 */
export async function migrateAndDistribute(
  cluster: CitusCluster,
  passwords: CitusPasswords,
  logger: Logger,
  options: { shardCount?: number } = {},
): Promise<{ plan: DistributionStep[]; dropped: DroppedConstraint[] }> {
  const password: Record<(typeof NODE_ROLES)[number], string> = {
    zz_app: passwords.app,
    zz_worker: passwords.worker,
    zz_owner: passwords.owner,
    zz_auth: passwords.owner,
  };
  await onNode(cluster.adminUrl, async (sql) => {
    for (const statement of ROLES_OF_0001) await sql.unsafe(statement);
    for (const role of NODE_ROLES.filter((r) => r !== "zz_worker")) await authinfo(sql, role, password[role]);
  });
  for (const w of cluster.workers) {
    await onNode(withCredentials(w.adminUrl, cluster.database), async (sql) => {
      await sql.unsafe("set citus.enable_ddl_propagation = off");
      for (const role of ["zz_owner", "zz_auth"]) {
        await sql.unsafe(`alter role ${role} login password ${literal(passwords.owner)}`);
      }
    });
  }
  await migrateAndLoad(cluster.adminUrl, { appPassword: passwords.app, workerPassword: passwords.worker }, logger);
  // zz_auth never connects to the coordinator (0001 grants it no CONNECT there), but Citus
  // connects to the workers as zz_auth for the definer functions' queries (sign-in).
  for (const w of cluster.workers) {
    await onNode(withCredentials(w.adminUrl, cluster.database), async (sql) => {
      await sql.unsafe("set citus.enable_ddl_propagation = off");
      await sql.unsafe(`grant connect on database "${cluster.database}" to zz_auth`);
    });
  }
  // zz_worker is made by a later migration; the job queue's schema is made as it.
  await onNode(cluster.adminUrl, (sql) => authinfo(sql, "zz_worker", password.zz_worker));
  await prepareWorkerSchema(cluster.workerUrl);
  return onNode(cluster.adminUrl, (sql) => distributeSchema(sql, { ...options, log: (line) => logger.info(line) }));
}
