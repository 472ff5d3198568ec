import { type ScopeContext, type Sql, type Tx, withScope } from "@zongzhi/db/client";
import {
  AppError,
  type CaseState,
  type CheckedCalendar,
  calendarGaps,
  chinaDate,
  type DeadlineAmount,
  type DeadlineStage,
  type DeadlineUnit,
  dueAt,
  type EffectiveRule,
  notFound,
  PRE_RESOLUTION_STATES,
  parentCodeOf,
  ruleInForce,
  type StoredRule,
  type WorkCalendar,
  warningColour,
  YELLOW_SHARE,
} from "@zongzhi/domain";
import {
  FIRST_LEVEL,
  LEVEL_TITLES,
  OVERDUE_INSTRUCTIONS,
  RAISES,
  SUPERVISION_REPLY,
  type SupervisionStatus,
} from "@zongzhi/domain/supervision";
import type { z } from "zod";
import type { Created, Versioned } from "../schemas/common.ts";
import type { policyRow, supervisionRow } from "../schemas/escalation.ts";
import { authorizeFor } from "./actor.ts";
import { reportCalendarGaps, unitCalendar } from "./calendar.ts";
import { appendEvent, type CaseKey, type CaseRef, ofCase } from "./case-events.ts";
import type { DeadlineView } from "./case-views.ts";

export type { EffectiveRule, StoredRule } from "@zongzhi/domain";
export { ruleInForce } from "@zongzhi/domain";

import { notifyUnit } from "./notifications.ts";

/** The policy rules a unit's path may inherit from (own unit and ancestors, RLS-visible). */
async function rulesFor(tx: Tx, stage: DeadlineStage): Promise<StoredRule[]> {
  return tx.sql<StoredRule[]>`select id, scope_code as "scopeCode",
      category_code as "categoryCode", stage, amount, unit, yellow_share::float as "yellowShare", version
    from app.deadline_policies where stage = ${stage}`;
}

/** The rule in force for a unit, category and stage: a unit's own or inherited one, else the default. */
export async function effectiveRule(
  tx: Tx,
  input: { unitCode: string; categoryCode: string; stage: DeadlineStage; complex?: boolean | undefined },
): Promise<EffectiveRule> {
  return ruleInForce(await rulesFor(tx, input.stage), input);
}

/** A clock as `app.case_deadlines` stores it: the rule it follows (or the instruction) and when it falls due. */
export interface ClockRule {
  policyId: string | null;
  version: number;
  amount: number;
  unit: DeadlineUnit;
  yellowShare: number;
  due: Date;
  basis: "policy" | "instruction";
}

/** A clock started by a policy at `at`: its rule and due time. */

export function policyClock(rule: EffectiveRule, at: Date, calendar?: WorkCalendar): ClockRule & { basis: "policy" } {
  return {
    policyId: rule.id,
    version: rule.version,
    amount: rule.amount,
    unit: rule.unit,
    yellowShare: rule.yellowShare,
    due: dueAt(at, { amount: rule.amount, unit: rule.unit }, 0, calendar),
    basis: "policy" as const,
  };
}

/** A clock's length set by a person instead of a policy: the 交办 deadline, a summons' hours. */
export type GivenDue = { dueAt: Date } | DeadlineAmount;

/**
 * Starts the clock of a stage for the unit that must meet it, with the policy version in
 * force now, or with the length a person gave (`given`: an assign-down's deadline, the hours a
 * clerk gives a summons). Clocks start at dispatch (the escalation, assignment or summons),
 * not at sign-for; a clock started while the case is on hold starts paused.
 */
