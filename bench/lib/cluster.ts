import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyringString } from "@zongzhi/crypto";
import { freePort, startEmbeddedPostgres } from "@zongzhi/db/embedded";
import postgres from "postgres";

/** Repository root. */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** Secrets of the benchmark cluster (kept next to it, never committed). */
export interface BenchSecrets {
  adminPassword: string;
  appPassword: string;
  workerPassword: string;
  fieldKeys: string;
  port: number;
}

/** A server to generate into and benchmark on. */
export interface BenchServer {
  /** Superuser URL of the maintenance database. */
  serverUrl: string;
  secrets: BenchSecrets;
  embedded: boolean;
  /** URL of a database on this server, as the admin or as another role. */
  url(database: string, role?: { user: string; password: string }): string;
  stop(): Promise<void>;
}

/**
 * Server settings of the embedded benchmark cluster. Durability stays on (intake is measured
 * with real commits); `wal_level=minimal` lets the generator's COPY into a table truncated in
 * the same transaction skip the WAL, and larger buffers and WAL suit a 10 M-case database.
 */
const FLAGS = [
  "-c",
  "shared_buffers=1GB",
  "-c",
  "wal_level=minimal",
  "-c",
  "max_wal_senders=0",
  "-c",
  "max_wal_size=2GB",
  "-c",
  "checkpoint_timeout=15min",
];

async function secretsIn(dir: string): Promise<BenchSecrets> {
  const file = join(dir, "secrets.json");
  if (existsSync(file)) return JSON.parse(await readFile(file, "utf8")) as BenchSecrets;
  const secrets: BenchSecrets = {
    adminPassword: randomBytes(18).toString("base64url"),
    appPassword: randomBytes(18).toString("base64url"),
    workerPassword: randomBytes(18).toString("base64url"),
    fieldKeys: generateKeyringString(),
    port: await freePort(),
  };
  await mkdir(dir, { recursive: true });
  await writeFile(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/**
 * The benchmark's PostgreSQL: `DATABASE_URL`'s server when set (with APP_DATABASE_PASSWORD,
 * WORKER_DATABASE_PASSWORD and FIELD_KEYS from the environment, else from BENCH_DIR), otherwise
 * an embedded cluster under BENCH_DIR (default `.bench/`) that survives between runs, so that a
 * generated database is made once and benchmarked many times.
 */
export async function openBenchServer(): Promise<BenchServer> {
  const dir = resolve(repoRoot, process.env.BENCH_DIR ?? ".bench");
  const stored = await secretsIn(dir);
  const external = process.env.DATABASE_URL;
  const secrets: BenchSecrets = {
    ...stored,
    appPassword: process.env.APP_DATABASE_PASSWORD ?? stored.appPassword,
    workerPassword: process.env.WORKER_DATABASE_PASSWORD ?? stored.workerPassword,
    fieldKeys: process.env.FIELD_KEYS ?? stored.fieldKeys,
  };
  let serverUrl: string;
  let stop = async () => {};
  if (external) {
    serverUrl = external;
  } else {
    const cluster = await startEmbeddedPostgres({
      dataDir: join(dir, "pg"),
      port: secrets.port,
      password: secrets.adminPassword,
      persistent: true,
      flags: FLAGS,
    });
    serverUrl = cluster.adminUrl;
    stop = () => cluster.stop();
  }
  const url = (database: string, role?: { user: string; password: string }) => {
    const u = new URL(serverUrl);
    u.pathname = `/${database}`;
    if (role) {
      u.username = role.user;
      u.password = encodeURIComponent(role.password);
    }
    return u.toString();
  };
  return { serverUrl, secrets, embedded: !external, url, stop };
}

/** What the generator records on a finished database (COMMENT ON DATABASE). */
export interface GeneratedMark {
  generator: "zongzhi-generate";
  province: string;
  cases: number;
  seed: number;
  anchor: string;
  finishedAt: string;
  seconds: Record<string, number>;
  rows: Record<string, number>;
  statuses: Record<string, number>;
  hotCounties: string[];
  units: number;
  events: number;
}

/** `1m` for 1,000,000 cases, `100k` for 100,000, `2500` otherwise. */
export function sizeLabel(cases: number): string {
  if (cases % 1_000_000 === 0) return `${cases / 1_000_000}m`;
  if (cases % 1000 === 0) return `${cases / 1000}k`;
  return String(cases);
}

/** Parses `1m`, `100k`, `10000000`. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const n = Number(m[1]) * (m[2]?.toLowerCase() === "m" ? 1_000_000 : m[2]?.toLowerCase() === "k" ? 1000 : 1);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`not a size: ${text}`);
  return n;
}

/** The default database name of a generated province. */
export function generatedName(province: string, cases: number, seed: number): string {
  return `zz_gen_${province}_${sizeLabel(cases)}${seed === 1 ? "" : `_s${seed}`}`;
}

/** The generator's mark on `database`, when a generation finished there. */
export async function generatedMark(server: BenchServer, database: string): Promise<GeneratedMark | null> {
  // A failure to ask (server down, refused) is thrown, never read as "no generation here": the
  // caller drops and regenerates a database without a mark, which at 1 M costs an hour.
  const sql = postgres(server.serverUrl, { max: 1, onnotice: () => {} });
  let comment: string | null | undefined;
  try {
    const [row] = await sql<{ comment: string | null }[]>`select shobj_description(oid, 'pg_database') as comment
      from pg_database where datname = ${database}`;
    comment = row?.comment;
  } finally {
    await sql.end();
  }
  if (!comment) return null;
  try {
    const mark = JSON.parse(comment) as GeneratedMark;
    return mark.generator === "zongzhi-generate" && mark.finishedAt ? mark : null;
  } catch {
    return null;
  }
}
