import { hashPassword } from "@zongzhi/auth";
import type { FieldCipher } from "@zongzhi/crypto";
import type { Level } from "@zongzhi/domain";
import postgres from "postgres";
import { CopyTable } from "./copy.ts";
import { chinaDateOf, isoMicros } from "./format.ts";
import { CASE_COLUMNS, type CaseTables, type GenState, generateCase, pruneSlots } from "./lifecycle.ts";
import { Random } from "./random.ts";
import { buildTree, TREE_COLUMNS, unitPicker, usernameOf, writeTree } from "./tree.ts";

export { usernameOf } from "./tree.ts";

/** What to generate. */
export interface GenerateOptions {
  /** Province code, e.g. "62" (Gansu): its whole registry tree is onboarded as one deployment. */
  province: string;
  /** Number of cases. */
  cases: number;
  /** Seed: the same seed, size and anchor give the same rows. Default 1. */
  seed?: number;
  /** "Now" for the generated history: cases span the `years` before it. Default: the current minute. */
  anchor?: Date;
  /** Years of history. Default 3. */
  years?: number;
  /** Only these branches (codes) and the units above them; default the whole province. */
  only?: readonly string[];
  /** Personal data is sealed with this cipher (the server's FIELD_KEYS must match to reveal it). */
  cipher: FieldCipher;
  /** Password of every generated staff account (default `Zongzhi@2026`, the demo password). */
  password?: string;
  /** Shares of cases by the tier of the registering unit. */
  shares?: Partial<Record<Level, number>>;
  log?: (line: string) => void;
}

/** What was generated. */
export interface GenerateResult {
  province: string;
  seed: number;
  anchor: string;
  units: number;
  cases: number;
  events: number;
  rows: Record<string, number>;
  statuses: Record<string, number>;
  hotCounties: string[];
  /** Staff login of a unit: `gen.<code>`, password as given. */
  username: (code: string) => string;
  seconds: { total: number; load: number; indexes: number; analyze: number };
  /** CPU seconds spent loading: this process, and the server's COPY processes (when local). */
  cpu: { generator: number; server: number | null };
}

/** Shares of cases by tier of the registering unit (the issue's measured mix). */
export const DEFAULT_SHARES: Record<Level, number> = {
  village: 0.55,
  township: 0.35,
  county: 0.08,
  city: 0.02,
  province: 0,
};

const US_PER_HOUR = 3_600_000_000;

/**
 * Hour-by-hour arrival density over the span: working hours on weekdays, less at weekends and
 * at night, and a yearly growth of 15 %. Returns the slots' cumulative shares.
 */
function arrivalCurve(startUs: number, hours: number): Float64Array {
  const cumulative = new Float64Array(hours);
  let sum = 0;
  for (let h = 0; h < hours; h++) {
    const at = startUs + h * US_PER_HOUR;
    const china = new Date(at / 1000 + 8 * 3_600_000);
    const hour = china.getUTCHours();
    const day = china.getUTCDay();
    const dayFactor = day === 0 ? 0.35 : day === 6 ? 0.5 : 1;
    const hourFactor =
      hour >= 8 && hour < 12
        ? 1
        : hour >= 14 && hour < 18
          ? 0.9
          : hour >= 18 && hour < 22
            ? 0.25
            : hour >= 12 && hour < 14
              ? 0.4
              : 0.03;
    sum += dayFactor * hourFactor * (1 + (0.15 * h) / 8766);
    cumulative[h] = sum;
  }
  for (let h = 0; h < hours; h++) cumulative[h] = (cumulative[h] as number) / sum;
  return cumulative;
}

