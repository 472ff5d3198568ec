import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import { type EmbeddedCluster, startEmbeddedPostgres } from "@zongzhi/db/embedded";
import { TEST_APP_PASSWORD, TEST_WORKER_PASSWORD } from "@zongzhi/testing";
import pino from "pino";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backup, compareSnapshots, restore, restoreDrill, snapshot } from "./backup.ts";
import { migrateAndLoad, withCredentials } from "./database.ts";
import { loadDemo } from "./demo.ts";
import { prepareWorkerSchema } from "./worker.ts";

// pnpm backup / restore / backup:drill on a real server. Debian's PostgreSQL 15 and its
// pg_dump: the client tools must be at least the server's version, and the test cluster's
// embedded PostgreSQL ships none (production runs pg_dump of the server's own version, PG_BIN).

const DEBIAN_PG = "/usr/lib/postgresql/15";
let cluster: EmbeddedCluster;
let dir: string;
let url: string;
let attachments: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zz-backup-"));
  cluster = await startEmbeddedPostgres({
    dataDir: join(dir, "pg"),
    password: "backup-test",
    persistent: false,
    fast: true,
    nativeDir: DEBIAN_PG,
  });
  const m = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
  await m.unsafe("create database zongzhi");
  await m.end();
  url = withCredentials(cluster.adminUrl, "zongzhi");
  await migrateAndLoad(
    url,
    { appPassword: TEST_APP_PASSWORD, workerPassword: TEST_WORKER_PASSWORD },
    pino({ level: "silent" }),
  );
  await prepareWorkerSchema(withCredentials(url, null, "zz_worker", TEST_WORKER_PASSWORD));
  await loadDemo(url, { cipher: createSm4Cipher(keyringFromEnv(generateKeyringString())) });
  attachments = join(dir, "attachments");
  await mkdir(join(attachments, "ab"), { recursive: true });
  await writeFile(join(attachments, "ab", "abcdef"), "附件内容");
}, 240_000);

afterAll(async () => {
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("backup and restore", () => {
  it("the drill restores into a scratch database with the same row counts and chain heads, then drops it", async () => {
    const report = await restoreDrill({
      databaseUrl: url,
      attachmentsDir: attachments,
      backupDir: join(dir, "backups"),
      scratchAttachmentsDir: join(dir, "drill-attachments"),
      pgBin: join(DEBIAN_PG, "bin"),
    });
    expect(report.problems).toEqual([]);
    expect(report.cases).toBeGreaterThan(0);
    expect(report.rows).toBeGreaterThan(1000);
    expect(report.attachments).toBe(1);
    const m = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
    const [left] = await m<
      { n: number }[]
    >`select count(*)::int as n from pg_database where datname like 'zz_restore_drill_%'`;
    await m.end();
    expect(left!.n).toBe(0);
  });

  it("notices a restore that differs: a missing row, a changed chain head", async () => {
    const original = await snapshot(url);
    const fewer = { ...original, rows: { ...original.rows, "app.cases": original.rows["app.cases"]! - 1 } };
    expect(compareSnapshots(original, fewer)).toEqual([
      `app.cases: ${original.rows["app.cases"]} rows backed up, ${original.rows["app.cases"]! - 1} restored`,
    ]);
    expect(compareSnapshots(original, { ...original, chainHeads: "0".repeat(64) })[0]).toMatch(/chain heads differ/);
  });

  it("refuses a damaged backup and a target database that is not empty", async () => {
    const made = await backup({
      databaseUrl: url,
      attachmentsDir: attachments,
      backupDir: join(dir, "backups2"),
      pgBin: join(DEBIAN_PG, "bin"),
    });
    await expect(
      restore({ backupDir: made.dir, databaseUrl: url, attachmentsDir: join(dir, "x"), pgBin: join(DEBIAN_PG, "bin") }),
    ).rejects.toThrow(/not empty/);
    await writeFile(join(made.dir, "attachments.tar"), "damaged");
    await expect(
      restore({ backupDir: made.dir, databaseUrl: url, attachmentsDir: join(dir, "y"), pgBin: join(DEBIAN_PG, "bin") }),
    ).rejects.toThrow(/checksum/);
  });
});
