import type { Tx } from "@zongzhi/db/client";
import { AppError, conflict, notFound } from "@zongzhi/domain";

/**
 * The centre whose configuration is read: the caller's own, or a unit of its subtree (a county
 * reads its townships' rosters). A unit outside the subtree is NOT_FOUND (RLS decides).
 */
export async function targetScope(tx: Tx, tenantId: string | undefined): Promise<string> {
  if (!tenantId || tenantId === tx.ctx.tenantId) return tx.ctx.scope;
  const [row] = await tx.sql<{ code: string }[]>`select code from app.tenants where id = ${tenantId}`;
  if (!row) throw notFound({ zh: "单位", en: "unit" });
  return row.code;
}

/** Updates one row of a configuration table with optimistic concurrency; CONFLICT or NOT_FOUND otherwise. */
export async function updateVersioned<T extends object>(
  tx: Tx,
  table:
    | "stationings"
    | "service_windows"
    | "mediators"
    | "mediation_rooms"
    | "mediation_committees"
    | "bookings"
    | "department_kinds",
  id: string,
  version: number,
  set: ReturnType<Tx["sql"]>,
  returning: ReturnType<Tx["sql"]>,
): Promise<T> {
  const [row] = await tx.sql<T[]>`update ${tx.sql(`app.${table}`)} set ${set}, version = version + 1
    where id = ${id} and version = ${version} and scope_code = ${tx.ctx.scope} returning ${returning}`;
  if (row) return row;
  const [exists] = await tx.sql<{ own: boolean }[]>`select scope_code = ${tx.ctx.scope} as own
    from ${tx.sql(`app.${table}`)} where id = ${id}`;
  if (!exists) throw notFound();
  if (!exists.own) {
    throw new AppError("FORBIDDEN", {
      zh: "只能修改本中心的配置",
      en: "You can change only your own centre's configuration",
    });
  }
  throw conflict();
}
