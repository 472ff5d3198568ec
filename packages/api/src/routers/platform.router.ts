import { z } from "zod";
import { id, noInput, strict, version } from "../input.ts";
import { createdAccount } from "../schemas/accounts.ts";
import { divisionCode, nothing } from "../schemas/common.ts";
import { createdDeployment, deploymentView } from "../schemas/tenants.ts";
import { userInput } from "../schemas/users.ts";
import { addSecurityAdmin, createDeployment, listDeployments, setDeploymentStatus } from "../services/platform.ts";
import { allowed, router } from "../trpc.ts";

/** Operators: deployments and their first administrators (centre and, optionally, security). */
export const platformRouter = router({
  deployments: allowed("platform.deployments")
    .input(noInput())
    .output(z.array(deploymentView))
    .query(({ ctx }) => ctx.run((tx) => listDeployments(tx))),

  createDeployment: allowed("platform.deployments")
    .input(
      strict({
        code: divisionCode,
        admin: userInput.pick({ username: true, displayName: true }),
        security: userInput.pick({ username: true, displayName: true }).optional(),
      }),
    )
    .output(createdDeployment)
    .mutation(({ ctx, input }) => ctx.run((tx) => createDeployment(tx, input, ctx.origin))),

  /** A deployment without a security administrator (made before the role existed) gets its first one. */
  addSecurityAdmin: allowed("platform.deployments")
    .input(strict({ id: id(), security: userInput.pick({ username: true, displayName: true }) }))
    .output(createdAccount)
    .mutation(({ ctx, input }) => ctx.run((tx) => addSecurityAdmin(tx, input, ctx.origin))),

  setDeploymentStatus: allowed("platform.deployments")
    .input(strict({ id: id(), status: z.enum(["active", "suspended"]), version: version() }))
    .output(nothing)
    .mutation(({ ctx, input }) => ctx.run((tx) => setDeploymentStatus(tx, input))),
});