export async function startDeadline(
  tx: Tx,
  input: {
    caseId: string;
    /** The case's county (its row's county_code): the row is routed by it on Citus. */
    countyCode: string;
    stage: DeadlineStage;
    ownerCode: string;
    categoryCode: string;
    at?: Date;
    refId?: string | null;
    given?: GivenDue | undefined;
    paused?: boolean | undefined;
  },
): Promise<void> {
  const at = input.at ?? new Date();
  let clock: ClockRule;
  // Working days count on the owner's calendar (the package plus its entries, 节假日调整), and a
  // clock that reaches a year it has no data for is logged as a warning (and shown on the clock).
  const workingCalendar = () => unitCalendar(tx, input.ownerCode);
  if (input.given) {
    const given = input.given;
    const calendar = "dueAt" in given || given.unit !== "working_days" ? undefined : await workingCalendar();
    const due = "dueAt" in given ? given.dueAt : dueAt(at, given, 0, calendar);
    if (calendar) reportCalendarGaps(tx, input.ownerCode, chinaDate(at), chinaDate(due), calendar);
    const length: DeadlineAmount =
      "dueAt" in given
        ? { amount: Math.max(1, Math.ceil((due.getTime() - at.getTime()) / 3_600_000)), unit: "hours" }
        : given;
    clock = { policyId: null, version: 0, ...length, yellowShare: YELLOW_SHARE, due, basis: "instruction" };
  } else {
    const rule = await effectiveRule(tx, {
      unitCode: input.ownerCode,
      categoryCode: input.categoryCode,
      stage: input.stage,
    });
    const calendar = rule.unit === "working_days" ? await workingCalendar() : undefined;
    clock = policyClock(rule, at, calendar);
    if (calendar) reportCalendarGaps(tx, input.ownerCode, chinaDate(at), chinaDate(clock.due), calendar);
  }
  await tx.sql`insert into app.case_deadlines (case_id, county_code, stage, owner_code, policy_id, policy_version,
      amount, unit, yellow_share, started_at, due_at, ref_id, basis, paused_since)
    values (${input.caseId}, ${input.countyCode}, ${input.stage}, ${input.ownerCode}, ${clock.policyId}, ${clock.version}, ${clock.amount},
      ${clock.unit}, ${clock.yellowShare}, ${at}, ${clock.due}, ${input.refId ?? null}, ${clock.basis},
      ${input.paused ? at : null})`;
}

/** The clocks that are the owning unit's duty and so follow the case to its new owner. */
export const DUTY_STAGES = ["first_contact", "resolution", "follow_up"] as const satisfies readonly DeadlineStage[];

/**
 * Hands the case's duty clocks over with its ownership (上报, 交办, 退回): each open one is
 * closed for the old owner (`handed_over_to`, so a report can tell a handover from a met
 * deadline) and a new segment starts for the new owner:
 * - an assign-down's deadline becomes the receiver's resolution clock (its follow-up clock
 *   once the case is resolved), with `basis = 'instruction'`;
 * - a return gives the receiving unit back the time it had left when the case left it (its
 *   earlier segment resumes: start and due move by the time the case was away);
 * - otherwise the new owner's own policy applies, counted from the handover.
 */
