import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";

const run = promisify(execFile);

/** What a backup holds about its database, to compare a restore with. */
export interface Snapshot {
  /** Exact row counts of every table of the product's schemas. */
  rows: Record<string, number>;
  /** sha256 over every case's (id, event count, last hash): the heads of all timeline chains. */
  chainHeads: string;
  cases: number;
}

/** The manifest written beside the dump and the attachments. */
export interface Manifest {
  createdAt: string;
  database: string;
  snapshot: Snapshot;
  files: Record<string, { bytes: number; sha256: string }>;
}

/** Row counts and chain heads, read in one repeatable-read transaction (one consistent view). */
export async function snapshot(url: string): Promise<Snapshot> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await sql.begin("isolation level repeatable read read only", async (tx) => {
      const tables = await tx<{ name: string }[]>`
        select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname in ('app', 'auth', 'ref', 'public', 'graphile_worker')
          and not c.relispartition
        order by 1`;
      const rows: Record<string, number> = {};
      for (const t of tables) {
        const [r] = await tx.unsafe<{ n: number }[]>(`select count(*)::int as n from ${t.name}`);
        rows[t.name] = r!.n;
      }
      const heads = await tx<{ line: string }[]>`
        select id::text || ':' || event_seq || ':' || coalesce(encode(last_hash, 'hex'), '') as line
        from app.cases order by id`;
      const digest = createHash("sha256");
      for (const h of heads) digest.update(`${h.line}\n`);
      return { rows, chainHeads: digest.digest("hex"), cases: heads.length };
    });
  } finally {
    await sql.end();
  }
}

