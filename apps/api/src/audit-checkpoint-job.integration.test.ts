import { randomBytes } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AuditKey, checkpointMac, verifyAuditChains } from "@zongzhi/db/audit-chain";
import { createTestDatabase, type TestDatabase } from "@zongzhi/testing";
import { quickAddJob, type Runner } from "graphile-worker";
import pino from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCheckpoints } from "./audit-file.ts";
import { AUDIT_CHECKPOINT_CRON, prepareWorkerSchema, startWorker } from "./worker.ts";

/**
 * The worker's audit checkpoint job as the API process runs it: `startWorker` with the signing
 * key and the file kept apart, in the PostgreSQL job queue (graphile-worker), as zz_worker. The
 * job signs each unit's chain head with HMAC-SM3 into the database and the file; the checkpoint
 * verifies; cutting the tail of a unit's audit log afterwards is then detected.
 */
let db: TestDatabase;
let runner: Runner | undefined;
let file: string;
let verifier: postgres.Sql;
const key: AuditKey = { id: "job1", secret: randomBytes(32) };

const checkpointRows = () =>
  db.admin<{ scope_code: string; last_id: string; events: number; key_id: string }[]>`
    select scope_code, last_id, events::int as events, key_id from auth.audit_checkpoints order by id`;

/** Waits (bounded) until `done` holds, polling the database. */
async function until(done: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  file = join(await mkdtemp(join(tmpdir(), "zz-audit-job-")), "checkpoints.jsonl");
  verifier = postgres(db.workerUrl, { max: 1, onnotice: () => {} });
  await prepareWorkerSchema(db.workerUrl);
  await db.admin`insert into app.audit_events (scope_code, kind)
    select s, 'auth.login' from unnest(array['620981', '620981', '620981', '620902']) s`;
});
afterAll(async () => {
  await runner?.stop();
  await verifier?.end();
  await db?.close();
});

describe("the worker's audit checkpoint job", () => {
  it("is scheduled, runs from the queue, and writes signed checkpoints that verify", async () => {
    runner = await startWorker({
      workerUrl: db.workerUrl,
      sql: db.app,
      logger: pino({ level: "silent" }),
      audit: { key, file },
    });
    // The ten-minute schedule is registered with the queue (cron de-duplicated by slot across instances).
    expect(AUDIT_CHECKPOINT_CRON).toBe("*/10 * * * * audit_checkpoint");
    await until(
      async () =>
        (await db.admin`select 1 from graphile_worker._private_known_crontabs where identifier = 'audit_checkpoint'`)
          .length === 1,
      "the schedule",
    );
    // Run it now rather than at the next ten-minute slot: the same job, through the same queue.
    await quickAddJob({ connectionString: db.workerUrl }, "audit_checkpoint", {});
    await until(async () => (await checkpointRows()).length === 2, "the checkpoints");
    await until(async () => (await readCheckpoints(file)).length === 2, "the file kept apart");
    await until(
      async () =>
        (await db.admin`select 1 from graphile_worker.jobs where task_identifier = 'audit_checkpoint'`).length === 0,
      "the job to leave the queue",
    );

    const rows = await checkpointRows();
    expect(rows.map((r) => [r.scope_code, r.events, r.key_id])).toEqual([
      ["620902", 1, "job1"],
      ["620981", 3, "job1"],
    ]);
    // The file kept apart holds the same checkpoints, each signed with HMAC-SM3 under the key.
    const apart = await readCheckpoints(file);
    for (const c of apart) {
      const { mac, ...unsigned } = c;
      expect(mac).toBe(checkpointMac(key.secret, unsigned));
      expect(mac).not.toBe(checkpointMac(randomBytes(32), unsigned));
    }
    expect(apart.map((c) => c.scope).sort()).toEqual(["620902", "620981"]);
    expect((await readFile(file, "utf8")).trim().split("\n")).toHaveLength(2);

    const report = await verifyAuditChains(verifier, [key], apart);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ units: 2, records: 4, checkpoints: 2 });
    // Under another key the same checkpoints do not verify.
    const wrongKey = await verifyAuditChains(verifier, [{ id: "job1", secret: randomBytes(32) }], apart);
    expect(wrongKey.problems.map((p) => p.reason)).toEqual(["checkpoint_forged", "checkpoint_forged"]);

    // A second run with nothing new writes nothing more.
    await quickAddJob({ connectionString: db.workerUrl }, "audit_checkpoint", {});
    await until(
      async () =>
        (await db.admin`select 1 from graphile_worker.jobs where task_identifier = 'audit_checkpoint'`).length === 0,
      "the second job",
    );
    expect(await checkpointRows()).toHaveLength(2);
  });

  it("the checkpoint it wrote detects a truncated tail", async () => {
    await db.admin.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      await tx.unsafe(
        "delete from app.audit_events where id = (select max(id) from app.audit_events where scope_code = '620981')",
      );
    });
    const report = await verifyAuditChains(verifier, [key], await readCheckpoints(file));
    expect(report.problems).toEqual([expect.objectContaining({ scope: "620981", reason: "tail_truncated" })]);
  });
});
