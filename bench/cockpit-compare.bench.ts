import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { generatedMark, generatedName, openBenchServer, parseSize, repoRoot, sizeLabel } from "./lib/cluster.ts";
import { type ApiProcess, login, startApi } from "./lib/http.ts";
import { load, round, type Summary, summarize } from "./lib/stats.ts";
import { type BenchUnit, busiestUnits } from "./lib/units.ts";

/**
 * `tsx bench/cockpit-compare.bench.ts --before <checkout> [--size 1m] [--runs 20]`: the cockpit's
 * reads (`cockpit.figures` for 12 months, `cockpit.ranking` for this month) of two builds of the
 * server side by side on one generated database that already exists (it is never generated,
 * migrated or written here): the checkout given (a worktree at an earlier commit, dependencies
 * installed) against this one, each its own server process built from its own tree as the image
 * runs it, both running at once, as the province's, the busiest city's and county's staff.
 * Each call alternates between the two (and which goes first), so that the shared machine's
 * changing load falls on both alike. Per side: the HTTP round trip (median / p95), the API
 * process's CPU time per call (from /proc, user + system), the answer's size; and whether the
 * two answers are identical (JSON, byte for byte). Writes
 * `bench/results/<date>-<size>-cockpit-compare.{json,md}`. Prints figures; never fails on timing.
 */
const { values } = parseArgs({
  options: {
    before: { type: "string" },
    size: { type: "string", default: "100k" },
    province: { type: "string", default: "62" },
    seed: { type: "string", default: "1" },
    runs: { type: "string", default: "20" },
  },
});
if (!values.before) throw new Error("--before <checkout> is required (a worktree with dependencies installed)");
const PASSWORD = "Zongzhi@2026";
const runs = Number(values.runs);
const log = (s: string) => console.log(s);

interface Side {
  label: "before" | "after";
  root: string;
  commit: string;
  api?: ApiProcess;
  cookies: Map<string, string>;
}

function commitOf(root: string): string {
  const r = spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root });
  return r.status === 0 ? r.stdout.toString().trim() : "";
}

/** The API process's CPU time so far (ms, user + system). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A tRPC query over HTTP, its raw answer text. */
function query(origin: string, cookie: string, path: string, input: unknown): Promise<string> {
  const url = new URL(`${origin}/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`);
  return new Promise((done, fail) => {
    const req = httpRequest(url, { headers: { cookie } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", fail);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if ((res.statusCode ?? 500) >= 400) fail(new Error(`${path}: ${res.statusCode} ${text.slice(0, 300)}`));
        else done(text);
      });
    });
    req.on("error", fail);
    req.end();
  });
}

interface Row {
  unit: string;
  tier: string;
  path: string;
  identical: boolean;
  bytes: { before: number; after: number };
  http: { before: Summary; after: Summary };
  cpuPerCall: { before: number; after: number };
  load: [number, number, number];
}

