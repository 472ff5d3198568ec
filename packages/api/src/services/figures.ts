import type { Tx } from "@zongzhi/db/client";
import {
  AppError,
  addSums,
  CHANNEL_NAMES,
  CODE_LENGTH,
  chinaMonth,
  computeFigures,
  conflict,
  DEFAULT_RANKING_WEIGHTS,
  DEFAULT_SAFETY,
  emptySums,
  FIGURE_SUM_KEYS,
  type FigureSums,
  invalid,
  LEVELS,
  levelOfCode,
  MONTH_PATTERN,
  monthsBetween,
  notFound,
  RANKING_FIGURES,
  type RankingWeights,
  RISK_GRADE_NAMES,
  rankingFormula,
  rankingScore,
  rankingWeightsProblem,
  rankUnits,
  type SafetyDefinition,
  safetyDefinitionProblem,
  safetyIndex,
  shiftMonth,
} from "@zongzhi/domain";
import { nameOf } from "@zongzhi/domain/case-records";
import type { z } from "zod";
import type * as answers from "../schemas/cockpit.ts";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";

/** The cockpit's figures (issue 10), read from the monthly buckets of migration 0040. */

// The answers' shapes are the procedures' output schemas (schemas/cockpit.ts).
export type FigurePeriod = UnitFigures["period"];
export type UnitRef = z.output<typeof answers.unitRef>;
export type UnitFigures = z.output<typeof answers.unitFigures>;
export type ChildFigures = UnitFigures["children"][number];
export type CurrentCounts = UnitFigures["current"];
export type RankingRow = z.output<typeof answers.rankingRow>;
export type UnitRanking = z.output<typeof answers.unitRanking>;
export type CockpitSettingsView = z.output<typeof answers.cockpitSettingsView>;
export type SupervisionCounts = z.output<typeof answers.supervisionCounts>;

const SUM_COLUMNS: Record<keyof FigureSums, string> = {
  received: "received",
  accepted: "accepted",
  resolved: "resolved",
  closed: "closed",
  onTime: "on_time",
  followedUp: "followed_up",
  satisfied: "satisfied",
  escalated: "escalated",
  returns: "returns",
  repeatClaims: "repeat_claims",
  groupDisputes: "group_disputes",
  groupPeople: "group_people",
  people: "people",
  amountCents: "amount_cents",
  resolveDaysSum: "resolve_days_sum",
  resolvedVillage: "resolved_village",
  resolvedTownship: "resolved_township",
  resolvedCounty: "resolved_county",
  resolvedAbove: "resolved_above",
};
/** `coalesce(sum(col), 0)::float8 as "key"` for every sum (exact below 2^53). */
const SUMS_SQL = FIGURE_SUM_KEYS.map((k) => `coalesce(sum(m.${SUM_COLUMNS[k]}), 0)::float8 as "${k}"`).join(", ");

const sumsOf = (row: Record<string, unknown> | undefined): FigureSums => {
  const s = emptySums();
  if (row) for (const k of FIGURE_SUM_KEYS) s[k] = Number(row[k] ?? 0);
  return s;
};

/** This month in Beijing time, "YYYY-MM". */
export function currentMonth(now = new Date()): string {
  return chinaMonth(now);
}

const invalidPeriod = () =>
  new AppError("VALIDATION", {
    zh: "统计期间无效：起止月份格式为 YYYY-MM，起始不晚于截止，跨度不超过 36 个月",
    en: "Invalid period: months are YYYY-MM, the start no later than the end, at most 36 months",
  });

/** Checks and completes a period (default: this year up to this month). */
export function resolvePeriod(p: Partial<FigurePeriod>, now = new Date()): FigurePeriod {
  const to = p.to ?? currentMonth(now);
  const from = p.from ?? `${to.slice(0, 4)}-01`;
  if (!MONTH_PATTERN.test(from) || !MONTH_PATTERN.test(to) || from > to) throw invalidPeriod();
  if (monthsBetween(from, to).length > 36) throw invalidPeriod();
  return { from, to };
}

