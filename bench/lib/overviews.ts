import { type ApiContext, createCaller } from "@zongzhi/api";
import { listProcedures } from "@zongzhi/api/procedures";
import { scanDeadlines } from "@zongzhi/api/services/deadlines";
import type { FieldCipher } from "@zongzhi/crypto";
import type { Sql } from "@zongzhi/db/client";
import { type Budget, type Figure, failedFigure, type ReadPools, timeCall } from "./figures.ts";
import { fmt } from "./lists.ts";
import { load, round, summarize } from "./stats.ts";
import type { BenchUnit } from "./units.ts";

/**
 * The overviews: every query of the API's router that needs `stats.read` and takes no input
 * (read from the router, so that counts and rollups added later are measured without a change
 * here), called through the router as the unit's staff would call it.
 */
function overviewProcedures(): string[] {
  return listProcedures()
    .filter((p) => p.type === "query" && p.meta?.permissions?.includes("stats.read"))
    .filter((p) => p.inputs.every((schema) => schema.safeParse({}).success))
    .map((p) => p.path);
}

type SessionUser = NonNullable<ApiContext["user"]>;

function sessionUser(unit: BenchUnit): SessionUser {
  return {
    sessionId: "bench",
    sessionCreatedAt: new Date(),
    userId: unit.ctx.userId as string,
    tenantId: unit.ctx.tenantId,
    scope: unit.code,
    username: unit.username,
    displayName: unit.name,
    roles: [...unit.ctx.roles],
    mustChangePassword: false,
    tenant: { name: unit.name, level: unit.level, rootCode: unit.code.slice(0, 2) },
    totpEnabled: false,
    totpRequired: false,
    deploymentRequiresTotp: false,
  };
}

/** Calls `path` (e.g. `escalation.deadlineCounts`) through the router as the unit's staff. */
function procedureCall(pools: ReadPools, unit: BenchUnit, cipher: FieldCipher, path: string): () => Promise<unknown> {
  const caller = createCaller({
    sql: pools.capture.sql,
    user: sessionUser(unit),
    client: { ip: "127.0.0.1", userAgent: "zongzhi-bench" },
    requestId: "bench",
    origin: "http://127.0.0.1",
    cipher,
    idempotencyKey: undefined,
    setSessionToken: () => {},
  });
  let fn: unknown = caller;
  for (const part of path.split(".")) fn = (fn as Record<string, unknown>)[part];
  return () => (fn as (input: unknown) => Promise<unknown>)({});
}

/** Overviews at the province, the busiest city and county: target ≤ 50 ms at province scope. */
export async function overviewFigures(
  pools: ReadPools,
  units: BenchUnit[],
  cipher: FieldCipher,
  budget: Budget,
  log: (s: string) => void,
): Promise<Figure[]> {
  const out: Figure[] = [];
  const all = overviewProcedures();
  log(`  ${all.length} overview procedures: ${all.join(", ")}`);
  for (const unit of units.filter((u) => u.level === "province" || u.level === "city" || u.level === "county")) {
    for (const name of all) {
      let t: Awaited<ReturnType<typeof timeCall>>;
      try {
        t = await timeCall(pools, unit.ctx, procedureCall(pools, unit, cipher, name), budget);
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
