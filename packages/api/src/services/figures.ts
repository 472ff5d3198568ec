import type { Tx } from "@zongzhi/db/client";
import {
  AppError,
  addSums,
  type Band,
  CODE_LENGTH,
  computeFigures,
  DEFAULT_RANKING_WEIGHTS,
  DEFAULT_SAFETY,
  emptySums,
  FIGURE_SUM_KEYS,
  type FigureSums,
  type Figures,
  LEVELS,
  type Level,
  levelOfCode,
  MONTH_PATTERN,
  monthsBetween,
  notFound,
  RANKING_FIGURES,
  type RankingWeights,
  rankingFormula,
  rankingScore,
  rankUnits,
  type SafetyComponent,
  type SafetyDefinition,
  safetyIndex,
  shiftMonth,
} from "@zongzhi/domain";

/** The cockpit's figures (issue 10), read from the monthly buckets of migration 0040. */

export interface FigurePeriod {
  from: string;
  to: string;
}

export interface UnitRef {
  code: string;
  name: string;
  level: Level | null;
}

export interface Breakdown {
  key: string;
  name: string;
  cases: number;
  resolved: number;
}

export interface CurrentCounts {
  open: number;
  red: number;
  yellow: number;
  blue: number;
  riskRed: number;
  riskYellow: number;
  riskBlue: number;
}

export interface ChildFigures {
  unit: UnitRef;
  figures: Figures;
  current: CurrentCounts;
  safety: { index: number; band: Band; components: Record<SafetyComponent, number> };
}

export interface UnitFigures {
  unit: UnitRef;
  /** The units from the caller's own down to this one (for the breadcrumb). */
  path: UnitRef[];
  period: FigurePeriod;
  figures: Figures;
  /** The same months one year earlier. */
  lastYear: Figures;
  trend: { month: string; figures: Figures }[];
  byCategory: Breakdown[];
  byChannel: Breakdown[];
  byRisk: Breakdown[];
  /** Open cases now (all months), by deadline colour and risk grade. */
  current: CurrentCounts;
  safety: ChildFigures["safety"];
  children: ChildFigures[];
}

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
  open: "open",
  openRed: "open_red",
  openYellow: "open_yellow",
  openBlue: "open_blue",
  openRiskRed: "open_risk_red",
  openRiskYellow: "open_risk_yellow",
  openRiskBlue: "open_risk_blue",
};
/** `coalesce(sum(col), 0)::float8 as "key"` for every sum (exact below 2^53). */
const SUMS_SQL = FIGURE_SUM_KEYS.map((k) => `coalesce(sum(m.${SUM_COLUMNS[k]}), 0)::float8 as "${k}"`).join(", ");

const CHANNEL_NAMES: Record<string, string> = {
  visit: "来访",
  grid_patrol: "网格巡查",
  department_transfer: "部门移交",
  township_report: "乡镇上报",
  hotline_12345: "12345热线",
  online: "网上",
  phone: "电话",
};
const RISK_NAMES: Record<string, string> = { red: "红色", yellow: "黄色", blue: "蓝色", none: "无" };

const sumsOf = (row: Record<string, unknown> | undefined): FigureSums => {
  const s = emptySums();
  if (row) for (const k of FIGURE_SUM_KEYS) s[k] = Number(row[k] ?? 0);
  return s;
};

const currentOf = (s: FigureSums): CurrentCounts => ({
  open: s.open,
  red: s.openRed,
  yellow: s.openYellow,
  blue: s.openBlue,
  riskRed: s.openRiskRed,
  riskYellow: s.openRiskYellow,
  riskBlue: s.openRiskBlue,
});

