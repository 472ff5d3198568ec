import { OPERATOR_SCOPE, type Tx } from "@zongzhi/db/client";
import { refDivisions, tenants } from "@zongzhi/db/schema";
import {
  AppError,
  ancestorCodesOf,
  childLevel,
  isDivisionCode,
  LEVELS,
  type Level,
  notFound,
  parentCodeOf,
} from "@zongzhi/domain";
import { and, count, eq, inArray, sql } from "drizzle-orm";
import type { OnboardResult, RegistryHit, RegistryUnit, TenantView, UnitPage, UnitRow } from "../schemas/tenants.ts";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";

/** A unit, a registry unit and a page of them, as the tenants procedures answer (schemas/tenants.ts). */
export type { OnboardResult, RegistryHit, RegistryUnit, TenantView, UnitPage, UnitRow };

const TENANT_NOT_FOUND = { zh: "单位", en: "unit" };

type TenantRow = {
  id: string;
  code: string;
  level: Level;
  name: string;
  status: "active" | "suspended";
  parent_id: string | null;
  root_code: string;
  version: number;
  created_at: Date;
};

function view(r: TenantRow): TenantView {
  return {
    id: r.id,
    code: r.code,
    level: r.level,
    name: r.name,
    status: r.status,
    parentId: r.parent_id,
    rootCode: r.root_code,
    version: r.version,
    createdAt: r.created_at,
  };
}

/** The columns of a tenant as the API returns it (TenantView). */
const tenantColumns = {
  id: tenants.id,
  code: tenants.code,
  level: tenants.level,
  name: tenants.name,
  status: tenants.status,
  parentId: tenants.parentId,
  rootCode: tenants.rootCode,
  version: tenants.version,
  createdAt: tenants.createdAt,
};

/** A tenant in the caller's subtree by id; a foreign id is NOT_FOUND, like a missing one. */
export async function getTenant(tx: Tx, id: string): Promise<TenantView> {
  const [row] = await tx.db.select(tenantColumns).from(tenants).where(eq(tenants.id, id));
  if (!row) throw notFound(TENANT_NOT_FOUND);
  return row;
}

/** A tenant in the caller's subtree by division code. */
export async function getTenantByCode(tx: Tx, code: string): Promise<TenantView> {
  const [row] = await tx.db.select(tenantColumns).from(tenants).where(eq(tenants.code, code));
  if (!row) throw notFound(TENANT_NOT_FOUND);
  return row;
}

/** Registry units by code (public registry data). */
const registryUnits = (tx: Tx, codes: string[]) =>
  tx.db
    .select({ code: refDivisions.code, name: refDivisions.name, level: refDivisions.level })
    .from(refDivisions)
    .where(inArray(refDivisions.code, codes));

/** Names of the units on the path from the province down to `code` (public registry data). */
export async function pathOf(tx: Tx, code: string): Promise<RegistryUnit[]> {
  return registryUnits(tx, [...ancestorCodesOf(code), code]).orderBy(sql`length(${refDivisions.code})`);
}

/** Counts of onboarded units by level in the caller's subtree (its own row included). */
export async function subtreeCounts(tx: Tx): Promise<Record<Level, number>> {
  const rows = await tx.db.select({ level: tenants.level, n: count() }).from(tenants).groupBy(tenants.level);
  const out = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  for (const r of rows) out[r.level] = r.n;
  return out;
}

/**
 * One page of the registry units directly under `parentCode`, each with its onboarding
 * state. Keyset-paged by code, so that a township of a province with 20,000 villages loads
 * lazily. `parentCode` must be the caller's unit or inside its subtree.
 */
