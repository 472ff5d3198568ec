import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import postgres from "postgres";

/** Folder of the ordered SQL migrations (top-level `migrations/`). */
export const migrationsDir = fileURLToPath(new URL("../../../migrations/", import.meta.url));

/** Result of a migration run. */
export interface MigrateResult {
  applied: string[];
  skipped: number;
}

/** Options for {@link migrate}. */
export interface MigrateOptions {
  /** Password to set on the runtime role zz_app (embedded and test clusters set it). */
  appPassword?: string;
  /** Password to set on the job-queue role zz_worker. */
  workerPassword?: string;
  log?: (line: string) => void;
  /** Apply only the migrations up to this file name (upgrade tests: a database as of an older build). */
  until?: string;
}

/** A migration file this build ships, with the checksum the runner records for it. */
export interface ShippedMigration {
  name: string;
  checksum: string;
  text: string;
}

/**
 * Migrations whose text was amended after they had landed, with the checksums of their earlier
 * texts: a database that applied an earlier text is up to date with it (each amendment says why
 * the earlier text did the same wherever it could apply at all), not "changed after it was
 * applied".
 * - 0121: the first text validated its composite foreign keys under forced row security, so it
 *   failed on any database with rows in them; where it applied (no such rows), both texts agree.
 */
export const AMENDED_MIGRATIONS: Readonly<Record<string, readonly string[]>> = {
  "0121_citus_keys.sql": ["2a43c72f0defe3111421e6fc76000b9f427002fe15932df42fe4107ebff2251c"],
};

/** Whether a database that recorded `applied` for `name` has applied this build's `checksum`. */
export function sameMigration(name: string, checksum: string, applied: string): boolean {
  return applied === checksum || (AMENDED_MIGRATIONS[name]?.includes(applied) ?? false);
}

/** The migration files of this build, in order. */
export async function shippedMigrations(dir = migrationsDir): Promise<ShippedMigration[]> {
  const files = (await readdir(dir)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  return Promise.all(
    files.map(async (name) => {
      const text = await readFile(dir + name, "utf8");
      return { name, checksum: createHash("sha256").update(text).digest("hex"), text };
    }),
  );
}

/**
 * How the database stands against this build's migrations: those not applied yet, and those
 * applied with another text, read as the runtime role (through `auth.migrations_applied()`, 0070).
 * Migrations the database has beyond this build (a newer instance migrated) are no obstacle.
 */
export async function migrationLag(
  sql: postgres.Sql,
  shipped: readonly Pick<ShippedMigration, "name" | "checksum">[],
): Promise<{ pending: string[]; changed: string[] }> {
  const rows = await sql<{ name: string; checksum: string }[]>`select name, checksum from auth.migrations_applied()`;
  const done = new Map(rows.map((r) => [r.name, r.checksum]));
  const pending = shipped.filter((m) => !done.has(m.name)).map((m) => m.name);
  const changed = shipped
    .filter((m) => done.has(m.name) && !sameMigration(m.name, m.checksum, done.get(m.name)!))
    .map((m) => m.name);
  return { pending, changed };
}

/** Escapes a SQL string literal for the few utility statements that take no parameters. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * Applies every pending migration in order, each in its own transaction, under an advisory
 * lock so that several instances starting at once migrate exactly once. Files marked
 * `-- run-as: admin` run as the connecting administrator (they create roles); all others
 * run as zz_owner so that zz_owner, not the administrator and never zz_app, owns the objects.
 */
export async function migrate(adminUrl: string, options: MigrateOptions = {}): Promise<MigrateResult> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {}, prepare: false });
  const log = options.log ?? (() => {});
  try {
    await sql`select pg_advisory_lock(724311)`;
    await sql`create table if not exists public.schema_migrations (
      name text primary key, checksum text not null, applied_at timestamptz not null default now())`;
    const done = new Map<string, string>();
    for (const row of await sql<
      { name: string; checksum: string }[]
    >`select name, checksum from public.schema_migrations`) {
      done.set(row.name, row.checksum);
    }
    const until = options.until;
    const files = (await shippedMigrations()).filter((m) => until === undefined || m.name <= until);
    const applied: string[] = [];
    for (const { name: file, text, checksum } of files) {
      const previous = done.get(file);
      if (previous !== undefined) {
        if (!sameMigration(file, checksum, previous)) throw new Error(`migration ${file} changed after it was applied`);
        continue;
      }
      const asAdmin = text.startsWith("-- run-as: admin");
      await sql.begin(async (tx) => {
        if (!asAdmin) await tx.unsafe("set local role zz_owner");
        await tx.unsafe(text);
        await tx.unsafe("reset role");
        await tx`insert into public.schema_migrations (name, checksum) values (${file}, ${checksum})`;
      });
      log(`migrated ${file}`);
      applied.push(file);
    }
    if (options.appPassword !== undefined) {
      await sql.unsafe(`alter role zz_app password ${literal(options.appPassword)}`);
    }
    if (options.workerPassword !== undefined) {
      await sql.unsafe(`alter role zz_worker password ${literal(options.workerPassword)}`);
    }
    return { applied, skipped: files.length - applied.length };
  } finally {
    await sql`select pg_advisory_unlock(724311)`.catch(() => {});
    await sql.end();
  }
}
