import type { Tx } from "@zongzhi/db/client";
import { committeeMembers, mediationCommittees, mediationRooms, mediators } from "@zongzhi/db/schema";
import { AppError, notFound } from "@zongzhi/domain";
import { eq, sql } from "drizzle-orm";
import type { Committee, Room } from "../schemas/centre-views.ts";
import { recordAudit } from "./audit.ts";
import { targetScope, updateVersionedRow } from "./centre-target.ts";

/** A mediation room or named studio (schemas/centre-views.ts). */
export type { Room };

/** Fields of a room. */
export interface RoomInput {
  name: string;
  kind: Room["kind"];
  studioName?: string | null | undefined;
  chiefMediatorId?: string | null | undefined;
  capacity: number;
  area: Room["area"];
  location?: string | null | undefined;
}

/** A room with the name of its chief mediator. */
const selectRooms = (tx: Tx) =>
  tx.db
    .select({
      id: mediationRooms.id,
      name: mediationRooms.name,
      kind: mediationRooms.kind,
      studioName: mediationRooms.studioName,
      chiefMediatorId: mediationRooms.chiefMediatorId,
      chiefMediatorName: mediators.name,
      capacity: mediationRooms.capacity,
      area: mediationRooms.area,
      location: mediationRooms.location,
      active: mediationRooms.active,
      version: mediationRooms.version,
    })
    .from(mediationRooms)
    .leftJoin(mediators, eq(mediators.id, mediationRooms.chiefMediatorId));

/** The rooms of a centre: intake, resolution, command, then by name. */
export async function listRooms(tx: Tx, tenantId?: string): Promise<Room[]> {
  const scope = await targetScope(tx, tenantId);
  return selectRooms(tx)
    .where(eq(mediationRooms.scopeCode, scope))
    .orderBy(
      sql`array_position(array['intake','resolution','command']::app.functional_area[], ${mediationRooms.area})`,
      mediationRooms.name,
    );
}

async function getRoom(tx: Tx, id: string): Promise<Room> {
  const [row] = await selectRooms(tx).where(eq(mediationRooms.id, id));
  if (!row) throw notFound({ zh: "调解室", en: "room" });
  return row;
}

/** The columns a room's form sets, on create and on edit. */
function roomColumns(input: RoomInput) {
  return {
    name: input.name,
    kind: input.kind,
    studioName: input.studioName ?? null,
    chiefMediatorId: input.chiefMediatorId ?? null,
    capacity: input.capacity,
    area: input.area,
    location: input.location ?? null,
  };
}

/** Adds a room to the caller's centre. */
export async function createRoom(tx: Tx, input: RoomInput): Promise<Room> {
  const [row] = await tx.db.insert(mediationRooms).values(roomColumns(input)).returning({ id: mediationRooms.id });
  await recordAudit(tx, { kind: "centre.room_created", subjectId: row!.id });
  return getRoom(tx, row!.id);
}

/** Changes a room. */
export async function editRoom(
  tx: Tx,
  input: RoomInput & { id: string; version: number; active: boolean },
): Promise<Room> {
  await updateVersionedRow(tx, mediationRooms, input.id, input.version, {
    ...roomColumns(input),
    active: input.active,
  });
  return getRoom(tx, input.id);
}

/** A committee with its members (schemas/centre-views.ts). */
export type { Committee };

/** The committees of a centre with their members. */
export async function listCommittees(tx: Tx, tenantId?: string): Promise<Committee[]> {
  const scope = await targetScope(tx, tenantId);
  return tx.sql<Committee[]>`select c.id, c.name, c.field, c.active, c.version,
      coalesce((select json_agg(json_build_object('mediatorId', m.id, 'name', m.name, 'role', cm.role)
          order by array_position(array['director','deputy','member'], cm.role), m.name)
        from app.committee_members cm join app.mediators m on m.id = cm.mediator_id
        where cm.committee_id = c.id), '[]') as members
    from app.mediation_committees c where c.scope_code = ${scope} order by c.name`;
}

/** Creates or replaces a committee and its members. */
export async function saveCommittee(
  tx: Tx,
  input: {
    id?: string | undefined;
    version?: number | undefined;
    name: string;
    field: Committee["field"];
    active?: boolean | undefined;
    members: { mediatorId: string; role: "director" | "deputy" | "member" }[];
  },
): Promise<Committee> {
  let id = input.id;
  if (id) {
    if (input.version === undefined) throw new AppError("VALIDATION", { zh: "缺少版本号", en: "version required" });
    await updateVersionedRow(tx, mediationCommittees, id, input.version, {
      name: input.name,
      field: input.field,
      active: input.active ?? true,
    });
    await tx.db.delete(committeeMembers).where(eq(committeeMembers.committeeId, id));
  } else {
    const [row] = await tx.db
      .insert(mediationCommittees)
      .values({ name: input.name, field: input.field })
      .returning({ id: mediationCommittees.id });
    id = row!.id;
    await recordAudit(tx, { kind: "centre.committee_created", subjectId: id });
  }
  for (const m of input.members) {
    await tx.db.insert(committeeMembers).values({ committeeId: id, mediatorId: m.mediatorId, role: m.role });
  }
  const [saved] = (await listCommittees(tx)).filter((c) => c.id === id);
  return saved!;
}