const server = await openBenchServer();
const cases = parseSize(values.size);
const database = generatedName(values.province, cases, Number(values.seed));
const mark = await generatedMark(server, database);
if (!mark) throw new Error(`${database} is not a finished generated database (run pnpm gen first)`);
const admin = postgres(server.url(database), { max: 2, prepare: false, onnotice: () => {} });
const sides: Side[] = [
  { label: "before", root: resolve(values.before), commit: commitOf(resolve(values.before)), cookies: new Map() },
  { label: "after", root: repoRoot, commit: commitOf(repoRoot), cookies: new Map() },
];
const rows: Row[] = [];
const startedAt = new Date();
const loadStart = load();
try {
  const units = (await busiestUnits(admin, values.province)).filter(
    (u) => u.level === "province" || u.level === "city" || u.level === "county",
  );
  for (const side of sides) {
    side.api = await startApi({
      adminUrl: server.url(database),
      appPassword: server.secrets.appPassword,
      workerPassword: server.secrets.workerPassword,
      fieldKeys: server.secrets.fieldKeys,
      root: side.root,
    });
    for (const u of units) side.cookies.set(u.code, await login(side.api.origin, u.username, PASSWORD));
  }
  const to = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
  const from = `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
  const call = (side: Side, unit: BenchUnit, path: string) =>
    query(
      (side.api as ApiProcess).origin,
      side.cookies.get(unit.code) as string,
      path,
      path === "cockpit.figures" ? { from, to } : { month: to },
    );
  log(`\ncockpit: ${sides.map((s) => `${s.label} ${s.commit}`).join(" vs ")} on ${database}, ${runs} calls each`);
  for (const unit of units) {
    for (const path of ["cockpit.figures", "cockpit.ranking"]) {
      const [a, b] = [await call(sides[0]!, unit, path), await call(sides[1]!, unit, path)]; // warm
      const samples: Record<Side["label"], number[]> = { before: [], after: [] };
      const cpu: Record<Side["label"], number> = { before: 0, after: 0 };
      for (let i = 0; i < runs; i++) {
        for (const side of i % 2 ? [sides[1]!, sides[0]!] : sides) {
          const pid = (side.api as ApiProcess).pid;
          const c = cpuMs(pid);
          const t = performance.now();
          await call(side, unit, path);
          samples[side.label].push(performance.now() - t);
          cpu[side.label] += cpuMs(pid) - c;
        }
      }
      const row: Row = {
        unit: unit.code,
        tier: unit.level,
        path,
        identical: a === b,
        bytes: { before: Buffer.byteLength(a), after: Buffer.byteLength(b) },
        http: { before: summarize(samples.before), after: summarize(samples.after) },
        cpuPerCall: { before: round(cpu.before / runs, 1), after: round(cpu.after / runs, 1) },
        load: load(),
      };
      rows.push(row);
      log(
        `  ${path} ${unit.level} ${unit.code}: HTTP median / p95 ${round(row.http.before.median, 1)} / ${round(row.http.before.p95, 1)} → ${round(row.http.after.median, 1)} / ${round(row.http.after.p95, 1)} ms; API CPU per call ${row.cpuPerCall.before} → ${row.cpuPerCall.after} ms; ${row.bytes.before} → ${row.bytes.after} bytes; ${row.identical ? "identical answers" : "ANSWERS DIFFER"}; load ${row.load.join(" ")}`,
      );
    }
  }
} finally {
  for (const side of sides) await side.api?.stop();
  await admin.end();
  await server.stop();
}

const date = startedAt.toISOString().slice(0, 10);
const name = `${date}-${sizeLabel(cases)}-cockpit-compare`;
const meta = {
  startedAt: startedAt.toISOString(),
  finishedAt: new Date().toISOString(),
  database,
  before: sides[0]!.commit,
  after: sides[1]!.commit,
  runs,
  loadAverageStart: loadStart.join(" "),
  loadAverageEnd: load().join(" "),
};
const ms = (s: Summary) => `${round(s.median, 1)} / ${round(s.p95, 1)}`;
const md = [
  `# Cockpit before / after ${date} — ${sizeLabel(cases)} cases`,
  "",
  ...Object.entries(meta).map(([k, v]) => `- **${k}**: ${v}`),
  "",
  `Two builds of the server on one database, each call alternating between them (and which goes first);`,
  "HTTP round trip median / p95 in ms, the API process's CPU time per call (user + system) in ms,",
  "the answer's size in bytes, and whether the two answers are identical byte for byte.",
  "",
  "| tier | unit | read | HTTP before | HTTP after | API CPU before | after | bytes before | after | identical | load |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.tier} | ${r.unit} | ${r.path} | ${ms(r.http.before)} | ${ms(r.http.after)} | ${r.cpuPerCall.before} | ${r.cpuPerCall.after} | ${r.bytes.before} | ${r.bytes.after} | ${r.identical ? "yes" : "**no**"} | ${r.load.join(" ")} |`,
  ),
  "",
].join("\n");
const dir = join(repoRoot, "bench/results");
await mkdir(dir, { recursive: true });
await writeFile(join(dir, `${name}.json`), `${JSON.stringify({ meta, rows }, null, 2)}\n`);
await writeFile(join(dir, `${name}.md`), md);
log(`\nwrote bench/results/${name}.{json,md}`);
