import type { Permission } from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";
import { caseHops } from "@zongzhi/db/schema";
import { AppError, type CaseState, conflict, MAX_BOUNCES, notFound } from "@zongzhi/domain";
import { asc, eq } from "drizzle-orm";
import type { z } from "zod";
import type { Versioned } from "../schemas/common.ts";
import type { ancestorUnit, caseHop, returnedCase } from "../schemas/escalation.ts";
import { authorizeFor, mayFor } from "./actor.ts";
import { nameOperationObject } from "./audit.ts";
import { appendEvent } from "./case-events.ts";
import { completeDeadlines, handOverClocks, startDeadline } from "./deadlines.ts";
import { assertLiaisonMayRead } from "./liaison-access.ts";
import { notifyUnit } from "./notifications.ts";

type CaseRow = {
  id: string;
  code: string;
  title: string;
  scope_code: string;
  county_code: string;
  owner_code: string;
  handler_code: string | null;
  hop_state: "settled" | "awaiting_sign_for";
  bounces: number;
  needs_leader_decision: boolean;
  version: number;
  category_code: string;
  status: CaseState;
};

/**
 * Loads a case the caller may see (NOT_FOUND otherwise) and checks `permission` against its
 * owner by the one table (FORBIDDEN), before the version (CONFLICT).
 */
async function load(tx: Tx, id: string, version: number, permission: Permission): Promise<CaseRow> {
  const [c] = await tx.sql<
    CaseRow[]
  >`select id, code, title, scope_code, county_code, owner_code, handler_code, hop_state,
      bounces, needs_leader_decision, version, category_code, status from app.cases where id = ${id}`;
  if (!c) throw notFound({ zh: "案件", en: "case" });
  nameOperationObject(tx, c.id, `${c.code} ${c.title}`);
  if (!mayFor(tx, permission, c.owner_code) && c.owner_code !== tx.ctx.scope) {
    throw new AppError(
      "FORBIDDEN",
      { zh: "只有当前承办单位可以执行此操作", en: "Only the unit that owns the case may do this" },
      { permission },
    );
  }
  authorizeFor(tx, permission, c.owner_code);
  if (c.version !== version) throw conflict();
  return c;
}

function refuseWhileLeaderDecides(tx: Tx, c: CaseRow): void {
  if (c.needs_leader_decision && !mayFor(tx, "case.decide_bounced", c.owner_code)) {
    throw new AppError("FORBIDDEN", {
      zh: "该案件多次退回，须由本级领导作出决定",
      en: "This case bounced too often: the unit's leader must decide",
    });
  }
}

async function unitName(tx: Tx, code: string): Promise<string | null> {
  const [own] = await tx.sql<{ name: string }[]>`select name from app.tenants where code = ${code}`;
  if (own) return own.name;
  const [up] = await tx.sql<{ name: string }[]>`select name from auth.ancestor_units() where code = ${code}`;
  return up?.name ?? null;
}

async function move(
  tx: Tx,
  c: CaseRow,
  set: ReturnType<Tx["sql"]>,
  hop: {
    kind: string;
    from: string;
    to: string;
    reason?: string | null;
    instructions?: string | null;
    urgency?: string;
    deadline?: Date | null;
  },
): Promise<{ version: number; hopId: string }> {
  const [row] = await tx.sql<
    { version: number }[]
  >`update app.cases set ${set}, version = version + 1, updated_at = now()
    where id = ${c.id} and county_code = ${c.county_code} and version = ${c.version} returning version`;
  if (!row) throw conflict();
  const [h] = await tx.db
    .insert(caseHops)
    .values({
      caseId: c.id,
      countyCode: c.county_code,
      kind: hop.kind,
      fromCode: hop.from,
      toCode: hop.to,
      reason: hop.reason ?? null,
      instructions: hop.instructions ?? null,
      urgency: hop.urgency ?? "normal",
      deadline: hop.deadline ?? null,
      byUser: tx.ctx.userId,
    })
    .returning({ id: caseHops.id });
  await appendEvent(tx, c, `case.${hop.kind}`, {
    from: hop.from,
    to: hop.to,
    reason: hop.reason ?? null,
    urgency: hop.urgency ?? "normal",
    deadline: hop.deadline?.toISOString() ?? null,
  });
  return { version: row.version, hopId: h!.id };
}

/**
 * Escalates (上报) a case from the owning tier to its parent or any onboarded ancestor, with a
 * reason. Ownership moves up; the origin and every tier it passed through keep reading it.
 * A target that is not an ancestor is refused here and by the database (cases_owner_on_path).
 */
