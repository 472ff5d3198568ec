import type { Tx } from "@zongzhi/db/client";
import { caseSummons, departmentKinds, rotationSlots, stationingLiaisons, stationings } from "@zongzhi/db/schema";
import {
  AppError,
  addDays,
  type DayRoster,
  type IsoDate,
  notFound,
  type Residency,
  type RosterStationing,
  type RotationSlot,
  rosterForWeek,
} from "@zongzhi/domain";
import { type KIND_CATEGORIES, ownKindCode } from "@zongzhi/domain/centre";
import { and, countDistinct, eq, sql } from "drizzle-orm";
import { IN_USE_MESSAGES } from "../constraint-messages.ts";
import { databaseError } from "../errors.ts";
import type { DepartmentKind, Stationing } from "../schemas/centre-views.ts";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { reportCalendarGaps, unitCalendar } from "./calendar.ts";
import { targetScope, updateVersionedRow } from "./centre-target.ts";

/** A kind of department from the catalogue, built-in or added by this deployment (schemas/centre-views.ts). */
export type { DepartmentKind };

/**
 * The catalogue visible to the caller: built-in kinds plus the active ones added by it or its
 * ancestors, and its own deactivated ones (flagged, so that it may reactivate them).
 */
export async function listDepartmentKinds(tx: Tx): Promise<DepartmentKind[]> {
  const rows = await tx.sql<Omit<DepartmentKind, "own">[]>`
    select code, name, category::text, true as builtin, null::uuid as id, null::int as version, true as active,
      null::text as "scopeCode", null::text as "unitName"
    from ref.department_kinds
    union all
    select k.code, k.name, k.category::text, false, k.id, k.version, k.active, k.scope_code, d.name
    from app.department_kinds k left join ref.divisions d on d.code = k.scope_code
    where k.active or k.scope_code = ${tx.ctx.scope}
    order by builtin desc, code`;
  return rows.map((r) => ({ ...r, own: r.scopeCode === tx.ctx.scope }));
}

/** A unit's own department kind as its add and edit answer it. */
const kindColumns = {
  code: departmentKinds.code,
  name: departmentKinds.name,
  category: departmentKinds.category,
  id: departmentKinds.id,
  version: departmentKinds.version,
  active: departmentKinds.active,
  scopeCode: departmentKinds.scopeCode,
};

/** Adds a department kind to the catalogue of the caller's subtree (code gets an `x_` prefix). */
export async function addDepartmentKind(
  tx: Tx,
  input: { code: string; name: string; category: (typeof KIND_CATEGORIES)[number] },
): Promise<DepartmentKind> {
  const code = ownKindCode(input.code);
  const [row] = await tx.db
    .insert(departmentKinds)
    .values({ code, name: input.name, category: input.category })
    .returning(kindColumns);
  await recordAudit(tx, { kind: "centre.department_kind_added", subjectId: code });
  return { ...row!, builtin: false, unitName: null, own: true };
}

/**
 * Renames or (de)activates one of the caller's unit's own kinds; the code stays, so stationings
 * of the kind keep it. A kind of a unit above is FORBIDDEN, an unseen one NOT_FOUND.
 */
export async function editDepartmentKind(
  tx: Tx,
  input: { id: string; version: number; name: string; active: boolean },
): Promise<DepartmentKind> {
  const row = await updateVersionedRow(
    tx,
    departmentKinds,
    input.id,
    input.version,
    { name: input.name, active: input.active },
    "centre.configure",
    kindColumns,
  );
  await recordAudit(tx, { kind: "centre.department_kind_edited", subjectId: row.code });
  return { ...row, builtin: false, unitName: null, own: true };
}

async function assertKindExists(tx: Tx, code: string): Promise<void> {
  const [row] = await tx.sql<{ found: 1 }[]>`select 1 as found from ref.department_kinds where code = ${code}
    union all select 1 from app.department_kinds where code = ${code} and active limit 1`;
  if (!row) {
    throw new AppError(
      "VALIDATION",
      { zh: "部门类别不存在", en: "Unknown department kind" },
      { fields: [{ path: "kindCode", zh: "部门类别不存在", en: "unknown kind" }] },
    );
  }
}

/** A stationed department with its rotation slots and liaisons (schemas/centre-views.ts). */
export type { Stationing };

/** Input of a stationing (create and edit). */
export interface StationingInput {
  kindCode: string;
  name: string;
  residency: Residency;
  contactName?: string | null | undefined;
  contactPhone?: string | null | undefined;
  responseMinutes?: number | null | undefined;
  notes?: string | null | undefined;
  slots?: Omit<RotationSlot, never>[] | undefined;
  liaisonUserIds?: string[] | undefined;
}