const UNIT = { zh: "单位", en: "unit" };
const CATEGORY = { zh: "事件类别", en: "dispute category" };

/** The code a figure request is about, checked before any query: the caller's own or below it. */
function figureCode(tx: Tx, unitCode: string | undefined): string {
  const code = unitCode ?? tx.ctx.scope;
  if (!/^\d{2,12}$/.test(code) || !levelOfCode(code) || !code.startsWith(tx.ctx.scope)) throw notFound(UNIT);
  return code;
}

/**
 * The unit a figure request is about: the caller's own unit or a descendant it can see
 * (RLS on app.tenants). Anything else, a sibling or an ancestor, is NOT_FOUND.
 */
export async function figureUnit(tx: Tx, unitCode: string | undefined): Promise<UnitRef & { id: string }> {
  const code = figureCode(tx, unitCode);
  const [row] = await tx.sql<{ id: string; code: string; name: string }[]>`
    select id, code, name from app.tenants where code = ${code}`;
  if (!row) throw notFound(UNIT);
  return { id: row.id, code: row.code, name: row.name, level: levelOfCode(row.code) };
}

const firstDay = (month: string) => `${month}-01`;

/** The cockpit's settings of a unit (null fields: the defaults). */
export async function cockpitSettings(
  tx: Tx,
  unitCode: string,
): Promise<{ ranking: Required<RankingWeights>; safety: SafetyDefinition; version: number }> {
  const [row] = await tx.sql<{ ranking: RankingWeights | null; safety: SafetyDefinition | null; version: number }[]>`
    select ranking, safety, version from app.cockpit_settings where scope_code = ${unitCode}`;
  return settingsOf(row);
}

function settingsOf(
  row: { ranking: RankingWeights | null; safety: SafetyDefinition | null; version: number } | undefined,
): { ranking: Required<RankingWeights>; safety: SafetyDefinition; version: number } {
  return {
    ranking: { ...DEFAULT_RANKING_WEIGHTS, ...(row?.ranking ?? {}) },
    safety: row?.safety
      ? {
          weights: { ...DEFAULT_SAFETY.weights, ...row.safety.weights },
          thresholds: { ...DEFAULT_SAFETY.thresholds, ...row.safety.thresholds },
          bands: { ...DEFAULT_SAFETY.bands, ...row.safety.bands },
        }
      : DEFAULT_SAFETY,
    version: row?.version ?? 0,
  };
}

const safetyOf = (periodSums: FigureSums, reworks: number, now: CurrentCounts, def: SafetyDefinition) =>
  safetyIndex(
    {
      received: periodSums.received,
      groupDisputes: periodSums.groupDisputes,
      repeatClaims: periodSums.repeatClaims,
      open: now.open,
      openRed: now.red,
      openRiskRed: now.riskRed,
      reworks,
    },
    def,
  );

const childLengthOf = (code: string): number | null => {
  const level = levelOfCode(code);
  if (!level) return null;
  const next = LEVELS[LEVELS.indexOf(level) + 1];
  return next ? CODE_LENGTH[next] : null;
};

const EMPTY_CURRENT: CurrentCounts = { open: 0, red: 0, yellow: 0, blue: 0, riskRed: 0, riskYellow: 0, riskBlue: 0 };

/**
 * What the cockpit reads for a unit and its direct children, in one round trip: the statements
 * are sent together (postgres.js pipelines them on the transaction's connection) and each reads
 * only the rows of the named units, which count their whole subtrees (migrations 0032, 0041):
 * - the unit and its children, and the names on the path from the caller's unit down to it;
 * - the monthly sums of the unit for `months`, and each child's summed over each group of months;
 * - the unit's days-to-resolve histogram per month, and each child's median days per group of months;
 * - the unit's breakdowns by category, channel and risk over `breakdownMonths`;
 * - the open cases of the unit and of every child by deadline colour and risk (the tallies);
 * - the unit's settings and the category names.
 * A unit the caller cannot see is NOT_FOUND.
 */
