import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, type TestDatabase } from "@zongzhi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `pnpm audit:checkpoint` and `pnpm audit:verify` as an operator runs them: against a migrated
 * database, with the HMAC-SM3 key and the file kept apart from the environment. The verify
 * command exits 1 and names the unit when the tail of its audit log is cut off.
 */
const run = promisify(execFile);
let db: TestDatabase;
let env: NodeJS.ProcessEnv;

const cli = (script: string, ...args: string[]) =>
  run(process.execPath, ["--import", "tsx", `apps/api/src/cli/${script}`, ...args], { env, cwd: process.cwd() })
    .then((r) => ({ code: 0, out: r.stdout }))
    .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }));

beforeAll(async () => {
  db = await createTestDatabase();
  const dir = await mkdtemp(join(tmpdir(), "zz-audit-"));
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: db.adminUrl,
    APP_DATABASE_URL: db.appUrl,
    WORKER_DATABASE_URL: db.workerUrl,
    MIGRATE: "off",
    AUDIT_HMAC_KEY: `a1:${randomBytes(32).toString("base64")}`,
    AUDIT_CHECKPOINT_FILE: join(dir, "checkpoints.jsonl"),
  };
  await db.admin`insert into app.audit_events (scope_code, kind) select '620981', 'auth.login' from generate_series(1, 5)`;
});
afterAll(() => db?.close());

describe("the audit commands", () => {
  it("checkpoint, verify, and report a truncated tail with exit code 1", async () => {
    const made = await cli("audit-checkpoint.ts");
    expect(made.out).toContain("1 checkpoints written");
    const lines = (await readFile(env.AUDIT_CHECKPOINT_FILE!, "utf8")).trim().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ scope: "620981", events: 5, keyId: "a1" });
    const fine = await cli("audit-verify.ts");
    expect(fine.out).toContain("audit chains intact");
    expect(fine.code).toBe(0);

    await db.admin.begin(async (tx) => {
      await tx.unsafe("set local session_replication_role = replica");
      await tx.unsafe("delete from app.audit_events where id = (select max(id) from app.audit_events)");
    });
    const cut = await cli("audit-verify.ts");
    expect(cut.code).toBe(1);
    expect(cut.out).toContain("AUDIT tail_truncated (unit 620981)");
  });
});