function checkResidency(input: StationingInput): void {
  if (input.residency === "on_call" && (!input.responseMinutes || !input.contactPhone)) {
    throw new AppError(
      "VALIDATION",
      { zh: "随叫随驻部门须填写联系电话和响应时限", en: "An on-call department needs a phone and a response time" },
      {
        fields: [
          ...(input.contactPhone ? [] : [{ path: "contactPhone", zh: "请填写联系电话", en: "required" }]),
          ...(input.responseMinutes ? [] : [{ path: "responseMinutes", zh: "请填写响应时限", en: "required" }]),
        ],
      },
    );
  }
  if (input.residency === "rotating" && (!input.slots || input.slots.length === 0)) {
    throw new AppError(
      "VALIDATION",
      { zh: "轮驻部门须至少设置一个轮值安排", en: "A rotating department needs at least one schedule" },
      { fields: [{ path: "slots", zh: "请设置轮值安排", en: "required" }] },
    );
  }
}

async function writeSlotsAndLiaisons(tx: Tx, id: string, input: StationingInput): Promise<void> {
  await tx.db.delete(rotationSlots).where(eq(rotationSlots.stationingId, id));
  if (input.residency === "rotating") {
    // One at a time: the slots' order is their creation order (the list reads them so).
    for (const s of input.slots ?? []) {
      await tx.db.insert(rotationSlots).values({
        stationingId: id,
        weekdays: s.weekdays,
        everyWeeks: s.everyWeeks,
        anchorDate: s.anchorDate,
        validFrom: s.validFrom,
        validTo: s.validTo,
        staffName: s.staffName,
        staffPhone: s.staffPhone,
      });
    }
  }
  if (input.liaisonUserIds) {
    await tx.db.delete(stationingLiaisons).where(eq(stationingLiaisons.stationingId, id));
    for (const userId of input.liaisonUserIds) {
      await tx.db.insert(stationingLiaisons).values({ stationingId: id, userId });
    }
  }
}

/** The columns a stationing's form sets, on create and on edit (the response time is kept for on-call departments only). */
function stationingColumns(input: StationingInput) {
  return {
    kindCode: input.kindCode,
    name: input.name,
    residency: input.residency,
    contactName: input.contactName ?? null,
    contactPhone: input.contactPhone ?? null,
    responseMinutes: input.residency === "on_call" ? (input.responseMinutes ?? null) : null,
    notes: input.notes ?? null,
  };
}

/** Stations a department at the caller's centre. */
export async function stationDepartment(tx: Tx, input: StationingInput): Promise<Stationing> {
  checkResidency(input);
  await assertKindExists(tx, input.kindCode);
  const [row] = await tx.db.insert(stationings).values(stationingColumns(input)).returning({ id: stationings.id });
  await writeSlotsAndLiaisons(tx, row!.id, input);
  await recordAudit(tx, {
    kind: "centre.department_stationed",
    subjectId: row!.id,
    detail: { residency: input.residency },
  });
  return getStationing(tx, row!.id);
}

/** Changes a stationing (optimistic: `version` must match). Slots are replaced as a whole. */
export async function editStationing(
  tx: Tx,
  input: StationingInput & { id: string; version: number; active: boolean },
): Promise<Stationing> {
  checkResidency(input);
  await assertKindExists(tx, input.kindCode);
  await updateVersionedRow(tx, stationings, input.id, input.version, {
    ...stationingColumns(input),
    active: input.active,
    updatedAt: sql`now()`,
  });
  await writeSlotsAndLiaisons(tx, input.id, input);
  await recordAudit(tx, { kind: "centre.stationing_edited", subjectId: input.id });
  return getStationing(tx, input.id);
}

type StationingRow = {
  id: string;
  kind_code: string;
  kind_name: string | null;
  name: string;
  residency: Residency;
  contact_name: string | null;
  contact_phone: string | null;
  response_minutes: number | null;
  notes: string | null;
  active: boolean;
  version: number;
  slots: {
    id: string;
    weekdays: number[] | null;
    every_weeks: number;
    anchor_date: string | null;
    valid_from: string | null;
    valid_to: string | null;
    staff_name: string;
    staff_phone: string | null;
  }[];
  liaisons: { user_id: string; username: string; display_name: string }[];
};

