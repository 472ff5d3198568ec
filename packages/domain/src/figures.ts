/**
 * The cockpit's figures (领导驾驶舱), defined once: the sums the database keeps per subtree and
 * month (migrations 0040 and 0041, `app.figures_monthly`), the rates derived from them, the ranking
 * (一月一考评) and the safety index (平安指数). docs/figures.md explains each in both languages;
 * the UI shows `FIGURE_DEFINITIONS[key]` as the tooltip next to the figure.
 *
 * Cohort counting: a case belongs to the month it was registered in (Beijing time) and to its
 * origin unit; "resolved" for a period means resolved by now among the cases received in it.
 */
import type { Message } from "./errors.ts";

/** The additive sums of one or more (unit, month) buckets. */
export interface FigureSums {
  received: number;
  accepted: number;
  resolved: number;
  closed: number;
  onTime: number;
  followedUp: number;
  satisfied: number;
  escalated: number;
  returns: number;
  repeatClaims: number;
  groupDisputes: number;
  groupPeople: number;
  people: number;
  amountCents: number;
  resolveDaysSum: number;
  resolvedVillage: number;
  resolvedTownship: number;
  resolvedCounty: number;
  resolvedAbove: number;
}

export const FIGURE_SUM_KEYS = [
  "received",
  "accepted",
  "resolved",
  "closed",
  "onTime",
  "followedUp",
  "satisfied",
  "escalated",
  "returns",
  "repeatClaims",
  "groupDisputes",
  "groupPeople",
  "people",
  "amountCents",
  "resolveDaysSum",
  "resolvedVillage",
  "resolvedTownship",
  "resolvedCounty",
  "resolvedAbove",
] as const satisfies readonly (keyof FigureSums)[];

// Written out key by key (the type checks that none is missing): the cockpit adds these for
// every unit and month it shows, and an object built from a list of keys cost more than the
// figures themselves (a county's figures spent most of their Node time here).
export function emptySums(): FigureSums {
  return {
    received: 0,
    accepted: 0,
    resolved: 0,
    closed: 0,
    onTime: 0,
    followedUp: 0,
    satisfied: 0,
    escalated: 0,
    returns: 0,
    repeatClaims: 0,
    groupDisputes: 0,
    groupPeople: 0,
    people: 0,
    amountCents: 0,
    resolveDaysSum: 0,
    resolvedVillage: 0,
    resolvedTownship: 0,
    resolvedCounty: 0,
    resolvedAbove: 0,
  };
}

export function addSums(a: FigureSums, b: FigureSums): FigureSums {
  return {
    received: a.received + b.received,
    accepted: a.accepted + b.accepted,
    resolved: a.resolved + b.resolved,
    closed: a.closed + b.closed,
    onTime: a.onTime + b.onTime,
    followedUp: a.followedUp + b.followedUp,
    satisfied: a.satisfied + b.satisfied,
    escalated: a.escalated + b.escalated,
    returns: a.returns + b.returns,
    repeatClaims: a.repeatClaims + b.repeatClaims,
    groupDisputes: a.groupDisputes + b.groupDisputes,
    groupPeople: a.groupPeople + b.groupPeople,
    people: a.people + b.people,
    amountCents: a.amountCents + b.amountCents,
    resolveDaysSum: a.resolveDaysSum + b.resolveDaysSum,
    resolvedVillage: a.resolvedVillage + b.resolvedVillage,
    resolvedTownship: a.resolvedTownship + b.resolvedTownship,
    resolvedCounty: a.resolvedCounty + b.resolvedCounty,
    resolvedAbove: a.resolvedAbove + b.resolvedAbove,
  };
}

/** The tiers a case can be resolved at (the owner's tier when it was resolved). */
export const RESOLUTION_TIERS = ["village", "township", "county", "above"] as const;
export type ResolutionTier = (typeof RESOLUTION_TIERS)[number];