function slotOf(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((cumulative[mid] as number) > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

interface SavedStructure {
  table: string;
  /** Index definitions (not backing a constraint). */
  indexes: string[];
  /** Primary key, unique and exclusion constraints: `alter table … add constraint …`. */
  keys: string[];
  /** Foreign keys defined on or pointing at the table. */
  foreign: string[];
}

/**
 * Drops the secondary indexes and the key and foreign-key constraints of the empty tables to
 * be loaded, and returns how to put them back. Why: building an index once over loaded rows
 * is many times faster than maintaining it through tens of millions of random inserts.
 */
async function dropStructure(sql: postgres.Sql, tables: string[]): Promise<SavedStructure[]> {
  const saved: SavedStructure[] = [];
  const foreignSeen = new Set<string>();
  for (const table of tables) {
    const [{ empty }] = (await sql.unsafe(`select not exists (select 1 from ${table}) as empty`)) as unknown as [
      { empty: boolean },
    ];
    if (!empty) continue;
    const foreign = await sql<{ name: string; on: string; def: string }[]>`
      select c.conname as name, c.conrelid::regclass::text as on, pg_get_constraintdef(c.oid) as def
      from pg_constraint c where c.contype = 'f' and (c.conrelid = ${table}::regclass or c.confrelid = ${table}::regclass)`;
    const keys = await sql<{ name: string; def: string }[]>`
      select c.conname as name, pg_get_constraintdef(c.oid) as def from pg_constraint c
      where c.conrelid = ${table}::regclass and c.contype in ('p', 'u', 'x')`;
    const indexes = await sql<{ name: string; def: string }[]>`
      select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def from pg_index i
      where i.indrelid = ${table}::regclass and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`;
    const s: SavedStructure = { table, indexes: [], keys: [], foreign: [] };
    for (const f of foreign) {
      const key = `${f.on}.${f.name}`;
      if (foreignSeen.has(key)) continue;
      foreignSeen.add(key);
      await sql.unsafe(`alter table ${f.on} drop constraint "${f.name}"`);
      s.foreign.push(`alter table ${f.on} add constraint "${f.name}" ${f.def}`);
    }
    saved.push(s);
    for (const k of keys) s.keys.push(`alter table ${table} add constraint "${k.name}" ${k.def}`);
    for (const i of indexes) s.indexes.push(i.def);
    for (const i of indexes) await sql.unsafe(`drop index ${i.name}`);
  }
  // Keys after all foreign keys are gone (a foreign key needs the key it points at).
  for (const s of saved) {
    const keys = await sql<{ name: string }[]>`select conname as name from pg_constraint
      where conrelid = ${s.table}::regclass and contype in ('p', 'u', 'x')`;
    for (const k of keys) await sql.unsafe(`alter table ${s.table} drop constraint "${k.name}"`);
  }
  return saved;
}

/** Runs `jobs` with at most `width` at a time. */
async function parallel(width: number, jobs: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++] as () => Promise<void>;
        await job();
      }
    }),
  );
}

/** Puts back what {@link dropStructure} removed: keys and indexes (in parallel), then foreign keys. */
async function restoreStructure(sql: postgres.Sql, saved: SavedStructure[], log: (s: string) => void): Promise<void> {
  const setup = "set maintenance_work_mem = '512MB'; set max_parallel_maintenance_workers = 2";
  const run = (statement: string) => async () => {
    const t = performance.now();
    await sql.begin(async (tx) => {
      await tx.unsafe(setup);
      await tx.unsafe(statement);
    });
    const ms = performance.now() - t;
    if (ms > 5000) log(`  ${(ms / 1000).toFixed(0)} s: ${statement.slice(0, 110)}`);
  };
  // Biggest tables first, so that the long builds start early.
  await parallel(
    2,
    saved.flatMap((s) => [...s.keys, ...s.indexes].map(run)),
  );
  await parallel(
    2,
    saved.flatMap((s) => s.foreign.map(run)),
  );
}

/**
 * Who held each case when (app.case_holdings, 0022, kept by a trigger at runtime), replayed
 * from the loaded hops by the database's own function, before the indexes are rebuilt.
 */
