import { type ChainLink, linkProblem } from "@zongzhi/db/case-chain";
import type { Tx } from "@zongzhi/db/client";
import { notFound } from "@zongzhi/domain";
import type { z } from "zod";
import type { caseIntegrity as caseIntegrityView, integrityLink } from "../schemas/case-views.ts";
import { authorizeFor } from "./actor.ts";

/** One link of a case's timeline as the integrity view shows it (schemas/case-views.ts). */
export type IntegrityLink = z.output<typeof integrityLink>;

/** The integrity view (完整性校验) of one case: every link with its digests, and whether the chain holds. */
export type CaseIntegrity = z.output<typeof caseIntegrityView>;

const CASE = { zh: "案件", en: "case" };

/**
 * Recomputes one case's hash chain for an auditor (`case.integrity`): the digests never leave
 * the server for anyone else (cases.get carries none). Each link is checked against the one
 * before it with the same bytes as app.case_event_digest, and the case row's chain head
 * against the last link.
 */
export async function caseIntegrity(tx: Tx, id: string): Promise<CaseIntegrity> {
  const [c] = await tx.sql<{ code: string; ownerCode: string; head: string | null }[]>`
    select code, owner_code as "ownerCode", encode(last_hash, 'hex') as head from app.cases where id = ${id}`;
  if (!c) throw notFound(CASE);
  authorizeFor(tx, "case.integrity", c.ownerCode);
  const rows = await tx.sql<(ChainLink & { at: Date; payload: Record<string, unknown>; actor_name: string | null })[]>`
    select e.case_id, e.seq, e.at, to_char(e.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_text,
      e.actor_id, e.kind, e.payload, e.payload::text as payload_text, e.prev_hash, e.hash, u.display_name as actor_name
    from app.case_events e left join app.users u on u.id = e.actor_id
    where e.case_id = ${id} order by e.seq`;
  let prev: Buffer | null = null;
  const links = rows.map((e, i): IntegrityLink => {
    const problem = linkProblem(e, prev, i + 1);
    prev = e.hash;
    return {
      seq: e.seq,
      at: e.at,
      kind: e.kind,
      payload: e.payload,
      actorName: e.actor_name,
      prevHash: e.prev_hash ? e.prev_hash.toString("hex") : null,
      hash: e.hash.toString("hex"),
      problem,
    };
  });
  const last = links.at(-1)?.hash ?? null;
  const headMatches = last === c.head;
  return {
    code: c.code,
    intact: headMatches && links.every((l) => l.problem === null),
    head: c.head,
    headMatches,
    links,
  };
}