/** The figures of a scope and period, every rate null when its denominator is zero. */
export interface Figures {
  received: number;
  accepted: number;
  resolved: number;
  closed: number;
  resolutionRate: number | null;
  closureRate: number | null;
  onTimeRate: number | null;
  satisfactionRate: number | null;
  followUpRate: number | null;
  averageDaysToResolve: number | null;
  medianDaysToResolve: number | null;
  escalationRate: number | null;
  returnsPerCase: number | null;
  /** Times the cases were sent back for rework (重办, migration 0065's app.rework_monthly). */
  reworks: number;
  /** Reworks ÷ received. */
  reworksPerCase: number | null;
  /** 1 − reworks ÷ received, at least 0 (the ranking's rework figure: higher is better). */
  reworkFreeRate: number | null;
  repeatClaims: number;
  groupDisputes: number;
  groupPeople: number;
  people: number;
  amountYuan: number;
  /** Resolved at each tier, and that count's share of all resolved. */
  tiers: Record<ResolutionTier, { resolved: number; share: number | null }>;
  /** Resolved at village or township (小事不出村、大事不出乡) over all resolved. */
  localShare: number | null;
}

const ratio = (n: number, d: number): number | null => (d === 0 ? null : n / d);

/**
 * The median of whole days to resolve from a histogram (days → cases); the lower middle for
 * an even count is averaged with the upper one.
 */