export async function handOverClocks(
  tx: Tx,
  input: {
    caseId: string;
    countyCode: string;
    categoryCode: string;
    status: CaseState;
    to: string;
    kind: "escalate" | "assign_down" | "return";
    deadline?: Date | undefined;
    refId?: string | undefined;
  },
): Promise<void> {
  const now = new Date();
  const paused = input.status === "on_hold";
  const closed = await tx.sql<{ stage: DeadlineStage }[]>`update app.case_deadlines set completed_at = ${now},
      handed_over_to = ${input.to},
      paused_ms = paused_ms + coalesce((extract(epoch from ${now}::timestamptz - paused_since) * 1000)::bigint, 0),
      paused_since = null
    where case_id = ${input.caseId} and county_code = ${input.countyCode} and completed_at is null
      and stage = any(${[...DUTY_STAGES]}::text[])
    returning stage`;
  const stages = new Set(closed.map((c) => c.stage));
  let primary: DeadlineStage | null = null;
  if (input.kind === "assign_down") {
    primary = stages.has("resolution")
      ? "resolution"
      : stages.has("follow_up") || !(PRE_RESOLUTION_STATES as readonly string[]).includes(input.status)
        ? "follow_up"
        : "resolution";
    stages.add(primary);
  }
  const base = {
    caseId: input.caseId,
    countyCode: input.countyCode,
    ownerCode: input.to,
    categoryCode: input.categoryCode,
    at: now,
    paused,
  };
  for (const stage of stages) {
    if (stage === primary && input.deadline) {
      await startDeadline(tx, { ...base, stage, given: { dueAt: input.deadline }, refId: input.refId ?? null });
      continue;
    }
    if (input.kind === "return") {
      const [before] = await tx.sql<
        {
          policy_id: string | null;
          policy_version: number;
          amount: number;
          unit: DeadlineUnit;
          yellow_share: string;
          started_at: Date;
          due_at: Date;
          completed_at: Date;
          basis: string;
        }[]
      >`select policy_id, policy_version, amount, unit, yellow_share, started_at, due_at, completed_at, basis
        from app.case_deadlines where case_id = ${input.caseId} and county_code = ${input.countyCode}
          and stage = ${stage} and owner_code = ${input.to}
          and handed_over_to is not null
        order by completed_at desc limit 1`;
      if (before) {
        const away = now.getTime() - before.completed_at.getTime();
        await tx.sql`insert into app.case_deadlines (case_id, county_code, stage, owner_code, policy_id, policy_version,
            amount, unit, yellow_share, started_at, due_at, basis, paused_since)
          values (${input.caseId}, ${input.countyCode}, ${stage}, ${input.to}, ${before.policy_id}, ${before.policy_version}, ${before.amount},
            ${before.unit}, ${before.yellow_share}, ${new Date(before.started_at.getTime() + away)},
            ${new Date(before.due_at.getTime() + away)}, ${before.basis}, ${paused ? now : null})`;
        continue;
      }
    }
    await startDeadline(tx, { ...base, stage });
  }
}

/** Stops the clocks of the given stages (all open ones when `stages` is empty). */
export async function completeDeadlines(tx: Tx, c: CaseKey, stages: DeadlineStage[], refId?: string): Promise<void> {
  await tx.sql`update app.case_deadlines set completed_at = now(),
      paused_ms = paused_ms + greatest((extract(epoch from now() - paused_since) * 1000)::bigint, 0), paused_since = null
    where case_id = ${c.id} and county_code = ${c.county_code} and completed_at is null
      ${stages.length ? tx.sql`and stage = any(${stages}::text[])` : tx.sql``}
      ${refId ? tx.sql`and ref_id = ${refId}` : tx.sql``}`;
}

/** Pauses the open clocks (waiting for a party); the pause is recorded and bounded by the hold. */
export async function pauseDeadlines(tx: Tx, c: CaseKey): Promise<void> {
  await tx.sql`update app.case_deadlines set paused_since = now()
    where case_id = ${c.id} and county_code = ${c.county_code} and completed_at is null and paused_since is null`;
}

/** Resumes paused clocks: their due time moves by the paused time. */
export async function resumeDeadlines(tx: Tx, c: CaseKey): Promise<void> {
  await tx.sql`update app.case_deadlines set
      paused_ms = paused_ms + (extract(epoch from now() - paused_since) * 1000)::bigint,
      due_at = due_at + (now() - paused_since), paused_since = null
    where case_id = ${c.id} and county_code = ${c.county_code} and completed_at is null and paused_since is not null`;
}

/** One open or finished clock of a case, with its colour now (schemas/case-views.ts). */
export type { DeadlineView };

