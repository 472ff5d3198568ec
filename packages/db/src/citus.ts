import type postgres from "postgres";

/**
 * How this schema is laid out on Citus (infra/SCALE.md): every table that carries the county
 * key is distributed on it, colocated with `app.cases`; the rest, and the few county-keyed
 * tables read before any county is known, are reference tables (a copy on every node). Plain
 * PostgreSQL never runs this: it is the step after the migrations on a Citus coordinator.
 */
export const DISTRIBUTION_COLUMN = "county_code";

/** The table every distributed table is colocated with. */
export const COLOCATION_TABLE = "app.cases";

/**
 * The county-keyed tables that are reference tables on Citus (read across counties: the unit
 * tree, the accounts, inherited catalogues, a centre's set-up): `app.citus_reference_tables()`
 * where the migrations define it, else the three of infra/SCALE.md.
 */
async function referenceTables(sql: postgres.Sql): Promise<Set<string>> {
  const [row] = await sql<{ tables: string[] | null }[]>`
    select case when to_regprocedure('app.citus_reference_tables()') is not null
      then (select array_agg(t::text) from unnest(app.citus_reference_tables()) t) end as tables`;
  return new Set(row?.tables ?? ["app.tenants", "app.users", "app.user_setup_tokens"]);
}

/** One distribution call, in the order they must run. */
export interface DistributionStep {
  table: string;
  kind: "reference" | "distributed";
}

/**
 * The tables of the schemas `app`, `auth` and `ref` (not partitions: they follow their parent),
 * each with how it is laid out, in an order where every foreign key's target comes before the
 * table that references it (Citus refuses a key to a table it does not manage yet): reference
 * tables first, then the cases, then the other distributed tables.
 */