export async function listUnits(
  tx: Tx,
  input: { parentCode: string; after?: string | undefined; limit: number; onboardedOnly?: boolean | undefined },
): Promise<UnitPage> {
  assertInScope(tx, input.parentCode, { strict: false });
  const rows = await tx.sql<
    {
      code: string;
      name: string;
      level: Level;
      id: string | null;
      status: "active" | "suspended" | null;
      version: number | null;
      onboarded_children: number;
      registry_children: number;
    }[]
  >`select d.code, d.name, d.level, t.id, t.status, t.version,
      (select count(*)::int from app.tenants c where c.parent_id = t.id) as onboarded_children,
      (select count(*)::int from ref.divisions rc where rc.parent_code = d.code) as registry_children
    from ref.divisions d left join app.tenants t on t.code = d.code
    where d.parent_code = ${input.parentCode} and d.code > ${input.after ?? ""}
      ${input.onboardedOnly ? tx.sql`and t.id is not null` : tx.sql``}
    order by d.code limit ${input.limit + 1}`;
  const items = rows.slice(0, input.limit).map((r) => ({
    code: r.code,
    name: r.name,
    level: r.level,
    tenant:
      r.id && r.status && r.version !== null
        ? { id: r.id, status: r.status, version: r.version, onboardedChildren: r.onboarded_children }
        : null,
    registryChildren: r.registry_children,
  }));
  return { items, next: rows.length > input.limit ? (items.at(-1)?.code ?? null) : null };
}

/**
 * Searches the registry inside the caller's subtree by Chinese name (substring) or by code
 * prefix. The code range keeps it to the caller's own units; operators search it all (to
 * pick deployment roots). The registry is public data, so this is a convenience, not a guard.
 */
export async function searchRegistry(
  tx: Tx,
  input: { q: string; level?: Level | undefined; limit: number },
): Promise<RegistryHit[]> {
  const q = input.q.trim();
  const scope = tx.ctx.scope;
  const byCode = /^\d+$/.test(q);
  const rows = await tx.sql<
    {
      code: string;
      name: string;
      level: Level;
      path: string | null;
      onboarded: boolean;
      tenant_id: string | null;
      tenant_status: "active" | "suspended" | null;
      tenant_version: number | null;
    }[]
  >`
    select d.code, d.name, d.level,
      (select string_agg(a.name, ' / ' order by length(a.code)) from ref.divisions a
        where a.code = any(array[left(d.code, 2), left(d.code, 4), left(d.code, 6), left(d.code, 9)])
          and length(a.code) < length(d.code)) as path,
      t.id is not null as onboarded, t.id as tenant_id, t.status as tenant_status, t.version as tenant_version
    from ref.divisions d left join app.tenants t on t.code = d.code
    where ${scope === OPERATOR_SCOPE ? tx.sql`true` : tx.sql`d.code > ${scope} and d.code < ${scope} || ':'`}
      ${byCode ? tx.sql`and starts_with(d.code, ${q})` : tx.sql`and strpos(d.name, ${q}) > 0`}
      ${input.level ? tx.sql`and d.level = ${input.level}` : tx.sql``}
    order by length(d.code), d.code limit ${input.limit}`;
  return rows.map(({ tenant_id, tenant_status, tenant_version, ...r }) => ({
    ...r,
    path: r.path ?? "",
    tenant:
      tenant_id && tenant_status && tenant_version !== null
        ? { id: tenant_id, status: tenant_status, version: tenant_version }
        : null,
  }));
}

/** Refuses a code outside the caller's subtree (strict: the caller's own unit excluded). */
function assertInScope(tx: Tx, code: string, { strict }: { strict: boolean }): void {
  const scope = tx.ctx.scope;
  const inside = code.startsWith(scope) && (!strict || code !== scope);
  if (!isDivisionCode(code) || !inside) throw notFound(TENANT_NOT_FOUND);
}

/**
 * Onboards units of the registry below the caller: each requested code plus any missing unit
 * between the caller and it; with `branch`, every registry unit below it as well (a township
 * with all its villages). Idempotent: units already onboarded are reported, not duplicated.
 */
