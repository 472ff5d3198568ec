import type { Tx } from "@zongzhi/db/client";
import { bookings, mediationRooms } from "@zongzhi/db/schema";
import { AppError, notFound } from "@zongzhi/domain";
import { countyOf } from "@zongzhi/domain/division";
import { and, eq, sql } from "drizzle-orm";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { targetScope } from "./centre-target.ts";

/** A booking of a room (and mediators) for a time range. */
export interface Booking {
  id: string;
  roomId: string;
  roomName: string;
  startsAt: Date;
  endsAt: Date;
  title: string;
  caseId: string | null;
  status: "active" | "cancelled";
  version: number;
  mediators: { id: string; name: string }[];
}

const fmt = (d: Date) =>
  d.toLocaleString("zh-CN", {
    timeZone: "Asia/Shanghai",
    hour12: false,
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  });

const columns = (tx: Tx) => tx.sql`b.id, b.room_id as "roomId", r.name as "roomName", lower(b.during) as "startsAt",
  upper(b.during) as "endsAt", b.title, b.case_id as "caseId", b.status, b.version,
  coalesce((select json_agg(json_build_object('id', m.id, 'name', m.name) order by m.name)
    from app.booking_mediators bm join app.mediators m on m.id = bm.mediator_id where bm.booking_id = b.id), '[]') as mediators`;

/** Active bookings of a centre's rooms overlapping [from, to). */
export async function listBookings(
  tx: Tx,
  input: { tenantId?: string | undefined; roomId?: string | undefined; from: Date; to: Date },
): Promise<Booking[]> {
  const scope = await targetScope(tx, input.tenantId);
  return tx.sql<Booking[]>`select ${columns(tx)} from app.bookings b join app.mediation_rooms r on r.id = b.room_id
    where b.scope_code = ${scope} and b.status = 'active' and b.during && tstzrange(${input.from}, ${input.to})
      ${input.roomId ? tx.sql`and b.room_id = ${input.roomId}` : tx.sql``}
    order by lower(b.during)`;
}

async function explainConflict(
  tx: Tx,
  error: unknown,
  input: { roomId: string; mediatorIds: string[]; from: Date; to: Date },
): Promise<AppError> {
  const constraint = (error as { constraint_name?: string }).constraint_name;
  if (constraint === "bookings_room_no_overlap") {
    const [other] = await tx.sql<{ title: string; s: Date; e: Date; room: string }[]>`
      select b.title, lower(b.during) as s, upper(b.during) as e, r.name as room
      from app.bookings b join app.mediation_rooms r on r.id = b.room_id
      where b.room_id = ${input.roomId} and b.status = 'active' and b.during && tstzrange(${input.from}, ${input.to}) limit 1`;
    return new AppError(
      "CONFLICT",
      other
        ? {
            zh: `${other.room}在 ${fmt(other.s)}–${fmt(other.e)} 已被预约（${other.title}）`,
            en: `${other.room} is already booked ${other.s.toISOString()}–${other.e.toISOString()} (${other.title})`,
          }
        : { zh: "该调解室在此时段已被预约", en: "The room is already booked at that time" },
      { conflict: "room", with: other ?? null },
    );
  }
  // A mediator's other booking may belong to another unit: name the mediator, never the other unit's case.
  const busy = await tx.sql<{ name: string }[]>`select m.name from app.mediators m
    where m.id in (select auth.mediators_busy(${input.mediatorIds}::uuid[], tstzrange(${input.from}, ${input.to}, '[)')))
    order by m.name`;
  const who = busy.map((b) => b.name).join("、");
  return new AppError(
    "CONFLICT",
    { zh: `调解员${who}在该时段已有其他安排`, en: `Mediator ${who} is already booked at that time` },
    { conflict: "mediator" },
  );
}

/**
 * Books a room of the caller's centre, and mediators from the pools it may draw on, for
 * [startsAt, endsAt). A double booking of the room or of a mediator is refused by the
 * database's exclusion constraints; the error names what is taken.
 */