export async function distributionPlan(sql: postgres.Sql): Promise<DistributionStep[]> {
  const tables = await sql<{ name: string; keyed: boolean }[]>`
    select n.nspname || '.' || c.relname as name,
      exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = ${DISTRIBUTION_COLUMN}
              and a.attnum > 0 and not a.attisdropped) as keyed
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname in ('app', 'auth', 'ref') and not c.relispartition
    order by 1`;
  const keys = await sql<{ name: string; target: string }[]>`
    select distinct con.conrelid::regclass::text as name, con.confrelid::regclass::text as target
    from pg_constraint con join pg_namespace n on n.oid = con.connamespace
    where con.contype = 'f' and n.nspname in ('app', 'auth', 'ref') and con.conrelid <> con.confrelid`;
  const reference = await referenceTables(sql);
  const kind = new Map<string, DistributionStep["kind"]>(
    tables.map((t) => [t.name, t.keyed && !reference.has(t.name) ? "distributed" : "reference"]),
  );
  const targets = new Map<string, string[]>();
  for (const k of keys) targets.set(k.name, [...(targets.get(k.name) ?? []), k.target]);
  const rank = (t: string) => (kind.get(t) === "reference" ? 0 : t === COLOCATION_TABLE ? 1 : 2);
  const ordered = [...kind.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  const out: DistributionStep[] = [];
  const placed = new Set<string>();
  const visiting = new Set<string>();
  const place = (t: string) => {
    if (placed.has(t) || !kind.has(t)) return;
    if (visiting.has(t)) throw new Error(`foreign keys form a cycle through ${t}`);
    visiting.add(t);
    for (const target of targets.get(t) ?? []) if (rank(target) <= rank(t)) place(target);
    visiting.delete(t);
    placed.add(t);
    out.push({ table: t, kind: kind.get(t)! });
  };
  for (const t of ordered) place(t);
  return out;
}

/** A constraint Citus cannot hold on the laid-out schema, and what it was. */
export interface DroppedConstraint {
  table: string;
  name: string;
  definition: string;
}

/**
 * What Citus cannot hold once the tables are laid out: a foreign key between two distributed
 * tables that does not carry county_code on both sides at the same place, or from a reference
 * table to a distributed one (a shard can only check its own county's rows), and a unique or
 * exclusion constraint (or unique index) of a distributed table without county_code. The keys
 * migrations (0077, 0120+) leave only those that cross counties by design (a case marked a
 * duplicate of another branch's case, a booking in a room above): on Citus the reference
 * trigger (`zz_references`, app.check_references) is what checks those references. A primary
 * key without county_code is no such case: it is an error of the schema, never dropped.
 */
async function constraintsCitusCannotHold(sql: postgres.Sql, plan: DistributionStep[]) {
  const distributed = new Set(plan.filter((p) => p.kind === "distributed").map((p) => p.table));
  const keys = await sql<{ table: string; target: string; name: string; def: string; from: string[]; to: string[] }[]>`
    select con.conrelid::regclass::text as table, con.confrelid::regclass::text as target, con.conname as name,
      pg_get_constraintdef(con.oid) as def,
      (select array_agg(a.attname::text order by k.ord) from unnest(con.conkey) with ordinality k(att, ord)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.att) as from,
      (select array_agg(a.attname::text order by k.ord) from unnest(con.confkey) with ordinality k(att, ord)
        join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.att) as to
    from pg_constraint con join pg_namespace n on n.oid = con.connamespace
    where con.contype = 'f' and n.nspname in ('app', 'auth', 'ref') and con.conparentid = 0
    order by 1, 3`;
  const foreign = keys.filter((k) => {
    if (!distributed.has(k.target)) return false;
    if (!distributed.has(k.table)) return true;
    const i = k.from.indexOf(DISTRIBUTION_COLUMN);
    return i < 0 || k.to[i] !== DISTRIBUTION_COLUMN;
  });
  const unique = await sql<{ table: string; name: string; def: string; kind: string | null; has_key: boolean }[]>`
    select c.oid::regclass::text as table, coalesce(con.conname, i.relname) as name, con.contype::text as kind,
      coalesce(pg_get_constraintdef(con.oid), pg_get_indexdef(i.oid)) as def,
      exists (select from pg_attribute a where a.attrelid = c.oid and a.attname = ${DISTRIBUTION_COLUMN}
              and a.attnum = any (x.indkey::int2[])) as has_key
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class c on c.oid = x.indrelid
    left join pg_constraint con on con.conindid = x.indexrelid and con.contype in ('p', 'u', 'x')
      and con.conrelid = c.oid
    where (x.indisunique or con.contype = 'x') and not c.relispartition
    order by 1, 2`;
  const withoutKey = unique.filter((u) => distributed.has(u.table) && !u.has_key);
  const primary = withoutKey.filter((u) => u.kind === "p");
  if (primary.length > 0) {
    throw new Error(
      `primary keys without ${DISTRIBUTION_COLUMN}: ${primary.map((p) => `${p.table} ${p.name}`).join(", ")} (the keys migrations must fix them first)`,
    );
  }
  // The foreign keys Citus holds: taken off while the tables are laid out and put back after.
  // With them on, laying out a table in the middle of the graph either is refused (a table not
  // yet distributed references it) or turns its neighbours into Citus-managed local tables,
  // which then have to be converted again (refused for tables with an identity column).
  const held = keys.filter((k) => !foreign.includes(k));
  return { foreign, unique: withoutKey, held };
}

/** Quotes `schema.table` for a regclass argument. */
function regclass(table: string): string {
  return `'${table.replaceAll("'", "''")}'`;
}

/**
 * Lays the migrated schema out on a Citus coordinator (superuser connection, database already
 * migrated, workers registered): the database settings the data path needs, then one
 * distribution call per statement (Citus refuses several in one transaction when tables are
 * linked by foreign keys). `shardCount`: fixed at distribution (infra/SCALE.md).
 */
export async function distributeSchema(
  sql: postgres.Sql,
  options: { shardCount?: number; log?: (line: string) => void } = {},
): Promise<{ plan: DistributionStep[]; dropped: DroppedConstraint[] }> {
  const log = options.log ?? (() => {});
  // One connection: the session settings below hold for the distribution calls.
  const conn = await sql.reserve();
  try {
    const [{ db }] = (await conn`select current_database() as db`) as unknown as [{ db: string }];
    const database = `"${db.replaceAll('"', '""')}"`;
    // SET LOCAL (withScope's tenant context) travels to the workers with each transaction's
    // connections; triggers on distributed tables (their shards run them on the workers).
    await conn.unsafe(`alter database ${database} set citus.propagate_set_commands = 'local'`);
    await conn.unsafe(`alter database ${database} set citus.enable_unsafe_triggers = on`);
    await conn.unsafe("set citus.enable_unsafe_triggers = on");
    await conn.unsafe(`set citus.shard_count = ${Number(options.shardCount ?? 32)}`);
    const plan = await distributionPlan(conn as unknown as postgres.Sql);
    const cannot = await constraintsCitusCannotHold(conn as unknown as postgres.Sql, plan);
    const dropped: DroppedConstraint[] = [];
    for (const k of cannot.foreign) {
      await conn.unsafe(`alter table ${k.table} drop constraint "${k.name}"`);
      dropped.push({ table: k.table, name: k.name, definition: k.def });
    }
    for (const u of cannot.unique) {
      await conn.unsafe(
        u.kind
          ? `alter table ${u.table} drop constraint "${u.name}"`
          : `drop index ${u.table.split(".")[0]}."${u.name}"`,
      );
      dropped.push({ table: u.table, name: u.name, definition: u.def });
    }
    for (const d of dropped) log(`dropped ${d.table} ${d.name}: ${d.definition}`);
    for (const k of cannot.held) await conn.unsafe(`alter table ${k.table} drop constraint "${k.name}"`);
    for (const step of plan) {
      const call =
        step.kind === "reference"
          ? `select create_reference_table(${regclass(step.table)})`
          : step.table === COLOCATION_TABLE
            ? `select create_distributed_table(${regclass(step.table)}, '${DISTRIBUTION_COLUMN}')`
            : `select create_distributed_table(${regclass(step.table)}, '${DISTRIBUTION_COLUMN}', colocate_with => ${regclass(COLOCATION_TABLE)})`;
      try {
        await conn.unsafe(call);
      } catch (error) {
        const { message, detail, hint } = error as { message: string; detail?: string; hint?: string };
        throw new Error([`${call}: ${message}`, detail, hint].filter(Boolean).join("; "), { cause: error });
      }
      log(`${step.kind} ${step.table}`);
    }
    for (const k of cannot.held) await conn.unsafe(`alter table ${k.table} add constraint "${k.name}" ${k.def}`);
    log(`${cannot.held.length} foreign keys put back`);
    // Functions whose types are a table's row (app.case_tally_keys(app.cases), app.case_fact,
    // app.apply_case_fact) stayed on the coordinator when the migrations made them, because their
    // table was not distributed yet; the triggers that call them run on the workers' shards.
    const local = await conn<{ fn: string }[]>`select p.oid::regprocedure::text as fn
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('app', 'auth', 'ref') and not exists (select from pg_dist_object o
        where o.classid = 'pg_proc'::regclass and o.objid = p.oid)
      order by 1`;
    for (const { fn } of local) {
      await conn`select create_distributed_function(${fn}::regprocedure)`;
      log(`function ${fn} created on the workers`);
    }
    return { plan, dropped };
  } finally {
    conn.release();
  }
}