/** The clocks of a case, coloured at `now` (null colour once completed). */
export async function caseDeadlines(tx: Tx, c: CaseRef, now = new Date()): Promise<DeadlineView[]> {
  const rows = await tx.sql<
    {
      id: string;
      stage: DeadlineStage;
      owner_code: string;
      started_at: Date;
      due_at: Date;
      completed_at: Date | null;
      paused_since: Date | null;
      policy_version: number;
      yellow_share: string;
      unit: DeadlineUnit;
    }[]
  >`select id, stage, owner_code, started_at, due_at, completed_at, paused_since, policy_version, yellow_share, unit
    from app.case_deadlines where ${ofCase(tx, c)} order by started_at`;
  const calendars = new Map<string, CheckedCalendar>();
  for (const d of rows)
    if (d.unit === "working_days" && !calendars.has(d.owner_code))
      calendars.set(d.owner_code, await unitCalendar(tx, d.owner_code));
  const gapOf = (d: (typeof rows)[number]) => {
    const calendar = calendars.get(d.owner_code);
    return calendar ? (calendarGaps(chinaDate(d.started_at), chinaDate(d.due_at), calendar)[0] ?? null) : null;
  };
  return rows.map((d) => ({
    id: d.id,
    stage: d.stage,
    ownerCode: d.owner_code,
    startedAt: d.started_at,
    dueAt: d.due_at,
    completedAt: d.completed_at,
    paused: d.paused_since !== null,
    policyVersion: d.policy_version,
    colour: d.completed_at
      ? null
      : warningColour(d.started_at, d.due_at, d.paused_since ?? now, Number(d.yellow_share)),
    calendarGap: gapOf(d),
  }));
}

/** The named system actor of scheduled work: no user, each deployment's root scope in turn. */
function systemContext(root: { id: string; code: string }): ScopeContext {
  return { userId: null, tenantId: root.id, scope: root.code, roles: [], system: "deadline_scan" };
}

/** Result of one deadline scan. */
export interface ScanResult {
  recoloured: number;
  supervisionsOpened: number;
  supervisionsRaised: number;
}

/**
 * Recolours the open deadlines whose colour changes by `now` (an injected clock), opens a
 * supervision (督办) for each that went red — addressed to the owning unit and announced to its
 * parent — and raises unanswered supervisions past their deadline from chase (催办) to notice
 * (通报). Set-based: a few statements per deployment whatever its size. Each running clock
 * stores the instant its colour next turns (migration 0030), so the scan reads and locks only
 * the clocks that cross a threshold, and skips any another transaction holds (the next pass
 * takes them). Idempotent: running it twice at the same `now` changes nothing the second time;
 * several instances may run it (the unique deadline_id makes opening a supervision happen once).
 */
