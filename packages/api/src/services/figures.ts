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
/** `coalesce(sum(m.col), 0)::float8` for every sum, in FIGURE_SUM_KEYS' order (exact below 2^53). */
const SUMS_SQL = FIGURE_SUM_KEYS.map((k) => `coalesce(sum(m.${SUM_COLUMNS[k]}), 0)::float8`).join(", ");

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

/** The answer of {@link readBuckets}' one statement: each part a JSON array of arrays (null when empty). */
interface BucketRows {
  /** The units on the path from the caller's unit down to the one read: [id, code, name]. */
  path: [string, string, string][] | null;
  /** Its direct children: [code, name], by code. */
  kids: [string, string][] | null;
  /** The unit's sums per month: [month, ...sums in FIGURE_SUM_KEYS' order]. */
  unit_sums: [string, ...number[]][] | null;
  /** Each child's sums per group of months: [code, group, ...sums]. */
  child_sums: [string, number, ...number[]][] | null;
  /** Median days to resolve: [code, group, median] of the unit's and each child's groups. */
  medians: [string, number, number][] | null;
  /** The unit's breakdowns: [dim, key, cases, resolved], most cases first. */
  dims: [string, string, number, number][] | null;
  /** Open cases now: [code, dim, value, n]. */
  tallies: [string, string, string, number][] | null;
  settings: [RankingWeights | null, SafetyDefinition | null, number] | null;
  categories: [string, string][] | null;
  /** Reworks: [code, month, group], month null for a child's group, group null for the unit's month. */
  reworks: [string, string | null, number | null, number][] | null;
}

const sumsOf = (row: readonly unknown[], from: number): FigureSums => {
  const s = emptySums();
  FIGURE_SUM_KEYS.forEach((k, i) => {
    s[k] = Number(row[from + i] ?? 0);
  });
  return s;
};

/**
 * What the cockpit reads for a unit and its direct children, in one statement (one round trip,
 * one plan, one JSON document to parse): each part reads only the rows of the named units,
 * which count their whole subtrees (migrations 0032, 0041):
 * - the unit and its children, and the names on the path from the caller's unit down to it;
 * - the monthly sums of the unit for `months`, and each child's summed over each group of months;
 * - the median days to resolve of the unit over each of `unitGroups` and of each child over each
 *   of `childGroups`, computed from the days histograms in the database (a county's histograms
 *   are thousands of rows: sending them to Node and sorting them there was most of its time);
 * - the unit's breakdowns by category, channel and risk over `breakdownMonths`;
 * - the open cases of the unit and of every child by deadline colour and risk (the tallies);
 * - the unit's settings and the category names;
 * - the reworks (重办) of the unit's cohorts per month and its children's per group (migration 0065).
 * A unit the caller cannot see is NOT_FOUND.
 */
