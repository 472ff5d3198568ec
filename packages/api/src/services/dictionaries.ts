import { randomBytes } from "node:crypto";
import type { Tx } from "@zongzhi/db/client";
import { caseCategories, dictionaryEntries, refDivisions } from "@zongzhi/db/schema";
import { ancestorCodesOf, conflict, notFound } from "@zongzhi/domain";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { Category, DictionaryEntry, DictionaryKind } from "../schemas/config-views.ts";
import { authorizeFor } from "./actor.ts";

export { DICTIONARY_KINDS } from "../schemas/config-views.ts";
/** One dispute category and one plain dictionary entry as the dictionaries page shows them (schemas/config-views.ts). */
export type { Category, DictionaryEntry, DictionaryKind };

/**
 * The categories the caller's unit may use (字典管理 · 纠纷类别): the national catalogue and the
 * entries of its own unit and the units above it, in catalogue order then by name. Inactive
 * entries are listed (marked) so that their unit may reactivate them; intake refuses them.
 */
export async function listCategories(tx: Tx): Promise<Category[]> {
  const path = [tx.ctx.scope, ...ancestorCodesOf(tx.ctx.scope)];
  const rows = await tx.sql<
    {
      code: string;
      name: string;
      docking: boolean;
      active: boolean;
      id: string | null;
      scope_code: string | null;
      unit_name: string | null;
      version: number | null;
    }[]
  >`select code, name, docking, true as active, null::uuid as id, null as scope_code, null as unit_name,
      null::int as version, sort, 0 as depth
    from ref.case_categories
    union all
    select c.code, c.name, c.docking, c.active, c.id, c.scope_code, d.name, c.version, 1000, length(c.scope_code)
    from app.case_categories c left join ref.divisions d on d.code = c.scope_code
    where c.scope_code = any(${path}::text[])
    order by sort, depth, name`;
  return rows.map((r) => ({
    code: r.code,
    name: r.name,
    docking: r.docking,
    active: r.active,
    id: r.id,
    scopeCode: r.scope_code,
    unitName: r.unit_name,
    version: r.version,
    own: r.scope_code === tx.ctx.scope,
  }));
}

/** Adds a category of the caller's unit (its code is made here: `x_` and 12 hex digits). */
export async function addCategory(
  tx: Tx,
  input: { name: string; docking: boolean },
): Promise<{ id: string; code: string }> {
  authorizeFor(tx, "dictionary.manage", tx.ctx.scope);
  const code = `x_${randomBytes(6).toString("hex")}`;
  const [row] = await tx.db
    .insert(caseCategories)
    .values({ code, name: input.name, docking: input.docking })
    .returning({ id: caseCategories.id });
  return { id: row!.id, code };
}

/** Renames, re-flags or (de)activates one of the caller's unit's categories (optimistic version). */
export async function editCategory(
  tx: Tx,
  input: { id: string; version: number; name: string; docking: boolean; active: boolean },
): Promise<{ id: string; version: number }> {
  const [row] = await tx.db
    .select({ scopeCode: caseCategories.scopeCode })
    .from(caseCategories)
    .where(eq(caseCategories.id, input.id));
  if (!row) throw notFound({ zh: "纠纷类别", en: "category" });
  authorizeFor(tx, "dictionary.manage", row.scopeCode);
  const [done] = await tx.db
    .update(caseCategories)
    .set({ name: input.name, docking: input.docking, active: input.active, version: sql`version + 1` })
    .where(and(eq(caseCategories.id, input.id), eq(caseCategories.version, input.version)))
    .returning({ version: caseCategories.version });
  if (!done) throw conflict();
  return { id: input.id, version: done.version };
}

/**
 * The entries the caller's unit may use: its own and those of the units above it, nearest unit
 * last, by kind then name. Inactive entries are listed (marked) so that their unit may reactivate
 * them; the forms offer only active ones.
 */
export async function listEntries(tx: Tx): Promise<DictionaryEntry[]> {
  const path = [tx.ctx.scope, ...ancestorCodesOf(tx.ctx.scope)];
  const rows = await tx.db
    .select({
      id: dictionaryEntries.id,
      kind: dictionaryEntries.kind,
      name: dictionaryEntries.name,
      active: dictionaryEntries.active,
      version: dictionaryEntries.version,
      scope_code: dictionaryEntries.scopeCode,
      unit_name: refDivisions.name,
    })
    .from(dictionaryEntries)
    .leftJoin(refDivisions, eq(refDivisions.code, dictionaryEntries.scopeCode))
    .where(inArray(dictionaryEntries.scopeCode, path))
    .orderBy(dictionaryEntries.kind, sql`length(${dictionaryEntries.scopeCode})`, dictionaryEntries.name);
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    active: r.active,
    version: r.version,
    scopeCode: r.scope_code,
    unitName: r.unit_name,
    own: r.scope_code === tx.ctx.scope,
  }));
}

/** Adds an entry of the caller's unit (a name already in its dictionary of that kind is a conflict). */
export async function addEntry(tx: Tx, input: { kind: DictionaryKind; name: string }): Promise<{ id: string }> {
  authorizeFor(tx, "dictionary.manage", tx.ctx.scope);
  const [row] = await tx.db
    .insert(dictionaryEntries)
    .values({ kind: input.kind, name: input.name })
    .returning({ id: dictionaryEntries.id });
  return { id: row!.id };
}

/** Renames or (de)activates one of the caller's unit's entries (optimistic version). */
export async function editEntry(
  tx: Tx,
  input: { id: string; version: number; name: string; active: boolean },
): Promise<{ id: string; version: number }> {
  const [row] = await tx.db
    .select({ scopeCode: dictionaryEntries.scopeCode })
    .from(dictionaryEntries)
    .where(eq(dictionaryEntries.id, input.id));
  if (!row) throw notFound({ zh: "字典项", en: "dictionary entry" });
  authorizeFor(tx, "dictionary.manage", row.scopeCode);
  const [done] = await tx.db
    .update(dictionaryEntries)
    .set({ name: input.name, active: input.active, version: sql`version + 1` })
    .where(and(eq(dictionaryEntries.id, input.id), eq(dictionaryEntries.version, input.version)))
    .returning({ version: dictionaryEntries.version });
  if (!done) throw conflict();
  return { id: input.id, version: done.version };
}
