import { randomBytes } from "node:crypto";
import {
  type AuditCheckpoint,
  type AuditKey,
  checkpointAuditChains,
  purgeAuditRecords,
  verifyAuditChains,
} from "@zongzhi/db/audit-chain";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../index.ts";

// The audit chain (0074): per-unit SM3 chains, HMAC-SM3-signed checkpoints kept in the database
// and apart, append-only records, the 180-day purge that keeps the chain verifiable. The
// checkpoint job runs as zz_worker (as the worker does); tampering is done as the superuser with
// triggers off (session_replication_role), the strongest attacker the checkpoints must catch.

let db: TestDatabase;
let worker: postgres.Sql;
const key: AuditKey = { id: "a1", secret: randomBytes(32) };
/** The file kept apart, in memory. */
const apart: AuditCheckpoint[] = [];
const sink = async (c: AuditCheckpoint[]) => {
  apart.push(...c);
};
const TOWN = "620981101";
const COUNTY = "620981";

async function record(scope: string, n: number, at = "now()"): Promise<void> {
  await db.admin.unsafe(
    `insert into app.audit_events (at, scope_code, kind, detail)
     select ${at}, $1, 'auth.login', jsonb_build_object('n', g) from generate_series(1, $2::int) g`,
    [scope, n],
  );
}
/** Runs statements as the superuser with every trigger off (what only a superuser can do). */
async function tamper(sql: string): Promise<void> {
  await db.admin.begin(async (tx) => {
    await tx.unsafe("set local session_replication_role = replica");
    await tx.unsafe(sql);
  });
}
const verify = () => verifyAuditChains(worker, [key], apart);
const reasons = async () => (await verify()).problems.map((p) => `${p.scope} ${p.reason}`);

beforeAll(async () => {
  db = await createTestDatabase();
  worker = postgres(db.workerUrl, { max: 1, onnotice: () => {} });
  await record(TOWN, 5);
  await record(COUNTY, 3);
  await checkpointAuditChains(worker, key, sink);
  await record(TOWN, 4);
  await checkpointAuditChains(worker, key, sink);
});
afterAll(async () => {
  await worker?.end();
  await db?.close();
});

describe("the audit chain", () => {
  it("verifies when nothing was touched, and a second checkpoint with nothing new writes nothing", async () => {
    const report = await verify();
    expect(report.problems).toEqual([]);
    expect(report.records).toBe(12);
    expect(report.checkpoints).toBe(3);
    expect(await checkpointAuditChains(worker, key, sink)).toEqual([]);
  });

  it("the runtime role can neither run the checkpoint functions nor read the checkpoints", async () => {
    await expect(db.app`select * from auth.audit_chain_rows(${TOWN}, 0, 10)`).rejects.toThrow(/permission denied/);
    await expect(db.app`select * from auth.audit_checkpoints`).rejects.toThrow(/permission denied/);
  });

  it("records are append-only and kept 180 days, for the owner too", async () => {
    await expect(db.admin`update app.audit_events set kind = 'auth.logout' where scope_code = ${TOWN}`).rejects.toThrow(
      /append-only/,
    );
    await expect(db.admin`delete from app.audit_events where scope_code = ${TOWN}`).rejects.toThrow(/180 days/);
    await expect(db.admin`truncate app.audit_events`).rejects.toThrow(/append-only/);
  });

  it("detects an altered record, a removed one and a forged checkpoint", async () => {
    const [first] = await db.admin<{ id: string }[]>`select min(id)::text as id from app.audit_events
      where scope_code = ${TOWN}`;
    await tamper(`update app.audit_events set detail = '{"n": 99}' where id = ${first!.id}`);
    expect(await reasons()).toEqual([`${TOWN} record_altered_or_removed`, `${TOWN} record_altered_or_removed`]);
    await tamper(`update app.audit_events set detail = '{"n": 1}' where id = ${first!.id}`);
    expect(await reasons()).toEqual([]);

    await tamper(`update auth.audit_checkpoints set events = events + 1 where scope_code = '${COUNTY}'`);
    expect(await reasons()).toEqual([`${COUNTY} checkpoint_forged`, `${COUNTY} record_altered_or_removed`]);
    await tamper(`update auth.audit_checkpoints set events = events - 1 where scope_code = '${COUNTY}'`);
    expect(await reasons()).toEqual([]);
  });

  it("the purge deletes only what a checkpoint older than 180 days covers, and the chain still verifies", async () => {
    await expect(purgeAuditRecords(worker, new Date(Date.now() - 30 * 86400e3))).rejects.toThrow(/180 days/);
    // A unit whose first records and checkpoint are 200 days old, then newer records.
    const OLD = "620981102";
    await record(OLD, 6, "now() - interval '200 days'");
    await checkpointAuditChains(worker, key, sink, new Date(Date.now() - 199 * 86400e3));
    await record(OLD, 2);
    await checkpointAuditChains(worker, key, sink);
    const cutoff = new Date(Date.now() - 180 * 86400e3);
    expect(await purgeAuditRecords(worker, cutoff)).toBe(6);
    const [left] = await db.admin<{ n: number }[]>`select count(*)::int as n from app.audit_events
      where scope_code = ${OLD}`;
    expect(left!.n).toBe(2);
    expect(await reasons()).toEqual([]);
    // Nothing of the younger units went.
    expect((await verify()).records).toBe(14);
    // A checkpoint-less old record stays: the purge never outruns the chain.
    await record("620981103", 1, "now() - interval '300 days'");
    expect(await purgeAuditRecords(worker, cutoff)).toBe(0);
  });
  it("detects a truncated tail, and checkpoints removed with it through the file kept apart", async () => {
    const [last] = await db.admin<{ id: string }[]>`select max(id)::text as id from app.audit_events
      where scope_code = ${TOWN}`;
    await tamper(`delete from app.audit_events where id = ${last!.id}`);
    expect(await reasons()).toEqual([`${TOWN} tail_truncated`]);
    // The attacker removes the checkpoint too: the database alone now looks whole; the file does not.
    await tamper(`delete from auth.audit_checkpoints where scope_code = '${TOWN}' and last_id = ${last!.id}`);
    expect((await verifyAuditChains(worker, [key])).problems).toEqual([]);
    expect(await reasons()).toEqual([`${TOWN} checkpoints_removed`]);
  });
});