async function readBuckets(
  tx: Tx,
  unitCode: string | undefined,
  q: { months: string[]; childGroups: string[][]; breakdownMonths: string[]; category?: string | undefined },
) {
  const code = figureCode(tx, unitCode);
  // '' reads the rows of every category (migration 0085); a code, that category's rows alone.
  const category = q.category ?? "";
  const openDims = category
    ? tx.sql`t.dim in ('open_colour_by_category', 'open_risk_by_category') and starts_with(t.value, ${`${category}:`})`
    : tx.sql`t.dim in ('open_colour', 'open_risk')`;
  const childLength = childLengthOf(code);
  const path: string[] = [];
  for (let len = tx.ctx.scope.length; len <= code.length; len++) {
    if (levelOfCode(code.slice(0, len))) path.push(code.slice(0, len));
  }
  const dates = (ms: string[]) => ms.map(firstDay);
  const childMonths = q.childGroups.flatMap((g) => dates(g));
  const childGroupIndex = q.childGroups.flatMap((g, i) => g.map(() => i));
  // The unit and its children; the children's codes for the reads below.
  const codes = tx.sql`(select ${code}::text union all select t.code from app.tenants t
    where t.parent_id = (select p.id from app.tenants p where p.code = ${code}))`;
  const children = tx.sql`(select t.code from app.tenants t
    where t.parent_id = (select p.id from app.tenants p where p.code = ${code}))`;
  const [units, sums, hist, childMedians, dims, tallies, settings, categories, reworks] = await Promise.all([
    tx.sql<{ id: string; code: string; name: string; child: boolean }[]>`
      select t.id, t.code, t.name, t.code <> all(${path}::text[]) as child from app.tenants t
      where t.code = any(${path}::text[])
        ${childLength ? tx.sql`or t.parent_id = (select p.id from app.tenants p where p.code = ${code})` : tx.sql``}
      order by t.code`,
    // The unit's sums per month (part null), then each child's over each group of months (month
    // null), summed here rather than in Node: a county's 50 townships × 25 months were 1,250 rows
    // to send, parse and add up there, most of its figures' time in the API.
    tx.sql.unsafe(
      `select m.scope_code as code, to_char(m.month, 'YYYY-MM') as month, null::int as part, ${SUMS_SQL}
       from app.figures_monthly m
       where m.scope_code = $2 and m.month = any($1::date[]) and m.category = $3
       group by 1, 2
       union all
       select m.scope_code, null, ($4::int[])[array_position($5::date[], m.month)], ${SUMS_SQL}
       from app.figures_monthly m
       where m.scope_code in (select t.code from app.tenants t
           where t.parent_id = (select p.id from app.tenants p where p.code = $2))
         and m.month = any($5::date[]) and m.category = $3
       group by 1, 3`,
      [dates(q.months), code, category, childGroupIndex, childMonths],
    ),
    tx.sql<{ month: string; days: number; n: number }[]>`
      select to_char(b.month, 'YYYY-MM') as month, b.key::int as days, sum(b.cases)::int as n
      from app.figures_monthly_by b
      where b.scope_code = ${code} and b.category = ${category} and b.dim = 'days'
        and b.month = any(${dates(q.months)}::date[])
      group by 1, 2 having sum(b.cases) <> 0`,
    // Each child's median days over each group of months, computed here rather than from its
    // histogram rows (a county's townships have thousands): the running count over the days
    // (cases with a non-positive count left out, as medianFromHistogram does) picks the day
    // at rank (total - 1) / 2 and the one at rank total / 2, which are one day for an odd count
    // and the middle two, averaged, for an even one.
    // The histogram rows are summed over the months first, by hashing (a materialized CTE: else
    // the planner sorts the months' rows, several times as many, by child, group and day).
    tx.sql<{ code: string; part: number; median: number }[]>`
      with g as materialized (
        select b.scope_code as code,
          (${childGroupIndex}::int[])[array_position(${childMonths}::date[], b.month)] as part,
          b.key::int as days, sum(b.cases)::bigint as n
        from app.figures_monthly_by b
        where b.scope_code in ${children} and b.category = ${category} and b.dim = 'days'
          and b.month = any(${childMonths}::date[])
        group by 1, 2, 3 having sum(b.cases) > 0
      )
      select h.code, h.part,
        ((min(h.days) filter (where h.seen > (h.total - 1) / 2)
          + min(h.days) filter (where h.seen > h.total / 2)) / 2.0)::float8 as median
      from (
        select g.code, g.part, g.days,
          (sum(g.n) over (partition by g.code, g.part order by g.days))::bigint as seen,
          (sum(g.n) over (partition by g.code, g.part))::bigint as total
        from g
      ) h
      group by 1, 2`,
    tx.sql<{ dim: string; key: string; cases: number; resolved: number }[]>`
      select b.dim, b.key, sum(b.cases)::int as cases, sum(b.resolved)::int as resolved
      from app.figures_monthly_by b
      where b.scope_code = ${code} and b.category = ${category} and b.dim in ('category', 'channel', 'risk')
        and b.month = any(${dates(q.breakdownMonths)}::date[])
      group by 1, 2 having sum(b.cases) <> 0 order by 3 desc, 2`,
    tx.sql<{ code: string; dim: string; value: string; n: number }[]>`
      select t.scope_code as code, t.dim, t.value, sum(t.n)::int as n from app.case_tallies t
      where t.scope_code in ${codes} and ${openDims}
      group by 1, 2, 3 having sum(t.n) <> 0`,
    tx.sql<{ ranking: RankingWeights | null; safety: SafetyDefinition | null; version: number }[]>`
      select ranking, safety, version from app.cockpit_settings where scope_code = ${code}`,
    q.breakdownMonths.length || category
      ? tx.sql<{ code: string; name: string }[]>`
          select code, name from ref.case_categories union all select code, name from app.case_categories`
      : Promise.resolve([] as { code: string; name: string }[]),
    // Reworks (重办) of the unit's cohorts per month and its children's per group (migration 0065).
    tx.sql<{ code: string; month: string | null; part: number | null; n: number }[]>`
      select r.scope_code as code, to_char(r.month, 'YYYY-MM') as month, null::int as part, sum(r.reworks)::int as n
      from app.rework_monthly r
      where r.scope_code = ${code} and r.category = ${category} and r.month = any(${dates(q.months)}::date[])
      group by 1, 2
      union all
      select r.scope_code, null, (${childGroupIndex}::int[])[array_position(${childMonths}::date[], r.month)],
        sum(r.reworks)::int
      from app.rework_monthly r
      where r.scope_code in ${children} and r.category = ${category} and r.month = any(${childMonths}::date[])
      group by 1, 3`,
  ]);
  const unitReworks = new Map<string, number>();
  const childReworks = new Map<string, number>();
  for (const r of reworks) {
    if (r.part === null) unitReworks.set(String(r.month), r.n);
    else childReworks.set(`${r.code}|${r.part}`, r.n);
  }
  const self = units.find((u) => u.code === code);
  if (!self) throw notFound(UNIT);
  const categoryNames = new Map(categories.map((r) => [r.code, r.name]));
  if (category && !categoryNames.has(category)) throw notFound(CATEGORY);
  const unit: UnitRef & { id: string } = { id: self.id, code, name: self.name, level: levelOfCode(code) };

  const unitSums = new Map<string, FigureSums>();
  const childSums = new Map<string, FigureSums>();
  for (const r of sums) {
    if (r.part === null) unitSums.set(String(r.month), sumsOf(r));
    else childSums.set(`${r.code}|${r.part}`, sumsOf(r));
  }
  const histograms = new Map<string, [number, number][]>();
  for (const h of hist) {
    const list = histograms.get(h.month) ?? [];
    list.push([h.days, h.n]);
    histograms.set(h.month, list);
  }
  const medians = new Map(childMedians.map((m) => [`${m.code}|${m.part}`, Number(m.median)]));
  const current = new Map<string, CurrentCounts>();
  for (const t of tallies) {
    const c = current.get(t.code) ?? { ...EMPTY_CURRENT };
    // Under a category the value is "category:colour" (or "category:risk").
    const value = category ? t.value.slice(category.length + 1) : t.value;
    if (t.dim === "open_colour" || t.dim === "open_colour_by_category") {
      c.open += t.n;
      if (value === "red" || value === "yellow" || value === "blue") c[value] += t.n;
    } else if (value === "red") c.riskRed += t.n;
    else if (value === "yellow") c.riskYellow += t.n;
    else if (value === "blue") c.riskBlue += t.n;
    current.set(t.code, c);
  }
  const names = new Map(units.map((u) => [u.code, u.name]));
  const sumsOver = (months: string[]) =>
    months.reduce((acc, m) => {
      const s = unitSums.get(m);
      return s ? addSums(acc, s) : acc;
    }, emptySums());
  const reworksOver = (months: string[]) => months.reduce((n, m) => n + (unitReworks.get(m) ?? 0), 0);
  const childSumsOf = (c: string, i: number) => childSums.get(`${c}|${i}`) ?? emptySums();
  const childReworksOf = (c: string, i: number) => childReworks.get(`${c}|${i}`) ?? 0;
  const childMedian = (c: string, i: number) => medians.get(`${c}|${i}`) ?? null;
  return {
    unit,
    path: path.flatMap((c) => (names.has(c) ? [{ code: c, name: names.get(c)!, level: levelOfCode(c) }] : [])),
    children: units
      .filter((u) => u.child)
      .map((u): UnitRef => ({ code: u.code, name: u.name, level: levelOfCode(u.code) })),
    /** The unit's sums over `months`. */
    sums: sumsOver,
    /** A child's sums over the months of group `i`. */
    childSums: childSumsOf,
    /** The unit's histogram over `months`. */
    unitHistogram: (months: string[]) => months.flatMap((m) => histograms.get(m) ?? []),
    current: (c: string) => current.get(c) ?? EMPTY_CURRENT,
    /** The unit's reworks over `months` (cases of those months sent back for rework, each time). */
    reworks: reworksOver,
    /** A child's reworks over the months of group `i`. */
    childReworks: childReworksOf,
    /** The unit's figures over `months` (its sums and reworks) with the histogram given. */
    figures: (months: string[], days: Iterable<[number, number]>) =>
      computeFigures(sumsOver(months), days, reworksOver(months)),
    /** A child's figures over the months of group `i`, with its median days computed in the database. */
    childFigures: (c: string, i: number) => computeFigures(childSumsOf(c, i), childMedian(c, i), childReworksOf(c, i)),
    dims,
    settings: settingsOf(settings[0]),
    categoryNames,
    /** The category read (null: every category). */
    category: category ? { code: category, name: categoryNames.get(category)! } : null,
  };
}

