import { spawnSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createSm4Cipher, keyringFromEnv } from "@zongzhi/crypto";
import { loadRegistry } from "@zongzhi/registry";
import { generate } from "@zongzhi/testing/generate";
import postgres from "postgres";
import { type BenchServer, openBenchServer, repoRoot } from "./lib/cluster.ts";
import {
  type ApiProcess,
  closedLoop,
  type LoadResult,
  login,
  mergeLoads,
  sampler,
  startApi,
  trpc,
} from "./lib/http.ts";
import { intakeInput } from "./lib/intake.ts";
import { load, round } from "./lib/stats.ts";
import { type BenchUnit, busiest, busiestUnits } from "./lib/units.ts";

/**
 * `tsx bench/http-compare.bench.ts --before <checkout>`: the request throughput of the hot paths
 * (case list, case detail, intake) of two builds of the server side by side in one run: the
 * checkout given (e.g. a worktree at an earlier commit, dependencies installed) against this one.
 * Each side gets its own database, migrated by its own migrations and filled by the same
 * generator with the same seed and anchor (same units, accounts, cases and ids), and its own
 * server process built from its own tree (`apps/api/build.mjs`, production mode, as the image
 * runs it). Both servers run at once; each workload runs in rounds that alternate between the
 * two (and which goes first), so that the shared machine's changing load falls on both alike.
 * Writes `bench/results/<date>-http-compare.{json,md}`. Prints figures; never fails on timing.
 */
const { values } = parseArgs({
  options: {
    before: { type: "string" },
    cases: { type: "string", default: "10000" },
    only: { type: "string", default: "620981" },
    seed: { type: "string", default: "1" },
    clients: { type: "string", default: "8" },
    rounds: { type: "string", default: "6" },
    // Counted seconds per round and side.
    seconds: { type: "string", default: "5" },
  },
});
if (!values.before) throw new Error("--before <checkout> is required (a worktree with dependencies installed)");
const PASSWORD = "Zongzhi@2026";
const clients = Number(values.clients);
const rounds = Number(values.rounds);
const slice = Number(values.seconds);
const anchor = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const log = (s: string) => console.log(s);

interface Side {
  label: "before" | "after";
  root: string;
  commit: string;
  database: string;
  api?: ApiProcess;
  townships: BenchUnit[];
  county?: BenchUnit;
  province?: BenchUnit;
  caseIds: string[];
  cookies: Map<string, string>;
}

function commitOf(root: string): string {
  const r = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root });
  return r.status === 0 ? r.stdout.toString().trim() : "";
}

