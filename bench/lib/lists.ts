import { type CaseFilter, listCases } from "@zongzhi/api/services/cases";
import { type Sql, withScope } from "@zongzhi/db/client";
import type { Captured } from "./explain.ts";
import { type Budget, type Figure, failedFigure, timeRead } from "./figures.ts";
import { load, round } from "./stats.ts";
import type { BenchUnit } from "./units.ts";

const OPEN_STATES: CaseFilter["status"] = ["registered", "accepted", "triaged", "in_mediation", "on_hold", "reopened"];

/** The inbox's views for a unit: first page, each filter it offers, and a combined one. */
function views(unit: BenchUnit, child: string | null, rare: string): [string, Omit<CaseFilter, "limit">][] {
  const v: [string, Omit<CaseFilter, "limit">][] = [
    ["first page", {}],
    ["state: open", { status: OPEN_STATES }],
    ["deadline: red", { deadlineColour: "red" }],
    ["category: labour", { categoryCode: "labour" }],
    ["channel: 12345 hotline", { channel: "hotline_12345" }],
    ["risk: red", { riskGrade: "red" }],
  ];
  if (child) v.push([`unit: ${child}`, { unitCode: child }]);
  if (unit.level !== "village") v.push(["level: village", { level: "village" }]);
  v.push(["text: 宅基地 (common)", { q: "宅基地" }]);
  // A text without a rare trigram under a narrow filter: the walk first, then the index (0201, 0202).
  v.push(["text: 宅基地 + state open", { q: "宅基地", status: OPEN_STATES }]);
  v.push([`text: ${rare} (rare)`, { q: rare }]);
  v.push(["open + red deadline", { status: OPEN_STATES, deadlineColour: "red" }]);
  return v;
}

/** Lists target: p95 ≤ 10 ms database time and ≤ 1.2× the owner's plain query. */
function verdict(f: Figure, differ?: { db: number; reference: number }): Figure {
  if (!f.db || !f.reference) return f;
  if (differ) {
    return {
      ...f,
      target: "p95 ≤ 10 ms, ≤ 1.2× reference",
      verdict: "miss",
      note: `no valid reference: it returned ${differ.reference} rows, the service's statements ${differ.db}`,
    };
  }
  const ratio = f.db.median / Math.max(f.reference.median, 0.001);
  const ok = f.db.p95 <= 10 && ratio <= 1.2;
  return {
    ...f,
    target: "p95 ≤ 10 ms, ≤ 1.2× reference",
    verdict: ok ? "pass" : "miss",
    note: `${round(ratio, 2)}× reference${f.db.p95 > 10 ? `; p95 ${round(f.db.p95 / 10, 1)}× the 10 ms target` : ""}`,
  };
}

/**
 * The inbox at every tier through `listCases` (the product's service) as the unit's staff:
 * every view, and a deep keyset page (about the 1,000th case).
 */
export async function listFigures(
  pools: { capture: { sql: Sql; take(): Captured[] }; app: Sql; admin: Sql; policies: Map<string, string> },
  units: BenchUnit[],
  budget: Budget,
  log: (s: string) => void,
): Promise<Figure[]> {
  const out: Figure[] = [];
  const village = units.find((u) => u.level === "village");
  const rare = village?.name ?? "某村";
  for (const unit of units) {
    const [child] = await pools.admin<{ code: string }[]>`select left(scope_code, ${childLength(unit.code)}) as code
      from app.cases where scope_code > ${unit.code} and scope_code < ${`${unit.code}:`}
      group by 1 order by count(*) desc limit 1`;
    for (const [name, filter] of views(unit, unit.level === "village" ? null : (child?.code ?? null), rare)) {
      let t: Awaited<ReturnType<typeof timeRead<Awaited<ReturnType<typeof listCases>>>>>;
      try {
        t = await timeRead(pools, unit.ctx, (tx) => listCases(tx, { ...filter, limit: 50 }), budget);
      } catch (error) {
        out.push({ ...failedFigure("lists", name, unit.level, unit.code, error), load: load() });
        log(`  ${unit.level.padEnd(8)} ${name.padEnd(28)} ${out.at(-1)?.note}`);
        continue;
      }
      const f = verdict(
        {
          section: "lists",
          name,
          tier: unit.level,
          unit: unit.code,
          service: t.service,
          db: t.db,
          reference: t.reference,
          rows: t.result.items.length,
          statements: t.statements,
          plan: t.plan,
          load: load(),
        },
        t.referenceRowsDiffer,
      );
      out.push(f);
      log(
        `  ${unit.level.padEnd(8)} ${name.padEnd(28)} db p95 ${fmt(f.db?.p95)} ms, ref ${fmt(f.reference?.median)} ms (${f.note})`,
      );
    }
    // A deep page: follow the keyset cursor about 1,000 cases down, then time that page.
    let before: string | undefined;
    let depth = 0;
    for (let page = 0; page < 20; page++) {
      const r = await withScope(pools.app, unit.ctx, (tx) => listCases(tx, { limit: 50, before }));
      if (!r.next) break;
      before = r.next;
      depth += r.items.length;
    }
    const t = await timeRead(pools, unit.ctx, (tx) => listCases(tx, { limit: 50, before }), budget);
    const f = verdict(
      {
        section: "lists",
        name: `deep page (after ${depth})`,
        tier: unit.level,
        unit: unit.code,
        service: t.service,
        db: t.db,
        reference: t.reference,
        rows: t.result.items.length,
        statements: t.statements,
        plan: t.plan,
        load: load(),
      },
      t.referenceRowsDiffer,
    );
    out.push(f);
    log(
      `  ${unit.level.padEnd(8)} ${f.name.padEnd(28)} db p95 ${fmt(f.db?.p95)} ms, ref ${fmt(f.reference?.median)} ms (${f.note})`,
    );
  }
  return out;
}

function childLength(code: string): number {
  return code.length === 2 ? 4 : code.length === 4 ? 6 : code.length === 6 ? 9 : 12;
}

/** Milliseconds for the console. */
export function fmt(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return "–";
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}