/**
 * Every figure of a unit's subtree for a period: totals, the same months a year earlier, the
 * month-by-month trend, breakdowns, current colour and risk counts, the safety index, and the
 * direct children's figures. `unitCode` defaults to the caller's unit; a unit outside the
 * caller's subtree is NOT_FOUND.
 */
export async function unitFigures(
  tx: Tx,
  input: {
    unitCode?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    categoryCode?: string | undefined;
  },
  now = new Date(),
): Promise<UnitFigures> {
  const period = resolvePeriod(input, now);
  const months = monthsBetween(period.from, period.to);
  const lastYearMonths = monthsBetween(shiftMonth(period.from, -12), shiftMonth(period.to, -12));
  const b = await readBuckets(tx, input.unitCode, {
    months: [...lastYearMonths, ...months],
    childGroups: [months],
    breakdownMonths: months,
    category: input.categoryCode,
  });
  const { unit } = b;
  const total = b.sums(months);
  const current = b.current(unit.code);
  const safety = b.settings.safety;
  const breakdown = (dim: string, names: (k: string) => string) =>
    b.dims
      .filter((d) => d.dim === dim)
      .map((d) => ({ key: d.key, name: names(d.key), cases: d.cases, resolved: d.resolved }));
  return {
    unit: { code: unit.code, name: unit.name, level: unit.level },
    path: b.path,
    period,
    category: b.category,
    figures: b.figures(months, b.unitHistogram(months)),
    lastYear: b.figures(lastYearMonths, b.unitHistogram(lastYearMonths)),
    reworks: { count: b.reworks(months), lastYear: b.reworks(lastYearMonths) },
    trend: months.map((m) => ({ month: m, figures: b.figures([m], b.unitHistogram([m])) })),
    // Under a category, the breakdown by category is that category alone.
    byCategory: b.category
      ? total.received === 0
        ? []
        : [{ key: b.category.code, name: b.category.name, cases: total.received, resolved: total.resolved }]
      : breakdown("category", (k) => b.categoryNames.get(k) ?? k),
    byChannel: breakdown("channel", (k) => nameOf(CHANNEL_NAMES, k, "zh")),
    byRisk: breakdown("risk", (k) => nameOf(RISK_GRADE_NAMES, k, "zh")),
    current,
    safety: safetyOf(total, b.reworks(months), current, safety),
    children: b.children.map((u) => {
      const c = b.current(u.code);
      return {
        unit: u,
        figures: b.childFigures(u.code, 0),
        current: c,
        safety: safetyOf(b.childSums(u.code, 0), b.childReworks(u.code, 0), c, safety),
      };
    }),
  };
}