async function readBuckets(
  tx: Tx,
  unitCode: string | undefined,
  q: {
    months: string[];
    unitGroups: string[][];
    childGroups: string[][];
    breakdownMonths: string[];
    category?: string | undefined;
  },
) {
  const code = figureCode(tx, unitCode);
  // '' reads the rows of every category (migration 0085); a code, that category's rows alone.
  const category = q.category ?? "";
  const openDims = category
    ? tx.sql`t.dim in ('open_colour_by_category', 'open_risk_by_category') and starts_with(t.value, ${`${category}:`})`
    : tx.sql`t.dim in ('open_colour', 'open_risk')`;
  const path: string[] = [];
  for (let len = tx.ctx.scope.length; len <= code.length; len++) {
    if (levelOfCode(code.slice(0, len))) path.push(code.slice(0, len));
  }
  const dates = (ms: string[]) => ms.map(firstDay);
  // Groups of months as parallel arrays (month, group): a month may be in several of the unit's
  // groups (the period and its own month of the trend), in one of a child's.
  const unitMonths = q.unitGroups.flatMap((g) => dates(g));
  const unitGroupIndex = q.unitGroups.flatMap((g, i) => g.map(() => i));
  const childMonths = q.childGroups.flatMap((g) => dates(g));
  const childGroupIndex = q.childGroups.flatMap((g, i) => g.map(() => i));
  const childLength = childLengthOf(code);
  const withCategories = q.breakdownMonths.length > 0 || category !== "";
  const [rows] = await tx.sql<BucketRows[]>`
    with kids as not materialized (
      select t.code, t.name from app.tenants t
      where t.parent_id = (select p.id from app.tenants p where p.code = ${code}) ${childLength === null ? tx.sql`and false` : tx.sql``}
    ),
    -- The unit's days histogram per month, then summed over each of its groups of months.
    unit_days as materialized (
      select b.month, b.key::int as days, sum(b.cases)::bigint as n
      from app.figures_monthly_by b
      where b.scope_code = ${code} and b.category = ${category} and b.dim = 'days'
        and b.month = any(${unitMonths}::date[])
      group by 1, 2
    ),
    -- Each child's, summed over each group of months by hashing (materialized: else the planner
    -- sorts the months' rows, several times as many, by child, group and day).
    child_days as materialized (
      select b.scope_code as code,
        (${childGroupIndex}::int[])[array_position(${childMonths}::date[], b.month)] as part,
        b.key::int as days, sum(b.cases)::bigint as n
      from app.figures_monthly_by b
      where b.scope_code in (select k.code from kids k) and b.category = ${category} and b.dim = 'days'
        and b.month = any(${childMonths}::date[])
      group by 1, 2, 3 having sum(b.cases) > 0
    ),
    days as (
      select ${code}::text as code, g.part, d.days, sum(d.n)::bigint as n
      from unit_days d join unnest(${unitMonths}::date[], ${unitGroupIndex}::int[]) as g(month, part) on g.month = d.month
      group by 2, 3 having sum(d.n) > 0
      union all
      select c.code, c.part, c.days, c.n from child_days c
    )
    select
      (select json_agg(json_build_array(t.id, t.code, t.name) order by t.code)
        from app.tenants t where t.code = any(${path}::text[])) as path,
      (select json_agg(json_build_array(k.code, k.name) order by k.code) from kids k) as kids,
      -- The unit's sums per month, then each child's over each group of months, summed here
      -- rather than in Node (a county's 50 townships × 25 months were 1,250 rows to add up there).
      (select json_agg(s.a) from (
        select json_build_array(to_char(m.month, 'YYYY-MM'), ${tx.sql.unsafe(SUMS_SQL)}) as a
        from app.figures_monthly m
        where m.scope_code = ${code} and m.month = any(${dates(q.months)}::date[]) and m.category = ${category}
        group by m.month) s) as unit_sums,
      (select json_agg(s.a) from (
        select json_build_array(m.scope_code, g.part, ${tx.sql.unsafe(SUMS_SQL)}) as a
        from app.figures_monthly m
          cross join lateral (select (${childGroupIndex}::int[])[array_position(${childMonths}::date[], m.month)] as part) g
        where m.scope_code in (select k.code from kids k) and m.month = any(${childMonths}::date[])
          and m.category = ${category}
        group by m.scope_code, g.part) s) as child_sums,
      -- The median of each group: the running count over the days (cases with a non-positive
      -- count left out, as medianFromHistogram does) picks the day at rank (total - 1) / 2 and
      -- the one at rank total / 2, which are one day for an odd count and the middle two,
      -- averaged, for an even one.
      (select json_agg(json_build_array(h.code, h.part, h.median)) from (
        select h.code, h.part,
          ((min(h.days) filter (where h.seen > (h.total - 1) / 2)
            + min(h.days) filter (where h.seen > h.total / 2)) / 2.0)::float8 as median
        from (
          select d.code, d.part, d.days,
            (sum(d.n) over (partition by d.code, d.part order by d.days))::bigint as seen,
            (sum(d.n) over (partition by d.code, d.part))::bigint as total
          from days d
        ) h
        group by 1, 2) h) as medians,
      (select json_agg(json_build_array(x.dim, x.key, x.cases, x.resolved) order by x.cases desc, x.key) from (
        select b.dim, b.key, sum(b.cases)::int as cases, sum(b.resolved)::int as resolved
        from app.figures_monthly_by b
        where b.scope_code = ${code} and b.category = ${category} and b.dim in ('category', 'channel', 'risk')
          and b.month = any(${dates(q.breakdownMonths)}::date[])
        group by 1, 2 having sum(b.cases) <> 0) x) as dims,
      (select json_agg(json_build_array(x.code, x.dim, x.value, x.n)) from (
        select t.scope_code as code, t.dim, t.value, sum(t.n)::int as n from app.case_tallies t
        where t.scope_code in (select ${code}::text union all select k.code from kids k) and ${openDims}
        group by 1, 2, 3 having sum(t.n) <> 0) x) as tallies,
      (select json_build_array(s.ranking, s.safety, s.version)
        from app.cockpit_settings s where s.scope_code = ${code}) as settings,
      (select json_agg(json_build_array(c.code, c.name) order by c.o) from (
        select 0 as o, r.code, r.name from ref.case_categories r
        union all select 1, a.code, a.name from app.case_categories a) c ${withCategories ? tx.sql`` : tx.sql`where false`}) as categories,
      (select json_agg(json_build_array(x.code, x.month, x.part, x.n)) from (
        select r.scope_code as code, to_char(r.month, 'YYYY-MM') as month, null::int as part, sum(r.reworks)::int as n
        from app.rework_monthly r
        where r.scope_code = ${code} and r.category = ${category} and r.month = any(${dates(q.months)}::date[])
        group by 1, 2
        union all
        select r.scope_code, null, (${childGroupIndex}::int[])[array_position(${childMonths}::date[], r.month)],
          sum(r.reworks)::int
        from app.rework_monthly r
        where r.scope_code in (select k.code from kids k) and r.category = ${category}
          and r.month = any(${childMonths}::date[])
        group by 1, 3) x) as reworks`;
  const found = rows!;
  const unitReworks = new Map<string, number>();
  const childReworks = new Map<string, number>();
  for (const [c, month, part, n] of found.reworks ?? []) {
    if (part === null) unitReworks.set(String(month), n);
    else childReworks.set(`${c}|${part}`, n);
  }
  const names = new Map((found.path ?? []).map(([, c, name]) => [c, name]));
  const self = (found.path ?? []).find(([, c]) => c === code);
  if (!self) throw notFound(UNIT);
  const categoryNames = new Map(found.categories ?? []);
  if (category && !categoryNames.has(category)) throw notFound(CATEGORY);
  const unit: UnitRef & { id: string } = { id: self[0], code, name: self[2], level: levelOfCode(code) };

  const unitSums = new Map<string, FigureSums>();
  for (const r of found.unit_sums ?? []) unitSums.set(r[0], sumsOf(r, 1));
  const childSums = new Map<string, FigureSums>();
  for (const r of found.child_sums ?? []) childSums.set(`${r[0]}|${r[1]}`, sumsOf(r, 2));
  const medians = new Map((found.medians ?? []).map(([c, part, median]) => [`${c}|${part}`, median]));
  const current = new Map<string, CurrentCounts>();
  for (const [c, dim, v, n] of found.tallies ?? []) {
    const counts = current.get(c) ?? { ...EMPTY_CURRENT };
    // Under a category the value is "category:colour" (or "category:risk").
    const value = category ? v.slice(category.length + 1) : v;
    if (dim === "open_colour" || dim === "open_colour_by_category") {
      counts.open += n;
      if (value === "red" || value === "yellow" || value === "blue") counts[value] += n;
    } else if (value === "red") counts.riskRed += n;
    else if (value === "yellow") counts.riskYellow += n;
    else if (value === "blue") counts.riskBlue += n;
    current.set(c, counts);
  }
  const sumsOver = (months: string[]) =>
    months.reduce((acc, m) => {
      const s = unitSums.get(m);
      return s ? addSums(acc, s) : acc;
    }, emptySums());
  const reworksOver = (months: string[]) => months.reduce((n, m) => n + (unitReworks.get(m) ?? 0), 0);
  const childSumsOf = (c: string, i: number) => childSums.get(`${c}|${i}`) ?? emptySums();
  const childReworksOf = (c: string, i: number) => childReworks.get(`${c}|${i}`) ?? 0;
  const medianOf = (c: string, i: number) => medians.get(`${c}|${i}`) ?? null;
  const settings = found.settings;
  return {
    unit,
    path: path.flatMap((c) => (names.has(c) ? [{ code: c, name: names.get(c)!, level: levelOfCode(c) }] : [])),
    children: (found.kids ?? []).map(([c, name]): UnitRef => ({ code: c, name, level: levelOfCode(c) })),
    /** The unit's sums over `months`. */
    sums: sumsOver,
    /** A child's sums over the months of group `i`. */
    childSums: childSumsOf,
    current: (c: string) => current.get(c) ?? EMPTY_CURRENT,
    /** The unit's reworks over `months` (cases of those months sent back for rework, each time). */
    reworks: reworksOver,
    /** A child's reworks over the months of group `i`. */
    childReworks: childReworksOf,
    /** The unit's figures over the months of its group `i` (`unitGroups[i]`). */
    figures: (i: number) => {
      const months = q.unitGroups[i]!;
      return computeFigures(sumsOver(months), medianOf(code, i), reworksOver(months));
    },
    /** A child's figures over the months of group `i`. */
    childFigures: (c: string, i: number) => computeFigures(childSumsOf(c, i), medianOf(c, i), childReworksOf(c, i)),
    dims: (found.dims ?? []).map(([dim, key, cases, resolved]) => ({ dim, key, cases, resolved })),
    settings: settingsOf(settings ? { ranking: settings[0], safety: settings[1], version: settings[2] } : undefined),
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
  // The unit's groups of months: the period, the same months a year earlier, each month of the trend.
  const b = await readBuckets(tx, input.unitCode, {
    months: [...lastYearMonths, ...months],
    unitGroups: [months, lastYearMonths, ...months.map((m) => [m])],
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
    figures: b.figures(0),
    lastYear: b.figures(1),
    reworks: { count: b.reworks(months), lastYear: b.reworks(lastYearMonths) },
    trend: months.map((m, i) => ({ month: m, figures: b.figures(2 + i) })),
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
    months: [],
    unitGroups: [],
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
