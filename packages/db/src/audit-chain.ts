import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Sql } from "./client.ts";

/**
 * The audit chain (migration 0074): each unit's audit records, in id order, are chained with
 * SM3 (head = SM3(head || record), from 32 zero bytes or the unit's anchor after a purge). The
 * heads are checkpointed, each signed with HMAC-SM3 under a key kept outside the database, in
 * the database and in a file kept apart. SM3 and HMAC-SM3 are OpenSSL's, through node:crypto
 * (the field cipher uses the same; its tests hold them to the GB/T 32905-2016 vector).
 */

/** The HMAC-SM3 key that signs checkpoints (AUDIT_HMAC_KEY: `<id>:<base64 32 bytes>`). */
export interface AuditKey {
  id: string;
  secret: Buffer;
}

/** One signed checkpoint: the chain of `scope` after record `lastId`, which is its `events`-th. */
export interface AuditCheckpoint {
  scope: string;
  lastId: number;
  events: number;
  head: string;
  at: string;
  keyId: string;
  mac: string;
}

/** Something wrong with a unit's chain. */
export interface AuditProblem {
  scope: string;
  reason: "record_altered_or_removed" | "tail_truncated" | "checkpoint_forged" | "checkpoints_removed" | "unknown_key";
  detail: string;
}

/** What `verifyAuditChains` found. */
export interface AuditReport {
  units: number;
  records: number;
  checkpoints: number;
  problems: AuditProblem[];
}

const ZERO = Buffer.alloc(32);
const BATCH = 2000;

/** Parses AUDIT_HMAC_KEY (`<id>:<base64 of 32 bytes>`); throws naming the problem, never the key. */
export function auditKeyFromEnv(value: string): AuditKey {
  const colon = value.indexOf(":");
  const id = value.slice(0, colon);
  const secret = Buffer.from(value.slice(colon + 1), "base64");
  if (colon < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id) || secret.length !== 32) {
    throw new Error("AUDIT_HMAC_KEY must be '<id>:<base64 of 32 bytes>' (generate one with `pnpm keys:generate`)");
  }
  return { id, secret };
}

/** The next head of a chain. */
function link(head: Buffer, body: string): Buffer {
  return createHash("sm3").update(head).update(body, "utf8").digest();
}

/** The MAC of a checkpoint: HMAC-SM3 over every field but the MAC, in a fixed JSON spelling. */
export function checkpointMac(key: Buffer, c: Omit<AuditCheckpoint, "mac">): string {
  return createHmac("sm3", key)
    .update(JSON.stringify(["zongzhi/audit-checkpoint/v1", c.scope, c.lastId, c.events, c.head, c.at, c.keyId]))
    .digest("hex");
}

