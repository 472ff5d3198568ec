import {
  type Band,
  DEFAULT_SAFETY,
  type Figures,
  RANKING_FIGURES,
  type RankingWeights,
  RESOLUTION_TIERS,
  rankingWeightsProblem,
  SAFETY_COMPONENTS,
  type SafetyComponent,
  type SafetyDefinition,
  safetyDefinitionProblem,
} from "@zongzhi/domain";
import { LEVELS } from "@zongzhi/domain/division";
import { z } from "zod";
import { decimal, int32, strict } from "../input.ts";

/**
 * The cockpit's settings as cockpit.saveSettings takes them: the ranking weights and the safety
 * index definition (平安指数) of the caller's unit. The settings dialogs validate with these
 * same schemas (createSchemaForm), so the browser refuses exactly what the server would; the
 * cross-field rules (weights adding up to 100, the bands' order) are the domain's, checked here
 * and again by the service.
 */

/** A saved weight: a whole number from 0 to 100. */
const saved = () => int32({ min: 0, max: 100 });

const savedRanking = () =>
  strict({
    resolutionRate: saved(),
    closureRate: saved(),
    onTimeRate: saved(),
    satisfactionRate: saved(),
    followUpRate: saved(),
    localShare: saved(),
    // Added with the rework figure (issue 13): settings saved before it weigh it 0.
    reworkFreeRate: saved().default(0),
  } satisfies Record<(typeof RANKING_FIGURES)[number], z.ZodType>).superRefine((w, ctx) => {
    const problem = rankingWeightsProblem(w);
    if (problem) ctx.addIssue({ code: "custom", path: [], params: problem, message: problem.en });
  });

const perComponent = (f: () => z.ZodNumber, key: "weights" | "thresholds") =>
  strict({
    redRiskShare: f(),
    overdueShare: f(),
    groupDisputeShare: f(),
    repeatClaimShare: f(),
    // Added with the rework figure (重办): a definition sent without it takes the default.
    reworkShare: f().default(DEFAULT_SAFETY[key].reworkShare),
  } satisfies Record<SafetyComponent, z.ZodType<number>>);

/** Where a problem of {@link safetyDefinitionProblem} belongs in the form. */
function problemPath(d: SafetyDefinition): string[] {
  const w = d.weights;
  if (SAFETY_COMPONENTS.some((k) => !Number.isInteger(w[k])) || SAFETY_COMPONENTS.reduce((s, k) => s + w[k], 0) !== 100)
    return ["weights"];
  if (SAFETY_COMPONENTS.some((k) => !(d.thresholds[k] > 0 && d.thresholds[k] <= 1))) return ["thresholds"];
  return ["bands"];
}

/** 平安指数 definition: weights adding up to 100, thresholds above 0 and at most 1, 0 < yellow < blue ≤ 100. */
export const safetyDefinitionInput = strict({
  weights: perComponent(saved, "weights"),
  thresholds: perComponent(() => decimal({ min: 0, max: 1 }), "thresholds"),
  bands: strict({ blue: decimal({ min: 0, max: 100 }), yellow: decimal({ min: 0, max: 100 }) }),
}).superRefine((d, ctx) => {
  const problem = safetyDefinitionProblem(d);
  if (problem) ctx.addIssue({ code: "custom", path: problemPath(d), params: problem, message: problem.en });
});

/** cockpit.saveSettings: null for either part restores the defaults; `version` 0 before the first save. */
export const cockpitSettingsInput = strict({
  ranking: savedRanking().nullable(),
  safety: safetyDefinitionInput.nullable(),
  version: int32({ min: 0 }),
});

// ---------- answers (cockpit.figures, .ranking, .supervision, .settings, .saveSettings) ----------
// The services' return types are these schemas' types (services/figures.ts). The figures
// themselves and the settings are the domain's types: their schemas are held to them both ways
// (`satisfies`), so that a figure added to the domain and not here, or here and not there, fails
// the typecheck.

const rate = z.number().nullable();

/** The figures of a scope and period (domain `Figures`, every rate null when its denominator is zero). */
export const figures = z.object({
  received: z.number(),
  accepted: z.number(),
  resolved: z.number(),
  closed: z.number(),
  resolutionRate: rate,
  closureRate: rate,
  onTimeRate: rate,
  satisfactionRate: rate,
  followUpRate: rate,
  averageDaysToResolve: rate,
  medianDaysToResolve: rate,
  escalationRate: rate,
  returnsPerCase: rate,
  reworks: z.number(),
  reworksPerCase: rate,
  reworkFreeRate: rate,
  repeatClaims: z.number(),
  groupDisputes: z.number(),
  groupPeople: z.number(),
  people: z.number(),
  amountYuan: z.number(),
  tiers: z.record(z.enum(RESOLUTION_TIERS), z.object({ resolved: z.number(), share: rate })),
  localShare: rate,
}) satisfies z.ZodType<Figures, Figures>;

