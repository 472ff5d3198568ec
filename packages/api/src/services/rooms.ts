import type { Tx } from "@zongzhi/db/client";
import { AppError, notFound } from "@zongzhi/domain";
import type { Area, CommitteeField, RoomKind } from "@zongzhi/domain/centre";
import { recordAudit } from "./audit.ts";
import { targetScope, updateVersioned } from "./centre-target.ts";

/** A mediation room or named studio. */
export interface Room {
  id: string;
  name: string;
  kind: RoomKind;
  studioName: string | null;
  chiefMediatorId: string | null;
  chiefMediatorName: string | null;
  capacity: number;
  area: Area;
  location: string | null;
  active: boolean;
  version: number;
}

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

const roomColumns = (tx: Tx) => tx.sql`r.id, r.name, r.kind, r.studio_name as "studioName",
  r.chief_mediator_id as "chiefMediatorId", m.name as "chiefMediatorName", r.capacity, r.area, r.location, r.active, r.version`;

/** The rooms of a centre. */
export async function listRooms(tx: Tx, tenantId?: string): Promise<Room[]> {
  const scope = await targetScope(tx, tenantId);
  return tx.sql<Room[]>`select ${roomColumns(tx)} from app.mediation_rooms r
    left join app.mediators m on m.id = r.chief_mediator_id where r.scope_code = ${scope}
    order by array_position(array['intake','resolution','command']::app.functional_area[], r.area), r.name`;
}

async function getRoom(tx: Tx, id: string): Promise<Room> {
  const [row] = await tx.sql<Room[]>`select ${roomColumns(tx)} from app.mediation_rooms r
    left join app.mediators m on m.id = r.chief_mediator_id where r.id = ${id}`;
  if (!row) throw notFound({ zh: "调解室", en: "room" });
  return row;
}

/** Adds a room to the caller's centre. */
export async function createRoom(tx: Tx, input: RoomInput): Promise<Room> {
  const [row] = await tx.sql<
    { id: string }[]
  >`insert into app.mediation_rooms (name, kind, studio_name, chief_mediator_id,
      capacity, area, location)
    values (${input.name}, ${input.kind}, ${input.studioName ?? null}, ${input.chiefMediatorId ?? null}, ${input.capacity},
      ${input.area}, ${input.location ?? null}) returning id`;
  await recordAudit(tx, { kind: "centre.room_created", subjectId: row!.id });
  return getRoom(tx, row!.id);
}

/** Changes a room. */
export async function editRoom(
  tx: Tx,
  input: RoomInput & { id: string; version: number; active: boolean },
): Promise<Room> {
  await updateVersioned(
    tx,
    "mediation_rooms",
    input.id,
    input.version,
    tx.sql`name = ${input.name}, kind = ${input.kind}, studio_name = ${input.studioName ?? null},
      chief_mediator_id = ${input.chiefMediatorId ?? null}, capacity = ${input.capacity}, area = ${input.area},
      location = ${input.location ?? null}, active = ${input.active}`,
    tx.sql`id`,
  );
  return getRoom(tx, input.id);
}

/** A committee with its members. */
export interface Committee {
  id: string;
  name: string;
  field: CommitteeField;
  active: boolean;
  version: number;
  members: { mediatorId: string; name: string; role: "director" | "deputy" | "member" }[];
}

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
    await updateVersioned(
      tx,
      "mediation_committees",
      id,
      input.version,
      tx.sql`name = ${input.name}, field = ${input.field}, active = ${input.active ?? true}`,
      tx.sql`id`,
    );
    await tx.sql`delete from app.committee_members where committee_id = ${id}`;
  } else {
    const [row] = await tx.sql<{ id: string }[]>`insert into app.mediation_committees (name, field)
      values (${input.name}, ${input.field}) returning id`;
    id = row!.id;
    await recordAudit(tx, { kind: "centre.committee_created", subjectId: id });
  }
  for (const m of input.members) {
    await tx.sql`insert into app.committee_members (committee_id, mediator_id, role) values (${id}, ${m.mediatorId}, ${m.role})`;
  }
  const [saved] = (await listCommittees(tx)).filter((c) => c.id === id);
  return saved!;
}