export function medianFromHistogram(
  histogram: ReadonlyMap<number, number> | Iterable<[number, number]>,
): number | null {
  const entries = [...(histogram instanceof Map ? histogram.entries() : histogram)]
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const at = (rank: number): number => {
    let seen = 0;
    for (const [days, n] of entries) {
      seen += n;
      if (rank < seen) return days;
    }
    return entries[entries.length - 1]![0];
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

/**
 * Derives every figure from the sums (and the days histogram for the median, or that median
 * itself when the database computed it, and the reworks of the same buckets, which
 * app.rework_monthly keeps apart from the sums).
 */
export function computeFigures(
  s: FigureSums,
  days: Iterable<[number, number]> | number | null = [],
  reworks = 0,
): Figures {
  const tierCounts: Record<ResolutionTier, number> = {
    village: s.resolvedVillage,
    township: s.resolvedTownship,
    county: s.resolvedCounty,
    above: s.resolvedAbove,
  };
  const tiers = Object.fromEntries(
    RESOLUTION_TIERS.map((t) => [t, { resolved: tierCounts[t], share: ratio(tierCounts[t], s.resolved) }]),
  ) as Figures["tiers"];
  return {
    received: s.received,
    accepted: s.accepted,
    resolved: s.resolved,
    closed: s.closed,
    resolutionRate: ratio(s.resolved, s.accepted),
    closureRate: ratio(s.closed, s.accepted),
    onTimeRate: ratio(s.onTime, s.closed),
    satisfactionRate: ratio(s.satisfied, s.followedUp),
    followUpRate: ratio(s.followedUp, s.closed),
    averageDaysToResolve: ratio(s.resolveDaysSum, s.resolved),
    medianDaysToResolve: days === null || typeof days === "number" ? days : medianFromHistogram(days),
    escalationRate: ratio(s.escalated, s.received),
    returnsPerCase: ratio(s.returns, s.received),
    reworks,
    reworksPerCase: ratio(reworks, s.received),
    reworkFreeRate: s.received === 0 ? null : Math.max(0, 1 - reworks / s.received),
    repeatClaims: s.repeatClaims,
    groupDisputes: s.groupDisputes,
    groupPeople: s.groupPeople,
    people: s.people,
    amountYuan: s.amountCents / 100,
    tiers,
    localShare: ratio(s.resolvedVillage + s.resolvedTownship, s.resolved),
  };
}

/** Figures shown with a definition (the tooltip and docs/figures.md say the same). */
export const FIGURE_DEFINITIONS = {
  received: {
    label: { zh: "登记", en: "Received" },
    definition: {
      zh: "期间内登记的全部事件（含后来被取消或判为重复的）。",
      en: "Every case registered in the period (including ones later cancelled or marked duplicate).",
    },
  },
  accepted: {
    label: { zh: "受理", en: "Accepted" },
    definition: { zh: "期间内登记且已受理的事件数。", en: "Cases registered in the period that were accepted." },
  },
  resolved: {
    label: { zh: "化解", en: "Resolved" },
    definition: {
      zh: "期间内登记、目前处于已化解状态（调解成功且未被重新办理）的事件数。",
      en: "Cases registered in the period that are resolved now (mediation succeeded and not reopened since).",
    },
  },
  closed: {
    label: { zh: "办结", en: "Closed" },
    definition: {
      zh: "期间内登记、已办结（结案或归档）的事件数。",
      en: "Cases registered in the period that are closed (closed or archived).",
    },
  },
  resolutionRate: {
    label: { zh: "化解率", en: "Resolution rate" },
    definition: { zh: "化解 ÷ 受理。", en: "Resolved ÷ accepted." },
  },
  closureRate: {
    label: { zh: "办结率", en: "Closure rate" },
    definition: { zh: "办结 ÷ 受理。", en: "Closed ÷ accepted." },
  },
  onTimeRate: {
    label: { zh: "按时办结率", en: "On-time rate" },
    definition: {
      zh: "办结事件中，没有任何一个时限曾超期（红色或完成晚于到期）的比例。",
      en: "Share of closed cases none of whose clocks ever ran over (turned red or completed after due).",
    },
  },
  satisfactionRate: {
    label: { zh: "满意率", en: "Satisfaction" },
    definition: {
      zh: "已回访事件中，最近一次回访为“满意”或“基本满意”的比例。",
      en: "Share of followed-up cases whose latest follow-up was satisfied or basically satisfied.",
    },
  },
  followUpRate: {
    label: { zh: "回访率", en: "Follow-up rate" },
    definition: { zh: "办结事件中至少回访一次的比例。", en: "Share of closed cases with at least one follow-up." },
  },
  averageDaysToResolve: {
    label: { zh: "平均化解天数", en: "Average days to resolve" },
    definition: {
      zh: "已化解事件从登记日到化解日的自然日数（北京时间）的平均值。",
      en: "Mean calendar days (Beijing dates) from registration to resolution over resolved cases.",
    },
  },
  medianDaysToResolve: {
    label: { zh: "化解天数中位数", en: "Median days to resolve" },
    definition: {
      zh: "同上天数的中位数（偶数个时取中间两个的平均）。",
      en: "The median of the same days (the mean of the middle two for an even count).",
    },
  },
  escalationRate: {
    label: { zh: "上报率", en: "Escalation rate" },
    definition: { zh: "至少上报过一次的事件 ÷ 登记。", en: "Cases escalated at least once ÷ received." },
  },
  returnsPerCase: {
    label: { zh: "件均退回次数", en: "Returns per case" },
    definition: { zh: "退回（下级退回上级交办）次数之和 ÷ 登记。", en: "Total returns of a hop ÷ received." },
  },
  reworks: {
    label: { zh: "重办", en: "Reworks" },
    definition: {
      zh: "登记于期间内的事件被退回重办的次数之和（回访不满意或现场确认被否定后重新办理，每次计一次）。",
      en: "Times the period's cases were sent back for rework (reopened after an unsatisfied follow-up or a rejected on-site confirmation), each time counted.",
    },
  },
  reworksPerCase: {
    label: { zh: "件均重办次数", en: "Reworks per case" },
    definition: { zh: "重办次数 ÷ 登记。", en: "Reworks ÷ received." },
  },
  reworkFreeRate: {
    label: { zh: "无重办率", en: "Rework-free rate" },
    definition: {
      zh: "1 − 重办次数 ÷ 登记（不低于 0）；可作为考评排名的一项，默认权重为 0。",
      en: "1 − reworks ÷ received (at least 0); a figure the ranking may weigh, weight 0 by default.",
    },
  },
  repeatClaims: {
    label: { zh: "重复诉求", en: "Repeat claims" },
    definition: {
      zh: "登记时与同一申请人（同一身份证号）既往事件关联的事件数。",
      en: "Cases linked at registration to an earlier case of the same applicant (same ID number).",
    },
  },
  groupDisputes: {
    label: { zh: "群体性纠纷", en: "Group disputes" },
    definition: { zh: "标记为群体性的事件数。", en: "Cases marked as group disputes." },
  },
  groupPeople: {
    label: { zh: "群体性纠纷涉及人数", en: "People in group disputes" },
    definition: { zh: "群体性事件的涉及人数之和。", en: "Sum of people involved in group disputes." },
  },
  people: {
    label: { zh: "涉及人数", en: "People involved" },
    definition: { zh: "全部事件涉及人数之和。", en: "Sum of people involved over all cases." },
  },
  amountYuan: {
    label: { zh: "涉及金额（元）", en: "Amount involved (yuan)" },
    definition: { zh: "全部事件登记的涉及金额之和。", en: "Sum of the amounts recorded on the cases." },
  },
  localShare: {
    label: { zh: "就地化解率", en: "Resolved locally" },
    definition: {
      zh: "化解事件中在村（社区）或乡镇（街道）一级化解的比例（小事不出村、大事不出乡）。",
      en: "Share of resolved cases resolved at village or township tier.",
    },
  },
  tiers: {
    label: { zh: "各级化解占比", en: "Share resolved per tier" },
    definition: {
      zh: "化解时承办单位所在层级：村、乡镇、县、县以上，各占化解事件的比例。",
      en: "The tier of the unit that owned the case when it was resolved (village, township, county, above), as a share of resolved.",
    },
  },
  open: {
    label: { zh: "在办", en: "Open" },
    definition: {
      zh: "当前未办结、未取消、未判为重复的事件（不受期间限制）。",
      en: "Cases not closed, archived, cancelled or duplicate, now (not bound to the period).",
    },
  },
} as const satisfies Record<string, { label: Message; definition: Message }>;

export type FigureKey = keyof typeof FIGURE_DEFINITIONS;

/** Rates the ranking may weigh (each in 0..1, higher is better). */
export const RANKING_FIGURES = [
  "resolutionRate",
  "closureRate",
  "onTimeRate",
  "satisfactionRate",
  "followUpRate",
  "localShare",
  "reworkFreeRate",
] as const;
export type RankingFigure = (typeof RANKING_FIGURES)[number];
export type RankingWeights = Partial<Record<RankingFigure, number>>;

/**
 * Default weights: the rates the source articles judge centres by (化解率, 办结率, 按时办结率,
 * 满意率, "60% 化解在村"); the articles quote the rates, not weights, so these are ours. Reworks
 * (重办) are counted against a centre in the articles but given no weight: a unit opts in.
 */
export const DEFAULT_RANKING_WEIGHTS: Required<RankingWeights> = {
  resolutionRate: 30,
  closureRate: 20,
  onTimeRate: 20,
  satisfactionRate: 20,
  followUpRate: 0,
  localShare: 10,
  reworkFreeRate: 0,
};

/** The sum every set of weights must reach (ranking and safety index alike). */
export const WEIGHT_TOTAL = 100;

/**
 * What is wrong with a set of ranking weights a unit saves, or null: every weight a whole
 * number from 0 to 100, together exactly {@link WEIGHT_TOTAL}.
 */
export function rankingWeightsProblem(w: Record<RankingFigure, number>): Message | null {
  if (RANKING_FIGURES.some((k) => !Number.isInteger(w[k]) || w[k] < 0 || w[k] > WEIGHT_TOTAL)) {
    return { zh: "每项权重须为 0 至 100 的整数", en: "Each weight is a whole number from 0 to 100" };
  }
  const total = RANKING_FIGURES.reduce((s, k) => s + w[k], 0);
  if (total !== WEIGHT_TOTAL) {
    return {
      zh: `各项权重之和须为 100（当前为 ${total}）`,
      en: `The weights must add up to 100 (they add up to ${total})`,
    };
  }
  return null;
}

/**
 * The score: 100 × Σ wᵢ·rateᵢ ÷ Σ wᵢ over the weighted figures; a rate without a denominator
 * (no cases) counts as 0. Null when the unit received nothing.
 */
export function rankingScore(f: Figures, weights: RankingWeights = DEFAULT_RANKING_WEIGHTS): number | null {
  if (f.received === 0) return null;
  let total = 0;
  let sum = 0;
  for (const k of RANKING_FIGURES) {
    const w = weights[k] ?? 0;
    if (w <= 0) continue;
    total += w;
    sum += w * (f[k] ?? 0);
  }
  return total === 0 ? null : (100 * sum) / total;
}

/** The formula as shown next to the ranking. */
export function rankingFormula(weights: RankingWeights, lang: "zh" | "en"): string {
  const parts = RANKING_FIGURES.filter((k) => (weights[k] ?? 0) > 0).map(
    (k) => `${weights[k]}×${FIGURE_DEFINITIONS[k].label[lang]}`,
  );
  const total = RANKING_FIGURES.reduce((s, k) => s + Math.max(0, weights[k] ?? 0), 0);
  return lang === "zh"
    ? `得分 = 100 × (${parts.join(" + ")}) ÷ ${total}`
    : `score = 100 × (${parts.join(" + ")}) ÷ ${total}`;
}

export interface RankedUnit<T> {
  item: T;
  score: number | null;
  rank: number | null;
}

/** Ranks by score, highest first; equal scores share a rank; units without a score come last. */
export function rankUnits<T>(items: T[], score: (t: T) => number | null): RankedUnit<T>[] {
  const scored = items.map((item) => ({ item, score: score(item) }));
  scored.sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  let rank = 0;
  let prev: number | null = null;
  return scored.map((s, i) => {
    if (s.score === null) return { ...s, rank: null };
    if (prev === null || Math.abs(s.score - prev) > 1e-9) rank = i + 1;
    prev = s.score;
    return { ...s, rank };
  });
}

/** The safety index's components: each a share where higher is worse. */
export const SAFETY_COMPONENTS = [
  "redRiskShare",
  "overdueShare",
  "groupDisputeShare",
  "repeatClaimShare",
  "reworkShare",
] as const;
export type SafetyComponent = (typeof SAFETY_COMPONENTS)[number];

export interface SafetyDefinition {
  /** Weight of each component. */
  weights: Record<SafetyComponent, number>;
  /** The share at which a component takes its full weight off the index. */
  thresholds: Record<SafetyComponent, number>;
  /** Index at or above `blue` is blue (平安), at or above `yellow` yellow (关注), else red (预警). */
  bands: { blue: number; yellow: number };
}

/**
 * The default definition: red-risk and overdue open cases, group disputes, repeat claims and
 * reworks; the sources give no weights, so these are ours, reworks weighed 0 (see
 * {@link DEFAULT_WEIGHT_NOTES}) and their threshold (5 % of the cases received) ours too.
 */
export const DEFAULT_SAFETY: SafetyDefinition = {
  weights: { redRiskShare: 35, overdueShare: 25, groupDisputeShare: 25, repeatClaimShare: 15, reworkShare: 0 },
  thresholds: {
    redRiskShare: 0.05,
    overdueShare: 0.1,
    groupDisputeShare: 0.05,
    repeatClaimShare: 0.1,
    reworkShare: 0.05,
  },
  bands: { blue: 85, yellow: 70 },
};

/**
 * Why a default weight is what it is, where the settings dialogs show it next to the field: the
 * rework figures (重办), which the articles and the 12345 practice count against a unit (an
 * unsatisfied follow-up sends the case back) without saying how much.
 */
const REWORK_WEIGHT_NOTE: Message = {
  zh: "默认权重 0：资料（12345 热线做法）只说明回访不满意即退回重办，未给出重办在考核中的权重或分值；请按本地考核办法设定。",
  en: "Weight 0 by default: the sources (12345 hotline practice) say an unsatisfied follow-up sends a case back for rework, but give no weight for reworks in an assessment; set one by the local rules.",
};
export const DEFAULT_WEIGHT_NOTES: Partial<Record<RankingFigure | SafetyComponent, Message>> = {
  reworkFreeRate: REWORK_WEIGHT_NOTE,
  reworkShare: REWORK_WEIGHT_NOTE,
};

/**
 * What is wrong with a safety index definition a unit saves, or null: weights as for the
 * ranking (whole numbers adding up to 100), every threshold a share above 0 and at most 1, and
 * the yellow band below the blue one, both between 0 and 100.
 */
export function safetyDefinitionProblem(d: SafetyDefinition): Message | null {
  const w = d.weights;
  if (SAFETY_COMPONENTS.some((k) => !Number.isInteger(w[k]) || w[k] < 0 || w[k] > WEIGHT_TOTAL)) {
    return { zh: "平安指数每项权重须为 0 至 100 的整数", en: "Each safety weight is a whole number from 0 to 100" };
  }
  const total = SAFETY_COMPONENTS.reduce((s, k) => s + w[k], 0);
  if (total !== WEIGHT_TOTAL) {
    return {
      zh: `平安指数各项权重之和须为 100（当前为 ${total}）`,
      en: `The safety weights must add up to 100 (they add up to ${total})`,
    };
  }
  if (SAFETY_COMPONENTS.some((k) => !(d.thresholds[k] > 0 && d.thresholds[k] <= 1))) {
    return { zh: "满扣阈值须大于 0% 且不超过 100%", en: "A threshold is above 0 % and at most 100 %" };
  }
  if (!(d.bands.yellow > 0 && d.bands.yellow < d.bands.blue && d.bands.blue <= 100)) {
    return {
      zh: "分档须满足 0 < 黄色下限 < 蓝色下限 ≤ 100",
      en: "Bands must satisfy 0 < yellow floor < blue floor ≤ 100",
    };
  }
  return null;
}

export const SAFETY_COMPONENT_LABELS: Record<SafetyComponent, Message> = {
  redRiskShare: { zh: "红色风险在办占比", en: "Open red-risk share" },
  overdueShare: { zh: "超期在办占比", en: "Overdue share of open" },
  groupDisputeShare: { zh: "群体性纠纷占比", en: "Group dispute share" },
  repeatClaimShare: { zh: "重复诉求占比", en: "Repeat claim share" },
  reworkShare: { zh: "重办占比", en: "Rework share" },
};

export interface SafetyInputs {
  received: number;
  groupDisputes: number;
  repeatClaims: number;
  open: number;
  openRed: number;
  openRiskRed: number;
  /** Times the period's cases were sent back for rework (重办). */
  reworks: number;
}

export type Band = "blue" | "yellow" | "red";

/**
 * 平安指数 = 100 × (1 − Σ wᵢ·min(1, shareᵢ ÷ thresholdᵢ) ÷ Σ wᵢ), with
 * redRiskShare = open red-risk ÷ open, overdueShare = open red-clock ÷ open,
 * groupDisputeShare = group disputes ÷ received, repeatClaimShare = repeat claims ÷ received,
 * reworkShare = reworks ÷ received (a share with no denominator is 0). Population is not in the registry, so cases per 10,000
 * residents is not a component.
 */
export function safetyIndex(
  x: SafetyInputs,
  def: SafetyDefinition = DEFAULT_SAFETY,
): { index: number; band: Band; components: Record<SafetyComponent, number> } {
  const share = (n: number, d: number) => (d === 0 ? 0 : n / d);
  return safetyIndexOfShares(
    {
      redRiskShare: share(x.openRiskRed, x.open),
      overdueShare: share(x.openRed, x.open),
      groupDisputeShare: share(x.groupDisputes, x.received),
      repeatClaimShare: share(x.repeatClaims, x.received),
      reworkShare: share(x.reworks, x.received),
    },
    def,
  );
}

/** The index and band of known component shares under a definition (the settings dialog's preview). */
export function safetyIndexOfShares(
  components: Record<SafetyComponent, number>,
  def: SafetyDefinition = DEFAULT_SAFETY,
): { index: number; band: Band; components: Record<SafetyComponent, number> } {
  let total = 0;
  let penalty = 0;
  for (const k of SAFETY_COMPONENTS) {
    const w = Math.max(0, def.weights[k]);
    total += w;
    const t = def.thresholds[k];
    penalty += w * (t <= 0 ? (components[k] > 0 ? 1 : 0) : Math.min(1, components[k] / t));
  }
  const index = total === 0 ? 100 : 100 * (1 - penalty / total);
  const band: Band = index >= def.bands.blue ? "blue" : index >= def.bands.yellow ? "yellow" : "red";
  return { index, band, components };
}

/** A month as "YYYY-MM". */
export const MONTH_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

/** The months from `from` to `to` inclusive ("YYYY-MM"). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split("-").map(Number) as [number, number];
  const [ty, tm] = to.split("-").map(Number) as [number, number];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}`);
    m += 1;
    if (m > 12) {
      m = 1;
      y += 1;
    }
  }
  return out;
}

/** The month `n` months after (negative: before) `month`. */
export function shiftMonth(month: string, n: number): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${String(Math.floor(i / 12)).padStart(4, "0")}-${String((i % 12) + 1).padStart(2, "0")}`;
}
