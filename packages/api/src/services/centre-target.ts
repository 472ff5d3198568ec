import type { Permission } from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";
import { tenants } from "@zongzhi/db/schema";
import { conflict, notFound } from "@zongzhi/domain";
import { countyOf } from "@zongzhi/domain/division";
import { and, eq, sql } from "drizzle-orm";
import type { PgColumn, PgTable, PgUpdateSetSource, SelectedFields } from "drizzle-orm/pg-core";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import { authorizeFor } from "./actor.ts";

/**
 * The centre whose configuration is read: the caller's own, or a unit of its subtree (a county
 * reads its townships' rosters). A unit outside the subtree is NOT_FOUND (RLS decides).
 */
export async function targetScope(tx: Tx, tenantId: string | undefined): Promise<string> {
  if (!tenantId || tenantId === tx.ctx.tenantId) return tx.ctx.scope;
  const [row] = await tx.db.select({ code: tenants.code }).from(tenants).where(eq(tenants.id, tenantId));
  if (!row) throw notFound({ zh: "单位", en: "unit" });
  return row.code;
}

/** A configuration table a versioned update can name: its row id, unit, county and version. */
type VersionedTable = PgTable & { id: PgColumn; scopeCode: PgColumn; countyCode: PgColumn; version: PgColumn };

/**
 * Updates one row of a configuration table with optimistic concurrency: NOT_FOUND when the row
 * is not visible, FORBIDDEN unless the table lets the caller change a row of that unit (a centre
 * changes only its own configuration), CONFLICT on a stale version. The update names the row's
 * county (every row's county_code is the start of its scope_code): on Citus that routes it.
 */
export async function updateVersionedRow<T extends VersionedTable, R extends SelectedFields = { id: T["id"] }>(
  tx: Tx,
  table: T,
  id: string,
  version: number,
  set: PgUpdateSetSource<T>,
  permission: Permission = "centre.configure",
  returning?: R,
): Promise<SelectResultFields<R>> {
  const [exists] = await tx.db
    .select({ scopeCode: table.scopeCode })
    .from(table as PgTable)
    .where(eq(table.id, id));
  if (!exists) throw notFound();
  const scope = exists.scopeCode as string;
  authorizeFor(tx, permission, scope);
  const [row] = await tx.db
    .update(table)
    .set({ ...set, version: sql`version + 1` })
    .where(
      and(
        eq(table.id, id),
        eq(table.countyCode, countyOf(scope)),
        eq(table.version, version),
        eq(table.scopeCode, scope),
      ),
    )
    .returning(returning ?? ({ id: table.id } as SelectedFields as R));
  if (!row) throw conflict();
  return row as SelectResultFields<R>;
}
