import type { SqlFragment, Tx } from "@zongzhi/db/client";
import { type CaseState, type Channel, CODE_LENGTH, type RiskGrade } from "@zongzhi/domain";

/** Filters of the case inbox. */
export interface CaseFilter {
  status?: CaseState[] | undefined;
  categoryCode?: string | undefined;
  channel?: Channel | undefined;
  riskGrade?: RiskGrade | undefined;
  /** Only cases whose worst running clock has this colour (as of the last deadline scan). */
  deadlineColour?: "blue" | "yellow" | "red" | undefined;
  /** Only cases registered at units of this tier (division-code length). */
  level?: "province" | "city" | "county" | "township" | "village" | undefined;
  /** Only cases registered at this unit or below it. */
  unitCode?: string | undefined;
  q?: string | undefined;
  /** Only cases registered at or after this instant (today's intake). */
  registeredSince?: Date | undefined;
  /** Only cases the caller registered, or whose mediator is the caller's mediator record. */
  mine?: "registered" | "mediating" | undefined;
  /** Only cases the caller's unit owns now (what it must act on). */
  ownedHere?: boolean | undefined;
  /** Only cases sent to the caller's unit and not yet signed for (待签收). */
  awaitingSignFor?: boolean | undefined;
  /** Only cases with a summons no department has answered yet (召集待报到). */
  pendingSummons?: boolean | undefined;
  /** Only cases with a mediation session on this day (China time, YYYY-MM-DD). */
  sessionOn?: string | undefined;
  before?: string | undefined;
  limit: number;
}

/**
 * The conditions on `app.cases c` of every filter but the unit, the text and the page (which the
 * inbox's page function and the work lists spell each their own way): the work lists and the
 * case ledger (台账) read them from here. The caller's policy narrows the rows in every case.
 */
export function caseConditions(tx: Tx, f: Omit<CaseFilter, "limit" | "before" | "unitCode" | "q">): SqlFragment {
  return tx.sql`
    ${f.status?.length ? tx.sql`and c.status = any(${f.status}::app.case_state[])` : tx.sql``}
    ${f.categoryCode ? tx.sql`and c.category_code = ${f.categoryCode}` : tx.sql``}
    ${f.channel ? tx.sql`and c.channel = ${f.channel}` : tx.sql``}
    ${f.riskGrade ? tx.sql`and c.risk_grade = ${f.riskGrade}` : tx.sql``}
    ${f.deadlineColour ? tx.sql`and c.deadline_colour = ${f.deadlineColour}` : tx.sql``}
    ${f.level ? tx.sql`and length(c.scope_code) = ${CODE_LENGTH[f.level]}` : tx.sql``}
    ${f.registeredSince ? tx.sql`and c.registered_at >= ${f.registeredSince}` : tx.sql``}
    ${f.mine === "registered" ? tx.sql`and c.registered_by = ${tx.ctx.userId}` : tx.sql``}
    ${
      f.mine === "mediating"
        ? tx.sql`and c.mediator_id in (select m.id from app.mediators m where m.user_id = ${tx.ctx.userId})`
        : tx.sql``
    }
    ${f.ownedHere ? tx.sql`and c.owner_code = ${tx.ctx.scope}` : tx.sql``}
    ${f.awaitingSignFor ? tx.sql`and c.hop_state = 'awaiting_sign_for' and c.owner_code = ${tx.ctx.scope}` : tx.sql``}
    ${
      f.pendingSummons
        ? tx.sql`and exists (select 1 from app.case_summons s where s.case_id = c.id and s.status = 'pending')`
        : tx.sql``
    }
    ${
      f.sessionOn
        ? tx.sql`and exists (select 1 from app.mediation_sessions ms where ms.case_id = c.id
            and ms.starts_at >= (${f.sessionOn}::date)::timestamp at time zone 'Asia/Shanghai'
            and ms.starts_at < (${f.sessionOn}::date + 1)::timestamp at time zone 'Asia/Shanghai')`
        : tx.sql``
    }`;
}

/**
 * The inbox's text filter as its page function tests it (migrations 0031, 0080): a text of digits
 * and dashes is part of a case code, anything else part of the title; matched literally.
 */
export function caseTextCondition(tx: Tx, q: string | undefined): SqlFragment {
  const text = q?.trim();
  if (!text) return tx.sql``;
  const like = `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return /^[0-9-]+$/.test(text) ? tx.sql`and c.code like ${like}` : tx.sql`and c.title like ${like}`;
}
