import type { Permission } from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";
import { agreements, cases, followUps, judicialConfirmations, mediationSessions } from "@zongzhi/db/schema";
import {
  AGREEMENT_STATES,
  AppError,
  type CaseState,
  checkConfirmationApplication,
  chinaDate,
  chinaToday,
  conflict,
  type ExcludedMatter,
  FOLLOW_UP_STATES,
  notFound,
  rulingDue,
  SCHEDULING_STATES,
} from "@zongzhi/domain";
import { and, eq, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { z } from "zod";
import type { confirmationApplied, followUpRecorded, scheduledSession } from "../schemas/case-views.ts";
import type { Created, Versioned } from "../schemas/common.ts";
import { asSystem, authorizeFor } from "./actor.ts";
import { bookRoom } from "./bookings.ts";
import { reportCalendarGaps, unitCalendar } from "./calendar.ts";
import { appendEvent, type CaseKey } from "./case-events.ts";
import { transitionCase } from "./cases.ts";
import { completeDeadlines } from "./deadlines.ts";

/** Loads a case the caller may see and checks `permission` against its owner (NOT_FOUND, then FORBIDDEN). */
async function caseFor(
  tx: Tx,
  caseId: string,
  permission: Permission,
  county?: string,
): Promise<CaseKey & { status: string; version: number; code: string; owner_code: string }> {
  const [c] = await tx.db
    .select({
      id: cases.id,
      county_code: cases.countyCode,
      status: cases.status,
      version: cases.version,
      code: cases.code,
      owner_code: cases.ownerCode,
    })
    .from(cases)
    .where(and(eq(cases.id, caseId), county ? eq(cases.countyCode, county) : undefined));
  if (!c) throw notFound({ zh: "案件", en: "case" });
  authorizeFor(tx, permission, c.owner_code);
  return c;
}

/**
 * The owner of the case a row belongs to (the row's case and county), checked against
 * `permission`; NOT_FOUND when invisible.
 */
async function authorizeByCase(tx: Tx, row: { case_id: string; county_code: string }, permission: Permission) {
  await caseFor(tx, row.case_id, permission, row.county_code);
}

/** Schedules a mediation session: books the room and mediators (exclusion constraints refuse clashes). */
export async function scheduleSession(
  tx: Tx,
  input: { caseId: string; roomId: string; startsAt: Date; endsAt: Date; mediatorIds: string[] },
): Promise<z.output<typeof scheduledSession>> {
  const c = await caseFor(tx, input.caseId, "case.session");
  if (!SCHEDULING_STATES.includes(c.status as CaseState)) {
    throw new AppError("PRECONDITION_FAILED", {
      zh: "案件须先分诊后方可安排调解",
      en: "Triage the case before scheduling mediation",
    });
  }
  const booking = await bookRoom(tx, {
    roomId: input.roomId,
    startsAt: input.startsAt,
    endsAt: input.endsAt,
    title: `调解 ${c.code}`,
    mediatorIds: input.mediatorIds,
    caseId: input.caseId,
  });
  const [row] = await tx.db
    .insert(mediationSessions)
    .values({
      caseId: input.caseId,
      countyCode: c.county_code,
      bookingId: booking.id,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      createdBy: tx.ctx.userId,
    })
    .returning({ id: mediationSessions.id });
  await appendEvent(tx, c, "mediation.scheduled", {
    sessionId: row!.id,
    room: booking.roomName,
    startsAt: input.startsAt.toISOString(),
    endsAt: input.endsAt.toISOString(),
    mediators: booking.mediators.map((m) => m.name),
  });
  return { id: row!.id, bookingId: booking.id };
}

/** Records who attended a session, the notes and its outcome. */
export async function recordSession(
  tx: Tx,
  input: {
    id: string;
    version: number;
    attendance: { name: string; role: string; present: boolean }[];
    notes: string;
    outcome: "continued" | "agreement" | "failed";
  },
): Promise<Versioned> {
  const [s] = await tx.db
    .select({
      case_id: mediationSessions.caseId,
      county_code: mediationSessions.countyCode,
      starts_at: mediationSessions.startsAt,
    })
    .from(mediationSessions)
    .where(eq(mediationSessions.id, input.id));
  if (!s) throw notFound({ zh: "调解记录", en: "session" });
  await authorizeByCase(tx, s, "case.session");
  // What happened at a session is recorded once it has taken place (same China day allowed for
  // clock skew); the database refuses it too (mediation_sessions_outcome_after_start).
  if (chinaDate(s.starts_at) > chinaToday()) {
    const m = {
      zh: `该调解安排在${chinaDate(s.starts_at)}，尚未进行，不能登记结果；请在调解当天或之后登记`,
      en: `The session is on ${chinaDate(s.starts_at)} and has not taken place; record its outcome on that day or later`,
    };
    throw new AppError("VALIDATION", m, { fields: [{ path: "outcome", ...m }] });
  }
  const [row] = await tx.sql<{ version: number }[]>`update app.mediation_sessions
    set attendance = ${tx.sql.json(input.attendance as never)}, notes = ${input.notes}, outcome = ${input.outcome},
      version = version + 1
    where id = ${input.id} and county_code = ${s.county_code} and version = ${input.version} returning version`;
  if (!row) throw conflict();
  await appendEvent(tx, { id: s.case_id, county_code: s.county_code }, "mediation.recorded", {
    sessionId: input.id,
    outcome: input.outcome,
    present: input.attendance.filter((a) => a.present).length,
  });
  return row;
}

/** The content an agreement must have (人民调解法 art. 29). */
export interface AgreementInput {
  caseId: string;
  signedOn: string;
  facts: string;
  disputedMatters: string;
  terms: string;
  performanceManner: string;
  performancePlace: string;
  performanceDeadline: string;
  mediatorNames: string[];
}

/** Records a signed mediation agreement; a case in mediation becomes resolved. */
export async function recordAgreement(tx: Tx, input: AgreementInput): Promise<Created> {
  const c = await caseFor(tx, input.caseId, "case.agreement");
  if (!AGREEMENT_STATES.includes(c.status as CaseState)) {
    throw new AppError("PRECONDITION_FAILED", {
      zh: "只有调解中的案件可以登记调解协议",
      en: "Only a case in mediation can record an agreement",
    });
  }
  if (input.signedOn > chinaToday()) {
    const m = {
      zh: "签订日期不能晚于今天：请登记已经签订的协议",
      en: "The signing date cannot be after today: record an agreement once it is signed",
    };
    throw new AppError("VALIDATION", m, { fields: [{ path: "signedOn", ...m }] });
  }
  if (input.performanceDeadline < input.signedOn) {
    throw new AppError(
      "VALIDATION",
      { zh: "履行期限不能早于签订日期", en: "The performance deadline is before signing" },
      { fields: [{ path: "performanceDeadline", zh: "履行期限不能早于签订日期", en: "before signing" }] },
    );
  }
  const [row] = await tx.db
    .insert(agreements)
    .values({
      caseId: input.caseId,
      countyCode: c.county_code,
      signedOn: input.signedOn,
      facts: input.facts,
      disputedMatters: input.disputedMatters,
      terms: input.terms,
      performanceManner: input.performanceManner,
      performancePlace: input.performancePlace,
      performanceDeadline: input.performanceDeadline,
      mediatorNames: input.mediatorNames,
      createdBy: tx.ctx.userId,
    })
    .returning({ id: agreements.id });
  await appendEvent(tx, c, "agreement.signed", { agreementId: row!.id, signedOn: input.signedOn });
  if (c.status !== "resolved") {
    // The rule resolves the case, on its own authority (the recorder was authorised above).
    await transitionCase(asSystem(tx, "agreement_rule"), {
      id: input.caseId,
      version: c.version,
      action: "resolve",
      data: { outcome: "达成调解协议" },
    });
  }
  return { id: row!.id };
}

/** Tracks whether an agreement was performed. */
export async function updatePerformance(
  tx: Tx,
  input: {
    id: string;
    version: number;
    status: "pending" | "partly" | "performed" | "breached";
    note?: string | null | undefined;
  },
): Promise<Versioned> {
  const [own] = await tx.db
    .select({ case_id: agreements.caseId, county_code: agreements.countyCode })
    .from(agreements)
    .where(eq(agreements.id, input.id));
  if (!own) throw notFound({ zh: "调解协议", en: "agreement" });
  await authorizeByCase(tx, own, "case.agreement");
  const agreement = and(eq(agreements.id, input.id), eq(agreements.countyCode, own.county_code));
  const [row] = await tx.db
    .update(agreements)
    .set({
      performanceStatus: input.status,
      performanceNote: input.note ?? null,
      version: sql`${agreements.version} + 1`,
    })
    .where(and(agreement, eq(agreements.version, input.version)))
    .returning({ version: agreements.version, case_id: agreements.caseId });
  if (!row) {
    const [exists] = await tx.db.select({ one: sql`1` }).from(agreements).where(agreement);
    throw exists ? conflict() : notFound({ zh: "调解协议", en: "agreement" });
  }
  await appendEvent(tx, { id: own.case_id, county_code: own.county_code }, "agreement.performance", {
    agreementId: input.id,
    status: input.status,
  });
  return { version: row.version };
}

/**
 * Applies for judicial confirmation of an agreement: within 30 days of signing, never for
 * identity, adoption or marriage-status matters; the court's 3-day acceptance deadline is set.
 */
export async function applyForConfirmation(
  tx: Tx,
  input: { agreementId: string; courtName: string; appliedOn: string; matters: ExcludedMatter[] },
): Promise<z.output<typeof confirmationApplied>> {
  const [a] = await tx.db
    .select({
      case_id: agreements.caseId,
      county_code: agreements.countyCode,
      signed_on: sql<string>`${agreements.signedOn}::text`,
      owner_code: cases.ownerCode,
    })
    .from(agreements)
    .innerJoin(cases, and(eq(cases.id, agreements.caseId), eq(cases.countyCode, agreements.countyCode)))
    .where(eq(agreements.id, input.agreementId));
  if (!a) throw notFound({ zh: "调解协议", en: "agreement" });
  await authorizeByCase(tx, a, "case.agreement");
  // The court's periods end on a working day of the same calendar the case's clocks count on.
  const calendar = await unitCalendar(tx, a.owner_code);
  const { acceptDue } = checkConfirmationApplication(
    { signedOn: a.signed_on, appliedOn: input.appliedOn, matters: input.matters },
    calendar,
  );
  reportCalendarGaps(tx, a.owner_code, input.appliedOn, acceptDue, calendar);
  const [row] = await tx.db
    .insert(judicialConfirmations)
    .values({
      caseId: a.case_id,
      countyCode: a.county_code,
      agreementId: input.agreementId,
      courtName: input.courtName,
      appliedOn: input.appliedOn,
      acceptDue,
    })
    .returning({ id: judicialConfirmations.id });
  await appendEvent(tx, { id: a.case_id, county_code: a.county_code }, "confirmation.applied", {
    confirmationId: row!.id,
    court: input.courtName,
    acceptDue,
  });
  return { id: row!.id, acceptDue };
}

/** Records the court's steps: acceptance (sets the 15-day ruling deadline), extension (+10), ruling. */
export async function recordConfirmationStep(
  tx: Tx,
  input: {
    id: string;
    version: number;
    step: "accepted" | "not_accepted" | "extended" | "confirmed" | "rejected";
    on: string;
    note?: string | null | undefined;
  },
): Promise<Versioned> {
  const jc = judicialConfirmations;
  const [j] = await tx.db
    .select({
      case_id: jc.caseId,
      county_code: jc.countyCode,
      accepted_on: sql<string | null>`${jc.acceptedOn}::text`,
      extended: jc.extended,
      result: jc.result,
      owner_code: cases.ownerCode,
    })
    .from(jc)
    .innerJoin(cases, and(eq(cases.id, jc.caseId), eq(cases.countyCode, jc.countyCode)))
    .where(eq(jc.id, input.id));
  if (!j) throw notFound({ zh: "司法确认", en: "confirmation" });
  await authorizeByCase(tx, j, "case.agreement");
  let set: PgUpdateSetSource<typeof jc>;
  const ruling = async (from: string, extended: boolean) => {
    const calendar = await unitCalendar(tx, j.owner_code);
    const due = rulingDue(from, extended, calendar);
    reportCalendarGaps(tx, j.owner_code, from, due, calendar);
    return due;
  };
  const refuse = (zh: string, en: string) => new AppError("PRECONDITION_FAILED", { zh, en });
  switch (input.step) {
    case "accepted":
    case "not_accepted":
      if (j.result !== "pending") throw refuse("法院已作出受理决定", "The court already decided on acceptance");
      set =
        input.step === "accepted"
          ? { acceptedOn: input.on, ruleDue: await ruling(input.on, false), result: "accepted" }
          : { result: "not_accepted", ruledOn: input.on, resultNote: input.note ?? null };
      break;
    case "extended":
      if (j.result !== "accepted" || j.extended || !j.accepted_on)
        throw refuse("只能在受理后延长一次", "Extend once, after acceptance");
      set = { extended: true, ruleDue: await ruling(j.accepted_on, true) };
      break;
    default:
      if (j.result !== "accepted") throw refuse("法院受理后方可作出裁定", "The court rules only after accepting");
      set = { result: input.step, ruledOn: input.on, resultNote: input.note ?? null };
  }
  const [row] = await tx.db
    .update(jc)
    .set({ ...set, version: sql`${jc.version} + 1` })
    .where(and(eq(jc.id, input.id), eq(jc.countyCode, j.county_code), eq(jc.version, input.version)))
    .returning({ version: jc.version });
  if (!row) throw conflict();
  await appendEvent(tx, { id: j.case_id, county_code: j.county_code }, `confirmation.${input.step}`, {
    confirmationId: input.id,
    on: input.on,
  });
  return row;
}

/**
 * Records a follow-up visit (回访). An unsatisfied party sends the case back for rework
 * (重办) unless a leader or admin records why not (`overrideReason`).
 */
export async function recordFollowUp(
  tx: Tx,
  input: {
    caseId: string;
    method: "phone" | "visit" | "on_site" | "online";
    satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
    notes?: string | null | undefined;
    overrideReason?: string | null | undefined;
  },
): Promise<z.output<typeof followUpRecorded>> {
  const c = await caseFor(tx, input.caseId, "case.follow_up");
  if (input.overrideReason) authorizeFor(tx, "case.follow_up_override", c.owner_code);
  if (!FOLLOW_UP_STATES.includes(c.status as CaseState)) {
    throw new AppError("PRECONDITION_FAILED", { zh: "案件尚未进入回访阶段", en: "The case is not awaiting follow-up" });
  }
  await tx.db.insert(followUps).values({
    caseId: input.caseId,
    countyCode: c.county_code,
    method: input.method,
    satisfaction: input.satisfaction,
    notes: input.notes ?? null,
    overrideReason: input.overrideReason ?? null,
    byUser: tx.ctx.userId,
  });
  await completeDeadlines(tx, c, ["follow_up"]);
  await appendEvent(tx, c, "follow_up.recorded", {
    method: input.method,
    satisfaction: input.satisfaction,
    overridden: Boolean(input.overrideReason),
  });
  if (input.satisfaction === "unsatisfied" && !input.overrideReason) {
    // The rule, not the caller, reopens the case: a named system actor runs the transition.
    await transitionCase(asSystem(tx, "follow_up_rule"), {
      id: input.caseId,
      version: c.version,
      action: "reopen",
      data: { reason: "回访不满意，重办" },
    });
    return { reopened: true };
  }
  return { reopened: false };
}