/** The differences between two snapshots, empty when they agree. */
export function compareSnapshots(expected: Snapshot, actual: Snapshot): string[] {
  const problems: string[] = [];
  for (const table of new Set([...Object.keys(expected.rows), ...Object.keys(actual.rows)])) {
    if (expected.rows[table] !== actual.rows[table]) {
      problems.push(
        `${table}: ${expected.rows[table] ?? "absent"} rows backed up, ${actual.rows[table] ?? "absent"} restored`,
      );
    }
  }
  if (expected.chainHeads !== actual.chainHeads) {
    problems.push(`timeline chain heads differ (${expected.cases} cases backed up, ${actual.cases} restored)`);
  }
  return problems;
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** The PostgreSQL client tools: PG_BIN (a directory) or the PATH. pg_dump must be at least the server's version. */
function tool(name: "pg_dump" | "pg_restore", bin?: string): string {
  return bin ? join(bin, name) : name;
}

/**
 * Writes a backup directory: `database.dump` (pg_dump custom format: compressed, restorable
 * table by table), `attachments.tar` (the attachment store), and `manifest.json` (row counts,
 * chain heads, file checksums). The snapshot is taken just before the dump, so rows written in
 * between make the drill report a difference: back up a quiet database, or read the drill's
 * report as "at least this much".
 */
export async function backup(options: {
  databaseUrl: string;
  attachmentsDir: string;
  backupDir: string;
  pgBin?: string | undefined;
}): Promise<{ dir: string; manifest: Manifest }> {
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const dir = join(options.backupDir, `zongzhi-${stamp}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const snap = await snapshot(options.databaseUrl);
  await run(tool("pg_dump", options.pgBin), [
    "--format=custom",
    "--compress=6",
    `--file=${join(dir, "database.dump")}`,
    `--dbname=${options.databaseUrl}`,
  ]);
  const attachments = join(dir, "attachments.tar");
  if (existsSync(options.attachmentsDir)) {
    await run("tar", ["-C", options.attachmentsDir, "-cf", attachments, "."]);
  } else {
    await run("tar", ["-cf", attachments, "--files-from", "/dev/null"]);
  }
  const files: Manifest["files"] = {};
  for (const name of ["database.dump", "attachments.tar"]) {
    const path = join(dir, name);
    const { size } = await stat(path);
    files[name] = { bytes: size, sha256: await sha256File(path) };
  }
  const manifest: Manifest = {
    createdAt: new Date().toISOString(),
    database: new URL(options.databaseUrl).pathname.slice(1),
    snapshot: snap,
    files,
  };
  await writeFile(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  return { dir, manifest };
}

/**
 * Restores a backup directory into an EMPTY database (`databaseUrl`; the roles zz_owner,
 * zz_app, zz_auth, zz_worker must exist in its cluster: `pnpm db:migrate` on a blank database
 * creates them) and unpacks the attachments into `attachmentsDir`, which must be empty. The
 * files are checked against the manifest first; the restore runs in one transaction.
 */
export async function restore(options: {
  backupDir: string;
  databaseUrl: string;
  attachmentsDir: string;
  pgBin?: string | undefined;
}): Promise<Manifest> {
  const manifest = JSON.parse(await readFile(join(options.backupDir, "manifest.json"), "utf8")) as Manifest;
  for (const [name, expected] of Object.entries(manifest.files)) {
    const actual = await sha256File(join(options.backupDir, name));
    if (actual !== expected.sha256)
      throw new Error(`${name} does not match its manifest checksum: the backup is damaged`);
  }
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [used] = await sql<{ n: number }[]>`
      select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('app', 'auth', 'ref') and c.relkind = 'r'`;
    if (used!.n > 0) throw new Error("the target database is not empty: restore into a new database");
  } finally {
    await sql.end();
  }
  await run(tool("pg_restore", options.pgBin), [
    "--exit-on-error",
    "--single-transaction",
    `--dbname=${options.databaseUrl}`,
    join(options.backupDir, "database.dump"),
  ]);
  await mkdir(options.attachmentsDir, { recursive: true });
  if ((await readdir(options.attachmentsDir)).length > 0) {
    throw new Error(`${options.attachmentsDir} is not empty: restore the attachments into an empty directory`);
  }
  await run("tar", ["-C", options.attachmentsDir, "-xf", join(options.backupDir, "attachments.tar")]);
  return manifest;
}

/** The outcome of a restore drill. */
export interface DrillReport {
  backupDir: string;
  scratchDatabase: string;
  tables: number;
  rows: number;
  cases: number;
  attachments: number;
  problems: string[];
}

/**
 * The restore drill: backs up `databaseUrl`, restores it into a scratch database on the same
 * server (and the attachments into a scratch directory), compares row counts and chain heads
 * with the backup's manifest, then drops the scratch database. Problems are listed, not thrown.
 */
export async function restoreDrill(options: {
  databaseUrl: string;
  attachmentsDir: string;
  backupDir: string;
  scratchAttachmentsDir: string;
  pgBin?: string | undefined;
}): Promise<DrillReport> {
  const made = await backup(options);
  const scratch = `zz_restore_drill_${Date.now()}`;
  const maintenanceUrl = new URL(options.databaseUrl);
  maintenanceUrl.pathname = "/postgres";
  const maintenance = postgres(maintenanceUrl.toString(), { max: 1, onnotice: () => {} });
  const scratchUrl = new URL(options.databaseUrl);
  scratchUrl.pathname = `/${scratch}`;
  try {
    await maintenance.unsafe(`create database ${scratch}`);
    await restore({
      backupDir: made.dir,
      databaseUrl: scratchUrl.toString(),
      attachmentsDir: options.scratchAttachmentsDir,
      pgBin: options.pgBin,
    });
    const restored = await snapshot(scratchUrl.toString());
    const problems = compareSnapshots(made.manifest.snapshot, restored);
    const attachments = await countFiles(options.scratchAttachmentsDir);
    const original = existsSync(options.attachmentsDir) ? await countFiles(options.attachmentsDir) : 0;
    if (attachments !== original) problems.push(`${original} attachment files backed up, ${attachments} restored`);
    return {
      backupDir: made.dir,
      scratchDatabase: scratch,
      tables: Object.keys(restored.rows).length,
      rows: Object.values(restored.rows).reduce((a, b) => a + b, 0),
      cases: restored.cases,
      attachments,
      problems,
    };
  } finally {
    await maintenance.unsafe(`drop database if exists ${scratch} with (force)`).catch(() => {});
    await maintenance.end();
  }
}

async function countFiles(dir: string): Promise<number> {
  let n = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) if (entry.isFile()) n++;
  return n;
}
