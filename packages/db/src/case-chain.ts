import { createHash } from "node:crypto";
import type { Sql } from "./client.ts";

/** A link of a case's timeline whose hash does not match what it covers. */
export interface BrokenLink {
  caseId: string;
  code: string;
  seq: number;
  reason: "hash_mismatch" | "prev_mismatch" | "seq_gap";
}

/** Result of checking the timelines. */
export interface ChainReport {
  cases: number;
  events: number;
  broken: BrokenLink[];
}

/** One stored event as the chain covers it (the instant and payload as the digest spells them). */
export interface ChainLink {
  case_id: string;
  seq: number;
  at_text: string;
  actor_id: string | null;
  kind: string;
  payload_text: string;
  prev_hash: Buffer | null;
  hash: Buffer;
}

/**
 * What is wrong with one link given the hash before it and the sequence number expected
 * (null when it holds): the same bytes as app.case_event_digest, recomputed here.
 */
export function linkProblem(e: ChainLink, prev: Buffer | null, expectedSeq: number): BrokenLink["reason"] | null {
  if (e.seq !== expectedSeq) return "seq_gap";
  if (!(e.prev_hash ?? Buffer.alloc(0)).equals(prev ?? Buffer.alloc(0))) return "prev_mismatch";
  const text = [e.case_id, String(e.seq), e.at_text, e.actor_id ?? "", e.kind, e.payload_text].join("|");
  const digest = createHash("sha256")
    .update(Buffer.concat([prev ?? Buffer.alloc(0), Buffer.from(text, "utf8")]))
    .digest();
  return digest.equals(e.hash) ? null : "hash_mismatch";
}

/**
 * Recomputes every event hash of every case's timeline (or one case's) independently of the
 * database trigger, with the same bytes as app.case_event_digest, and names the first broken
 * link of each case. Run with an owner/admin connection (auditors' tool, not the app's).
 */
export async function verifyCaseChains(sql: Sql, options: { caseId?: string } = {}): Promise<ChainReport> {
  const broken: BrokenLink[] = [];
  let cases = 0;
  let events = 0;
  let current = "";
  let prev: Buffer | null = null;
  let expectedSeq = 1;
  let caseBroken = false;
  // Streamed in batches: a province holds tens of millions of events.
  const cursor = sql<
    (ChainLink & { code: string })[]
  >`select e.case_id, c.code, e.seq, to_char(e.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at_text,
      e.actor_id, e.kind, e.payload::text as payload_text, e.prev_hash, e.hash
    from app.case_events e join app.cases c on c.id = e.case_id
    ${options.caseId ? sql`where e.case_id = ${options.caseId}` : sql``}
    order by e.case_id, e.seq`.cursor(5000);
  for await (const rows of cursor) {
    for (const e of rows) {
      events++;
      if (e.case_id !== current) {
        current = e.case_id;
        prev = null;
        expectedSeq = 1;
        caseBroken = false;
        cases++;
      }
      if (caseBroken) continue;
      const fail = (reason: BrokenLink["reason"]) => {
        broken.push({ caseId: e.case_id, code: e.code, seq: e.seq, reason });
        caseBroken = true;
      };
      const problem = linkProblem(e, prev, expectedSeq);
      if (problem) fail(problem);
      prev = e.hash;
      expectedSeq = e.seq + 1;
    }
  }
  return { cases, events, broken };
}