export async function onboardUnits(
  tx: Tx,
  input: { codes: string[]; branch: boolean; rootCode: string },
): Promise<OnboardResult> {
  const wanted = new Set<string>();
  for (const code of input.codes) {
    assertInScope(tx, code, { strict: true });
    // The subject is the unit the new one goes under (the caller's own, or one below it).
    authorizeFor(tx, "tenant.onboard", parentCodeOf(code) ?? code);
    for (const a of ancestorCodesOf(code)) if (a.length > tx.ctx.scope.length) wanted.add(a);
    wanted.add(code);
  }
  const codes = [...wanted].sort((a, b) => a.length - b.length || a.localeCompare(b));
  const registry = await registryUnits(tx, codes);
  const byCode = new Map(registry.map((r) => [r.code, r]));
  const missing = codes.filter((c) => !byCode.has(c));
  if (missing.length > 0) {
    throw new AppError(
      "VALIDATION",
      {
        zh: `区划代码不在行政区划库中：${missing.join("、")}`,
        en: `Not in the division registry: ${missing.join(", ")}`,
      },
      { missing },
    );
  }
  // Serialise onboarding within one deployment so that parallel requests never race.
  await tx.sql`select pg_advisory_xact_lock(hashtext(${`onboard:${input.rootCode}`}))`;
  const existing = await tx.db
    .select({ id: tenants.id, code: tenants.code })
    .from(tenants)
    .where(inArray(tenants.code, [tx.ctx.scope, ...codes]));
  const ids = new Map(existing.map((r) => [r.code, r.id]));
  const created: TenantView[] = [];
  const alreadyOnboarded = input.codes.filter((c) => ids.has(c));
  for (const code of codes) {
    if (ids.has(code)) continue;
    const unit = byCode.get(code)!;
    const parentCode = ancestorCodesOf(code).at(-1)!;
    const parentId = ids.get(parentCode);
    if (!parentId) throw notFound(TENANT_NOT_FOUND);
    const [row] = await tx.db
      .insert(tenants)
      .values({ code, level: unit.level, parentId, rootCode: input.rootCode, name: unit.name })
      .returning(tenantColumns);
    ids.set(code, row!.id);
    created.push(row!);
  }
  if (input.branch) {
    for (const code of input.codes) {
      let level = childLevel(byCode.get(code)!.level);
      while (level) {
        const rows = await tx.sql<TenantRow[]>`insert into app.tenants (code, level, parent_id, root_code, name)
          select d.code, d.level, p.id, ${input.rootCode}, d.name
          from ref.divisions d join app.tenants p on p.code = d.parent_code
          where d.code > ${code} and d.code < ${code} || ':' and d.level = ${level}
          order by d.code
          on conflict (code) do nothing
          returning id, code, level, name, status, parent_id, root_code, version, created_at`;
        created.push(...rows.map(view));
        level = childLevel(level);
      }
    }
  }
  if (created.length > 0) {
    await recordAudit(tx, {
      kind: "tenant.onboarded",
      subjectId: input.codes.join(","),
      detail: { created: created.length, branch: input.branch },
    });
  }
  return { created, alreadyOnboarded };
}

/**
 * Suspends or reactivates a descendant unit (never the caller's own). A suspended unit's
 * users — and those of every unit below it — can no longer sign in; its data stays.
 */
export async function setTenantStatus(
  tx: Tx,
  input: { id: string; status: "active" | "suspended"; version: number },
): Promise<TenantView> {
  const current = await getTenant(tx, input.id); // NOT_FOUND for foreign ids
  if (current.code === tx.ctx.scope) {
    throw new AppError("FORBIDDEN", { zh: "不能停用本单位", en: "You cannot suspend your own unit" });
  }
  authorizeFor(tx, "tenant.suspend", current.code);
  const [row] = await tx.db
    .update(tenants)
    .set({ status: input.status, version: sql`version + 1`, updatedAt: sql`now()` })
    .where(and(eq(tenants.id, input.id), eq(tenants.version, input.version)))
    .returning(tenantColumns);
  if (!row) {
    throw new AppError("CONFLICT", {
      zh: "该单位已被他人修改，请刷新后重试",
      en: "The unit was changed by someone else; reload and retry",
    });
  }
  await recordAudit(tx, { kind: `tenant.${input.status}`, subjectId: row.code });
  return row;
}