export async function escalateCase(
  tx: Tx,
  input: { id: string; version: number; toCode: string; reason: string; urgency: "normal" | "urgent" },
): Promise<Versioned> {
  const c = await load(tx, input.id, input.version, "case.escalate");
  refuseWhileLeaderDecides(tx, c);
  const isAncestor = c.owner_code.startsWith(input.toCode) && input.toCode.length < c.owner_code.length;
  const name = isAncestor ? await unitName(tx, input.toCode) : null;
  if (!isAncestor || !name) {
    throw new AppError("VALIDATION", { zh: "只能上报给上级单位", en: "A case can be escalated only to a unit above" });
  }
  const { version } = await move(tx, c, tx.sql`owner_code = ${input.toCode}, hop_state = 'awaiting_sign_for'`, {
    kind: "escalate",
    from: c.owner_code,
    to: input.toCode,
    reason: input.reason,
    urgency: input.urgency,
  });
  // The resolution clock follows the case: the receiving tier answers for it from now.
  await hopClocks(tx, c, input.toCode, { kind: "escalate" });
  await notifyUnit(tx, {
    scopeCode: input.toCode,
    kind: "case.escalated",
    caseId: c.id,
    title: `${input.urgency === "urgent" ? "【紧急】" : ""}上报待签收：${c.code} ${c.title}`,
  });
  return { version };
}

/**
 * A case sent to another unit (escalated or assigned down): the receiving unit's sign-for clock
 * starts, and the case's running clocks are handed over to it.
 */
async function hopClocks(
  tx: Tx,
  c: { id: string; county_code: string; category_code: string; status: CaseState },
  to: string,
  hop: { kind: "escalate" | "assign_down"; deadline?: Date | undefined; refId?: string | undefined },
): Promise<void> {
  await startDeadline(tx, {
    caseId: c.id,
    countyCode: c.county_code,
    stage: "sign_for",
    ownerCode: to,
    categoryCode: c.category_code,
  });
  await handOverClocks(tx, {
    caseId: c.id,
    countyCode: c.county_code,
    categoryCode: c.category_code,
    status: c.status,
    to,
    ...hop,
  });
}

/** The receiving tier signs for (签收) an escalated or assigned case. */
export async function signForCase(tx: Tx, input: { id: string; version: number }): Promise<Versioned> {
  const c = await load(tx, input.id, input.version, "case.sign_for");
  if (c.hop_state !== "awaiting_sign_for") {
    throw new AppError("PRECONDITION_FAILED", { zh: "该案件无需签收", en: "Nothing to sign for" });
  }
  await completeDeadlines(tx, c, ["sign_for"]);
  const { version } = await move(tx, c, tx.sql`hop_state = 'settled'`, {
    kind: "sign_for",
    from: c.owner_code,
    to: c.owner_code,
  });
  return { version };
}

/** The longest deadline an assignment may give (a year), so that a typo does not park a case. */
const MAX_ASSIGNMENT_DAYS = 366;

/** Why an assign-down deadline is refused, or null: it must lie ahead, within a year. */
function assignDeadlineProblem(deadline: Date, now = new Date()): { zh: string; en: string } | null {
  if (deadline.getTime() <= now.getTime()) {
    return { zh: "交办期限须晚于现在", en: "The deadline of an assignment must lie ahead" };
  }
  if (deadline.getTime() > now.getTime() + MAX_ASSIGNMENT_DAYS * 86_400_000) {
    return { zh: "交办期限不能超过一年", en: "An assignment's deadline is at most a year ahead" };
  }
  return null;
}

/**
 * Assigns a case down (交办) to any descendant of the owning tier, with instructions and a
 * deadline; the descendant must sign for it. A unit outside the origin's branch becomes the
 * sideways handler, which gives it access to this case only.
 */
export async function assignDown(
  tx: Tx,
  input: { id: string; version: number; toCode: string; instructions: string; deadline: Date },
): Promise<Versioned> {
  const c = await load(tx, input.id, input.version, "case.assign_down");
  refuseWhileLeaderDecides(tx, c);
  const late = assignDeadlineProblem(input.deadline);
  if (late) throw new AppError("VALIDATION", late, { fields: [{ path: "deadline", ...late }] });
  const [target] = await tx.sql<{ name: string }[]>`select name from app.tenants where code = ${input.toCode}
    and code > ${c.owner_code} and code < ${c.owner_code} || ':'`;
  if (!target) throw new AppError("VALIDATION", { zh: "只能交办给下级单位", en: "Assign only to a unit below" });
  const onBranch = c.scope_code.startsWith(input.toCode);
  const handler = onBranch ? c.handler_code : input.toCode;
  const set: ReturnType<Tx["sql"]> = tx.sql`owner_code = ${input.toCode}, handler_code = ${handler},
    hop_state = 'awaiting_sign_for', needs_leader_decision = false`;
  const { version, hopId } = await move(tx, c, set, {
    kind: "assign_down",
    from: c.owner_code,
    to: input.toCode,
    instructions: input.instructions,
    deadline: input.deadline,
  });
  // The deadline given with the assignment is the receiving unit's clock, coloured and
  // supervised like any other (and stored, not only written into the path).
  await hopClocks(tx, c, input.toCode, { kind: "assign_down", deadline: input.deadline, refId: hopId });
  await notifyUnit(tx, {
    scopeCode: input.toCode,
    kind: "case.assigned",
    caseId: c.id,
    title: `交办待签收：${c.code} ${c.title}`,
  });
  return { version };
}