/**
 * 一月一考评: the direct children of a unit ranked on the weighted score for one month, with
 * the previous month's score and rank. Weights: the unit's settings, else the defaults.
 */
export async function unitRanking(
  tx: Tx,
  input: {
    unitCode?: string | undefined;
    month?: string | undefined;
    weights?: RankingWeights | undefined;
    categoryCode?: string | undefined;
  },
  now = new Date(),
): Promise<UnitRanking> {
  const month = input.month ?? currentMonth(now);
  if (!MONTH_PATTERN.test(month)) throw invalidPeriod();
  const prevMonth = shiftMonth(month, -1);
  const b = await readBuckets(tx, input.unitCode, {
    months: [prevMonth, month],
    childGroups: [[month], [prevMonth]],
    breakdownMonths: [],
    category: input.categoryCode,
  });
  const weights = { ...b.settings.ranking, ...(input.weights ?? {}) };
  const withFigures = b.children.map((u) => ({
    unit: u,
    figures: b.childFigures(u.code, 0),
    previous: b.childFigures(u.code, 1),
  }));
  const ranked = rankUnits(withFigures, (x) => rankingScore(x.figures, weights));
  const prevRanked = new Map(
    rankUnits(withFigures, (x) => rankingScore(x.previous, weights)).map((r) => [r.item.unit.code, r]),
  );
  return {
    unit: { code: b.unit.code, name: b.unit.name, level: b.unit.level },
    month,
    category: b.category,
    weights,
    formula: { zh: rankingFormula(weights, "zh"), en: rankingFormula(weights, "en") },
    rows: ranked.map((r) => {
      const p = prevRanked.get(r.item.unit.code);
      return {
        unit: r.item.unit,
        score: r.score,
        rank: r.rank,
        previousScore: p?.score ?? null,
        previousRank: p?.rank ?? null,
        change: r.score !== null && p?.score != null ? r.score - p.score : null,
        figures: r.item.figures,
      };
    }),
  };
}

