import type { Tx } from "@zongzhi/db/client";
import { serviceWindows, stationings } from "@zongzhi/db/schema";
import { notFound } from "@zongzhi/domain";
import { eq } from "drizzle-orm";
import type { ServiceWindow } from "../schemas/centre-views.ts";
import { recordAudit } from "./audit.ts";
import { targetScope, updateVersionedRow } from "./centre-target.ts";

/** A service window (服务窗口; schemas/centre-views.ts). */
export type { ServiceWindow };

/** Fields of a window. */
export interface WindowInput {
  number: number;
  name: string;
  services: string[];
  stationingId?: string | null | undefined;
  temporary?: boolean | undefined;
}

/** A window with the name of the department it serves. */
const selectWindows = (tx: Tx) =>
  tx.db
    .select({
      id: serviceWindows.id,
      number: serviceWindows.number,
      name: serviceWindows.name,
      services: serviceWindows.services,
      stationingId: serviceWindows.stationingId,
      stationingName: stationings.name,
      temporary: serviceWindows.temporary,
      active: serviceWindows.active,
      version: serviceWindows.version,
    })
    .from(serviceWindows)
    .leftJoin(stationings, eq(stationings.id, serviceWindows.stationingId));

/** The windows of a centre, by number. */
export async function listWindows(tx: Tx, tenantId?: string): Promise<ServiceWindow[]> {
  const scope = await targetScope(tx, tenantId);
  return selectWindows(tx).where(eq(serviceWindows.scopeCode, scope)).orderBy(serviceWindows.number);
}

async function getWindow(tx: Tx, id: string): Promise<ServiceWindow> {
  const [row] = await selectWindows(tx).where(eq(serviceWindows.id, id));
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
  await updateVersionedRow(tx, serviceWindows, input.id, input.version, {
    number: input.number,
    name: input.name,
    services: input.services,
    stationingId: input.stationingId ?? null,
    temporary: input.temporary ?? false,
    active: input.active,
  });
  return getWindow(tx, input.id);
}