/** A unit as the cockpit names it. */
export const unitRef = z.object({ code: z.string(), name: z.string(), level: z.enum(LEVELS).nullable() });

/** One line of a breakdown (by category, channel or risk grade). */
const breakdown = z.object({ key: z.string(), name: z.string(), cases: z.number(), resolved: z.number() });

/** Open cases now (all months), by deadline colour and risk grade. */
const currentCounts = z.object({
  open: z.number(),
  red: z.number(),
  yellow: z.number(),
  blue: z.number(),
  riskRed: z.number(),
  riskYellow: z.number(),
  riskBlue: z.number(),
});

const perSafetyComponent = <T extends z.ZodType>(value: T) =>
  z.object(Object.fromEntries(SAFETY_COMPONENTS.map((k) => [k, value])) as Record<SafetyComponent, T>);

/** 平安指数 of a scope: the index, its band and each component's share. */
const safety = z.object({
  index: z.number(),
  band: z.enum(["blue", "yellow", "red"]) satisfies z.ZodType<Band, Band>,
  components: perSafetyComponent(z.number()),
});

const category = z.object({ code: z.string(), name: z.string() }).nullable();

/** cockpit.figures: every figure of a unit's subtree for a period, its trend, breakdowns and children. */
export const unitFigures = z.object({
  unit: unitRef,
  /** The units from the caller's own down to this one (for the breadcrumb). */
  path: z.array(unitRef),
  period: z.object({ from: z.string(), to: z.string() }),
  /** The one category the figures count (null: every category). */
  category,
  figures,
  /** The same months one year earlier. */
  lastYear: figures,
  /** Reworks (重办) of the period's cases and of the same months a year earlier. */
  reworks: z.object({ count: z.number(), lastYear: z.number() }),
  trend: z.array(z.object({ month: z.string(), figures })),
  byCategory: z.array(breakdown),
  byChannel: z.array(breakdown),
  byRisk: z.array(breakdown),
  current: currentCounts,
  safety,
  children: z.array(z.object({ unit: unitRef, figures, current: currentCounts, safety })),
});

const perRankingFigure = <T extends z.ZodType>(value: T) =>
  z.object(Object.fromEntries(RANKING_FIGURES.map((k) => [k, value])) as Record<(typeof RANKING_FIGURES)[number], T>);

/** A ranking's weights, every figure given (domain `Required<RankingWeights>`). */
const rankingWeights = perRankingFigure(z.number()) satisfies z.ZodType<
  Required<RankingWeights>,
  Required<RankingWeights>
>;

/** One ranked unit: its score and rank this month and the month before. */
export const rankingRow = z.object({
  unit: unitRef,
  score: rate,
  rank: rate,
  previousScore: rate,
  previousRank: rate,
  /** Score change from the previous month (null when either is missing). */
  change: rate,
  figures,
});

/** cockpit.ranking (一月一考评): the direct children ranked on the weighted score for a month. */
export const unitRanking = z.object({
  unit: unitRef,
  month: z.string(),
  category,
  weights: rankingWeights,
  formula: z.object({ zh: z.string(), en: z.string() }),
  rows: z.array(rankingRow),
});

/** cockpit.settings and .saveSettings: a unit's ranking weights and safety index, its own or the defaults. */
export const cockpitSettingsView = z.object({
  unit: unitRef,
  ranking: rankingWeights,
  safety: z.object({
    weights: perSafetyComponent(z.number()),
    thresholds: perSafetyComponent(z.number()),
    bands: z.object({ blue: z.number(), yellow: z.number() }),
  }) satisfies z.ZodType<SafetyDefinition, SafetyDefinition>,
  /** Whether the unit has set its own (else the defaults apply). */
  custom: z.object({ ranking: z.boolean(), safety: z.boolean() }),
  /** 0 while the unit has never saved its settings. */
  version: z.number(),
});

/** cockpit.supervision: 督办 of a unit's subtree for a month (opened, answered, open now). */
export const supervisionCounts = z.object({
  unit: unitRef,
  month: z.string(),
  /** Opened in the month: all, by the deadline scan (overdue), by a leader. */
  opened: z.number(),
  openedBySystem: z.number(),
  openedByLeader: z.number(),
  /** Answered in the month. */
  answered: z.number(),
  /** Awaiting an answer now, and of those past the answer's due time. */
  openNow: z.number(),
  openOverdue: z.number(),
});