export async function scanDeadlines(sql: Sql, now: Date): Promise<ScanResult> {
  const result: ScanResult = { recoloured: 0, supervisionsOpened: 0, supervisionsRaised: 0 };
  const roots = await sql<{ id: string; code: string }[]>`select id, code from auth.deployment_roots()`;
  for (const root of roots) {
    await withScope(sql, systemContext(root), async (tx) => {
      // The reply deadline of a supervision addressed to a unit: the next working day of that unit's
      // own calendar (the one its clocks count on), whichever rung of the ladder it is on.
      const calendars = new Map<string, CheckedCalendar>();
      const replyDue = async (unitCode: string): Promise<Date> => {
        let calendar = calendars.get(unitCode);
        if (!calendar) {
          calendar = await unitCalendar(tx, unitCode);
          calendars.set(unitCode, calendar);
        }
        const due = dueAt(now, SUPERVISION_REPLY, 0, calendar);
        reportCalendarGaps(tx, unitCode, chinaDate(now), chinaDate(due), calendar);
        return due;
      };
      const recoloured = await tx.sql<{ id: string; colour: string; owner_code: string }[]>`
        with due as (
          select d.id, d.county_code, app.deadline_colour(d.started_at, d.due_at, d.yellow_share, ${now}) as colour
          from app.case_deadlines d join app.cases c on c.id = d.case_id and c.county_code = d.county_code
          where d.turns_at <= ${now} and d.completed_at is null and d.paused_since is null and d.started_at <= ${now}
            and app.deadline_colour(d.started_at, d.due_at, d.yellow_share, ${now}) <> d.colour
          -- The case too: a recoloured clock recolours its case (migration 0030), and a transaction
          -- that holds the case and then touches its clocks must not find the scan holding them.
          -- The case first: locks are taken in this order, and a row skipped for the second is
          -- skipped holding the first, so a clock is locked only once its case is (and then changed).
          for update of c, d skip locked)
        update app.case_deadlines d set colour = due.colour from due
        where d.id = due.id and d.county_code = due.county_code
        returning d.id, d.colour, d.owner_code`;
      result.recoloured += recoloured.length;
      const red = recoloured.filter((d) => d.colour === "red");
      // The scan acts as its named system actor, authorised per owning unit like any actor.
      for (const d of red) authorizeFor(tx, "supervision.open", d.owner_code);
      if (red.length > 0) {
        const titles = LEVEL_TITLES[FIRST_LEVEL];
        // Answer by the next working day of the owning unit's own calendar (the one its clocks count on).
        const dues: Date[] = [];
        for (const d of red) dues.push(await replyDue(d.owner_code));
        // One supervision per clock that went red, its timeline event, and the unit and its parent told.
        const opened = await tx.sql<{ n: number }[]>`
          with opened as (
            insert into app.supervisions (case_id, county_code, deadline_id, addressed_to, level, opened_by, instructions,
              due_at)
            select d.case_id, d.county_code, d.id, d.owner_code, ${FIRST_LEVEL}, 'system', d.stage || ${OVERDUE_INSTRUCTIONS},
              x.due
            from unnest(${red.map((d) => d.id)}::uuid[], ${dues.map((d) => d.toISOString())}::timestamptz[]) as x(id, due)
              join app.case_deadlines d on d.id = x.id order by d.id
            on conflict (deadline_id, county_code) do nothing
            returning id, case_id, county_code, deadline_id, addressed_to),
          told as (
            select o.*, d.stage, c.code, c.title, app.parent_code(o.addressed_to) as parent
            from opened o join app.case_deadlines d on d.id = o.deadline_id and d.county_code = o.county_code
              join app.cases c on c.id = o.case_id and c.county_code = o.county_code),
          events as (
            insert into app.case_events (case_id, county_code, actor_id, actor_scope, kind, payload)
            select t.case_id, t.county_code, null, ${root.code}, 'supervision.opened', jsonb_build_object('supervisionId', t.id,
              'stage', t.stage, 'level', ${FIRST_LEVEL}::text, 'addressedTo', t.addressed_to)
            from told t order by t.case_id, t.id
            returning 1),
          notes as (
            insert into app.notifications (scope_code, county_code, kind, case_id, title)
            select t.addressed_to, left(t.addressed_to, 6), 'supervision.opened', t.case_id,
              ${titles.unit} || t.code || ' ' || t.title from told t
            union all
            select t.parent, left(t.parent, 6), 'supervision.opened', t.case_id, ${titles.parent} || t.code || ' ' || t.title from told t
            where length(t.parent) >= ${root.code.length}
            returning 1)
          select (select count(*) from told)::int as n, (select count(*) from events) as e, (select count(*) from notes) as m`;
        result.supervisionsOpened += opened[0]?.n ?? 0;
      }
      // Up the ladder one rung (chase → notice) for each rung whose reply deadline passed; the new
      // reply deadline counts on the addressed unit's calendar, like the first one.
      for (const { from, to } of RAISES) {
        const late = await tx.sql<{ id: string; county_code: string; addressed_to: string }[]>`
          select s.id, s.county_code, s.addressed_to from app.supervisions s
          where s.status = 'open' and s.level = ${from} and s.due_at < ${now}
          order by s.id for update of s skip locked`;
        if (late.length === 0) continue;
        const dues: string[] = [];
        for (const s of late) dues.push((await replyDue(s.addressed_to)).toISOString());
        const raised = await tx.sql<{ n: number }[]>`
          with raised as (
            update app.supervisions s set level = ${to}, due_at = x.due, version = version + 1
            from unnest(${late.map((s) => s.id)}::uuid[], ${late.map((s) => s.county_code)}::text[],
              ${dues}::timestamptz[]) as x(id, county_code, due)
            where s.id = x.id and s.county_code = x.county_code
            returning s.id, s.case_id, s.county_code, s.addressed_to),
          told as (
            select r.*, c.code, app.parent_code(r.addressed_to) as parent
            from raised r join app.cases c on c.id = r.case_id and c.county_code = r.county_code),
          events as (
            insert into app.case_events (case_id, county_code, actor_id, actor_scope, kind, payload)
            select t.case_id, t.county_code, null, ${root.code}, 'supervision.raised', jsonb_build_object('supervisionId', t.id, 'level', ${to}::text)
            from told t order by t.case_id, t.id
            returning 1),
          notes as (
            insert into app.notifications (scope_code, county_code, kind, case_id, title)
            select t.addressed_to, left(t.addressed_to, 6), ${`supervision.${to}`}, t.case_id,
              ${LEVEL_TITLES[to].unit} || t.code from told t
            union all
            select t.parent, left(t.parent, 6), ${`supervision.${to}`}, t.case_id, ${LEVEL_TITLES[to].parent} || t.code from told t
            where length(t.parent) >= ${root.code.length}
            returning 1)
          select (select count(*) from told)::int as n, (select count(*) from events) as e, (select count(*) from notes) as m`;
        result.supervisionsRaised += raised[0]?.n ?? 0;
      }
    });
  }
  // The rollups' per-backend shards, folded once a pass (migrations 0032, 0081); the sample of
  // titles the text search picks its rare trigrams from, taken afresh once a day (0176).
  await sql`select auth.compact_rollups(), auth.compact_holding_tallies(), auth.refresh_title_grams()`;
  return result;
}