/** A fresh database migrated by the side's own migrations, filled by the generator. */
async function prepare(server: BenchServer, side: Side): Promise<void> {
  const maintenance = postgres(server.serverUrl, { max: 1, onnotice: () => {} });
  try {
    await maintenance.unsafe(`drop database if exists ${side.database} with (force)`);
    await maintenance.unsafe(`create database ${side.database}`);
  } finally {
    await maintenance.end();
  }
  const adminUrl = server.url(side.database);
  const migrated = spawnSync(join(side.root, "node_modules/.bin/tsx"), ["packages/db/src/cli/migrate.ts"], {
    cwd: side.root,
    env: {
      ...process.env,
      DATABASE_URL: adminUrl,
      APP_DATABASE_PASSWORD: server.secrets.appPassword,
      WORKER_DATABASE_PASSWORD: server.secrets.workerPassword,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (migrated.status !== 0) throw new Error(`migrating ${side.database} from ${side.root} failed`);
  const admin = postgres(adminUrl, { max: 2, onnotice: () => {} });
  try {
    await loadRegistry(admin);
    const t = performance.now();
    await generate(admin, {
      province: "62",
      only: values.only.split(","),
      cases: Number(values.cases),
      seed: Number(values.seed),
      anchor,
      cipher: createSm4Cipher(keyringFromEnv(server.secrets.fieldKeys)),
      log: () => {},
    });
    log(`  ${side.label}: ${side.database} migrated and generated in ${round((performance.now() - t) / 1000, 1)} s`);
    side.townships = await busiest(admin, "township", clients);
    const units = await busiestUnits(admin, "62");
    side.county = units.find((u) => u.level === "county");
    side.province = units.find((u) => u.level === "province");
    if (!side.county) throw new Error("no county unit");
    side.caseIds = (
      await admin<{ id: string }[]>`select id from app.cases where scope_code >= ${side.county.code}
        and scope_code < ${`${side.county.code}:`} order by md5(id::text) limit 1000`
    ).map((r) => r.id);
  } finally {
    await admin.end();
  }
}

async function cookieOf(side: Side, unit: BenchUnit, client: number): Promise<string> {
  const key = `${unit.username}#${client}`;
  let c = side.cookies.get(key);
  if (!c) {
    c = await login((side.api as ApiProcess).origin, unit.username, PASSWORD);
    side.cookies.set(key, c);
  }
  return c;
}

/** The three workloads: what one client does in one call, on one side. */
const WORKLOADS = {
  "case list (province, first page of 50)": async (side: Side, client: number) => {
    const unit = side.province as BenchUnit;
    return trpc((side.api as ApiProcess).origin, await cookieOf(side, unit, client), "query", "cases.list", {
      limit: 50,
    });
  },
  "case detail (county)": async (side: Side, client: number, i: number) => {
    const unit = side.county as BenchUnit;
    return trpc((side.api as ApiProcess).origin, await cookieOf(side, unit, client), "query", "cases.get", {
      id: side.caseIds[(client * 7919 + i) % side.caseIds.length],
    });
  },
  "intake (cases.register, township)": async (side: Side, client: number) => {
    const unit = side.townships[client % side.townships.length] as BenchUnit;
    return trpc(
      (side.api as ApiProcess).origin,
      await cookieOf(side, unit, client),
      "mutation",
      "cases.register",
      intakeInput(unit),
    );
  },
} as const;

interface Row {
  workload: string;
  before: LoadResult;
  after: LoadResult;
  load: string;
}

const server = await openBenchServer();
const sides: Side[] = [
  { label: "before", root: resolve(values.before), database: "zz_compare_before" },
  { label: "after", root: repoRoot, database: "zz_compare_after" },
].map((s) => ({ ...s, commit: commitOf(s.root), townships: [], caseIds: [], cookies: new Map() }) as Side);
const startedAt = new Date();
const loadStart = load();
const rows: Row[] = [];
const rss: Record<string, number> = {};
try {
  log(`== preparing both sides (${values.cases} cases under ${values.only}, seed ${values.seed})`);
  for (const side of sides) await prepare(server, side);
  for (const side of sides) {
    side.api = await startApi({
      adminUrl: server.url(side.database),
      appPassword: server.secrets.appPassword,
      workerPassword: server.secrets.workerPassword,
      fieldKeys: server.secrets.fieldKeys,
      root: side.root,
    });
  }
  const samplers = sides.map((s) => sampler(() => (s.api as ApiProcess).rss()));
  for (const [name, call] of Object.entries(WORKLOADS)) {
    const runs: Record<Side["label"], LoadResult[]> = { before: [], after: [] };
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? sides : [...sides].reverse();
      for (const side of order) {
        runs[side.label].push(await closedLoop(clients, slice, (c, i) => call(side, c, i), r === 0 ? 2 : 1));
      }
    }
    const row = {
      workload: name,
      before: mergeLoads(runs.before),
      after: mergeLoads(runs.after),
      load: load().join(" "),
    };
    rows.push(row);
    log(
      `  ${name}: before ${round(row.before.perSecond, 1)} req/s, after ${round(row.after.perSecond, 1)} req/s (${round((row.after.perSecond / row.before.perSecond) * 100, 0)} %)`,
    );
  }
  sides.forEach((s, i) => {
    rss[s.label] = round(samplers[i]?.stop() ?? 0, 0);
  });
} finally {
  for (const side of sides) await side.api?.stop();
  await server.stop();
}

const ms = (n: number) => (n >= 100 ? String(Math.round(n)) : n.toFixed(1));
const latency = (r: LoadResult) => `${ms(r.latency.median)} / ${ms(r.latency.p95)}`;
const errors = (r: LoadResult) => (r.errors ? ` (${r.errors} errors: ${r.firstError})` : "");
const [before, after] = sides as [Side, Side];
const date = startedAt.toISOString().slice(0, 10);
const md = [
  `# HTTP hot paths, two builds side by side — ${date}`,
  "",
  `- **before**: ${before.commit} · **after**: ${after.commit}`,
  `- **data**: ${values.cases} generated cases under ${values.only} (and the units above it), seed ${values.seed}, anchor ${anchor.toISOString()}; each side its own database, migrated by its own migrations`,
  `- **load**: ${clients} clients closed loop, ${rounds} alternating rounds of ${slice} s counted per side and workload`,
  `- **machine**: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}; load average ${loadStart.join(" ")} → ${load().join(" ")}`,
  `- **command**: \`tsx bench/http-compare.bench.ts --before <checkout of ${before.commit}> --cases ${values.cases} --only ${values.only} --clients ${clients} --rounds ${rounds} --seconds ${slice}\``,
  "",
  "| workload | before req/s | after req/s | after ÷ before | before latency median / p95 (ms) | after latency median / p95 (ms) | load at end |",
  "| --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.workload} | ${round(r.before.perSecond, 1)}${errors(r.before)} | ${round(r.after.perSecond, 1)}${errors(r.after)} | ${round((r.after.perSecond / r.before.perSecond) * 100, 0)} % | ${latency(r.before)} | ${latency(r.after)} | ${r.load} |`,
  ),
  "",
  `API process RSS (max over the run): before ${rss.before} MB, after ${rss.after} MB.`,
  "",
].join("\n");
const dir = join(repoRoot, "bench", "results");
await mkdir(dir, { recursive: true });
const strip = (r: LoadResult) => ({ ...r, samples: undefined });
await writeFile(
  join(dir, `${date}-http-compare.json`),
  `${JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      before: before.commit,
      after: after.commit,
      // The before checkout's path is this machine's: the results name its commit instead.
      options: { ...values, before: `<checkout of ${before.commit}>` },
      anchor: anchor.toISOString(),
      rows: rows.map((r) => ({ ...r, before: strip(r.before), after: strip(r.after) })),
      rss,
    },
    null,
    2,
  )}\n`,
);
await writeFile(join(dir, `${date}-http-compare.md`), md);
log(`\n${md}`);