/** This month in Beijing time, "YYYY-MM". */
export function currentMonth(now = new Date()): string {
  return new Date(now.getTime() + 8 * 3600e3).toISOString().slice(0, 7);
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

/**
 * The unit a figure request is about: the caller's own unit or a descendant it can see
 * (RLS on app.tenants). Anything else, a sibling or an ancestor, is NOT_FOUND.
 */
export async function figureUnit(tx: Tx, unitCode: string | undefined): Promise<UnitRef & { id: string }> {
  const code = unitCode ?? tx.ctx.scope;
  if (!/^\d{2,12}$/.test(code) || !levelOfCode(code) || !code.startsWith(tx.ctx.scope)) throw notFound(UNIT);
  const [row] = await tx.sql<{ id: string; code: string; name: string }[]>`
    select id, code, name from app.tenants where code = ${code}`;
  if (!row) throw notFound(UNIT);
  return { id: row.id, code: row.code, name: row.name, level: levelOfCode(row.code) };
}
const UNIT = { zh: "单位", en: "unit" };

const firstDay = (month: string) => `${month}-01`;

/** Sums over the subtree of `code` for the months, optionally grouped by month or by child prefix. */
async function subtreeSums(tx: Tx, code: string, from: string, to: string): Promise<FigureSums> {
  const [row] = await tx.sql.unsafe(
    `select ${SUMS_SQL} from app.figures_monthly m
     where m.scope_code >= $1 and m.scope_code < $1 || ':' and m.month between $2::date and $3::date`,
    [code, firstDay(from), firstDay(to)],
  );
  return sumsOf(row);
}

async function daysHistogram(tx: Tx, code: string, from: string, to: string, group?: number) {
  const rows = await tx.sql<{ g: string; days: number; n: number }[]>`
    select ${group ? tx.sql`left(b.scope_code, ${group})` : tx.sql`''`} as g, b.key::int as days, sum(b.cases)::int as n
    from app.figures_monthly_by b
    where b.scope_code >= ${code} and b.scope_code < ${`${code}:`} and b.dim = 'days'
      and b.month between ${firstDay(from)}::date and ${firstDay(to)}::date
    group by 1, 2`;
  const out = new Map<string, [number, number][]>();
  for (const r of rows) {
    const list = out.get(r.g) ?? [];
    list.push([r.days, r.n]);
    out.set(r.g, list);
  }
  return out;
}

/** The cockpit's settings of a unit (null fields: the defaults). */
export async function cockpitSettings(
  tx: Tx,
  unitCode: string,
): Promise<{ ranking: Required<RankingWeights>; safety: SafetyDefinition; version: number }> {
  const [row] = await tx.sql<{ ranking: RankingWeights | null; safety: SafetyDefinition | null; version: number }[]>`
    select ranking, safety, version from app.cockpit_settings where scope_code = ${unitCode}`;
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

const safetyOf = (periodSums: FigureSums, now: CurrentCounts, def: SafetyDefinition) =>
  safetyIndex(
    {
      received: periodSums.received,
      groupDisputes: periodSums.groupDisputes,
      repeatClaims: periodSums.repeatClaims,
      open: now.open,
      openRed: now.red,
      openRiskRed: now.riskRed,
    },
    def,
  );

/** Children of a unit with their names (RLS: the caller's subtree). */
async function childUnits(tx: Tx, unitId: string): Promise<UnitRef[]> {
  const rows = await tx.sql<{ code: string; name: string }[]>`
    select code, name from app.tenants where parent_id = ${unitId} order by code`;
  return rows.map((r) => ({ code: r.code, name: r.name, level: levelOfCode(r.code) }));
}

/** Sums per direct child (by the child's code prefix) over the months; null months: all. */
async function childSums(tx: Tx, code: string, childLength: number, from: string | null, to: string | null) {
  const rows = await tx.sql.unsafe(
    `select left(m.scope_code, $2) as g, ${SUMS_SQL} from app.figures_monthly m
     where m.scope_code >= $1 and m.scope_code < $1 || ':' and length(m.scope_code) >= $2
       ${from ? "and m.month between $3::date and $4::date" : ""}
     group by 1`,
    from ? [code, childLength, firstDay(from), firstDay(to ?? from)] : [code, childLength],
  );
  return new Map(rows.map((r) => [String(r.g), sumsOf(r)]));
}

const childLengthOf = (code: string): number | null => {
  const level = levelOfCode(code);
  if (!level) return null;
  const next = LEVELS[LEVELS.indexOf(level) + 1];
  return next ? CODE_LENGTH[next] : null;
};

/**
 * Every figure of a unit's subtree for a period: totals, the same months a year earlier, the
 * month-by-month trend, breakdowns, current colour and risk counts, the safety index, and the
 * direct children's figures. `unitCode` defaults to the caller's unit; a unit outside the
 * caller's subtree is NOT_FOUND.
 */
export async function unitFigures(
  tx: Tx,
  input: { unitCode?: string | undefined; from?: string | undefined; to?: string | undefined },
  now = new Date(),
): Promise<UnitFigures> {
  const period = resolvePeriod(input, now);
  const unit = await figureUnit(tx, input.unitCode);
  const { from, to } = period;
  const months = monthsBetween(from, to);

  const trendRows = await tx.sql.unsafe(
    `select to_char(m.month, 'YYYY-MM') as month, ${SUMS_SQL} from app.figures_monthly m
     where m.scope_code >= $1 and m.scope_code < $1 || ':' and m.month between $2::date and $3::date
     group by m.month`,
    [unit.code, firstDay(from), firstDay(to)],
  );
  const byMonth = new Map(trendRows.map((r) => [String(r.month), sumsOf(r)]));
  const total = months.reduce((acc, m) => addSums(acc, byMonth.get(m) ?? emptySums()), emptySums());
  const hist = await daysHistogram(tx, unit.code, from, to);
  const lastYearFrom = shiftMonth(from, -12);
  const lastYearTo = shiftMonth(to, -12);
  const lastYearSums = await subtreeSums(tx, unit.code, lastYearFrom, lastYearTo);
  const lastYearHist = await daysHistogram(tx, unit.code, lastYearFrom, lastYearTo);
  const monthHist = await tx.sql<{ month: string; days: number; n: number }[]>`
    select to_char(b.month, 'YYYY-MM') as month, b.key::int as days, sum(b.cases)::int as n
    from app.figures_monthly_by b
    where b.scope_code >= ${unit.code} and b.scope_code < ${`${unit.code}:`} and b.dim = 'days'
      and b.month between ${firstDay(from)}::date and ${firstDay(to)}::date
    group by 1, 2`;

  const dims = await tx.sql<{ dim: string; key: string; cases: number; resolved: number }[]>`
    select b.dim, b.key, sum(b.cases)::int as cases, sum(b.resolved)::int as resolved
    from app.figures_monthly_by b
    where b.scope_code >= ${unit.code} and b.scope_code < ${`${unit.code}:`} and b.dim <> 'days'
      and b.month between ${firstDay(from)}::date and ${firstDay(to)}::date
    group by 1, 2 having sum(b.cases) <> 0 order by 3 desc, 2`;
  const categoryNames = new Map(
    (
      await tx.sql<{ code: string; name: string }[]>`
        select code, name from ref.case_categories union all select code, name from app.case_categories`
    ).map((r) => [r.code, r.name]),
  );
  const breakdown = (dim: string, names: (k: string) => string) =>
    dims
      .filter((d) => d.dim === dim)
      .map((d) => ({ key: d.key, name: names(d.key), cases: d.cases, resolved: d.resolved }));

  const allTime = await tx.sql.unsafe(
    `select ${SUMS_SQL} from app.figures_monthly m where m.scope_code >= $1 and m.scope_code < $1 || ':'`,
    [unit.code],
  );
  const current = currentOf(sumsOf(allTime[0]));
  const settings = await cockpitSettings(tx, unit.code);

  const children: ChildFigures[] = [];
  const childLength = childLengthOf(unit.code);
  if (childLength) {
    const units = await childUnits(tx, unit.id);
    const periodByChild = await childSums(tx, unit.code, childLength, from, to);
    const nowByChild = await childSums(tx, unit.code, childLength, null, null);
    const histByChild = await daysHistogram(tx, unit.code, from, to, childLength);
    for (const u of units) {
      const s = periodByChild.get(u.code) ?? emptySums();
      const c = currentOf(nowByChild.get(u.code) ?? emptySums());
      children.push({
        unit: u,
        figures: computeFigures(s, histByChild.get(u.code) ?? []),
        current: c,
        safety: safetyOf(s, c, settings.safety),
      });
    }
  }

  const path: UnitRef[] = [];
  for (let len = tx.ctx.scope.length; len <= unit.code.length; len++) {
    if (!levelOfCode(unit.code.slice(0, len))) continue;
    const c = unit.code.slice(0, len);
    if (c === unit.code) path.push({ code: unit.code, name: unit.name, level: unit.level });
    else {
      const [t] = await tx.sql<{ name: string }[]>`select name from app.tenants where code = ${c}`;
      if (t) path.push({ code: c, name: t.name, level: levelOfCode(c) });
    }
  }

  return {
    unit: { code: unit.code, name: unit.name, level: unit.level },
    path,
    period,
    figures: computeFigures(total, hist.get("") ?? []),
    lastYear: computeFigures(lastYearSums, lastYearHist.get("") ?? []),
    trend: months.map((m) => ({
      month: m,
      figures: computeFigures(
        byMonth.get(m) ?? emptySums(),
        monthHist.filter((h) => h.month === m).map((h) => [h.days, h.n] as [number, number]),
      ),
    })),
    byCategory: breakdown("category", (k) => categoryNames.get(k) ?? k),
    byChannel: breakdown("channel", (k) => CHANNEL_NAMES[k] ?? k),
    byRisk: breakdown("risk", (k) => RISK_NAMES[k] ?? k),
    current,
    safety: safetyOf(total, current, settings.safety),
    children,
  };
}

export interface RankingRow {
  unit: UnitRef;
  score: number | null;
  rank: number | null;
  previousScore: number | null;
  previousRank: number | null;
  /** Score change from the previous month (null when either is missing). */
  change: number | null;
  figures: Figures;
}

/**
 * 一月一考评: the direct children of a unit ranked on the weighted score for one month, with
 * the previous month's score and rank. Weights: the unit's settings, else the defaults.
 */
export async function unitRanking(
  tx: Tx,
  input: { unitCode?: string | undefined; month?: string | undefined; weights?: RankingWeights | undefined },
  now = new Date(),
): Promise<{
  unit: UnitRef;
  month: string;
  weights: Required<RankingWeights>;
  formula: { zh: string; en: string };
  rows: RankingRow[];
}> {
  const month = input.month ?? currentMonth(now);
  if (!MONTH_PATTERN.test(month)) throw invalidPeriod();
  const unit = await figureUnit(tx, input.unitCode);
  const settings = await cockpitSettings(tx, unit.code);
  const weights = { ...settings.ranking, ...(input.weights ?? {}) };
  const childLength = childLengthOf(unit.code);
  const units = childLength ? await childUnits(tx, unit.id) : [];
  const prevMonth = shiftMonth(month, -1);
  const [cur, prev, curHist, prevHist] = childLength
    ? await Promise.all([
        childSums(tx, unit.code, childLength, month, month),
        childSums(tx, unit.code, childLength, prevMonth, prevMonth),
        daysHistogram(tx, unit.code, month, month, childLength),
        daysHistogram(tx, unit.code, prevMonth, prevMonth, childLength),
      ])
    : [new Map(), new Map(), new Map(), new Map()];
  const withFigures = units.map((u) => ({
    unit: u,
    figures: computeFigures(cur.get(u.code) ?? emptySums(), curHist.get(u.code) ?? []),
    previous: computeFigures(prev.get(u.code) ?? emptySums(), prevHist.get(u.code) ?? []),
  }));
  const ranked = rankUnits(withFigures, (x) => rankingScore(x.figures, weights));
  const prevRanked = new Map(
    rankUnits(withFigures, (x) => rankingScore(x.previous, weights)).map((r) => [r.item.unit.code, r]),
  );
  return {
    unit: { code: unit.code, name: unit.name, level: unit.level },
    month,
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
