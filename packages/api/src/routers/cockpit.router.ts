import { MONTH_PATTERN, RANKING_FIGURES } from "@zongzhi/domain";
import { z } from "zod";
import { unitFigures, unitRanking } from "../services/figures.ts";
import { allowed, router } from "../trpc.ts";
import { divisionCode } from "./inputs.ts";

const month = z.string().refine((v) => MONTH_PATTERN.test(v), {
  params: { zh: "月份格式应为 YYYY-MM", en: "a month is YYYY-MM" },
});
const weight = z.number().min(0).max(100);

/** The leaders' cockpit (领导驾驶舱): figures, trends, ranking of child units. */
export const cockpitRouter = router({
  /** Every figure of a unit's subtree for a period (default: the caller's unit, this year). */
  figures: allowed("stats.read")
    .input(z.object({ unitCode: divisionCode.optional(), from: month.optional(), to: month.optional() }))
    .query(({ ctx, input }) => ctx.run((tx) => unitFigures(tx, input))),
  /** 一月一考评: the direct children ranked on the weighted score for a month. */
  ranking: allowed("stats.read")
    .input(
      z.object({
        unitCode: divisionCode.optional(),
        month: month.optional(),
        weights: z.partialRecord(z.enum(RANKING_FIGURES), weight).optional(),
      }),
    )
    .query(({ ctx, input }) => ctx.run((tx) => unitRanking(tx, input))),
});
