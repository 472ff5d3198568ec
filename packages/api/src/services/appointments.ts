import { createHash, randomBytes } from "node:crypto";
import type { ScopeContext, Sql, Tx } from "@zongzhi/db/client";
import {
  appointments,
  bookingOffers,
  bookings,
  cases,
  mediationRooms,
  serviceWindows,
  tenants,
  users,
} from "@zongzhi/db/schema";
import {
  AppError,
  type AppointmentStatus,
  addDays,
  BOOKING_NOTIFICATION,
  BOOKING_RECEIVERS,
  bookingCode,
  bookingDates,
  bookingNotice,
  type Channel,
  clockMinutes,
  clockText,
  conflict,
  type IsoDate,
  invalid,
  MAX_OPEN_BOOKINGS_PER_PHONE,
  type Message,
  maskMobileNumber,
  maskPersonName,
  notFound,
  type OfferKind,
  offeredSlot,
  type RiskGrade,
  rosterForDay,
  type SlotRule,
  slotOpen,
  slotsOn,
  validateMobileNumber,
} from "@zongzhi/domain";
import { countyOf } from "@zongzhi/domain/division";
import { and, arrayOverlaps, count, eq, gte, inArray, lt, ne, type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import { databaseError } from "../errors.ts";
import type { appointmentView, bookingOfferView, receivedAppointment } from "../schemas/booking.ts";
import type {
  BookedAppointment,
  BookingCentre,
  PublicAppointment,
  PublicCentre,
  PublicDay,
  PublicSlot,
} from "../schemas/public.ts";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { unitCalendar } from "./calendar.ts";
import { registerCase } from "./cases.ts";
import { targetScope, updateVersionedRow } from "./centre-target.ts";
import { notifyUnit } from "./notifications.ts";
import { type FieldCipher, fieldContext } from "./personal-data.ts";
import { activeStationings } from "./stationings.ts";

// Online booking (网上预约, issue 13 §6). The public side runs in the chosen centre's tenant
// transaction as the system actor `online_booking` (publicBookingScope): RLS confines it to that
// centre, and the permission table lets that actor do one thing, `appointment.book`. The centre's
// side runs as its signed-in staff like every other procedure.

const OFFER = { zh: "预约项目", en: "booking offer" };
const APPOINTMENT = { zh: "预约", en: "booking" };

function fieldError(path: string, zh: string, en: string): AppError {
  return invalid({ zh, en }, { fields: [{ path, zh, en }] });
}

// ---------- the centre's offers (预约设置) ----------

/** One bookable resource of a centre: a service window (visits) or a room (mediation). */
export type BookingOffer = z.output<typeof bookingOfferView>;

/** What saveOffer takes (times as `HH:MM`). */
export interface OfferInput {
  kind: OfferKind;
  windowId?: string | null | undefined;
  roomId?: string | null | undefined;
  title: string;
  slotMinutes: number;
  opensAt: string;
  closesAt: string;
  breakFrom?: string | null | undefined;
  breakTo?: string | null | undefined;
  capacity: number;
  daysAhead: number;
  noticeHours: number;
}

interface OfferRow {
  id: string;
  scope_code: string;
  kind: OfferKind;
  window_id: string | null;
  room_id: string | null;
  resource_name: string;
  services: string[];
  title: string;
  slot_minutes: number;
  opens_at: number;
  closes_at: number;
  break_from: number | null;
  break_to: number | null;
  capacity: number;
  days_ahead: number;
  notice_hours: number;
  active: boolean;
  version: number;
}

/** The name of an offer's window or room, as SQL over the offer's joined window and room. */
const resourceName = sql<string>`coalesce(${serviceWindows.number} || '号窗口 ' || ${serviceWindows.name}, ${mediationRooms.name})`;

const offerRows = (tx: Tx, where: SQL | undefined): Promise<OfferRow[]> => {
  const o = bookingOffers;
  return tx.db
    .select({
      id: o.id,
      scope_code: o.scopeCode,
      kind: o.kind,
      window_id: o.windowId,
      room_id: o.roomId,
      resource_name: resourceName,
      services: sql<string[]>`coalesce(${serviceWindows.services}, '{}')`,
      title: o.title,
      slot_minutes: o.slotMinutes,
      opens_at: o.opensAt,
      closes_at: o.closesAt,
      break_from: o.breakFrom,
      break_to: o.breakTo,
      capacity: o.capacity,
      days_ahead: o.daysAhead,
      notice_hours: o.noticeHours,
      active: o.active,
      version: o.version,
    })
    .from(o)
    .leftJoin(serviceWindows, eq(serviceWindows.id, o.windowId))
    .leftJoin(mediationRooms, eq(mediationRooms.id, o.roomId))
    .where(where)
    .orderBy(o.kind, o.title, o.id);
};

const ruleOf = (o: OfferRow): SlotRule => ({
  slotMinutes: o.slot_minutes,
  opensAt: o.opens_at,
  closesAt: o.closes_at,
  breakFrom: o.break_from,
  breakTo: o.break_to,
  daysAhead: o.days_ahead,
  noticeHours: o.notice_hours,
});

const offerView = (o: OfferRow): BookingOffer => ({
  id: o.id,
  kind: o.kind,
  windowId: o.window_id,
  roomId: o.room_id,
  resourceName: o.resource_name,
  title: o.title,
  slotMinutes: o.slot_minutes,
  opensAt: clockText(o.opens_at),
  closesAt: clockText(o.closes_at),
  breakFrom: o.break_from === null ? null : clockText(o.break_from),
  breakTo: o.break_to === null ? null : clockText(o.break_to),
  capacity: o.capacity,
  daysAhead: o.days_ahead,
  noticeHours: o.notice_hours,
  active: o.active,
  version: o.version,
});

/** The offers of a centre: the caller's own, or one of its subtree's (read only). */
export async function listOffers(tx: Tx, tenantId?: string | undefined): Promise<BookingOffer[]> {
  const scope = await targetScope(tx, tenantId);
  return (await offerRows(tx, eq(bookingOffers.scopeCode, scope))).map(offerView);
}

/** Minutes of the day of the input's times, refusing an offer whose hours do not hold a slot. */
function offerMinutes(input: OfferInput) {
  const opens = clockMinutes(input.opensAt);
  const closes = clockMinutes(input.closesAt);
  if (closes - opens < input.slotMinutes) {
    throw fieldError(
      "closesAt",
      "结束时间须晚于开始时间，且至少容纳一个时段",
      "The closing time must be after opening, leaving room for at least one slot",
    );
  }
  const hasBreak = Boolean(input.breakFrom) || Boolean(input.breakTo);
  const breakFrom = hasBreak && input.breakFrom ? clockMinutes(input.breakFrom) : null;
  const breakTo = hasBreak && input.breakTo ? clockMinutes(input.breakTo) : null;
  if (
    hasBreak &&
    (breakFrom === null || breakTo === null || !(opens < breakFrom && breakFrom < breakTo && breakTo < closes))
  ) {
    throw fieldError(
      "breakTo",
      "午休须同时填写开始和结束，且在营业时间之内",
      "A break needs a start and an end, both within the opening hours",
    );
  }
  if (input.kind === "mediation" && input.capacity !== 1) {
    throw fieldError("capacity", "调解室每个时段只能预约一场", "A room takes one mediation per slot");
  }
  const windowId = input.kind === "visit" ? (input.windowId ?? null) : null;
  const roomId = input.kind === "mediation" ? (input.roomId ?? null) : null;
  if (input.kind === "visit" && !windowId) throw fieldError("windowId", "请选择服务窗口", "Choose a service window");
  if (input.kind === "mediation" && !roomId) throw fieldError("roomId", "请选择调解室", "Choose a room");
  return { opens, closes, breakFrom, breakTo, windowId, roomId };
}

/** Opens a window or room of the caller's centre for booking, or edits an offer (id and version). */
export async function saveOffer(
  tx: Tx,
  input: OfferInput & { id?: string | undefined; version?: number | undefined; active?: boolean | undefined },
): Promise<BookingOffer> {
  const m = offerMinutes(input);
  let id: string;
  if (input.id) {
    if (input.version === undefined) throw fieldError("version", "请提供版本号", "The version is required");
    const [current] = await tx.db
      .select({ kind: bookingOffers.kind, windowId: bookingOffers.windowId, roomId: bookingOffers.roomId })
      .from(bookingOffers)
      .where(eq(bookingOffers.id, input.id));
    if (!current) throw notFound(OFFER);
    if (current.kind !== input.kind || current.windowId !== m.windowId || current.roomId !== m.roomId) {
      throw fieldError(
        "kind",
        "预约项目的类型和窗口/调解室不能修改；请停用后新建",
        "An offer's kind, window and room stay as created; deactivate it and add another",
      );
    }
    await updateVersionedRow(tx, bookingOffers, input.id, input.version, {
      title: input.title,
      slotMinutes: input.slotMinutes,
      opensAt: m.opens,
      closesAt: m.closes,
      breakFrom: m.breakFrom,
      breakTo: m.breakTo,
      capacity: input.capacity,
      daysAhead: input.daysAhead,
      noticeHours: input.noticeHours,
      active: input.active ?? true,
      updatedAt: sql`now()`,
    });
    id = input.id;
    await recordAudit(tx, { kind: "booking.offer_edited", subjectId: id });
  } else {
    authorizeFor(tx, "centre.configure", tx.ctx.scope);
    const [row] = await tx.db
      .insert(bookingOffers)
      .values({
        countyCode: countyOf(tx.ctx.scope),
        kind: input.kind,
        windowId: m.windowId,
        roomId: m.roomId,
        title: input.title,
        slotMinutes: input.slotMinutes,
        opensAt: m.opens,
        closesAt: m.closes,
        breakFrom: m.breakFrom,
        breakTo: m.breakTo,
        capacity: input.capacity,
        daysAhead: input.daysAhead,
        noticeHours: input.noticeHours,
      })
      .returning({ id: bookingOffers.id });
    id = row!.id;
    await recordAudit(tx, { kind: "booking.offer_created", subjectId: id });
  }
  const [saved] = await offerRows(tx, eq(bookingOffers.id, id));
  return offerView(saved!);
}

// ---------- the public side (the answers' shapes are in schemas/public.ts) ----------

/** Centres that take bookings, by name or code, optionally below a division (at most 50). */
export async function bookingCentres(
  sql: Sql,
  input: { q?: string | undefined; under?: string | undefined },
): Promise<BookingCentre[]> {
  return sql<BookingCentre[]>`select code, name, level::text as level, offers
    from auth.booking_centres(${input.q ?? null}, ${input.under ?? null}, 50)`;
}

/**
 * The tenant transaction the public page acts in at centre `code`: the centre's scope, no user,
 * the system actor online_booking. NOT_FOUND unless the unit is active and takes bookings.
 */
export async function publicBookingScope(sql: Sql, code: string, requestId: string): Promise<ScopeContext> {
  const [centre] = await sql<{ id: string; code: string }[]>`select id, code
    from auth.booking_centres(null, ${code}, 1) where code = ${code}`;
  if (!centre) throw notFound({ zh: "可预约的中心", en: "centre taking bookings" });
  return { userId: null, tenantId: centre.id, scope: centre.code, roles: [], system: "online_booking", requestId };
}

/** Live bookings per slot of the centre, and the room bookings (sessions) that block room slots. */
async function slotUse(tx: Tx, offers: OfferRow[], from: Date, to: Date) {
  const [taken, blocked] = await Promise.all([
    tx.db
      .select({ offer_id: appointments.offerId, starts_at: appointments.startsAt, n: count() })
      .from(appointments)
      .where(
        and(
          eq(appointments.scopeCode, tx.ctx.scope),
          ne(appointments.status, "cancelled"),
          gte(appointments.startsAt, from),
          lt(appointments.startsAt, to),
        ),
      )
      .groupBy(appointments.offerId, appointments.startsAt),
    tx.sql<{ room_id: string; starts: Date; ends: Date }[]>`select b.room_id, lower(b.during) as starts,
        upper(b.during) as ends
      from app.bookings b
      where b.room_id = any(${offers.flatMap((o) => (o.room_id ? [o.room_id] : []))}::uuid[]) and b.status = 'active'
        and b.during && tstzrange(${from}, ${to})
        and not exists (select 1 from app.appointments a where a.room_booking_id = b.id)`,
  ]);
  const counts = new Map(taken.map((t) => [`${t.offer_id}@${t.starts_at.getTime()}`, t.n]));
  return {
    left(o: OfferRow, startsAt: Date, endsAt: Date): number {
      if (o.room_id && blocked.some((b) => b.room_id === o.room_id && b.starts < endsAt && b.ends > startsAt)) return 0;
      return Math.max(0, o.capacity - (counts.get(`${o.id}@${startsAt.getTime()}`) ?? 0));
    },
  };
}

/** The centre's booking page at `now`: offers, and for each coming day its duty roster and slots. */
export async function publicCentre(tx: Tx, now: Date): Promise<PublicCentre> {
  const scope = tx.ctx.scope;
  authorizeFor(tx, "appointment.book", scope);
  const [unit] = await tx.db.select({ name: tenants.name }).from(tenants).where(eq(tenants.code, scope));
  const offers = (
    await offerRows(
      tx,
      and(
        eq(bookingOffers.scopeCode, scope),
        eq(bookingOffers.active, true),
        sql`coalesce(${serviceWindows.active}, ${mediationRooms.active})`,
      ),
    )
  ).filter((o) => o.scope_code === scope);
  const days = offers.length ? Math.max(...offers.map((o) => o.days_ahead)) : 0;
  const dates = bookingDates({ daysAhead: days }, now);
  const [calendar, stationings, categories] = await Promise.all([
    unitCalendar(tx, scope),
    activeStationings(tx, scope),
    bookableCategories(tx),
  ]);
  const from = now;
  const to = new Date(now.getTime() + (days + 2) * 86_400_000);
  const use = await slotUse(tx, offers, from, to);
  const shown: PublicDay[] = dates.map((date) => {
    const roster = rosterForDay(stationings, date, calendar);
    const slots: PublicSlot[] = [];
    for (const o of offers) {
      if (!bookingDates(ruleOf(o), now).includes(date)) continue;
      for (const s of slotsOn(ruleOf(o), date, calendar)) {
        if (!slotOpen(ruleOf(o), s, now)) continue;
        slots.push({
          offerId: o.id,
          startsAt: s.startsAt,
          endsAt: s.endsAt,
          time: s.time,
          left: use.left(o, s.startsAt, s.endsAt),
        });
      }
    }
    slots.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
    return {
      date,
      workday: roster.workday,
      holiday: roster.holiday,
      makeUpWorkday: roster.makeUpWorkday,
      onDuty: {
        permanent: roster.permanent.map((s) => s.name),
        rotating: roster.rotating.map((r) => r.stationing.name),
        onCall: roster.onCall.map((s) => s.name),
      },
      slots,
    };
  });
  return {
    code: scope,
    name: unit?.name ?? scope,
    offers: offers.map((o) => ({
      id: o.id,
      kind: o.kind,
      title: o.title,
      resourceName: o.resource_name,
      services: o.services,
      slotMinutes: o.slot_minutes,
      opensAt: clockText(o.opens_at),
      closesAt: clockText(o.closes_at),
      breakFrom: o.break_from === null ? null : clockText(o.break_from),
      breakTo: o.break_to === null ? null : clockText(o.break_to),
      capacity: o.capacity,
    })),
    days: shown,
    categories,
  };
}

/** The dispute categories the centre may register (built-in and its path's own, active). */
async function bookableCategories(tx: Tx): Promise<{ code: string; name: string }[]> {
  return tx.sql<{ code: string; name: string }[]>`
    select code, name from (
      select code, name, sort, 0 as own from ref.case_categories
      union all
      select code, name, 1000, 1 from app.case_categories where active
    ) c order by own, sort, code`;
}

/** What a person sends to book. */
export interface BookingRequest {
  offerId: string;
  startsAt: Date;
  name: string;
  phone: string;
  matter: string;
  categoryCode: string;
}

const publicView = (tx: Tx, where: ReturnType<Tx["sql"]>) => tx.sql<
  (Omit<PublicAppointment, "cancellable"> & { id: string; requestHash: string })[]
>`select a.id, a.code, a.status, a.scope_code as "centreCode", t.name as "centreName", o.kind, o.title,
    coalesce(w.number || '号窗口 ' || w.name, r.name) as "resourceName", a.starts_at as "startsAt",
    a.ends_at as "endsAt", a.name_masked as "nameMasked", a.phone_masked as "phoneMasked",
    coalesce((select name from ref.case_categories where code = a.category_code),
      (select name from app.case_categories where code = a.category_code limit 1), a.category_code) as "categoryName",
    c.code as "caseCode", a.request_hash as "requestHash"
  from app.appointments a
    join app.booking_offers o on o.id = a.offer_id
    join app.tenants t on t.code = a.scope_code
    left join app.service_windows w on w.id = o.window_id
    left join app.mediation_rooms r on r.id = o.room_id
    left join app.cases c on c.id = a.case_id
  where ${where}`;

const cancellable = (a: { status: AppointmentStatus; startsAt: Date }, now: Date) =>
  a.status === "booked" && a.startsAt.getTime() > now.getTime();

function toPublic(
  row: Omit<PublicAppointment, "cancellable"> & { id: string; requestHash: string },
  now: Date,
): PublicAppointment {
  const { id: _id, requestHash: _hash, ...rest } = row;
  return { ...rest, cancellable: cancellable(row, now) };
}

/** The answer to a retry under the same key: the first booking, or CONFLICT for other content. */
async function replay(tx: Tx, key: string, requestHash: string, now: Date): Promise<PublicAppointment | null> {
  const [prior] = await publicView(tx, tx.sql`a.scope_code = ${tx.ctx.scope} and a.idempotency_key = ${key}`);
  if (!prior) return null;
  if (prior.requestHash !== requestHash) {
    throw new AppError("CONFLICT", {
      zh: "该幂等键已用于内容不同的预约",
      en: "This Idempotency-Key was already used for a different booking",
    });
  }
  return toPublic(prior, now);
}

const slotFull = () =>
  new AppError("CONFLICT", { zh: "该时段已约满，请选择其他时段", en: "That slot is fully booked; choose another" });

/**
 * Tells the centre's clerks of a new booking (the bell, live over /events, and the message
 * centre): one notification for each active clerk of the centre, or the unit's inbox when it has
 * none, so that a booking is never told to nobody. In the booking's transaction: a booking that
 * fails tells no one.
 */
async function notifyReceivers(tx: Tx, booking: { code: string; startsAt: Date; offerTitle: string }) {
  const scope = tx.ctx.scope;
  const clerks = await tx.db
    .select({ id: users.id })
    .from(users)
    .where(
      and(eq(users.scopeCode, scope), eq(users.status, "active"), arrayOverlaps(users.roles, [...BOOKING_RECEIVERS])),
    );
  const title = bookingNotice(booking);
  const to = clerks.length ? clerks.map((c) => c.id) : [null];
  for (const userId of to) await notifyUnit(tx, { scopeCode: scope, kind: BOOKING_NOTIFICATION, title, userId });
}

/**
 * Books a seat in a slot of the centre's offer for a person (the public page, as online_booking).
 * The slot must be one the offer opens (a working day of the centre's calendar, within its hours
 * and days ahead, past the notice); a phone holds at most {@link MAX_OPEN_BOOKINGS_PER_PHONE} open
 * bookings at a centre and one per slot. The database refuses a double booking (the seat's
 * exclusion constraint; a room also through its room booking), so parallel requests for the last
 * seat get one booking and one CONFLICT; a retry under the same Idempotency-Key returns the first
 * booking, and the same key with other content is refused.
 */
export async function bookAppointment(
  tx: Tx,
  input: BookingRequest,
  options: { cipher: FieldCipher; idempotencyKey: string; now: Date; ip?: string },
): Promise<BookedAppointment> {
  const scope = tx.ctx.scope;
  authorizeFor(tx, "appointment.book", scope);
  const { cipher, idempotencyKey: key, now } = options;
  const mobile = validateMobileNumber(input.phone);
  if (!mobile.ok) throw fieldError("phone", `手机号码有误：${mobile.reason.zh}`, `Mobile number: ${mobile.reason.en}`);
  const name = input.name.trim();
  const requestHash = createHash("sha256")
    .update(
      JSON.stringify([
        input.offerId,
        input.startsAt.toISOString(),
        name,
        mobile.normalized,
        input.matter,
        input.categoryCode,
      ]),
    )
    .digest("hex");
  const first = await replay(tx, key, requestHash, now);
  if (first) return { ...first, replayed: true };

  const [offer] = await offerRows(
    tx,
    and(eq(bookingOffers.id, input.offerId), eq(bookingOffers.scopeCode, scope), eq(bookingOffers.active, true)),
  );
  if (!offer) throw notFound(OFFER);
  const [category] = await tx.sql<{ ok: boolean }[]>`select exists (
      select 1 from ref.case_categories where code = ${input.categoryCode}
      union all select 1 from app.case_categories where code = ${input.categoryCode} and active) as ok`;
  if (!category?.ok) throw fieldError("categoryCode", "纠纷类别不存在", "Unknown category");
  const calendar = await unitCalendar(tx, scope);
  const offered = offeredSlot(ruleOf(offer), input.startsAt, now, calendar);
  if ("refused" in offered) throw fieldError("startsAt", offered.refused.zh, offered.refused.en);
  const { slot } = offered;

  // One phone's bookings are counted one at a time (parallel bookings of one phone queue here).
  const phoneIndex = cipher.blindIndex("phone", mobile.normalized);
  await tx.sql`select pg_advisory_xact_lock(hashtextextended(${`booking:${scope}:${phoneIndex.toString("hex")}`}, 0))`;
  const [held] = await tx.sql<{ open: number; same: number }[]>`select
      count(*) filter (where status = 'booked' and starts_at > ${now})::int as open,
      count(*) filter (where offer_id = ${offer.id} and starts_at = ${slot.startsAt} and status <> 'cancelled')::int as same
    from app.appointments where scope_code = ${scope} and phone_index = ${phoneIndex}`;
  if (held!.same > 0) {
    const again = await replay(tx, key, requestHash, now);
    if (again) return { ...again, replayed: true };
    throw new AppError("CONFLICT", {
      zh: "该手机号已预约此时段，可用预约码查询",
      en: "This phone has already booked that slot; look it up by its booking code",
    });
  }
  if (held!.open >= MAX_OPEN_BOOKINGS_PER_PHONE) {
    throw new AppError("CONFLICT", {
      zh: `每个手机号在本中心最多保留${MAX_OPEN_BOOKINGS_PER_PHONE}个未到期的预约，请先取消或办理已有预约`,
      en: `A phone may hold at most ${MAX_OPEN_BOOKINGS_PER_PHONE} open bookings at this centre; cancel or attend one first`,
    });
  }

  // A room's slot is also the room's time: its room booking meets the sessions' bookings in the
  // room's exclusion constraint.
  let roomBookingId: string | null = null;
  const code = bookingCode(scope, randomBytes(8));
  if (offer.room_id) {
    try {
      await tx.sql`savepoint room_slot`;
      const [b] = await tx.sql<{ id: string }[]>`insert into app.bookings (room_id, county_code, during, title)
        values (${offer.room_id}, ${countyOf(scope)}, tstzrange(${slot.startsAt}, ${slot.endsAt}, '[)'), ${`网上预约 ${code}`})
        returning id`;
      roomBookingId = b!.id;
      await tx.sql`release savepoint room_slot`;
    } catch (error) {
      if ((error as { code?: string }).code !== "23P01") throw error;
      await tx.sql`rollback to savepoint room_slot`;
      const again = await replay(tx, key, requestHash, now);
      if (again) return { ...again, replayed: true };
      throw slotFull();
    }
  }
  const sealed = (column: string, value: string) => cipher.encrypt(value, fieldContext("appointments", column, scope));
  for (let attempt = 0; attempt <= offer.capacity; attempt++) {
    const taken = await tx.db
      .select({ seat: appointments.seat })
      .from(appointments)
      .where(
        and(
          eq(appointments.offerId, offer.id),
          eq(appointments.startsAt, slot.startsAt),
          ne(appointments.status, "cancelled"),
        ),
      );
    const used = new Set(taken.map((t) => t.seat));
    const seat = Array.from({ length: offer.capacity }, (_, i) => i + 1).find((s) => !used.has(s));
    if (seat === undefined) break;
    try {
      await tx.sql`savepoint seat`;
      const [row] = await tx.db
        .insert(appointments)
        .values({
          offerId: offer.id,
          countyCode: countyOf(scope),
          code,
          startsAt: slot.startsAt,
          endsAt: slot.endsAt,
          seat,
          nameEnc: sealed("name", name),
          nameMasked: maskPersonName(name),
          phoneEnc: sealed("phone", mobile.normalized),
          phoneIndex,
          phoneMasked: maskMobileNumber(mobile.normalized),
          categoryCode: input.categoryCode,
          matter: input.matter,
          lookupDigest: cipher.blindIndex("booking_lookup", `${code}:${mobile.normalized.slice(-4)}`),
          idempotencyKey: key,
          requestHash,
          roomBookingId,
        })
        .returning({ id: appointments.id });
      await tx.sql`release savepoint seat`;
      await recordAudit(tx, {
        kind: "booking.created",
        subjectId: row!.id,
        detail: { offerId: offer.id, startsAt: slot.startsAt.toISOString() },
        ...(options.ip ? { ip: options.ip } : {}),
      });
      await notifyReceivers(tx, { code, startsAt: slot.startsAt, offerTitle: offer.title });
      const [view] = await publicView(tx, tx.sql`a.id = ${row!.id}`);
      return { ...toPublic(view!, now), replayed: false };
    } catch (error) {
      const e = databaseError(error) as { code?: string; constraint_name?: string };
      if (e.code !== "23P01" && e.code !== "23505") throw error;
      await tx.sql`rollback to savepoint seat`;
      // The same key booked meanwhile (a parallel retry): its booking is the answer.
      const again = await replay(tx, key, requestHash, now);
      if (again) return { ...again, replayed: true };
      if (e.code === "23505" && e.constraint_name !== "appointments_code_key") throw error;
      // Another request took this seat first: try the next free one.
    }
  }
  throw slotFull();
}

/** The booking with this code whose phone ends in these digits, or null (no oracle: one answer). */
async function ownAppointment(tx: Tx, input: { code: string; phoneLast4: string }, cipher: FieldCipher) {
  const digest = cipher.blindIndex("booking_lookup", `${input.code}:${input.phoneLast4}`);
  const [row] = await publicView(
    tx,
    tx.sql`a.scope_code = ${tx.ctx.scope} and a.code = ${input.code} and a.lookup_digest = ${digest}`,
  );
  return row ?? null;
}

/** A person's booking by its code and the last 4 digits of the phone (null: no such booking). */
export async function lookupAppointment(
  tx: Tx,
  input: { code: string; phoneLast4: string },
  cipher: FieldCipher,
  now: Date,
): Promise<PublicAppointment | null> {
  authorizeFor(tx, "appointment.book", tx.ctx.scope);
  const row = await ownAppointment(tx, input, cipher);
  return row ? toPublic(row, now) : null;
}

/** A person cancels their own booking before it begins (null: no such booking). */
export async function cancelOwnAppointment(
  tx: Tx,
  input: { code: string; phoneLast4: string },
  cipher: FieldCipher,
  now: Date,
): Promise<PublicAppointment | null> {
  authorizeFor(tx, "appointment.book", tx.ctx.scope);
  const row = await ownAppointment(tx, input, cipher);
  if (!row) return null;
  if (!cancellable(row, now)) {
    throw new AppError("CONFLICT", {
      zh: "该预约已开始、已办理或已取消，不能再取消",
      en: "This booking has begun, been handled or been cancelled; it can no longer be cancelled",
    });
  }
  await setCancelled(tx, { id: row.id, county_code: countyOf(tx.ctx.scope) }, "本人取消 (cancelled by the person)");
  await recordAudit(tx, { kind: "booking.cancelled_by_person", subjectId: row.id });
  const [view] = await publicView(tx, tx.sql`a.id = ${row.id}`);
  return toPublic(view!, now);
}

/** Cancels a booking and frees its room booking, if any. */
async function setCancelled(
  tx: Tx,
  a: { id: string; county_code: string },
  reason: string,
  version?: number,
): Promise<number> {
  const rows = await tx.db
    .update(appointments)
    .set({
      status: "cancelled",
      cancelReason: reason,
      updatedAt: sql`now()`,
      version: sql`${appointments.version} + 1`,
    })
    .where(
      and(
        eq(appointments.id, a.id),
        eq(appointments.countyCode, a.county_code),
        inArray(appointments.status, ["booked", "arrived"]),
        version === undefined ? undefined : eq(appointments.version, version),
      ),
    )
    .returning({ room_booking_id: appointments.roomBookingId, version: appointments.version });
  if (!rows[0]) throw conflict();
  if (rows[0].room_booking_id) {
    await tx.db
      .update(bookings)
      .set({ status: "cancelled", version: sql`${bookings.version} + 1` })
      .where(
        and(
          eq(bookings.id, rows[0].room_booking_id),
          eq(bookings.countyCode, a.county_code),
          eq(bookings.status, "active"),
        ),
      );
  }
  return rows[0].version;
}

// ---------- the centre's side: the clerk's home and 接待 ----------

/** A booking as the centre's staff see it (masked; the full data reaches only the case it becomes). */
export type Appointment = z.output<typeof appointmentView>;

const staffView = (tx: Tx, where: SQL | undefined): Promise<Appointment[]> => {
  const a = appointments;
  return tx.db
    .select({
      id: a.id,
      code: a.code,
      status: a.status,
      offerId: a.offerId,
      kind: bookingOffers.kind,
      title: bookingOffers.title,
      resourceName,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      nameMasked: a.nameMasked,
      phoneMasked: a.phoneMasked,
      categoryCode: a.categoryCode,
      matter: a.matter,
      cancelReason: a.cancelReason,
      caseId: a.caseId,
      caseCode: cases.code,
      createdAt: a.createdAt,
      version: a.version,
    })
    .from(a)
    .innerJoin(bookingOffers, eq(bookingOffers.id, a.offerId))
    .leftJoin(serviceWindows, eq(serviceWindows.id, bookingOffers.windowId))
    .leftJoin(mediationRooms, eq(mediationRooms.id, bookingOffers.roomId))
    .leftJoin(cases, eq(cases.id, a.caseId))
    .where(where)
    .orderBy(a.startsAt, a.seat, a.id);
};

/** The bookings of a centre (the caller's own, or one of its subtree's) from `from` to `to`, by slot. */
export async function listAppointments(
  tx: Tx,
  input: {
    tenantId?: string | undefined;
    from: IsoDate;
    to?: IsoDate | undefined;
    status?: AppointmentStatus[] | undefined;
  },
): Promise<Appointment[]> {
  const scope = await targetScope(tx, input.tenantId);
  const to = input.to ?? addDays(input.from, 7);
  if (to < input.from) throw fieldError("to", "结束日期不能早于开始日期", "The end date is before the start date");
  if (addDays(input.from, 62) < to) throw fieldError("to", "一次最多查看62天", "At most 62 days at a time");
  const from = new Date(Date.parse(`${input.from}T00:00:00+08:00`));
  const until = new Date(Date.parse(`${addDays(to, 1)}T00:00:00+08:00`));
  return staffView(
    tx,
    and(
      eq(appointments.scopeCode, scope),
      gte(appointments.startsAt, from),
      lt(appointments.startsAt, until),
      input.status?.length ? inArray(appointments.status, input.status) : undefined,
    ),
  );
}

/**
 * Loads a booking for a clerk's action: NOT_FOUND if hidden, FORBIDDEN unless the caller's unit
 * may act on it, then locked (a parallel action on it waits) and CONFLICT if converted or stale.
 * The lock comes after the permission: FOR UPDATE also applies the update policy (own unit), which
 * would hide the row from a unit above that may read it.
 */
async function forHandling(tx: Tx, id: string, version: number) {
  const [visible] = await tx.db
    .select({ scopeCode: appointments.scopeCode })
    .from(appointments)
    .where(eq(appointments.id, id));
  if (!visible) throw notFound(APPOINTMENT);
  authorizeFor(tx, "appointment.handle", visible.scopeCode);
  const [row] = await tx.sql<
    {
      id: string;
      scope_code: string;
      county_code: string;
      status: AppointmentStatus;
      version: number;
      starts_at: Date;
      case_code: string | null;
    }[]
  >`select a.id, a.scope_code, a.county_code, a.status, a.version, a.starts_at, c.code as case_code
    from app.appointments a left join app.cases c on c.id = a.case_id
    where a.id = ${id} for update of a`;
  if (!row) throw notFound(APPOINTMENT);
  if (row.status === "converted") {
    throw new AppError(
      "CONFLICT",
      {
        zh: `该预约已接待登记为案件 ${row.case_code}`,
        en: `This booking was already received as case ${row.case_code}`,
      },
      { caseCode: row.case_code },
    );
  }
  if (row.version !== version) throw conflict();
  return row;
}

const MARKS: Record<"arrived" | "no_show" | "cancelled", { from: readonly AppointmentStatus[]; message: Message }> = {
  arrived: { from: ["booked"], message: { zh: "只有已预约的可以标记到场", en: "Only a booked booking can arrive" } },
  no_show: {
    from: ["booked"],
    message: { zh: "只有已预约的可以标记未到场", en: "Only a booked booking can be a no-show" },
  },
  cancelled: {
    from: ["booked", "arrived"],
    message: { zh: "该预约已办理或已取消", en: "This booking was already handled or cancelled" },
  },
};

/** A clerk marks a booking arrived, a no-show (once its slot began) or cancelled (with a reason). */
export async function markAppointment(
  tx: Tx,
  input: {
    id: string;
    version: number;
    status: "arrived" | "no_show" | "cancelled";
    reason?: string | null | undefined;
  },
  now: Date = new Date(),
): Promise<Appointment> {
  const row = await forHandling(tx, input.id, input.version);
  const rule = MARKS[input.status];
  if (!rule.from.includes(row.status)) throw new AppError("CONFLICT", rule.message);
  if (input.status === "no_show" && row.starts_at > now) {
    throw fieldError(
      "status",
      "预约时段尚未开始，不能标记未到场",
      "The slot has not begun; it cannot be a no-show yet",
    );
  }
  if (input.status === "cancelled") {
    if (!input.reason?.trim()) throw fieldError("reason", "请填写取消原因", "Give the reason for cancelling");
    await setCancelled(tx, row, input.reason.trim(), input.version);
  } else {
    await tx.db
      .update(appointments)
      .set({ status: input.status, updatedAt: sql`now()`, version: sql`${appointments.version} + 1` })
      .where(
        and(
          eq(appointments.id, row.id),
          eq(appointments.countyCode, row.county_code),
          eq(appointments.version, input.version),
        ),
      );
  }
  await recordAudit(tx, { kind: `booking.${input.status}`, subjectId: row.id });
  const [view] = await staffView(tx, eq(appointments.id, row.id));
  return view!;
}

/** What 接待 adds to the booking to register the case (the person's data come from the booking). */
export interface ReceiveInput {
  id: string;
  version: number;
  categoryCode: string;
  title: string;
  description: string;
  locationCode: string;
  address?: string | null | undefined;
  peopleCount?: number | undefined;
  groupDispute?: boolean | undefined;
  riskGrade?: RiskGrade | undefined;
  difficulty?: "simple" | "complex" | undefined;
}

const ONLINE: Channel = "online";

/**
 * 接待: the clerk receives the person of a booking and registers the case through the one intake
 * path (channel online booking, the person as applicant with the name and phone they booked
 * with), then links the booking to the case. Exactly once: the booking's row is locked first, a
 * converted booking is refused with its case's code, and the database holds one booking per case
 * and a case on every converted booking. A mediation booking's room booking passes to the case.
 */
export async function receiveAppointment(
  tx: Tx,
  input: ReceiveInput,
  cipher: FieldCipher,
): Promise<z.output<typeof receivedAppointment>> {
  const row = await forHandling(tx, input.id, input.version);
  if (row.status !== "booked" && row.status !== "arrived") {
    throw new AppError("CONFLICT", {
      zh: "已取消或未到场的预约不能接待登记",
      en: "A cancelled or no-show booking cannot be received",
    });
  }
  // The case is registered at the caller's unit, which must be the booking's (own only).
  authorizeFor(tx, "case.register", row.scope_code);
  const [sealed] = await tx.db
    .select({
      name_enc: appointments.nameEnc,
      phone_enc: appointments.phoneEnc,
      room_booking_id: appointments.roomBookingId,
    })
    .from(appointments)
    .where(and(eq(appointments.id, row.id), eq(appointments.countyCode, row.county_code)));
  const open = (column: string, value: Buffer) =>
    cipher.decrypt(value, fieldContext("appointments", column, row.scope_code));
  const created = await registerCase(
    tx,
    {
      categoryCode: input.categoryCode,
      channel: ONLINE,
      title: input.title,
      description: input.description,
      locationCode: input.locationCode,
      address: input.address ?? null,
      peopleCount: input.peopleCount ?? 1,
      groupDispute: input.groupDispute ?? false,
      riskGrade: input.riskGrade ?? "none",
      difficulty: input.difficulty ?? "simple",
      parties: [
        {
          role: "applicant",
          kind: "person",
          name: open("name", sealed!.name_enc),
          phone: open("phone", sealed!.phone_enc),
        },
      ],
    },
    cipher,
  );
  await tx.db
    .update(appointments)
    .set({ status: "converted", caseId: created.id, updatedAt: sql`now()`, version: sql`${appointments.version} + 1` })
    .where(
      and(
        eq(appointments.id, row.id),
        eq(appointments.countyCode, row.county_code),
        eq(appointments.version, input.version),
      ),
    );
  if (sealed!.room_booking_id) {
    await tx.db
      .update(bookings)
      .set({ caseId: created.id })
      .where(and(eq(bookings.id, sealed!.room_booking_id), eq(bookings.countyCode, row.county_code)));
  }
  await recordAudit(tx, { kind: "booking.received", subjectId: row.id, detail: { caseId: created.id } });
  const [view] = await staffView(tx, eq(appointments.id, row.id));
  return { caseId: created.id, caseCode: created.code, appointment: view! };
}
