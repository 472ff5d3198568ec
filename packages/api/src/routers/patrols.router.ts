import { z } from "zod";
import { decimal, id, instant, int32, isoDate, noInput, strict } from "../input.ts";
import { patrolNormInput, patrolNormView, patrolWeek, recordedPatrol } from "../schemas/grids.ts";
import { normFor, patrolFigures, recordPatrol, setPatrolNorm } from "../services/patrols.ts";
import { allowed, router } from "../trpc.ts";

/** A GeoJSON position: [longitude, latitude] in degrees. */
const position = z
  .array(decimal({ min: -180, max: 180 }))
  .min(2)
  .max(2)
  .refine((p) => Math.abs(p[1] ?? 0) <= 90, {
    params: { zh: "轨迹点的纬度须在 -90 至 90 之间", en: "a track point's latitude is between -90 and 90" },
  });

/** Patrols of grid workers and the norm they are measured by ("235"). */
export const patrolsRouter = router({
  record: allowed("patrol.record")
    .input(
      strict({
        gridId: id().nullish(),
        startedAt: instant(),
        endedAt: instant(),
        // Without a track, the distance the worker states; with one, the server measures the track.
        distanceMetres: int32({ max: 200_000 }).optional(),
        eventsFound: int32({ max: 1000 }).default(0),
        track: strict({ type: z.literal("LineString"), coordinates: z.array(position).min(2).max(10_000) }).nullish(),
      })
        .refine((p) => p.endedAt > p.startedAt, {
          path: ["endedAt"],
          params: { zh: "结束时间须晚于开始时间", en: "the end must be after the start" },
        })
        .refine((p) => p.track || p.distanceMetres !== undefined, {
          path: ["distanceMetres"],
          params: { zh: "请填写巡查里程或上传轨迹", en: "give the distance or the track" },
        }),
    )
    .output(recordedPatrol)
    .mutation(({ ctx, input }) => ctx.run((tx) => recordPatrol(tx, input))),
  norm: allowed("grid.read")
    .input(noInput())
    .output(patrolNormView)
    .query(({ ctx }) => ctx.run((tx) => normFor(tx, tx.ctx.scope))),
  setNorm: allowed("patrol.norm")
    .input(patrolNormInput)
    .output(patrolNormView)
    .mutation(({ ctx, input }) => ctx.run((tx) => setPatrolNorm(tx, input))),
  /** Each worker's week against the norm (supervision by the grid leader and the township). */
  figures: allowed("grid.read")
    .meta({ reads: "replica" })
    .input(strict({ day: isoDate().optional() }).optional())
    .output(patrolWeek)
    .query(({ ctx, input }) => ctx.run((tx) => patrolFigures(tx, { day: input?.day }))),
});
