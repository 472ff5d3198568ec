import type { Sql } from "@zongzhi/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../index.ts";
import CITUS_PENDING from "./citus-pending.json" with { type: "json" };

// Citus readiness of the catalog (infra/SCALE.md). On Citus every table that carries the county
// key (`county_code`, the distribution column) is distributed on it, colocated with the cases;
// the rest are reference tables (copied to every node). Citus's rules for that, checked here on
// the migrated schema, each rule shown to catch a schema broken on purpose (in a transaction
// that is rolled back):
//   1. the distribution column of a distributed table is a plain column (not generated);
//   2. every primary key, unique constraint, unique index and exclusion constraint of a
//      distributed table includes it;
//   3. every foreign key between two distributed tables includes it, on both sides, at the same
//      position (a shard then only ever references rows of its own colocated shard);
//   4. no reference table has a foreign key to a distributed table.
// What the schema does not meet yet is listed in citus-pending.json (the plan for it is in
// infra/SCALE.md); the test fails on any violation not listed there, and on a listed one that is
// no longer a violation (so the list only shrinks, migration by migration).

const DISTRIBUTION_COLUMN = "county_code";

/**
 * Tables that carry `county_code` but are reference tables on Citus, with why: they are small,
 * read across counties (sign-in by user name, the unit tree) or both.
 */
const CONFIGURATION =
  "a centre's set-up, named by cases and bookings of units below or above it (0021 'above', 'pool')";
const INHERITED =
  "a catalogue a unit inherits down the tree: county pages read the rows of the city and province above";
const REFERENCE_TABLES: Record<string, string> = {
  "app.tenants": "the unit tree (province to village): read on every request, ~665k rows at most",
  "app.users": "staff accounts: sign-in looks a user up by name before any county is known",
  "app.user_setup_tokens": "an account's setup link is opened before any county is known",
  "app.department_kinds": INHERITED,
  "app.case_categories": INHERITED,
  "app.dictionary_entries": INHERITED,
  "app.calendar_days": INHERITED,
  "app.deadline_policies": INHERITED,
  "app.patrol_norms": INHERITED,
  "app.cockpit_settings": INHERITED,
  "app.notices": `${INHERITED} (a notice of the province is read in every county)`,
  "app.notice_attachments": "a notice's files, read where the notice is",
  "app.grids": `${INHERITED}; grids.code is unique in the country`,
  "app.grid_workers": INHERITED,
  "app.grid_assignments": "hangs off a grid and a grid worker, both reference tables",
  "app.stationings": CONFIGURATION,
  "app.rotation_slots": "hangs off a stationed department",
  "app.stationing_liaisons": "hangs off a stationed department",
  "app.service_windows": CONFIGURATION,
  "app.mediators": `${CONFIGURATION}; a mediator pool spans the units above and below`,
  "app.mediation_rooms": CONFIGURATION,
  "app.mediation_committees": CONFIGURATION,
  "app.committee_members": "hangs off a committee and a mediator, both reference tables",
  "app.api_keys": "an open-channel request finds its key by key_id before any county is known",
  "app.webhooks": "hangs off an API key",
};

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

interface Distribution {
  distributed: Set<string>;
  reference: Set<string>;
}

/** Which tables would be distributed (they carry the distribution column) and which are reference tables. */
async function distribution(sql: Sql): Promise<Distribution> {
  const rows = await sql<{ name: string; keyed: boolean }[]>`
    select n.nspname || '.' || c.relname as name,
      exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = ${DISTRIBUTION_COLUMN}
              and a.attnum > 0 and not a.attisdropped) as keyed
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname in ('app', 'auth', 'ref') and not c.relispartition
    order by 1`;
  const distributed = new Set<string>();
  const reference = new Set<string>();
  for (const r of rows) (r.keyed && !(r.name in REFERENCE_TABLES) ? distributed : reference).add(r.name);
  return { distributed, reference };
}