async function selectStationings(tx: Tx, where: ReturnType<Tx["sql"]>): Promise<Stationing[]> {
  const rows = await tx.sql<StationingRow[]>`
    select s.id, s.kind_code, coalesce(rk.name, ak.name) as kind_name, s.name, s.residency, s.contact_name,
      s.contact_phone, s.response_minutes, s.notes, s.active, s.version,
      coalesce((select json_agg(json_build_object('id', r.id, 'weekdays', r.weekdays, 'every_weeks', r.every_weeks,
          'anchor_date', r.anchor_date, 'valid_from', r.valid_from, 'valid_to', r.valid_to, 'staff_name', r.staff_name,
          'staff_phone', r.staff_phone) order by r.created_at)
        from app.rotation_slots r where r.stationing_id = s.id), '[]') as slots,
      coalesce((select json_agg(json_build_object('user_id', u.id, 'username', u.username, 'display_name', u.display_name)
          order by u.username)
        from app.stationing_liaisons l join app.users u on u.id = l.user_id where l.stationing_id = s.id), '[]') as liaisons
    from app.stationings s
    left join ref.department_kinds rk on rk.code = s.kind_code
    left join app.department_kinds ak on ak.code = s.kind_code
    where ${where}
    order by array_position(array['permanent','rotating','on_call']::app.residency[], s.residency), s.name`;
  return rows.map((r) => ({
    id: r.id,
    kindCode: r.kind_code,
    kindName: r.kind_name ?? r.kind_code,
    name: r.name,
    residency: r.residency,
    contactName: r.contact_name,
    contactPhone: r.contact_phone,
    responseMinutes: r.response_minutes,
    notes: r.notes,
    active: r.active,
    version: r.version,
    slots: r.slots.map((s) => ({
      id: s.id,
      weekdays: s.weekdays,
      everyWeeks: s.every_weeks,
      anchorDate: s.anchor_date,
      validFrom: s.valid_from,
      validTo: s.valid_to,
      staffName: s.staff_name,
      staffPhone: s.staff_phone,
    })),
    liaisons: r.liaisons.map((l) => ({ userId: l.user_id, username: l.username, displayName: l.display_name })),
  }));
}

/** One stationing of the caller's subtree. */
export async function getStationing(tx: Tx, id: string): Promise<Stationing> {
  const [row] = await selectStationings(tx, tx.sql`s.id = ${id}`);
  if (!row) throw notFound({ zh: "入驻部门", en: "stationed department" });
  return row;
}

/** The departments stationed at a centre (own, or a descendant's for reading). */
export async function listStationings(tx: Tx, tenantId?: string): Promise<Stationing[]> {
  const scope = await targetScope(tx, tenantId);
  return selectStationings(tx, tx.sql`s.scope_code = ${scope}`);
}

/**
 * Removes a stationed department (its slots and liaison links go with it). One that was ever
 * summoned stays, because its summons are part of those cases' record: the database refuses
 * (case_summons_stationing_id_fkey) and the caller is told to deactivate it instead.
 */
export async function removeStationing(tx: Tx, id: string): Promise<void> {
  const [own] = await tx.db
    .select({ scopeCode: stationings.scopeCode })
    .from(stationings)
    .where(eq(stationings.id, id));
  if (!own) throw notFound({ zh: "入驻部门", en: "stationed department" });
  authorizeFor(tx, "centre.configure", own.scopeCode);
  const [used] = await tx.db
    .select({ cases: countDistinct(caseSummons.caseId) })
    .from(caseSummons)
    .where(eq(caseSummons.stationingId, id));
  if (used && used.cases > 0) throw inUse("case_summons_stationing_id_fkey", used.cases);
  let removed: number;
  try {
    await tx.sql`savepoint remove_stationing`;
    removed = (
      await tx.db
        .delete(stationings)
        .where(and(eq(stationings.id, id), eq(stationings.scopeCode, own.scopeCode)))
        .returning({ id: stationings.id })
    ).length;
    await tx.sql`release savepoint remove_stationing`;
  } catch (error) {
    // A summons the caller cannot see (or one made meanwhile) still refers to it.
    if ((databaseError(error) as { code?: string }).code !== "23503") throw error;
    await tx.sql`rollback to savepoint remove_stationing`;
    throw inUse("case_summons_stationing_id_fkey", used?.cases || 1);
  }
  if (removed === 0) throw notFound({ zh: "入驻部门", en: "stationed department" });
  await recordAudit(tx, { kind: "centre.stationing_removed", subjectId: id });
}

function inUse(constraint: keyof typeof IN_USE_MESSAGES, count: number): AppError {
  const m = IN_USE_MESSAGES[constraint]!(count);
  return new AppError(m.code, { zh: m.zh, en: m.en }, { constraint, count });
}

/** Who is at a centre during the week starting `start`: permanent, rotating on duty, on-call. */
export async function weekRoster(
  tx: Tx,
  input: { tenantId?: string | undefined; start: IsoDate },
): Promise<DayRoster[]> {
  const scope = await targetScope(tx, input.tenantId);
  const stationings = await activeStationings(tx, scope);
  // The working calendar the centre's clocks count on (its entries and those above it).
  const calendar = await unitCalendar(tx, scope);
  reportCalendarGaps(tx, scope, input.start, addDays(input.start, 6), calendar);
  return rosterForWeek(stationings, input.start, calendar);
}

/** The active departments stationed at a centre, as the roster reads them. */
export async function activeStationings(tx: Tx, scope: string): Promise<RosterStationing[]> {
  return (await selectStationings(tx, tx.sql`s.scope_code = ${scope} and s.active`)).map((s) => ({
    ...s,
    slots: s.slots,
  }));
}