async function replayHoldings(sql: postgres.Sql, log: (s: string) => void): Promise<void> {
  const [fn] = await sql`select 1 from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'app' and p.proname = 'replay_case_holdings' and p.pronargs = 0`;
  if (!fn) return;
  const t = performance.now();
  const n = await sql.begin(async (tx) => {
    // Its rows carry their codes already: the per-row code lookup trigger is not needed.
    await tx`set local session_replication_role = replica`;
    const [row] = await tx<{ n: string }[]>`select app.replay_case_holdings()::text as n`;
    return row?.n ?? "0";
  });
  log(`case holdings replayed (${Number(n).toLocaleString("en")}) in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}

/** The rebuild functions, in the order they run. */
const HOOKS = ["rebuild_rollups", "rollups_rebuild", "rebuild_case_figures"];

/**
 * Calls the database's rebuild of what its triggers maintain (they do not fire under
 * session_replication_role = replica): app.rebuild_rollups() (0030: clock turning instants,
 * the cases' colours, and the rollups that later migrations add to it), then the cockpit's
 * figures (app.rebuild_case_figures, 0040), which read those colours.
 */
async function rebuildRollups(sql: postgres.Sql, log: (s: string) => void): Promise<void> {
  const hooks = await sql<{ fn: string }[]>`select p.oid::regprocedure::text as fn from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    where n.nspname = 'app' and p.proname = any (${HOOKS}::text[]) and p.pronargs = 0`;
  // In the order of HOOKS: the cockpit's figures read the colours the first hook refreshes.
  hooks.sort(
    (a, b) =>
      HOOKS.indexOf(a.fn.replace("app.", "").replace("()", "")) -
      HOOKS.indexOf(b.fn.replace("app.", "").replace("()", "")),
  );
  for (const h of hooks) {
    const t = performance.now();
    await sql.unsafe(`select ${h.fn.replace("()", "")}()`);
    log(`rollups rebuilt by ${h.fn} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

/**
 * Generates a province: the registry tree under `province` as onboarded tenants (each with a
 * staff account `gen.<code>` and its centre's configuration), and `cases` cases with their
 * whole history up to the anchor, bulk-loaded with COPY. Runs as a superuser (triggers are
 * off during the load — the generator writes what they would have, hash chain included).
 * Deterministic: the same seed, size, anchor and branches give the same rows and ids.
 */
export async function generate(admin: postgres.Sql, options: GenerateOptions): Promise<GenerateResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const seed = options.seed ?? 1;
  const anchorMs = Math.floor((options.anchor ?? new Date()).getTime() / 60_000) * 60_000;
  const anchor = anchorMs * 1000;
  const years = options.years ?? 3;
  const o = admin.options;
  const sql = postgres({
    host: o.host,
    port: o.port,
    user: o.user,
    pass: o.pass,
    database: o.database,
    ssl: o.ssl,
    max: 30,
    prepare: false,
    onnotice: () => {},
    idle_timeout: 5,
    connection: { application_name: "zongzhi-generate" },
  } as unknown as postgres.Options<Record<string, never>>);
  try {
    const [role] = await sql<
      { superuser: boolean }[]
    >`select rolsuper as superuser from pg_roles where rolname = current_user`;
    if (!role?.superuser) throw new Error("generate() needs a superuser connection (it loads with triggers off)");
    const [taken] = await sql`select code from app.tenants where code >= ${options.province}
      and code < ${`${options.province}:`} limit 1`;
    if (taken)
      throw new Error(
        `province ${options.province} already has tenants (${taken.code}): generate into a fresh database`,
      );

    const tree = await buildTree(sql, { province: options.province, only: options.only, seed });
    log(`tree: ${tree.units.length} units (hot counties ${tree.hotCounties.join(", ")})`);
    const passwordHash = await hashPassword(options.password ?? "Zongzhi@2026");

    const allColumns: Record<string, readonly string[]> = {
      ...TREE_COLUMNS,
      ...CASE_COLUMNS,
      "app.case_counters": ["scope_code", "year", "last"],
    };
    const names = Object.keys(allColumns);
    // Tables the database derives from the loaded ones (filled after the load, below).
    const derived = (
      await sql<{ name: string }[]>`select n.nspname || '.' || c.relname as name from pg_class c
        join pg_namespace n on n.oid = c.relnamespace
        where (n.nspname, c.relname) in (('app', 'case_holdings')) and c.relkind = 'r'`
    ).map((r) => r.name);
    const saved = await dropStructure(sql, [...names, ...derived]);
    const tables = Object.fromEntries(names.map((n) => [n, new CopyTable(n, allColumns[n] as string[])])) as Record<
      string,
      CopyTable
    >;
    const setup = "set local session_replication_role = replica; set local synchronous_commit = off";
    let loadSeconds = 0;
    const cpuBefore = process.cpuUsage();
    let cpu: GenerateResult["cpu"] = { generator: 0, server: null };
    let indexSeconds = 0;
    const state: GenState = {
      seed,
      anchor,
      tree,
      cipher: options.cipher,
      tables: tables as unknown as CaseTables,
      counters: new Map(),
      lastCaseOf: new Map(),
      busy: new Map(),
      statusCounts: new Map(),
      events: 0,
    };
    try {
      await Promise.all(names.map((n) => (tables[n] as CopyTable).open(sql, setup)));
      writeTree(tree, tables as never, {
        passwordHash,
        createdAt: isoMicros(anchor - years * 8766 * US_PER_HOUR - US_PER_HOUR * 240),
        seed,
      });

      const hours = Math.round(years * 8766);
      const startUs = anchor - hours * US_PER_HOUR;
      const curve = arrivalCurve(startUs, hours);
      const arrivals = new Random(seed, "arrivals");
      const pick = unitPicker(tree, options.shares ?? DEFAULT_SHARES);
      const all = Object.values(tables);
      let lastLog = performance.now();
      const loadStarted = performance.now();
      for (let i = 0; i < options.cases; i++) {
        const u = (i + arrivals.next()) / options.cases;
        const slot = slotOf(curve, u);
        const registeredAt = Math.round(startUs + (slot + arrivals.next()) * US_PER_HOUR);
        generateCase(state, i, Math.min(registeredAt, anchor - 1), pick(arrivals));
        if (i % 2000 === 1999) {
          await Promise.all(all.map((t) => t.drain()));
          if (i % 100_000 === 99_999) pruneSlots(state, registeredAt);
          const now = performance.now();
          if (now - lastLog > 10_000) {
            lastLog = now;
            const rate = (i + 1) / ((now - loadStarted) / 1000);
            log(
              `  ${(i + 1).toLocaleString("en")} cases, ${state.events.toLocaleString("en")} events, ${Math.round(rate).toLocaleString("en")} cases/s, ~${Math.round((options.cases - i) / rate)} s left`,
            );
          }
        }
      }
      for (const [key, last] of state.counters) {
        const [scope, year] = key.split("|");
        tables["app.case_counters"]?.push(`${scope}\t${year}\t${last}`);
      }
      await Promise.all(all.map((t) => t.close()));
      const used = process.cpuUsage(cpuBefore);
      const server = all.map((t) => t.serverCpuMs);
      cpu = {
        generator: (used.user + used.system) / 1e6,
        server: server.every((x) => x !== null) ? server.reduce<number>((a, b) => a + (b ?? 0), 0) / 1000 : null,
      };
      await replayHoldings(sql, log);
      loadSeconds = (performance.now() - loadStarted) / 1000;
      log(`loaded ${options.cases.toLocaleString("en")} cases in ${loadSeconds.toFixed(0)} s`);
    } catch (error) {
      await Promise.all(Object.values(tables).map((t) => t.abort()));
      throw error;
    } finally {
      const t = performance.now();
      await restoreStructure(sql, saved, log);
      indexSeconds = (performance.now() - t) / 1000;
      log(`indexes and constraints rebuilt in ${indexSeconds.toFixed(0)} s`);
    }
    await rebuildRollups(sql, log);
    const a = performance.now();
    for (const n of [...names, ...derived]) await sql.unsafe(`vacuum (analyze) ${n}`);
    const analyzeSeconds = (performance.now() - a) / 1000;
    const rows = Object.fromEntries(names.map((n) => [n, (tables[n] as CopyTable).rows]));
    return {
      province: options.province,
      seed,
      anchor: new Date(anchorMs).toISOString(),
      units: tree.units.length,
      cases: options.cases,
      events: state.events,
      rows,
      statuses: Object.fromEntries([...state.statusCounts].sort()),
      hotCounties: tree.hotCounties,
      username: usernameOf,
      cpu,
      seconds: {
        total: (performance.now() - started) / 1000,
        load: loadSeconds,
        indexes: indexSeconds,
        analyze: analyzeSeconds,
      },
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The China calendar date of an instant (for callers picking "today" in generated data). */
export { chinaDateOf };