/** Rule 1: the distribution column is a plain column. */
async function generatedKeyProblems(sql: Sql, d: Distribution): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select n.nspname || '.' || c.relname as name
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    where a.attname = ${DISTRIBUTION_COLUMN} and a.attgenerated <> '' order by 1`;
  return rows.filter((r) => d.distributed.has(r.name)).map((r) => `${r.name}: ${DISTRIBUTION_COLUMN} is generated`);
}

/** Rule 2: every unique key (constraint or index) and exclusion constraint includes the distribution column. */
async function uniqueKeyProblems(sql: Sql, d: Distribution): Promise<string[]> {
  const rows = await sql<{ name: string; index: string; kind: string; has_key: boolean }[]>`
    select n.nspname || '.' || c.relname as name, i.relname as index,
      coalesce(case con.contype when 'p' then 'primary key' when 'u' then 'unique constraint'
                                when 'x' then 'exclusion constraint' end, 'unique index') as kind,
      exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = ${DISTRIBUTION_COLUMN}
              and a.attnum = any (x.indkey::int2[])) as has_key
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_class c on c.oid = x.indrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_constraint con on con.conindid = x.indexrelid and con.contype in ('p', 'u', 'x')
    where (x.indisunique or con.contype = 'x') and n.nspname in ('app', 'auth')
    order by 1, 2`;
  return rows
    .filter((r) => d.distributed.has(r.name) && !r.has_key)
    .map((r) => `${r.name}: ${r.kind} ${r.index} lacks ${DISTRIBUTION_COLUMN}`);
}

/** Rules 3 and 4: foreign keys between distributed tables carry the key; none from a reference table to a distributed one. */
async function foreignKeyProblems(sql: Sql, d: Distribution): Promise<string[]> {
  const rows = await sql<{ name: string; target: string; fk: string; from_cols: string[]; to_cols: string[] }[]>`
    select con.conrelid::regclass::text as name, con.confrelid::regclass::text as target, con.conname as fk,
      (select array_agg(a.attname::text order by k.ord) from unnest(con.conkey) with ordinality k(att, ord)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.att) as from_cols,
      (select array_agg(a.attname::text order by k.ord) from unnest(con.confkey) with ordinality k(att, ord)
        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.att) as to_cols
    from pg_constraint con join pg_namespace n on n.oid = con.connamespace
    where con.contype = 'f' and n.nspname in ('app', 'auth', 'ref')
    order by 1, 3`;
  const problems: string[] = [];
  for (const r of rows) {
    const from = d.distributed.has(r.name);
    const to = d.distributed.has(r.target);
    if (!from && to) problems.push(`${r.name}: foreign key ${r.fk} from a reference table to distributed ${r.target}`);
    if (from && to) {
      const i = r.from_cols.indexOf(DISTRIBUTION_COLUMN);
      if (i < 0 || r.to_cols[i] !== DISTRIBUTION_COLUMN) {
        problems.push(
          `${r.name}: foreign key ${r.fk} to ${r.target} (${r.from_cols.join(", ")}) lacks ${DISTRIBUTION_COLUMN}`,
        );
      }
    }
  }
  return problems;
}

async function citusProblems(sql: Sql): Promise<string[]> {
  const d = await distribution(sql);
  return [
    ...(await generatedKeyProblems(sql, d)),
    ...(await uniqueKeyProblems(sql, d)),
    ...(await foreignKeyProblems(sql, d)),
  ].sort();
}

/** Runs `fn` on a schema changed by `ddl`, then rolls the change back. */
async function onBrokenSchema<T>(ddl: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const rolledBack = new Error("rolled back");
  let result: T | undefined;
  await db.admin
    .begin(async (tx) => {
      await tx.unsafe(ddl);
      result = await fn(tx as unknown as Sql);
      throw rolledBack;
    })
    .catch((e) => {
      if (e !== rolledBack) throw e;
    });
  return result as T;
}

describe("Citus readiness of the catalog", () => {
  it("meets Citus's key rules on every table distributed on county_code, but for what CITUS_PENDING lists", async () => {
    const d = await distribution(db.admin);
    expect(d.distributed.size).toBeGreaterThan(25);
    for (const table of Object.keys(REFERENCE_TABLES)) expect(d.reference, table).toContain(table);
    // The list the distribution reads from the database (0121) is this one.
    const [listed] = await db.admin<{ tables: string[] }[]>`select app.citus_reference_tables()::text[] as tables`;
    expect([...listed!.tables].sort()).toEqual(Object.keys(REFERENCE_TABLES).sort());
    const problems = await citusProblems(db.admin);
    const pending = new Set(CITUS_PENDING.pending);
    // A new violation: a migration broke a rule (or needs its entry, with its plan, in the list).
    expect(problems.filter((p) => !pending.has(p))).toEqual([]);
    // A listed violation that is gone: remove it from the list, which only shrinks.
    const found = new Set(problems);
    expect(CITUS_PENDING.pending.filter((p) => !found.has(p))).toEqual([]);
  });

  it("fills county_code from scope_code on every distributed table and refuses one that disagrees (0120)", async () => {
    const d = await distribution(db.admin);
    const shaped = await db.admin<{ name: string }[]>`
      select c.oid::regclass::text as name from pg_class c
      where exists (select from pg_trigger t where t.tgrelid = c.oid and t.tgname = 'zzz_county_code')
        and exists (select from pg_constraint k where k.conrelid = c.oid and k.conname = c.relname || '_county_code_check')`;
    expect([...d.distributed].filter((t) => !shaped.some((s) => s.name === t))).toEqual([]);
    const rolledBack = new Error("rolled back");
    const outcome = await db.admin
      .begin(async (tx) => {
        const [filled] = await tx<{ county_code: string }[]>`
          insert into app.case_counters (scope_code, year, last) values ('370811001', 1999, 0) returning county_code`;
        const [sent] = await tx<{ county_code: string }[]>`
          insert into app.case_counters (scope_code, county_code, year, last) values ('370811002', '370811', 1999, 0)
          returning county_code`;
        const refused = await tx`
          insert into app.case_counters (scope_code, county_code, year, last) values ('370811003', '370812', 1999, 0)`.then(
          () => null,
          (e: { code?: string; constraint_name?: string }) => `${e.code} ${e.constraint_name}`,
        );
        throw Object.assign(rolledBack, { result: [filled?.county_code, sent?.county_code, refused] });
      })
      .catch((e) => {
        if (e !== rolledBack) throw e;
        return (e as { result: unknown }).result;
      });
    expect(outcome).toEqual(["370811", "370811", "23514 case_counters_county_code_check"]);
  });

  it("finds a generated key, unique and primary keys without it, and foreign keys that cross shards", async () => {
    const problems = await onBrokenSchema(
      `create table app.zz_citus_probe (id uuid primary key, scope_code text collate "C" not null,
         county_code text collate "C" generated always as (left(scope_code, 6)) stored,
         name text unique, case_id uuid references app.cases (id));
       create table ref.zz_citus_probe (id int primary key, case_id uuid references app.cases (id));`,
      citusProblems,
    );
    expect(problems.filter((p) => p.includes("zz_citus_probe"))).toEqual([
      "app.zz_citus_probe: county_code is generated",
      "app.zz_citus_probe: foreign key zz_citus_probe_case_id_fkey to app.cases (case_id) lacks county_code",
      "app.zz_citus_probe: primary key zz_citus_probe_pkey lacks county_code",
      "app.zz_citus_probe: unique constraint zz_citus_probe_name_key lacks county_code",
      "ref.zz_citus_probe: foreign key zz_citus_probe_case_id_fkey from a reference table to distributed app.cases",
    ]);
  });

  it("accepts a table keyed the Citus way (plain county_code in every key)", async () => {
    const problems = await onBrokenSchema(
      `create table app.zz_citus_probe (id uuid, scope_code text collate "C" not null,
         county_code text collate "C" not null check (county_code = left(scope_code, 6)),
         name text, primary key (county_code, id), unique (scope_code, name, county_code));`,
      citusProblems,
    );
    expect(problems.filter((p) => p.includes("zz_citus_probe"))).toEqual([]);
  });
});
