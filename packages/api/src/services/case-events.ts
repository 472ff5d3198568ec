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

/** A case just registered, by its number: a case's code starts with its unit's code (cases_code_shape). */
export function registeredCase(c: { id: string; code: string }): CaseKey {
  return { id: c.id, county_code: countyOf(c.code) };
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