export { RANKING_FIGURES };

/** The settings of the caller's unit (or one below it, read only). */
export async function readCockpitSettings(tx: Tx, unitCode?: string | undefined): Promise<CockpitSettingsView> {
  const unit = await figureUnit(tx, unitCode);
  const [row] = await tx.sql<{ ranking: RankingWeights | null; safety: SafetyDefinition | null; version: number }[]>`
    select ranking, safety, version from app.cockpit_settings where scope_code = ${unit.code}`;
  const s = settingsOf(row);
  return {
    unit: { code: unit.code, name: unit.name, level: unit.level },
    ranking: s.ranking,
    safety: s.safety,
    custom: { ranking: row?.ranking != null, safety: row?.safety != null },
    version: s.version,
  };
}

/**
 * Saves the caller's own unit's ranking weights and safety index definition (null: back to the
 * defaults), with optimistic concurrency (`version` 0 for a unit that never saved them), and
 * records the change, before and after, in the audit.
 */
export async function saveCockpitSettings(
  tx: Tx,
  input: {
    ranking: Required<RankingWeights> | null;
    safety: SafetyDefinition | null;
    version: number;
  },
): Promise<CockpitSettingsView> {
  authorizeFor(tx, "cockpit.configure", tx.ctx.scope);
  const problem =
    (input.ranking && rankingWeightsProblem(input.ranking)) || (input.safety && safetyDefinitionProblem(input.safety));
  if (problem) throw invalid(problem);
  const before = await readCockpitSettings(tx);
  if (before.version !== input.version) throw conflict();
  const ranking = input.ranking ? tx.sql.json(input.ranking as never) : null;
  const safety = input.safety ? tx.sql.json(input.safety as never) : null;
  const saved =
    input.version === 0
      ? await tx.sql`insert into app.cockpit_settings (ranking, safety) values (${ranking}, ${safety})
          on conflict (scope_code) do nothing returning id`
      : await tx.sql`update app.cockpit_settings set ranking = ${ranking}, safety = ${safety}, version = version + 1
          where scope_code = ${tx.ctx.scope} and version = ${input.version} returning id`;
  if (saved.length === 0) throw conflict();
  const after = await readCockpitSettings(tx);
  await recordAudit(tx, {
    kind: "cockpit.settings_saved",
    subjectId: saved[0]!.id as string,
    detail: {
      object: after.unit.name,
      before: { ranking: before.ranking, safety: before.safety, custom: before.custom },
      after: { ranking: after.ranking, safety: after.safety, custom: after.custom },
      result: "ok",
    },
  });
  return after;
}

