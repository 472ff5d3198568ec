import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createPool, type Sql, withScope } from "@zongzhi/db/client";
import { startEmbeddedPostgres } from "@zongzhi/db/embedded";
import { migrate } from "@zongzhi/db/migrate";
import postgres from "postgres";

/**
 * Row-level security at province scale: 2,000,000 cases across a Gansu-sized tree (14 cities,
 * 84 counties, 1,260 townships, 15,120 villages) in a table with exactly the subtree policy
 * of DESIGN.md, queried as zz_app (RLS) and as the superuser with the same predicate written
 * out (no RLS). Prints medians and the ratio; the target is ≤ 1.2×. Never fails on timing.
 */

const ROWS = Number(process.env.BENCH_ROWS ?? 2_000_000);
const RUNS = 41;
const WARMUP = 3;
const APP_PASSWORD = "zz-bench-app";

const SUBTREES = [
  ["village", "620981101001"],
  ["township", "620981101"],
  ["county", "620981"],
] as const;

const QUERIES = {
  count: {
    rls: "select count(*) from app.bench_cases",
    plain: (w: string) => `select count(*) from app.bench_cases where ${w}`,
  },
  page: {
    rls: "select id, scope_code, registered_at, title from app.bench_cases order by registered_at desc limit 20",
    plain: (w: string) =>
      `select id, scope_code, registered_at, title from app.bench_cases where ${w} order by registered_at desc limit 20`,
  },
};

/** Builds the bench table as zz_owner, with forced RLS and the subtree policy, and loads it. */
async function build(admin: Sql, log: (s: string) => void): Promise<void> {
  const t = performance.now();
  await admin.unsafe(`
    set role zz_owner;
    create table app.bench_cases (
      id            bigint generated always as identity primary key,
      scope_code    text collate "C" not null,
      registered_at timestamptz not null,
      status        text not null,
      title         text not null
    );
    reset role;`);
  // Villages are scattered over the heap (hashint4), as cases arrive over time from everywhere.
  await admin.unsafe(`
    insert into app.bench_cases (scope_code, registered_at, status, title)
    select '62' || lpad((1 + v / 1080)::text, 2, '0') || (81 + (v / 180) % 6)::text
             || (101 + (v / 12) % 15)::text || lpad((1 + v % 12)::text, 3, '0'),
           timestamptz '2026-01-01' - g * interval '13 seconds',
           (array['registered', 'accepted', 'in_mediation', 'resolved', 'closed'])[1 + g % 5],
           '案件 ' || g
    from generate_series(1, ${ROWS}) g, lateral (select (hashint4(g) & 2147483647) % 15120 as v) x`);
  log(`loaded ${ROWS.toLocaleString("en")} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const i = performance.now();
  await admin.unsafe(`
    create index bench_cases_scope_idx on app.bench_cases (scope_code, registered_at desc);
    alter table app.bench_cases owner to zz_owner;
    alter table app.bench_cases enable row level security;
    alter table app.bench_cases force row level security;
    create policy bench_cases_scope on app.bench_cases for select to zz_app using (
      scope_code >= nullif(current_setting('app.scope', true), '')
      and scope_code < nullif(current_setting('app.scope', true), '') || ':');
    grant select on app.bench_cases to zz_app;`);
  await admin.unsafe("vacuum analyze app.bench_cases");
  log(`indexed, vacuumed and analyzed in ${((performance.now() - i) / 1000).toFixed(1)} s`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Median client round trips of two queries, run alternately after a warm-up so that both see
 * the same machine load (sub-millisecond figures are otherwise at the mercy of neighbours).
 */
async function timePair(a: () => Promise<unknown>, b: () => Promise<unknown>): Promise<[number, number]> {
  for (let i = 0; i < WARMUP; i++) {
    await a();
    await b();
  }
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    let t = performance.now();
    await a();
    as.push(performance.now() - t);
    t = performance.now();
    await b();
    bs.push(performance.now() - t);
  }
  return [median(as), median(bs)];
}

/** Runs the benchmark in its own embedded cluster and prints the table. */
export async function run(): Promise<void> {
  const started = performance.now();
  const log = (s: string) => console.log(`[rls] ${s}`);
  const dir = await mkdtemp(join(tmpdir(), "zz-bench-"));
  const cluster = await startEmbeddedPostgres({
    dataDir: join(dir, "data"),
    password: "zz-bench-admin",
    persistent: false,
    fast: true,
  });
  const pools: Sql[] = [];
  try {
    const maintenance = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
    await maintenance.unsafe("create database zz_bench");
    await maintenance.end();
    const url = new URL(cluster.adminUrl);
    url.pathname = "/zz_bench";
    await migrate(url.toString(), { appPassword: APP_PASSWORD });
    const admin = postgres(url.toString(), { max: 1, prepare: false, onnotice: () => {} });
    pools.push(admin);
    await build(admin, log);
    const appUrl = new URL(url);
    appUrl.username = "zz_app";
    appUrl.password = APP_PASSWORD;
    const app = createPool(appUrl.toString(), { max: 1 });
    pools.push(app);

    const header = `${"subtree".padEnd(9)}${"query".padEnd(7)}${"rows".padStart(8)}  ${"zz_app (RLS)".padStart(13)}  ${"superuser (no RLS)".padStart(18)}  ratio`;
    const lines = [header, "-".repeat(header.length)];
    for (const [level, code] of SUBTREES) {
      const ctx = { userId: null, tenantId: null, scope: code, roles: ["tenant_admin"] };
      const where = `scope_code >= '${code}' and scope_code < '${code}:'`;
      const [{ n }] = (await admin.unsafe(
        `select count(*)::int as n from app.bench_cases where ${where}`,
      )) as unknown as [{ n: number }];
      for (const [name, q] of Object.entries(QUERIES)) {
        // Only the query is timed; BEGIN and the settings are the same for every request.
        const [rls, plain] = await withScope(app, ctx, (tx) =>
          timePair(
            () => tx.sql.unsafe(q.rls),
            () => admin.unsafe(q.plain(where)),
          ),
        );
        lines.push(
          `${level.padEnd(9)}${name.padEnd(7)}${n.toLocaleString("en").padStart(8)}  ${`${rls.toFixed(3)} ms`.padStart(13)}  ${`${plain.toFixed(3)} ms`.padStart(18)}  ${(rls / plain).toFixed(2)}×`,
        );
      }
    }
    console.log(
      `\nRLS benchmark: ${ROWS.toLocaleString("en")} rows in app.bench_cases, 15,120 villages; median of ${RUNS} client round trips, RLS and no-RLS alternating\n` +
        `${lines.join("\n")}\ntarget (DESIGN.md): ratio ≤ 1.2×; the superuser runs the policy's predicate written out\n`,
    );
  } finally {
    await Promise.all(pools.map((p) => p.end({ timeout: 1 })));
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
    log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await run();
