import type { Tx } from "@zongzhi/db/client";
import { caseSummons, cases, stationingLiaisons, stationings } from "@zongzhi/db/schema";
import { AppError, conflict, notFound, OBJECTION_WINDOW_HOURS } from "@zongzhi/domain";
import { and, desc, eq, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { z } from "zod";
import type { liaisonItem, summoned } from "../schemas/case-views.ts";
import type { Versioned } from "../schemas/common.ts";
import { authorizeFor, mayFor } from "./actor.ts";
import { appendEvent, type CaseKey } from "./case-events.ts";
import { completeDeadlines, startDeadline } from "./deadlines.ts";

const SUMMONS = { zh: "召集", en: "summons" };

/**
 * Blows the whistle (吹哨): summons stationed or on-call departments of the caller's centre to
 * a case, each with a deadline counted from now (the summons), not from acknowledgement.
 */
export async function summonDepartments(
  tx: Tx,
  input: { caseId: string; stationingIds: string[]; dueHours: number; instructions?: string | null | undefined },
): Promise<z.output<typeof summoned>> {
  const [c] = await tx.db
    .select({
      id: cases.id,
      county_code: cases.countyCode,
      category_code: cases.categoryCode,
      owner_code: cases.ownerCode,
    })
    .from(cases)
    .where(eq(cases.id, input.caseId));
  if (!c) throw notFound({ zh: "案件", en: "case" });
  // The owning tier, or a unit above it, blows the whistle; the origin below it no longer does.
  authorizeFor(tx, "case.summon", c.owner_code);
  const out: { id: string; stationingId: string }[] = [];
  for (const stationingId of new Set(input.stationingIds)) {
    const [s] = await tx.db
      .select({ id: stationings.id, name: stationings.name })
      .from(stationings)
      .where(and(eq(stationings.id, stationingId), eq(stationings.scopeCode, tx.ctx.scope)));
    if (!s) throw notFound({ zh: "入驻部门", en: "stationed department" });
    const [row] = await tx.db
      .insert(caseSummons)
      .values({
        caseId: input.caseId,
        countyCode: c.county_code,
        stationingId,
        summonedBy: tx.ctx.userId,
        dueAt: sql`now() + ${`${input.dueHours} hours`}::interval`,
        objectionDeadline: sql`now() + ${`${OBJECTION_WINDOW_HOURS} hours`}::interval`,
        instructions: input.instructions ?? null,
      })
      .returning({ id: caseSummons.id, summoned_at: caseSummons.summonedAt });
    await startDeadline(tx, {
      caseId: input.caseId,
      countyCode: c.county_code,
      stage: "summons_acknowledgement",
      ownerCode: tx.ctx.scope,
      categoryCode: c.category_code,
      refId: row!.id,
      at: row!.summoned_at,
      // The hours the clerk gave are the clock (scan, colours, supervision), not the default policy.
      given: { amount: input.dueHours, unit: "hours" },
    });
    await appendEvent(tx, c, "summons.issued", {
      summonsId: row!.id,
      department: s.name,
      dueHours: input.dueHours,
    });
    out.push({ id: row!.id, stationingId });
  }
  return out;
}

type SummonsRow = {
  id: string;
  case_id: string;
  county_code: string;
  stationing_id: string;
  status: string;
  version: number;
  objection_deadline: Date;
  department: string;
  unit_code: string;
};

async function loadForLiaison(tx: Tx, id: string): Promise<SummonsRow> {
  const [s] = await tx.db
    .select({
      id: caseSummons.id,
      case_id: caseSummons.caseId,
      county_code: caseSummons.countyCode,
      stationing_id: caseSummons.stationingId,
      status: caseSummons.status,
      version: caseSummons.version,
      objection_deadline: caseSummons.objectionDeadline,
      department: stationings.name,
      unit_code: stationings.scopeCode,
    })
    .from(caseSummons)
    .innerJoin(stationings, eq(stationings.id, caseSummons.stationingId))
    .where(eq(caseSummons.id, id));
  if (!s) throw notFound(SUMMONS);
  // Why: only the summoned department's own liaisons (or the centre's admins) answer for it;
  // the subject is the department's stationing at its centre.
  if (mayFor(tx, "summons.answer_any", s.unit_code)) return s;
  const [link] = await tx.db
    .select({ one: sql`1` })
    .from(stationingLiaisons)
    .where(
      and(
        eq(stationingLiaisons.stationingId, s.stationing_id),
        eq(stationingLiaisons.userId, tx.ctx.userId ?? sql`null`),
      ),
    );
  if (!link) throw notFound(SUMMONS);
  authorizeFor(tx, "summons.answer", s.unit_code);
  return s;
}

/** The case a summons belongs to, as its child rows name it. */
const caseOf = (s: SummonsRow): CaseKey => ({ id: s.case_id, county_code: s.county_code });

/** Changes a summons the caller answers for, at `version` (moved on here), or CONFLICT. */
async function update(
  tx: Tx,
  s: SummonsRow,
  version: number,
  set: PgUpdateSetSource<typeof caseSummons>,
): Promise<number> {
  const [row] = await tx.db
    .update(caseSummons)
    .set({ ...set, version: sql`${caseSummons.version} + 1` })
    .where(and(eq(caseSummons.id, s.id), eq(caseSummons.countyCode, s.county_code), eq(caseSummons.version, version)))
    .returning({ version: caseSummons.version });
  if (!row) throw conflict();
  return row.version;
}

/** The department reports for duty (报到/签收). */
export async function acknowledgeSummons(tx: Tx, input: { id: string; version: number }): Promise<Versioned> {
  const s = await loadForLiaison(tx, input.id);
  if (s.status !== "pending") {
    throw new AppError("PRECONDITION_FAILED", { zh: "该召集已处理", en: "This summons was already answered" });
  }
  const version = await update(tx, s, input.version, {
    status: "acknowledged",
    acknowledgedAt: sql`now()`,
    acknowledgedBy: tx.ctx.userId,
  });
  await completeDeadlines(tx, caseOf(s), ["summons_acknowledgement"], s.id);
  await appendEvent(tx, caseOf(s), "summons.acknowledged", { summonsId: s.id, department: s.department });
  return { version };
}

/**
 * The department objects within 8 hours of the summons, with a reason and the party it
 * considers responsible. After the window it owns the work and may no longer object.
 */
export async function objectToSummons(
  tx: Tx,
  input: { id: string; version: number; reason: string; responsible?: string | null | undefined },
  now: Date = new Date(),
): Promise<Versioned> {
  const s = await loadForLiaison(tx, input.id);
  if (s.status === "objected" || s.status === "done") {
    throw new AppError("PRECONDITION_FAILED", { zh: "该召集已处理", en: "This summons was already answered" });
  }
  if (now > s.objection_deadline) {
    throw new AppError(
      "PRECONDITION_FAILED",
      {
        zh: "已超过8小时异议期，本部门须承办",
        en: "The 8-hour objection window has passed; the department owns the work",
      },
      { objectionDeadline: s.objection_deadline.toISOString() },
    );
  }
  const version = await update(tx, s, input.version, {
    status: "objected",
    objectedAt: sql`now()`,
    objectionReason: input.reason,
    objectionResponsible: input.responsible ?? null,
  });
  await completeDeadlines(tx, caseOf(s), ["summons_acknowledgement"], s.id);
  await appendEvent(tx, caseOf(s), "summons.objected", {
    summonsId: s.id,
    department: s.department,
    reason: input.reason,
    responsible: input.responsible ?? null,
  });
  return { version };
}

/** The department records what it did and its feedback (调处回复). */
export async function recordSummonsFeedback(
  tx: Tx,
  input: { id: string; version: number; action: string; feedback: string },
): Promise<Versioned> {
  const s = await loadForLiaison(tx, input.id);
  if (s.status !== "acknowledged") {
    throw new AppError("PRECONDITION_FAILED", { zh: "请先报到签收", en: "Acknowledge the summons first" });
  }
  const version = await update(tx, s, input.version, {
    status: "done",
    action: input.action,
    feedback: input.feedback,
    feedbackAt: sql`now()`,
  });
  await appendEvent(tx, caseOf(s), "summons.feedback", { summonsId: s.id, department: s.department });
  return { version };
}

/** A summons as a liaison's inbox lists it (schemas/case-views.ts). */
export type LiaisonItem = z.output<typeof liaisonItem>;

/** A liaison's inbox: summons addressed to the departments the caller serves, across its subtree. */
export async function liaisonInbox(tx: Tx, input: { status?: string | undefined }): Promise<LiaisonItem[]> {
  const s = caseSummons;
  return tx.db
    .select({
      id: s.id,
      caseId: s.caseId,
      code: cases.code,
      title: cases.title,
      caseStatus: cases.status,
      departmentName: stationings.name,
      summonedAt: s.summonedAt,
      dueAt: s.dueAt,
      objectionDeadline: s.objectionDeadline,
      status: sql<LiaisonItem["status"]>`${s.status}`,
      instructions: s.instructions,
      version: s.version,
    })
    .from(s)
    .innerJoin(
      stationingLiaisons,
      and(
        eq(stationingLiaisons.stationingId, s.stationingId),
        eq(stationingLiaisons.userId, tx.ctx.userId ?? sql`null`),
      ),
    )
    .innerJoin(stationings, eq(stationings.id, s.stationingId))
    .innerJoin(cases, eq(cases.id, s.caseId))
    .where(input.status ? eq(s.status, input.status) : undefined)
    .orderBy(desc(s.summonedAt))
    .limit(200);
}
