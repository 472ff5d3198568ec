import { z } from "zod";
import { createDeployment, listDeployments, setDeploymentStatus } from "../services/platform.ts";
import { allowed, router } from "../trpc.ts";
import { divisionCode, userInput } from "./inputs.ts";

/** Operators: deployments and their first administrators. */
export const platformRouter = router({
  deployments: allowed("platform.deployments").query(({ ctx }) => ctx.run((tx) => listDeployments(tx))),

  createDeployment: allowed("platform.deployments")
    .input(z.object({ code: divisionCode, admin: userInput.pick({ username: true, displayName: true }) }))
    .mutation(({ ctx, input }) => ctx.run((tx) => createDeployment(tx, input, ctx.origin))),

  setDeploymentStatus: allowed("platform.deployments")
    .input(z.object({ id: z.uuid(), status: z.enum(["active", "suspended"]), version: z.number().int() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => setDeploymentStatus(tx, input))),
});
