import { LEVELS } from "@zongzhi/domain";
import { z } from "zod";
import { id, int32, pattern, strict, text, version } from "../input.ts";
import { divisionCode } from "../schemas/common.ts";
import { onboarded, registryHit, tenantDetail, tenantView, unitPage } from "../schemas/tenants.ts";
import { userInput } from "../schemas/users.ts";
import {
  getTenant,
  listUnits,
  onboardUnits,
  pathOf,
  searchRegistry,
  setTenantStatus,
  subtreeCounts,
} from "../services/tenants.ts";
import { createUser } from "../services/users.ts";
import { allowed, router } from "../trpc.ts";

/** The tenant tree: browse the subtree, search the registry, onboard and suspend units. */
export const tenantsRouter = router({
  /** A unit of the subtree (default: the caller's own) with its path and counts. */
  get: allowed("tenant.read")
    .input(strict({ id: id().optional() }))
    .output(tenantDetail)
    .query(({ ctx, input }) =>
      ctx.run(async (tx) => {
        const tenant = await getTenant(tx, input.id ?? ctx.user.tenantId ?? "00000000-0000-0000-0000-000000000000");
        return { tenant, path: await pathOf(tx, tenant.code), counts: input.id ? null : await subtreeCounts(tx) };
      }),
    ),

  /** Registry units directly under a unit, with onboarding state; keyset-paged. */
  units: allowed("tenant.read")
    .input(
      strict({
        parentCode: divisionCode,
        after: pattern(/^\d{0,12}$/, "分页位置应为区划代码", "a page cursor is a division code", {
          max: 12,
        }).optional(),
        limit: int32({ min: 1, max: 200 }).default(50),
        onboardedOnly: z.boolean().optional(),
      }),
    )
    .output(unitPage)
    .query(({ ctx, input }) => ctx.run((tx) => listUnits(tx, input))),

  /** Registry search (Chinese name or code prefix) inside the caller's subtree. */
  searchRegistry: allowed("registry.read")
    .input(
      strict({
        q: text(40),
        level: z.enum(LEVELS).optional(),
        limit: int32({ min: 1, max: 100 }).default(30),
      }),
    )
    .output(z.array(registryHit))
    .query(({ ctx, input }) => ctx.run((tx) => searchRegistry(tx, input))),

  /**
   * Onboards units (and the missing units above them), optionally whole branches, and
   * optionally creates each new centre's first administrator with a setup link.
   */
  onboard: allowed("tenant.onboard")
    .input(
      strict({
        codes: z.array(divisionCode).min(1).max(50),
        branch: z.boolean().default(false),
        firstAdmin: userInput.pick({ username: true, displayName: true }).optional(),
      }),
    )
    .output(onboarded)
    .mutation(({ ctx, input }) =>
      ctx.run(async (tx) => {
        const result = await onboardUnits(tx, {
          codes: input.codes,
          branch: input.branch,
          rootCode: ctx.user.tenant?.rootCode ?? "",
        });
        let firstAdmin = null;
        const target = result.created.find((t) => t.code === input.codes[0]);
        if (input.firstAdmin && target) {
          firstAdmin = await createUser(
            tx,
            { tenantId: target.id, ...input.firstAdmin, roles: ["tenant_admin"] },
            ctx.origin,
          );
        }
        return { ...result, firstAdmin };
      }),
    ),

  /** Suspends or reactivates a descendant unit. */
  setStatus: allowed("tenant.suspend")
    .input(strict({ id: id(), status: z.enum(["active", "suspended"]), version: version() }))
    .output(tenantView)
    .mutation(({ ctx, input }) => ctx.run((tx) => setTenantStatus(tx, input))),
});
