import { z } from "zod";
import { id, strict } from "../input.ts";
import {
  gridAssignInput,
  gridEditInput,
  gridInput,
  gridView,
  gridWorkerEditInput,
  gridWorkerInput,
  gridWorkerView,
} from "../schemas/grids.ts";
import {
  addGridWorker,
  assignGrid,
  createGrid,
  editGrid,
  editGridWorker,
  listGrids,
  listGridWorkers,
} from "../services/grids.ts";
import { allowed, router } from "../trpc.ts";

const ofTenant = strict({ tenantId: id().optional() });

/** The grid (一张网): grids on their tiers, grid workers and who works which grid. */
export const gridsRouter = router({
  list: allowed("grid.read")
    .input(ofTenant.optional())
    .output(z.array(gridView))
    .query(({ ctx, input }) => ctx.run((tx) => listGrids(tx, input?.tenantId))),
  create: allowed("grid.manage")
    .input(gridInput)
    .output(gridView)
    .mutation(({ ctx, input }) => ctx.run((tx) => createGrid(tx, input))),
  edit: allowed("grid.manage")
    .input(gridEditInput)
    .output(gridView)
    .mutation(({ ctx, input }) => ctx.run((tx) => editGrid(tx, input))),
  assign: allowed("grid.manage")
    .input(gridAssignInput)
    .output(gridView)
    .mutation(({ ctx, input }) => ctx.run((tx) => assignGrid(tx, input))),
  workers: allowed("grid.read")
    .input(ofTenant.optional())
    .output(z.array(gridWorkerView))
    .query(({ ctx, input }) => ctx.run((tx) => listGridWorkers(tx, input?.tenantId))),
  addWorker: allowed("grid.manage")
    .input(gridWorkerInput)
    .output(gridWorkerView)
    .mutation(({ ctx, input }) => ctx.run((tx) => addGridWorker(tx, input))),
  editWorker: allowed("grid.manage")
    .input(gridWorkerEditInput)
    .output(gridWorkerView)
    .mutation(({ ctx, input }) => ctx.run((tx) => editGridWorker(tx, input))),
});
