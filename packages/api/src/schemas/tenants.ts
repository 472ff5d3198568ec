import { LEVELS, type Level } from "@zongzhi/domain/division";
import { z } from "zod";
import { createdAccount } from "./accounts.ts";

// The output contracts of the tenant tree and the installation's deployments (the tenants and
// platform routers): what their procedures answer. The services' return types are these
// schemas' types, the procedures declare them with `.output()`, and the UI reads them through
// inferRouterOutputs. Only zod and the domain's pure modules: the browser may load this module.

const level = z.enum(LEVELS);
const tenantStatus = z.enum(["active", "suspended"]);

/** An onboarded unit (tenant) as the API returns it. */
export const tenantView = z.object({
  id: z.string(),
  code: z.string(),
  level,
  name: z.string(),
  status: tenantStatus,
  parentId: z.string().nullable(),
  rootCode: z.string(),
  version: z.number(),
  createdAt: z.date(),
});

/** A unit of the registry on the path from the province down (public registry data). */
export const registryUnit = z.object({ code: z.string(), name: z.string(), level });

/** tenants.get: a unit, its path from the top, and (for the caller's own unit) the onboarded units by level. */
export const tenantDetail = z.object({
  tenant: tenantView,
  path: z.array(registryUnit),
  counts: z.record(level, z.number()).nullable() satisfies z.ZodType<Record<Level, number> | null>,
});

/** A registry unit under some parent, with its onboarding state (tenants.units). */
export const unitRow = registryUnit.extend({
  tenant: z
    .object({ id: z.string(), status: tenantStatus, version: z.number(), onboardedChildren: z.number() })
    .nullable(),
  registryChildren: z.number(),
});

/** One page of registry units; `next` is the cursor of the next page (null: the last). */
export const unitPage = z.object({ items: z.array(unitRow), next: z.string().nullable() });

/** A registry hit with the names of the units above it, for disambiguation (tenants.searchRegistry). */
export const registryHit = registryUnit.extend({
  path: z.string(),
  onboarded: z.boolean(),
  /** The onboarded unit, when it is one (to open, suspend or manage it from a search hit). */
  tenant: z.object({ id: z.string(), status: tenantStatus, version: z.number() }).nullable(),
});

/** What onboarding created (and what already existed). */
export const onboardResult = z.object({ created: z.array(tenantView), alreadyOnboarded: z.array(z.string()) });

/** tenants.onboard: the result and, when asked for, the new centre's first administrator. */
export const onboarded = onboardResult.extend({ firstAdmin: createdAccount.nullable() });

/** A deployment: one root unit and everything onboarded below it (platform.deployments). */
export const deploymentView = z.object({
  id: z.string(),
  code: z.string(),
  level,
  name: z.string(),
  status: tenantStatus,
  createdAt: z.date(),
  version: z.number(),
  tenants: z.number(),
  users: z.number(),
  /** Active security administrators of the root unit: 0 on a deployment made before they existed. */
  securityAdmins: z.number(),
});

/** platform.createDeployment: the deployment, its first administrator and, when asked for, its security administrator. */
export const createdDeployment = z.object({
  deployment: z.object({ id: z.string(), code: z.string(), name: z.string() }),
  admin: createdAccount.shape.user,
  setupLink: createdAccount.shape.setupLink,
  security: createdAccount.nullable(),
});

export type TenantView = z.output<typeof tenantView>;
export type RegistryUnit = z.output<typeof registryUnit>;
export type UnitRow = z.output<typeof unitRow>;
export type UnitPage = z.output<typeof unitPage>;
export type RegistryHit = z.output<typeof registryHit>;
export type OnboardResult = z.output<typeof onboardResult>;
export type Deployment = z.output<typeof deploymentView>;
export type CreatedDeployment = z.output<typeof createdDeployment>;
