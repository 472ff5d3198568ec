import { deadlineCounts, scanDeadlines } from "@zongzhi/api/services/deadlines";
import { followUpRate } from "@zongzhi/api/services/mediation";
import { subtreeCounts } from "@zongzhi/api/services/tenants";
import type { Sql, Tx } from "@zongzhi/db/client";
import type { Captured } from "./explain.ts";
import { type Budget, type Figure, failedFigure, timeRead } from "./figures.ts";
import { fmt } from "./lists.ts";
import { load, round, summarize } from "./stats.ts";
import type { BenchUnit } from "./units.ts";

/**
 * The overviews the product computes today, through its services. Services that the rollup
 * work adds are picked up here by name when their module exists (see OPTIONAL).
 */
const OVERVIEWS: [string, (tx: Tx) => Promise<unknown>][] = [
  ["escalation.deadlineCounts", (tx) => deadlineCounts(tx)],
  ["cases.followUpRate", (tx) => followUpRate(tx)],
  ["tenants.subtreeCounts", (tx) => subtreeCounts(tx)],
];

/** Modules and functions `(tx) => …` of overviews that may exist (rollup-based statistics). */
const OPTIONAL: [string, string][] = [
  ["@zongzhi/api/services/stats", "overview"],
  ["@zongzhi/api/services/stats", "caseCounts"],
  ["@zongzhi/api/services/rollups", "overview"],
  ["@zongzhi/api/services/cockpit", "overview"],
];

async function optionalOverviews(): Promise<[string, (tx: Tx) => Promise<unknown>][]> {
  const out: [string, (tx: Tx) => Promise<unknown>][] = [];
  for (const [module, name] of OPTIONAL) {
    try {
      const m = (await import(module)) as Record<string, unknown>;
      const fn = m[name];
      if (typeof fn === "function") {
        out.push([
          `${module.split("/").at(-1)}.${name}`,
          (tx) => (fn as (tx: Tx, input?: unknown) => Promise<unknown>)(tx, {}),
        ]);
      }
    } catch {
      // Not there (yet).
    }
  }
  return out;
}

/** Overviews at the province, the busiest city and county: target ≤ 50 ms at province scope. */
export async function overviewFigures(
  pools: { capture: { sql: Sql; take(): Captured[] }; app: Sql; admin: Sql; policies: Map<string, string> },
  units: BenchUnit[],
  budget: Budget,
  log: (s: string) => void,
): Promise<Figure[]> {
  const out: Figure[] = [];
  const all = [...OVERVIEWS, ...(await optionalOverviews())];
  for (const unit of units.filter((u) => u.level === "province" || u.level === "city" || u.level === "county")) {
    for (const [name, fn] of all) {
      let t: Awaited<ReturnType<typeof timeRead>>;
      try {
        t = await timeRead(pools, unit.ctx, fn, budget);
      } catch (error) {
        out.push({ ...failedFigure("overviews", name, unit.level, unit.code, error), load: load() });
        log(`  ${unit.level.padEnd(8)} ${name.padEnd(28)} ${out.at(-1)?.note}`);
        continue;
      }
      const worst = Math.max(t.service.p95, t.db.p95);
      const f: Figure = {
        section: "overviews",
        name,
        tier: unit.level,
        unit: unit.code,
        service: t.service,
        db: t.db,
        reference: t.reference,
        statements: t.statements,
        plan: t.plan,
        target: unit.level === "province" ? "p95 ≤ 50 ms (service and database)" : "(≤ 50 ms at province)",
        verdict: unit.level === "province" ? (worst <= 50 ? "pass" : "miss") : "info",
        note: unit.level === "province" && worst > 50 ? `${round(worst / 50, 1)}× the target` : undefined,
        load: load(),
      };
      out.push(f);
      log(
        `  ${unit.level.padEnd(8)} ${name.padEnd(28)} service p95 ${fmt(t.service.p95)} ms, db p95 ${fmt(t.db.p95)} ms`,
      );
    }
  }
  return out;
}

/**
 * The deadline scan as the job runs it (`scanDeadlines` on the app pool): a catch-up pass at
 * the bench's start (everything that crossed a threshold since the generation's anchor), then
 * steady passes a minute apart. Target: ≤ 1 s per pass.
 */
export async function scanFigures(app: Sql, log: (s: string) => void): Promise<Figure[]> {
  const out: Figure[] = [];
  const start = Date.now();
  for (const [name, offset] of [
    ["deadline scan: catch-up pass", 0],
    ["deadline scan: steady pass (+1 min)", 60_000],
    ["deadline scan: steady pass (+2 min)", 120_000],
    ["deadline scan: steady pass (+3 min)", 180_000],
  ] as const) {
    const t = performance.now();
    const result = await scanDeadlines(app, new Date(start + offset));
    const ms = performance.now() - t;
    const steady = offset > 0;
    out.push({
      section: "jobs",
      name,
      service: summarize([ms]),
      target: "≤ 1 s per pass",
      verdict: steady ? (ms <= 1000 ? "pass" : "miss") : "info",
      note: `${result.recoloured} recoloured, ${result.supervisionsOpened} supervisions opened, ${result.supervisionsRaised} raised${steady && ms > 1000 ? `; ${round(ms / 1000, 1)}× the target` : ""}`,
      load: load(),
    });
    log(`  ${name.padEnd(40)} ${fmt(ms)} ms (${out.at(-1)?.note})`);
  }
  return out;
}
