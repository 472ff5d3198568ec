import type { Tx } from "@zongzhi/db/client";
import { gridAssignments, grids, gridWorkers } from "@zongzhi/db/schema";
import { conflict, notFound } from "@zongzhi/domain";
import { eq } from "drizzle-orm";
import type { z } from "zod";
import type { gridView, gridWorkerView } from "../schemas/grids.ts";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { targetScope, updateVersionedRow } from "./centre-target.ts";

/** A GeoJSON polygon or multipolygon (WGS 84 longitude, latitude). */
export type GridBoundary =
  | { type: "Polygon"; coordinates: number[][][] }
  | { type: "MultiPolygon"; coordinates: number[][][][] };

/** One grid as the pages show it (grids.list and the grid mutations answer it). */
export type Grid = z.output<typeof gridView>;

/** Fields of a grid a unit sets. */
export interface GridFields {
  name: string;
  exclusiveType?: Grid["exclusiveType"] | undefined;
  households: number;
  population: number;
  boundary?: GridBoundary | null | undefined;
}

const gridColumns = (tx: Tx) => tx.sql`g.id, g.scope_code as "scopeCode", g.parent_id as "parentId", g.tier,
  g.exclusive_type as "exclusiveType", g.code, g.name, g.households, g.population, g.boundary, g.active, g.version,
  coalesce((select json_agg(json_build_object('workerId', w.id, 'name', w.name, 'kind', w.kind, 'leader', a.leader)
      order by a.leader desc, w.name)
    from app.grid_assignments a join app.grid_workers w on w.id = a.worker_id where a.grid_id = g.id), '[]') as workers`;

/**
 * The grids of a unit's subtree (the caller's own unit, or one below it), with the grids of the
 * units above it that they hang under, in code order (a code extends its parent's within a unit).
 */
export async function listGrids(tx: Tx, tenantId?: string): Promise<Grid[]> {
  const scope = await targetScope(tx, tenantId);
  return tx.sql<Grid[]>`select ${gridColumns(tx)} from app.grids g
    where (g.scope_code >= ${scope} and g.scope_code < ${`${scope}:`}) or starts_with(${scope}, g.scope_code)
    order by g.code limit 5000`;
}

async function getGrid(tx: Tx, id: string): Promise<Grid> {
  const [row] = await tx.sql<Grid[]>`select ${gridColumns(tx)} from app.grids g where g.id = ${id}`;
  if (!row) throw notFound({ zh: "网格", en: "grid" });
  return row;
}

/**
 * Adds a grid to the caller's unit: at the top (no parent) or under a grid of its own unit or
 * of a unit above. Its code is the parent's code (a parent of the same unit) or the unit's
 * division code, followed by `number`.
 */
export async function createGrid(
  tx: Tx,
  input: GridFields & { parentId?: string | null | undefined; tier: Grid["tier"]; number: string },
): Promise<Grid> {
  authorizeFor(tx, "grid.manage", tx.ctx.scope);
  let prefix = tx.ctx.scope;
  if (input.parentId) {
    const [parent] = await tx.db
      .select({ code: grids.code, scopeCode: grids.scopeCode })
      .from(grids)
      .where(eq(grids.id, input.parentId));
    if (!parent) throw notFound({ zh: "上级网格", en: "parent grid" });
    if (parent.scopeCode === tx.ctx.scope) prefix = parent.code;
  }
  const [row] = await tx.db
    .insert(grids)
    .values({
      parentId: input.parentId ?? null,
      tier: input.tier,
      exclusiveType: input.exclusiveType ?? null,
      code: `${prefix}-${input.number}`,
      name: input.name,
      households: input.households,
      population: input.population,
      boundary: input.boundary ?? null,
    })
    .returning({ id: grids.id });
  await recordAudit(tx, { kind: "grid.created", subjectId: row!.id });
  return getGrid(tx, row!.id);
}