/** A leader opens a supervision by hand, with instructions, addressed to the case's owner. */
export async function openSupervision(
  tx: Tx,
  input: { caseId: string; instructions: string; dueAt: Date },
): Promise<Created> {
  const [c] = await tx.sql<
    { id: string; county_code: string; owner_code: string; code: string; title: string }[]
  >`select id, county_code, owner_code, code, title from app.cases where id = ${input.caseId}`;
  if (!c) throw notFound({ zh: "案件", en: "case" });
  // A leader of the owning tier or of a unit above it; never of a unit below (the origin).
  authorizeFor(tx, "supervision.open", c.owner_code);
  const [row] = await tx.sql<
    { id: string }[]
  >`insert into app.supervisions (case_id, county_code, addressed_to, level, opened_by, opened_by_user,
      instructions, due_at)
    values (${input.caseId}, ${c.county_code}, ${c.owner_code}, ${FIRST_LEVEL}, 'leader', ${tx.ctx.userId}, ${input.instructions}, ${input.dueAt}) returning id`;
  await appendEvent(tx, c, "supervision.opened", {
    supervisionId: row!.id,
    level: FIRST_LEVEL,
    by: "leader",
  });
  await notifyUnit(tx, {
    scopeCode: c.owner_code,
    kind: "supervision.opened",
    caseId: input.caseId,
    title: `【领导督办】${c.code} ${c.title}`,
  });
  return row!;
}

/** The addressed unit answers a supervision. */
export async function answerSupervision(tx: Tx, input: { id: string; version: number; answer: string }): Promise<void> {
  const [s] = await tx.sql<
    { case_id: string; county_code: string; addressed_to: string; status: string }[]
  >`select case_id, county_code, addressed_to, status
    from app.supervisions where id = ${input.id}`;
  if (!s) throw notFound({ zh: "督办", en: "supervision" });
  if (s.addressed_to !== tx.ctx.scope) {
    throw new AppError("FORBIDDEN", { zh: "只有被督办单位可以回复", en: "Only the supervised unit may answer" });
  }
  authorizeFor(tx, "supervision.answer", s.addressed_to);
  const rows =
    await tx.sql`update app.supervisions set status = 'answered', answer = ${input.answer}, answered_at = now(),
    version = version + 1 where id = ${input.id} and county_code = ${s.county_code} and version = ${input.version}
      and status = 'open' returning id`;
  if (rows.length === 0) throw new AppError("CONFLICT", { zh: "督办已被处理或已变更", en: "The supervision changed" });
  await appendEvent(tx, { id: s.case_id, county_code: s.county_code }, "supervision.answered", {
    supervisionId: input.id,
  });
  // The supervising tier (the parent) hears the answer.
  const parent = parentCodeOf(s.addressed_to);
  if (parent) {
    const [c] = await tx.sql<{ code: string }[]>`select code from app.cases
      where id = ${s.case_id} and county_code = ${s.county_code}`;
    await notifyUnit(tx, {
      scopeCode: parent,
      kind: "supervision.answered",
      caseId: s.case_id,
      title: `督办已回复：${c?.code ?? ""}`,
    });
  }
}

