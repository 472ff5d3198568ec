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
    {
      case_id: string;
      code: string;
      seq: number;
      at_text: string;
      actor_id: string | null;
      kind: string;
      payload_text: string;
      prev_hash: Buffer | null;
      hash: Buffer;
    }[]
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
      if (e.seq !== expectedSeq) fail("seq_gap");
      else if (!(e.prev_hash ?? Buffer.alloc(0)).equals(prev ?? Buffer.alloc(0))) fail("prev_mismatch");
      else {
        const text = [e.case_id, String(e.seq), e.at_text, e.actor_id ?? "", e.kind, e.payload_text].join("|");
        const digest = createHash("sha256")
          .update(Buffer.concat([prev ?? Buffer.alloc(0), Buffer.from(text, "utf8")]))
          .digest();
        if (!digest.equals(e.hash)) fail("hash_mismatch");
      }
      prev = e.hash;
      expectedSeq = e.seq + 1;
    }
  }
  return { cases, events, broken };
}