/** 督办 counts of a unit's subtree (the caller's own unit or one below it) for one month. */
export async function supervisionCounts(
  tx: Tx,
  input: { unitCode?: string | undefined; month?: string | undefined },
  now = new Date(),
): Promise<SupervisionCounts> {
  const month = input.month ?? currentMonth(now);
  if (!MONTH_PATTERN.test(month)) throw invalidPeriod();
  const unit = await figureUnit(tx, input.unitCode);
  const start = `${month}-01 00:00:00+08`;
  const end = `${shiftMonth(month, 1)}-01 00:00:00+08`;
  const [row] = await tx.sql<Omit<SupervisionCounts, "unit" | "month">[]>`
    select count(*) filter (where created_at >= ${start}::timestamptz and created_at < ${end}::timestamptz)::int as opened,
      count(*) filter (where opened_by = 'system' and created_at >= ${start}::timestamptz
        and created_at < ${end}::timestamptz)::int as "openedBySystem",
      count(*) filter (where opened_by = 'leader' and created_at >= ${start}::timestamptz
        and created_at < ${end}::timestamptz)::int as "openedByLeader",
      count(*) filter (where answered_at >= ${start}::timestamptz and answered_at < ${end}::timestamptz)::int as answered,
      count(*) filter (where status = 'open')::int as "openNow",
      count(*) filter (where status = 'open' and due_at < ${now})::int as "openOverdue"
    from app.supervisions
    where scope_code >= ${unit.code} and scope_code < ${`${unit.code}:`}
      and (status = 'open' or created_at >= ${start}::timestamptz or answered_at >= ${start}::timestamptz)`;
  return { unit: { code: unit.code, name: unit.name, level: unit.level }, month, ...row! };
}