function macHolds(keys: readonly AuditKey[], c: AuditCheckpoint): boolean | "unknown_key" {
  const key = keys.find((k) => k.id === c.keyId);
  if (!key) return "unknown_key";
  const expected = Buffer.from(checkpointMac(key.secret, c), "hex");
  const given = Buffer.from(c.mac, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

type CheckpointRow = {
  id: string;
  last_id: string;
  events: string;
  head: Buffer;
  at: Date;
  key_id: string;
  mac: Buffer;
  anchor: boolean;
};

const toCheckpoint = (scope: string, r: CheckpointRow): AuditCheckpoint => ({
  scope,
  lastId: Number(r.last_id),
  events: Number(r.events),
  head: r.head.toString("hex"),
  at: r.at.toISOString(),
  keyId: r.key_id,
  mac: r.mac.toString("hex"),
});

async function checkpointsOf(
  sql: Sql,
  scope: string,
): Promise<{ anchor: AuditCheckpoint | null; after: AuditCheckpoint[] }> {
  const rows = await sql<CheckpointRow[]>`select * from auth.audit_checkpoints_of(${scope})`;
  const anchorRow = rows.find((r) => r.anchor);
  return {
    anchor: anchorRow ? toCheckpoint(scope, anchorRow) : null,
    after: rows.filter((r) => !r.anchor).map((r) => toCheckpoint(scope, r)),
  };
}

/** Walks a unit's records after `from`, calling `visit` with each record's id and the head after it. */
async function walk(
  sql: Sql,
  scope: string,
  from: { lastId: number; events: number; head: Buffer },
  visit: (id: number, events: number, head: Buffer) => void,
): Promise<{ lastId: number; events: number; head: Buffer }> {
  let { lastId, events, head } = from;
  for (;;) {
    const rows = await sql<{ id: string; body: string }[]>`select id, body
      from auth.audit_chain_rows(${scope}, ${lastId}, ${BATCH})`;
    for (const r of rows) {
      head = link(head, r.body);
      lastId = Number(r.id);
      events += 1;
      visit(lastId, events, head);
    }
    if (rows.length < BATCH) return { lastId, events, head };
  }
}

const startOf = (anchor: AuditCheckpoint | null) =>
  anchor
    ? { lastId: anchor.lastId, events: anchor.events, head: Buffer.from(anchor.head, "hex") }
    : { lastId: 0, events: 0, head: ZERO };

/**
 * Extends every unit's chain over the records since its last checkpoint and writes a signed
 * checkpoint of the new head (to the database, and to `sink`: the file kept apart). Returns the
 * checkpoints written. Runs as the owner or zz_worker (the definer functions of 0074).
 */
export async function checkpointAuditChains(
  sql: Sql,
  key: AuditKey,
  sink: (checkpoints: AuditCheckpoint[]) => Promise<void> = async () => {},
  now: Date = new Date(),
): Promise<AuditCheckpoint[]> {
  const units = await sql<{ scope: string }[]>`select s as scope from auth.audit_chain_units() s`;
  const written: AuditCheckpoint[] = [];
  for (const { scope } of units) {
    const { anchor, after } = await checkpointsOf(sql, scope);
    const latest = after.at(-1) ?? anchor;
    const end = await walk(sql, scope, startOf(latest), () => {});
    if (latest && end.lastId === latest.lastId) continue;
    if (end.events === 0) continue;
    const unsigned = {
      scope,
      lastId: end.lastId,
      events: end.events,
      head: end.head.toString("hex"),
      at: now.toISOString(),
      keyId: key.id,
    };
    const checkpoint = { ...unsigned, mac: checkpointMac(key.secret, unsigned) };
    await sql`select auth.audit_checkpoint_add(${scope}, ${checkpoint.lastId}, ${checkpoint.events},
      ${end.head}, ${now}, ${key.id}, ${Buffer.from(checkpoint.mac, "hex")})`;
    written.push(checkpoint);
  }
  await sink(written);
  return written;
}

/**
 * Recomputes every unit's chain from its anchor and holds it to every checkpoint: a signature
 * that does not verify, a head that differs at a checkpoint (a record altered, inserted or
 * removed), a checkpoint beyond the last record (the tail cut off), and, against `apart` (the
 * checkpoints of the file kept apart), a newest checkpoint missing from the database.
 */
export async function verifyAuditChains(
  sql: Sql,
  keys: readonly AuditKey[],
  apart: readonly AuditCheckpoint[] = [],
): Promise<AuditReport> {
  const units = new Set(
    (await sql<{ scope: string }[]>`select s as scope from auth.audit_chain_units() s`).map((u) => u.scope),
  );
  for (const c of apart) units.add(c.scope);
  const report: AuditReport = { units: units.size, records: 0, checkpoints: 0, problems: [] };
  for (const scope of [...units].sort()) {
    const problem = (reason: AuditProblem["reason"], detail: string) => report.problems.push({ scope, reason, detail });
    const { anchor, after } = await checkpointsOf(sql, scope);
    const all = anchor ? [anchor, ...after] : after;
    report.checkpoints += all.length;
    for (const c of all) {
      const holds = macHolds(keys, c);
      if (holds === "unknown_key") problem("unknown_key", `checkpoint after record ${c.lastId} names key ${c.keyId}`);
      else if (!holds) problem("checkpoint_forged", `checkpoint after record ${c.lastId} is not signed by its key`);
    }
    const byLast = new Map(after.map((c) => [c.lastId, c]));
    const seen = new Set<number>();
    const end = await walk(sql, scope, startOf(anchor), (id, events, head) => {
      const c = byLast.get(id);
      if (!c) return;
      seen.add(id);
      if (c.events !== events || c.head !== head.toString("hex")) {
        problem("record_altered_or_removed", `the chain differs from its checkpoint at record ${id}`);
      }
    });
    report.records += end.events - (anchor?.events ?? 0);
    for (const c of after) {
      if (seen.has(c.lastId)) continue;
      problem(
        c.lastId > end.lastId ? "tail_truncated" : "record_altered_or_removed",
        c.lastId > end.lastId
          ? `a checkpoint covers records up to ${c.lastId}, the newest left is ${end.lastId}`
          : `record ${c.lastId}, which a checkpoint ends at, is gone`,
      );
    }
    const newestHere = all.at(-1)?.lastId ?? 0;
    const newestApart = apart.filter((c) => c.scope === scope).reduce((m, c) => Math.max(m, c.lastId), 0);
    if (newestApart > newestHere) {
      problem(
        "checkpoints_removed",
        `the file kept apart has a checkpoint after record ${newestApart}, the database's newest is after ${newestHere}`,
      );
    }
  }
  return report;
}

/**
 * The retention purge: records older than `cutoff` (at least 180 days ago, enforced by the
 * database) that a checkpoint made before the cutoff covers are deleted, and that checkpoint
 * becomes the unit's anchor, so the chain stays verifiable. Checkpoint first, then purge.
 */
export async function purgeAuditRecords(sql: Sql, cutoff: Date): Promise<number> {
  const [row] = await sql<{ n: string }[]>`select auth.audit_purge(${cutoff}) as n`;
  return Number(row?.n ?? 0);
}