/**
 * Returns (退回) a case to the unit it came from, with a reason. Returns are counted: past
 * MAX_BOUNCES the case waits for a binding decision of the owning tier's leader.
 */
export async function returnCase(
  tx: Tx,
  input: { id: string; version: number; reason: string },
): Promise<z.output<typeof returnedCase>> {
  const c = await load(tx, input.id, input.version, "case.return_hop");
  const [last] = await tx.sql<{ from_code: string }[]>`select from_code from app.case_hops
    where case_id = ${c.id} and county_code = ${c.county_code} and kind in ('escalate', 'assign_down')
      and to_code = ${c.owner_code}
    order by at desc limit 1`;
  if (!last)
    throw new AppError("PRECONDITION_FAILED", { zh: "该案件不是上报或交办来的，无法退回", en: "Nothing to return" });
  const bounces = c.bounces + 1;
  const needsLeader = bounces > MAX_BOUNCES;
  const back = last.from_code;
  // A sideways handler that returns the case gives back its hold on it.
  const keepHandler = !(c.handler_code === c.owner_code && !back.startsWith(c.handler_code));
  const [row] = await tx.sql<{ version: number }[]>`update app.cases set owner_code = ${back}, hop_state = 'settled',
      bounces = ${bounces}, needs_leader_decision = ${needsLeader},
      handler_code = ${keepHandler ? c.handler_code : null}, version = version + 1, updated_at = now()
    where id = ${c.id} and county_code = ${c.county_code} and version = ${c.version} returning version`;
  if (!row) throw conflict();
  await tx.db.insert(caseHops).values({
    caseId: c.id,
    countyCode: c.county_code,
    kind: "return",
    fromCode: c.owner_code,
    toCode: back,
    reason: input.reason,
    byUser: tx.ctx.userId,
  });
  await completeDeadlines(tx, c, ["sign_for"]);
  await handOverClocks(tx, {
    caseId: c.id,
    countyCode: c.county_code,
    categoryCode: c.category_code,
    status: c.status,
    to: back,
    kind: "return",
  });
  await appendEvent(tx, c, "case.return_hop", { from: c.owner_code, to: back, reason: input.reason, bounces });
  await notifyUnit(tx, {
    scopeCode: back,
    kind: needsLeader ? "case.leader_decision" : "case.returned",
    caseId: c.id,
    title: needsLeader ? `多次退回，须领导决定：${c.code}` : `被退回：${c.code} ${c.title}`,
  });
  return { version: row.version, needsLeader };
}

/** One hop of a case across tiers (schemas/escalation.ts). */
export type CaseHop = z.output<typeof caseHop>;

/** The case's path across tiers, in order (village → township → county → township …). */
export async function casePath(tx: Tx, id: string): Promise<CaseHop[]> {
  await assertLiaisonMayRead(tx, id);
  const hops = await tx.db
    .select({
      kind: caseHops.kind,
      fromCode: caseHops.fromCode,
      toCode: caseHops.toCode,
      reason: caseHops.reason,
      instructions: caseHops.instructions,
      urgency: caseHops.urgency,
      deadline: caseHops.deadline,
      at: caseHops.at,
    })
    .from(caseHops)
    .where(eq(caseHops.caseId, id))
    .orderBy(asc(caseHops.at));
  // kind and urgency are text columns whose CHECKs (0008_escalation.sql) hold them to these values.
  return hops as CaseHop[];
}

/** A unit above the caller (schemas/escalation.ts). */
export type AncestorUnit = z.output<typeof ancestorUnit>;

/** Units above the caller (escalation targets), nearest last. */
export async function ancestorUnits(tx: Tx): Promise<AncestorUnit[]> {
  return tx.sql<AncestorUnit[]>`select id, code, name, level from auth.ancestor_units()`;
}
