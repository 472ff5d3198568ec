import type { Tx } from "@zongzhi/db/client";
import { caseEvents } from "@zongzhi/db/schema";
import { countyOf } from "@zongzhi/domain/division";

/**
 * A case as its child rows name it: the id and the county (the distribution column on Citus,
 * where a write into a case's table is routed by the county it names). Taken from the case row
 * the caller has already loaded, never looked up again.
 */
export interface CaseKey {
  id: string;
  county_code: string;
}

/** A case named by its id alone (a caller outside the case services) or with its county. */
export type CaseRef = string | CaseKey;

/**
 * The condition on a case's child rows: its id, and its county when known (on Citus, the
 * statement then goes to the case's shard alone instead of every shard). `table` names the
 * rows' alias when the statement joins another table.
 */
export function ofCase(tx: Tx, c: CaseRef, table?: string): ReturnType<Tx["sql"]> {
  const of = table ? tx.sql`${tx.sql(table)}.` : tx.sql``;
  return typeof c === "string"
    ? tx.sql`${of}case_id = ${c}`
    : tx.sql`${of}county_code = ${c.county_code} and ${of}case_id = ${c.id}`;
}

/**
 * A case just registered, by its number: a case's code is its unit's code, the year and a
 * number (cases_code_shape), and the unit's code starts with the county (a city's or province's
 * unit code is shorter than six digits: its cases' county is the unit's code itself).
 */
export function registeredCase(c: { id: string; code: string }): CaseKey {
  return { id: c.id, county_code: countyOf(c.code.split("-")[0]!) };
}

/** Appends an event to a case's hash-chained timeline (the database computes seq and hash). */
export async function appendEvent(
  tx: Tx,
  c: CaseKey,
  kind: string,
  payload: Record<string, unknown> = {},
): Promise<void> {
  // A system actor's event names it (there is no user behind it).
  // An integrator's key is named too (its events carry no user either).
  const body = tx.ctx.system
    ? { ...payload, system: tx.ctx.system }
    : tx.ctx.apiKeyId
      ? { ...payload, apiKey: tx.ctx.apiKeyId }
      : payload;
  await tx.db.insert(caseEvents).values({
    caseId: c.id,
    countyCode: c.county_code,
    actorId: tx.ctx.userId,
    actorScope: tx.ctx.scope,
    kind,
    payload: body,
  });
}
