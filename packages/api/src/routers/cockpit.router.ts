import type { RANKING_FIGURES } from "@zongzhi/domain";
import { decimal, isoMonth, pattern, strict } from "../input.ts";
import {
  cockpitSettingsInput,
  cockpitSettingsView,
  unitFigures as figuresAnswer,
  unitRanking as rankingAnswer,
  supervisionCounts as supervisionAnswer,
} from "../schemas/cockpit.ts";
import {
  readCockpitSettings,
  saveCockpitSettings,
  supervisionCounts,
  unitFigures,
  unitRanking,
} from "../services/figures.ts";
import { allowed, router } from "../trpc.ts";

const month = isoMonth;
const unitCode = () =>
  pattern(
    /^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/,
    "区划代码应为2、4、6、9或12位数字",
    "a division code has 2, 4, 6, 9 or 12 digits",
  );
/** A dispute category's code (as the ledgers take it). */
const categoryCode = () => pattern(/^[a-z][a-z0-9_]{1,39}$/, "事件类别代码无效", "invalid category code");
const weight = () => decimal({ min: 0, max: 100 }).optional();
const weights = () =>
  strict({
    resolutionRate: weight(),
    closureRate: weight(),
    onTimeRate: weight(),
    satisfactionRate: weight(),
    followUpRate: weight(),
    localShare: weight(),
    reworkFreeRate: weight(),
  } satisfies Record<(typeof RANKING_FIGURES)[number], ReturnType<typeof weight>>);

/** The leaders' cockpit (领导驾驶舱): figures, trends, ranking of child units. */
export const cockpitRouter = router({
  /** Every figure of a unit's subtree for a period (default: the caller's unit, this year), of one category or all. */
  figures: allowed("stats.read")
    .meta({ reads: "replica", answer: "json" })
    .input(
      strict({
        unitCode: unitCode().optional(),
        from: month().optional(),
        to: month().optional(),
        categoryCode: categoryCode().optional(),
      }),
    )
    .output(figuresAnswer)
    .query(({ ctx, input }) => ctx.run((tx) => unitFigures(tx, input))),
  /** 一月一考评: the direct children ranked on the weighted score for a month. */
  ranking: allowed("stats.read")
    .meta({ reads: "replica", answer: "json" })
    .input(
      strict({
        unitCode: unitCode().optional(),
        month: month().optional(),
        weights: weights().optional(),
        categoryCode: categoryCode().optional(),
      }),
    )
    .output(rankingAnswer)
    .query(({ ctx, input }) => ctx.run((tx) => unitRanking(tx, input))),
  /** 督办 of a unit's subtree for a month (the bulletin's supervised cases). */
  supervision: allowed("stats.read")
    .meta({ reads: "replica" })
    .input(strict({ unitCode: unitCode().optional(), month: month().optional() }))
    .output(supervisionAnswer)
    .query(({ ctx, input }) => ctx.run((tx) => supervisionCounts(tx, input))),
  /** The ranking weights and safety index definition of a unit (its own or the defaults). */
  settings: allowed("stats.read")
    .input(strict({ unitCode: unitCode().optional() }))
    .output(cockpitSettingsView)
    .query(({ ctx, input }) => ctx.run((tx) => readCockpitSettings(tx, input.unitCode))),
  /** Sets the caller's unit's ranking weights and safety index (null: the defaults); audited. */
  saveSettings: allowed("cockpit.configure")
    .input(cockpitSettingsInput)
    .output(cockpitSettingsView)
    .mutation(({ ctx, input }) => ctx.run((tx) => saveCockpitSettings(tx, input))),
});
