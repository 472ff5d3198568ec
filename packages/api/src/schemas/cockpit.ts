import {
  DEFAULT_SAFETY,
  type RANKING_FIGURES,
  rankingWeightsProblem,
  SAFETY_COMPONENTS,
  type SafetyComponent,
  type SafetyDefinition,
  safetyDefinitionProblem,
} from "@zongzhi/domain";
import type { z } from "zod";
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
