import { EXCLUSIVE_TYPES, GRID_TIERS, GRID_WORKER_KINDS } from "@zongzhi/domain/grid";
import { z } from "zod";
import { decimal, id, int32, pattern, strict, text, version } from "../input.ts";
import { phone } from "./centre.ts";

// Input schemas of the grid (网格管理: grids, their workers, who works which grid, the patrol
// norm) that the admin UI's forms validate with too. Only zod and the domain: the browser bundles it.

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
const gridBoundary = z
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

const gridFields = {
  name: text(60),
  exclusiveType: z.enum(EXCLUSIVE_TYPES).nullish(),
  households: int32({ max: 1_000_000 }),
  population: int32({ max: 10_000_000 }),
  boundary: gridBoundary.nullish(),
};

/** What an edit of a grid changes (grids.edit adds id, version and active). */
export const gridDetails = strict(gridFields);

/** A new grid under a parent (grids.create): its tier and number among its siblings. */
export const gridInput = strict({
  ...gridFields,
  parentId: id().nullish(),
  tier: z.enum(GRID_TIERS),
  number: pattern(/^[0-9A-Z]{1,8}$/, "网格编号为1–8位数字或大写字母", "1–8 digits or capital letters", {
    max: 8,
  }),
});

/** An edit of a grid (grids.edit). */
export const gridEditInput = strict({ ...gridFields, id: id(), version: version(), active: z.boolean().default(true) });

/** Who works a grid, and who leads it (grids.assign). */
export const gridAssignInput = strict({
  id: id(),
  version: version(),
  workers: z
    .array(strict({ workerId: id(), leader: z.boolean().default(false) }))
    .max(50)
    .refine((ws) => new Set(ws.map((w) => w.workerId)).size === ws.length, {
      ...bilingual("同一网格员不能重复分配", "a worker is listed twice"),
    }),
});

const workerFields = {
  name: text(30),
  phone: phone.nullish(),
  kind: z.enum(GRID_WORKER_KINDS),
  userId: id().nullish(),
};

/** A grid worker (grids.addWorker; grids.editWorker adds id, version and active). */
export const gridWorkerInput = strict(workerFields);

/** An edit of a grid worker (grids.editWorker). */
export const gridWorkerEditInput = strict({
  ...workerFields,
  id: id(),
  version: version(),
  active: z.boolean().default(true),
});

/** The patrol norm of a unit ("235": hours and metres a day, days and events a week; patrols.setNorm). */
export const patrolNormInput = strict({
  minutesPerDay: int32({ max: 960 }),
  metresPerDay: int32({ max: 100_000 }),
  eventsPerWeek: int32({ max: 500 }),
  daysPerWeek: int32({ min: 1, max: 7 }).default(5),
});

// ---------- answers (grids.*, patrols.*) ----------
// The services' return types are these schemas' types (services/grids.ts, services/patrols.ts);
// the procedures declare them with `.output()` and the grid pages read them through inferRouterOutputs.

/** A grid's boundary as stored: a GeoJSON Polygon or MultiPolygon. */
const storedBoundary = z.union([
  z.object({ type: z.literal("Polygon"), coordinates: z.array(z.array(z.array(z.number()))) }),
  z.object({ type: z.literal("MultiPolygon"), coordinates: z.array(z.array(z.array(z.array(z.number())))) }),
]);

/** One grid as the pages show it, with its workers (the leader first). */
export const gridView = z.object({
  id: z.string(),
  scopeCode: z.string(),
  parentId: z.string().nullable(),
  tier: z.enum(GRID_TIERS),
  exclusiveType: z.enum(EXCLUSIVE_TYPES).nullable(),
  code: z.string(),
  name: z.string(),
  households: z.number(),
  population: z.number(),
  boundary: storedBoundary.nullable(),
  active: z.boolean(),
  version: z.number(),
  workers: z.array(
    z.object({ workerId: z.string(), name: z.string(), kind: z.enum(GRID_WORKER_KINDS), leader: z.boolean() }),
  ),
});

/** A grid worker with the grids it works. */
export const gridWorkerView = z.object({
  id: z.string(),
  scopeCode: z.string(),
  name: z.string(),
  phone: z.string().nullable(),
  kind: z.enum(GRID_WORKER_KINDS),
  userId: z.string().nullable(),
  username: z.string().nullable(),
  active: z.boolean(),
  version: z.number(),
  grids: z.array(z.object({ gridId: z.string(), code: z.string(), name: z.string(), leader: z.boolean() })),
});

/** A patrol norm in force (patrols.norm, .setNorm): a unit's own, an ancestor's, or the default (no unit). */
export const patrolNormView = z.object({
  minutesPerDay: z.number(),
  metresPerDay: z.number(),
  eventsPerWeek: z.number(),
  daysPerWeek: z.number(),
  /** The unit whose norm it is (null: the built-in default). */
  scopeCode: z.string().nullable(),
  version: z.number().nullable(),
});

/** A recorded patrol (patrols.record): its id and the distance counted (measured along the track if any). */
export const recordedPatrol = z.object({ id: z.string(), distanceMetres: z.number() });

/** One worker's week against the norm. */
export const patrolWorkerFigures = z.object({
  workerId: z.string(),
  name: z.string(),
  scopeCode: z.string(),
  patrols: z.number(),
  minutes: z.number(),
  metres: z.number(),
  events: z.number(),
  /** Days of the week on which both the daily minutes and metres were reached. */
  daysMet: z.number(),
  meetsNorm: z.boolean(),
});

/** patrols.figures: the week (its Monday), the norm and each worker's figures. */
export const patrolWeek = z.object({ weekOf: z.string(), norm: patrolNormView, workers: z.array(patrolWorkerFigures) });
