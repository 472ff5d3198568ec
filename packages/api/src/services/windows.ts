import type { Tx } from "@zongzhi/db/client";
import { serviceWindows } from "@zongzhi/db/schema";
import { notFound } from "@zongzhi/domain";
import { recordAudit } from "./audit.ts";
import { targetScope, updateVersioned } from "./centre-target.ts";

/** A service window (服务窗口). */
export interface ServiceWindow {
  id: string;
  number: number;
  name: string;
  services: string[];
  stationingId: string | null;
  stationingName: string | null;
  temporary: boolean;
  active: boolean;
  version: number;
}

/** Fields of a window. */
export interface WindowInput {
  number: number;
  name: string;
  services: string[];
  stationingId?: string | null | undefined;
  temporary?: boolean | undefined;
}

const columns = (tx: Tx) => tx.sql`w.id, w.number, w.name, w.services, w.stationing_id as "stationingId",
  s.name as "stationingName", w.temporary, w.active, w.version`;

/** The windows of a centre, by number. */
export async function listWindows(tx: Tx, tenantId?: string): Promise<ServiceWindow[]> {
  const scope = await targetScope(tx, tenantId);
  return tx.sql<ServiceWindow[]>`select ${columns(tx)} from app.service_windows w
    left join app.stationings s on s.id = w.stationing_id where w.scope_code = ${scope} order by w.number`;
}

async function getWindow(tx: Tx, id: string): Promise<ServiceWindow> {
  const [row] = await tx.sql<ServiceWindow[]>`select ${columns(tx)} from app.service_windows w
    left join app.stationings s on s.id = w.stationing_id where w.id = ${id}`;
  if (!row) throw notFound({ zh: "窗口", en: "window" });
  return row;
}

/** Opens a window at the caller's centre. */
export async function createWindow(tx: Tx, input: WindowInput): Promise<ServiceWindow> {
  const [row] = await tx.db
    .insert(serviceWindows)
    .values({
      number: input.number,
      name: input.name,
      services: input.services,
      stationingId: input.stationingId ?? null,
      temporary: input.temporary ?? false,
    })
    .returning({ id: serviceWindows.id });
  await recordAudit(tx, { kind: "centre.window_created", subjectId: row!.id });
  return getWindow(tx, row!.id);
}

/** Changes a window. */
export async function editWindow(
  tx: Tx,
  input: WindowInput & { id: string; version: number; active: boolean },
): Promise<ServiceWindow> {
  await updateVersioned(
    tx,
    "service_windows",
    input.id,
    input.version,
    tx.sql`number = ${input.number}, name = ${input.name}, services = ${input.services},
      stationing_id = ${input.stationingId ?? null}, temporary = ${input.temporary ?? false}, active = ${input.active}`,
    tx.sql`id`,
  );
  return getWindow(tx, input.id);
}