/** A supervision as the list shows it (schemas/escalation.ts). */
export type SupervisionRow = z.output<typeof supervisionRow>;

/** Supervisions the caller's subtree is concerned with (open first). */
export async function listSupervisions(
  tx: Tx,
  input: { status?: SupervisionStatus | undefined },
): Promise<SupervisionRow[]> {
  return tx.sql<SupervisionRow[]>`select s.id, s.case_id as "caseId", c.code, c.title, s.addressed_to as "addressedTo",
      (select t.name from app.tenants t where t.code = s.addressed_to) as "unitName", s.level, s.opened_by as "openedBy",
      s.instructions, s.due_at as "dueAt", s.status, s.answer, s.created_at as "createdAt", s.version
    from app.supervisions s join app.cases c on c.id = s.case_id
    where ${input.status ? tx.sql`s.status = ${input.status}` : tx.sql`true`}
    order by s.status = 'open' desc, s.due_at limit 200`;
}

/** A leader takes personal charge of a case (包案). */
export async function takeCharge(tx: Tx, input: { caseId: string; version: number }): Promise<Versioned> {
  const [c] = await tx.sql<
    { id: string; county_code: string; owner_code: string }[]
  >`select id, county_code, owner_code from app.cases where id = ${input.caseId}`;
  if (!c) throw notFound({ zh: "案件", en: "case" });
  authorizeFor(tx, "case.take_charge", c.owner_code);
  const [row] = await tx.sql<
    { version: number }[]
  >`update app.cases set leader_id = ${tx.ctx.userId}, version = version + 1
    where id = ${input.caseId} and county_code = ${c.county_code} and version = ${input.version} returning version`;
  if (!row) throw new AppError("CONFLICT", { zh: "案件已被修改，请刷新", en: "The case changed; reload" });
  await appendEvent(tx, c, "case.leader_in_charge", { leaderId: tx.ctx.userId });
  return row;
}

/** A deadline rule as the policies page lists it (schemas/escalation.ts). */
export type PolicyRow = z.output<typeof policyRow>;

/** Every rule visible to the caller (own, inherited from ancestors, and its descendants'). */
export async function listPolicies(tx: Tx): Promise<PolicyRow[]> {
  return tx.sql<
    PolicyRow[]
  >`select p.id, p.scope_code as "scopeCode", coalesce((select t.name from app.tenants t where t.code = p.scope_code),
      (select d.name from ref.divisions d where d.code = p.scope_code)) as "unitName", p.category_code as "categoryCode",
      p.stage, p.amount, p.unit, p.yellow_share::float as "yellowShare", p.version, p.note, p.created_at as "createdAt"
    from app.deadline_policies p order by length(p.scope_code), p.stage, p.category_code nulls first, p.version desc`;
}

/** Sets a rule for the caller's unit (and so its subtree): a new version; earlier cases keep theirs. */
export async function setPolicy(
  tx: Tx,
  input: {
    categoryCode: string | null;
    stage: DeadlineStage;
    amount: number;
    unit: DeadlineUnit;
    yellowShare: number;
    note?: string | null | undefined;
  },
): Promise<Versioned> {
  const [row] = await tx.sql<
    { version: number }[]
  >`insert into app.deadline_policies (scope_code, category_code, stage, amount,
      unit, yellow_share, version, note, created_by)
    select ${tx.ctx.scope}, ${input.categoryCode}, ${input.stage}, ${input.amount}, ${input.unit}, ${input.yellowShare},
      coalesce(max(version), 0) + 1, ${input.note ?? null}, ${tx.ctx.userId}
    from app.deadline_policies where scope_code = ${tx.ctx.scope} and coalesce(category_code, '') = ${input.categoryCode ?? ""}
      and stage = ${input.stage}
    returning version`;
  return row!;
}