/** Changes a grid's name, type, figures, boundary or status (its place in the tree and its code stay). */
export async function editGrid(
  tx: Tx,
  input: GridFields & { id: string; version: number; active: boolean },
): Promise<Grid> {
  await updateVersionedRow(
    tx,
    grids,
    input.id,
    input.version,
    {
      name: input.name,
      exclusiveType: input.exclusiveType ?? null,
      households: input.households,
      population: input.population,
      boundary: input.boundary ?? null,
      active: input.active,
    },
    "grid.manage",
  );
  return getGrid(tx, input.id);
}

/** Replaces the workers of a grid (at most one of them its leader). */
export async function assignGrid(
  tx: Tx,
  input: { id: string; version: number; workers: { workerId: string; leader: boolean }[] },
): Promise<Grid> {
  await updateVersionedRow(tx, grids, input.id, input.version, {}, "grid.manage");
  if (input.workers.filter((w) => w.leader).length > 1) {
    throw conflict({ zh: "每个网格只能有一名网格长", en: "A grid has one leader at most" });
  }
  await tx.db.delete(gridAssignments).where(eq(gridAssignments.gridId, input.id));
  for (const w of input.workers) {
    await tx.db.insert(gridAssignments).values({ gridId: input.id, workerId: w.workerId, leader: w.leader });
  }
  await recordAudit(tx, { kind: "grid.assigned", subjectId: input.id, detail: { workers: input.workers.length } });
  return getGrid(tx, input.id);
}

/** A grid worker with the grids it works (grids.workers and the worker mutations answer it). */
export type GridWorker = z.output<typeof gridWorkerView>;

/** Fields of a grid worker. */
export interface GridWorkerFields {
  name: string;
  phone?: string | null | undefined;
  kind: GridWorker["kind"];
  userId?: string | null | undefined;
}

const workerColumns = (tx: Tx) => tx.sql`w.id, w.scope_code as "scopeCode", w.name, w.phone, w.kind,
  w.user_id as "userId", u.username, w.active, w.version,
  coalesce((select json_agg(json_build_object('gridId', g.id, 'code', g.code, 'name', g.name, 'leader', a.leader)
      order by g.code)
    from app.grid_assignments a join app.grids g on g.id = a.grid_id where a.worker_id = w.id), '[]') as grids`;

/** The grid workers of a unit and of the units above it (whose workers it may assign). */
export async function listGridWorkers(tx: Tx, tenantId?: string): Promise<GridWorker[]> {
  const scope = await targetScope(tx, tenantId);
  return tx.sql<GridWorker[]>`select ${workerColumns(tx)} from app.grid_workers w
    left join app.users u on u.id = w.user_id
    where starts_with(${scope}, w.scope_code) order by w.scope_code desc, w.name limit 5000`;
}

async function getGridWorker(tx: Tx, id: string): Promise<GridWorker> {
  const [row] = await tx.sql<GridWorker[]>`select ${workerColumns(tx)} from app.grid_workers w
    left join app.users u on u.id = w.user_id where w.id = ${id}`;
  if (!row) throw notFound({ zh: "网格员", en: "grid worker" });
  return row;
}

/** Adds a grid worker to the caller's unit. */
export async function addGridWorker(tx: Tx, input: GridWorkerFields): Promise<GridWorker> {
  authorizeFor(tx, "grid.manage", tx.ctx.scope);
  const [row] = await tx.db
    .insert(gridWorkers)
    .values({ name: input.name, phone: input.phone ?? null, kind: input.kind, userId: input.userId ?? null })
    .returning({ id: gridWorkers.id });
  await recordAudit(tx, { kind: "grid.worker_added", subjectId: row!.id });
  return getGridWorker(tx, row!.id);
}

/** Changes a grid worker. */
export async function editGridWorker(
  tx: Tx,
  input: GridWorkerFields & { id: string; version: number; active: boolean },
): Promise<GridWorker> {
  await updateVersionedRow(
    tx,
    gridWorkers,
    input.id,
    input.version,
    {
      name: input.name,
      phone: input.phone ?? null,
      kind: input.kind,
      userId: input.userId ?? null,
      active: input.active,
    },
    "grid.manage",
  );
  return getGridWorker(tx, input.id);
}
