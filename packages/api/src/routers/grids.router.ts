import { z } from "zod";
import { decimal, id, int32, pattern, strict, text, version } from "../input.ts";
import {
  addGridWorker,
  assignGrid,
  createGrid,
  EXCLUSIVE_TYPES,
  editGrid,
  editGridWorker,
  GRID_TIERS,
  GRID_WORKER_KINDS,
  listGrids,
  listGridWorkers,
} from "../services/grids.ts";
import { allowed, router } from "../trpc.ts";

const bilingual = (zh: string, en: string) => ({ params: { zh, en } });

/** A position [longitude, latitude] in WGS 84. */
const position = z
  .array(decimal({ min: -180, max: 180 }))
  .min(2)
  .max(2)
  .refine((p) => Math.abs(p[1]!) <= 90, {
    path: [1],
    ...bilingual("纬度须在 -90 到 90 之间", "latitude is -90 to 90"),
  });
/** A closed linear ring: at least four positions, the last equal to the first. */
const ring = z
  .array(position)
  .min(4)
  .max(5000)
  .refine((r) => r[0]![0] === r.at(-1)![0] && r[0]![1] === r.at(-1)![1], {
    ...bilingual("边界的首尾坐标须相同（闭合）", "a boundary ring must end where it starts"),
  });
const MAX_POSITIONS = 20000;
const countPositions = (rings: number[][][]) => rings.reduce((n, r) => n + r.length, 0);
/** A GeoJSON Polygon or MultiPolygon (RFC 7946), at most 20,000 positions in all. */
export const gridBoundary = z
  .union([
    strict({ type: z.literal("Polygon"), coordinates: z.array(ring).min(1).max(50) }),
    strict({
      type: z.literal("MultiPolygon"),
      coordinates: z.array(z.array(ring).min(1).max(50)).min(1).max(50),
    }),
  ])
  .refine(
    (b) =>
      (b.type === "Polygon"
        ? countPositions(b.coordinates)
        : b.coordinates.reduce((n, p) => n + countPositions(p), 0)) <= MAX_POSITIONS,
    bilingual(`边界坐标点不能超过 ${MAX_POSITIONS} 个`, `a boundary has at most ${MAX_POSITIONS} positions`),
  );

const phone = pattern(/^[0-9+\- ]{5,20}$/, "电话号码格式不正确", "invalid phone number", { max: 40, normalise: true });
const ofTenant = strict({ tenantId: id().optional() });

const gridFields = {
  name: text(60),
  exclusiveType: z.enum(EXCLUSIVE_TYPES).nullish(),
  households: int32({ max: 1_000_000 }),
  population: int32({ max: 10_000_000 }),
  boundary: gridBoundary.nullish(),
};
const workerFields = {
  name: text(30),
  phone: phone.nullish(),
  kind: z.enum(GRID_WORKER_KINDS),
  userId: id().nullish(),
};

/** The grid (一张网): grids on their tiers, grid workers and who works which grid. */
export const gridsRouter = router({
  list: allowed("grid.read")
    .input(ofTenant.optional())
    .query(({ ctx, input }) => ctx.run((tx) => listGrids(tx, input?.tenantId))),
  create: allowed("grid.manage")
    .input(
      strict({
        ...gridFields,
        parentId: id().nullish(),
        tier: z.enum(GRID_TIERS),
        number: pattern(/^[0-9A-Z]{1,8}$/, "网格编号为1–8位数字或大写字母", "1–8 digits or capital letters", {
          max: 8,
        }),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => createGrid(tx, input))),
  edit: allowed("grid.manage")
    .input(strict({ ...gridFields, id: id(), version: version(), active: z.boolean().default(true) }))
    .mutation(({ ctx, input }) => ctx.run((tx) => editGrid(tx, input))),
  assign: allowed("grid.manage")
    .input(
      strict({
        id: id(),
        version: version(),
        workers: z
          .array(strict({ workerId: id(), leader: z.boolean().default(false) }))
          .max(50)
          .refine((ws) => new Set(ws.map((w) => w.workerId)).size === ws.length, {
            ...bilingual("同一网格员不能重复分配", "a worker is listed twice"),
          }),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => assignGrid(tx, input))),
  workers: allowed("grid.read")
    .input(ofTenant.optional())
    .query(({ ctx, input }) => ctx.run((tx) => listGridWorkers(tx, input?.tenantId))),
  addWorker: allowed("grid.manage")
    .input(strict(workerFields))
    .mutation(({ ctx, input }) => ctx.run((tx) => addGridWorker(tx, input))),
  editWorker: allowed("grid.manage")
    .input(strict({ ...workerFields, id: id(), version: version(), active: z.boolean().default(true) }))
    .mutation(({ ctx, input }) => ctx.run((tx) => editGridWorker(tx, input))),
});