export async function bookRoom(
  tx: Tx,
  input: {
    roomId: string;
    startsAt: Date;
    endsAt: Date;
    title: string;
    mediatorIds: string[];
    caseId?: string | null | undefined;
  },
): Promise<Booking> {
  if (input.endsAt <= input.startsAt) {
    throw new AppError(
      "VALIDATION",
      { zh: "结束时间须晚于开始时间", en: "The end must be after the start" },
      { fields: [{ path: "endsAt", zh: "结束时间须晚于开始时间", en: "must be after the start" }] },
    );
  }
  // A deactivated room, a case outside the caller's subtree and a mediator it may not draw on
  // are refused by the database (app.check_references), whoever calls.
  const [room] = await tx.db
    .select({ scopeCode: mediationRooms.scopeCode })
    .from(mediationRooms)
    .where(eq(mediationRooms.id, input.roomId));
  if (!room) throw notFound({ zh: "调解室", en: "room" });
  // A centre books its own rooms only (the table: booking.manage, own unit).
  authorizeFor(tx, "booking.manage", room.scopeCode);
  const range = { from: input.startsAt, to: input.endsAt, roomId: input.roomId, mediatorIds: input.mediatorIds };
  try {
    // A savepoint keeps the transaction usable to explain a conflict.
    await tx.sql`savepoint booking`;
    // A booking is in its room's unit (app.inherit_scope), so in the room's county.
    const county = countyOf(room.scopeCode);
    const [row] = await tx.sql<{ id: string }[]>`insert into app.bookings (room_id, county_code, during, title, case_id,
        created_by)
      values (${input.roomId}, ${county}, tstzrange(${input.startsAt}, ${input.endsAt}, '[)'), ${input.title}, ${input.caseId ?? null},
        ${tx.ctx.userId}) returning id`;
    const id = row!.id;
    for (const mediatorId of input.mediatorIds) {
      await tx.sql`insert into app.booking_mediators (booking_id, county_code, mediator_id, during)
        values (${id}, ${county}, ${mediatorId}, tstzrange(${input.startsAt}, ${input.endsAt}, '[)'))`;
    }
    await tx.sql`release savepoint booking`;
    await recordAudit(tx, { kind: "centre.room_booked", subjectId: id });
    const [booking] = await tx.sql<Booking[]>`select ${columns(tx)} from app.bookings b
      join app.mediation_rooms r on r.id = b.room_id where b.id = ${id} and b.county_code = ${county}`;
    return booking!;
  } catch (error) {
    if ((error as { code?: string }).code === "23P01") {
      await tx.sql`rollback to savepoint booking`;
      throw await explainConflict(tx, error, range);
    }
    throw error;
  }
}

/** Cancels a booking; its room and mediators become free at once. */
export async function cancelBooking(tx: Tx, input: { id: string; version: number }): Promise<void> {
  const [own] = await tx.db.select({ scopeCode: bookings.scopeCode }).from(bookings).where(eq(bookings.id, input.id));
  if (!own) throw notFound({ zh: "预约", en: "booking" });
  authorizeFor(tx, "booking.manage", own.scopeCode);
  const rows = await tx.db
    .update(bookings)
    .set({ status: "cancelled", version: sql`${bookings.version} + 1` })
    .where(
      and(
        eq(bookings.id, input.id),
        eq(bookings.countyCode, countyOf(own.scopeCode)),
        eq(bookings.version, input.version),
        eq(bookings.scopeCode, own.scopeCode),
      ),
    )
    .returning({ id: bookings.id });
  if (rows.length === 0) {
    throw new AppError("CONFLICT", { zh: "预约已被他人修改，请刷新", en: "The booking changed; reload" });
  }
  await recordAudit(tx, { kind: "centre.booking_cancelled", subjectId: input.id });
}
