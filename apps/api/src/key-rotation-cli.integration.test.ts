import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { createSm4Cipher, keyringFromEnv } from "@zongzhi/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ciphertextKeyIds, ENCRYPTED_COLUMNS } from "./key-rotation.ts";
import { startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/**
 * `pnpm keys:rotate` as an operator runs it: the command-line entry point itself, against a
 * migrated database, with FIELD_KEYS from the environment. It re-encrypts in batches while the
 * API keeps answering with the personal data, exits 0 and says so; a second run has nothing to
 * do; a wrong argument exits 2, a missing keyring or a key dropped too early exits 1, naming it.
 */
const run = promisify(execFile);
const b64 = (n: number) => randomBytes(n).toString("base64");
const k1 = `k1:${b64(16)}`;
const k2 = `k2:${b64(16)}`;
const index = `index:${b64(32)}`;
const PHONES = ["13609371234", "13909375678", "13709371111"];

let old: TestApi;
let rotated: TestApi;
let caseId: string;
let baseEnv: NodeJS.ProcessEnv;

interface Outcome {
  code: number;
  out: string;
  err: string;
}
const cli = (extra: NodeJS.ProcessEnv, ...args: string[]): Promise<Outcome> =>
  run(process.execPath, ["--import", "tsx", "apps/api/src/cli/rotate-keys.ts", ...args], {
    env: { ...baseEnv, ...extra },
    cwd: process.cwd(),
  })
    .then((r) => ({ code: 0, out: r.stdout, err: r.stderr }))
    .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout, err: e.stderr }));

const keyIds = () => ciphertextKeyIds(old.db.admin);

beforeAll(async () => {
  old = await startTestApi({ app: { cipher: createSm4Cipher(keyringFromEnv(`${k1};${index}`)) } });
  const town = old.client(await old.login("yumenzhen.admin"));
  ({ id: caseId } = await town.cases.register.mutate({
    ...villageDispute("密钥轮换命令"),
    parties: [
      { role: "applicant", kind: "person", name: "刘大爷", phone: PHONES[0]! },
      { role: "respondent", kind: "person", name: "王大妈", phone: PHONES[1]! },
      { role: "respondent", kind: "person", name: "张大哥", phone: PHONES[2]! },
    ],
  }));
  rotated = await startTestApi({
    db: old.db,
    demo: false,
    app: { cipher: createSm4Cipher(keyringFromEnv(`${k1},${k2};${index}`)) },
  });
  baseEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: old.db.adminUrl,
    APP_DATABASE_URL: old.db.appUrl,
    WORKER_DATABASE_URL: old.db.workerUrl,
    MIGRATE: "off",
  };
});
afterAll(async () => {
  await rotated?.close();
  await old?.close();
});

describe("the keys:rotate command", () => {
  it("refuses a wrong argument with exit code 2 and touches nothing", async () => {
    for (const args of [["0"], ["abc"], ["10", "20"]]) {
      const r = await cli({ FIELD_KEYS: `${k1},${k2};${index}` }, ...args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.err).toContain("usage: pnpm keys:rotate [batch]");
    }
    expect(new Set(await keyIds())).toEqual(new Set(["k1"]));
  });

  it("exits 1 without a keyring, and when the keyring no longer holds the old key", async () => {
    const none = await cli({});
    expect(none.code).toBe(1);
    expect(none.err).toContain("FIELD_KEYS is missing");
    const dropped = await cli({ FIELD_KEYS: `${k2};${index}` });
    expect(dropped.code).toBe(1);
    expect(dropped.err).toContain('failed: UNKNOWN_KEY: ciphertext was made with key "k1", not in the keyring');
    expect(dropped.err).toContain("keep every old key in FIELD_KEYS");
    // No key material in what it prints.
    for (const k of [k1, k2]) expect(dropped.out + dropped.err).not.toContain(k.slice(3));
    expect(new Set(await keyIds())).toEqual(new Set(["k1"]));
  });

  it("re-encrypts in batches while the API reads the data, and a second run has nothing left", async () => {
    const reader = rotated.client(await rotated.login("yumen.admin"));
    const phones = async () =>
      (await reader.cases.get.query({ id: caseId, reveal: true })).parties.map((p) => p.phone).sort();
    expect(await phones()).toEqual([...PHONES].sort());

    // Start the command, and read the case again and again until it has exited.
    const child = spawn(process.execPath, ["--import", "tsx", "apps/api/src/cli/rotate-keys.ts", "1"], {
      env: { ...baseEnv, FIELD_KEYS: `${k1},${k2};${index}` },
      cwd: process.cwd(),
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    let running = true;
    void exited.then(() => {
      running = false;
    });
    let reads = 0;
    while (running && reads < 2000) {
      expect(await phones()).toEqual([...PHONES].sort());
      reads += 1;
    }
    expect(await exited, err).toBe(0);
    expect(reads).toBeGreaterThan(0);
    expect(await phones()).toEqual([...PHONES].sort());

    // Batches of one row: the three phones of the case take three batches of their own.
    const phoneBatches = out.split("\n").filter((l) => /^batch \d+: app\.case_parties\.phone_enc, /.test(l));
    expect(phoneBatches.length).toBeGreaterThanOrEqual(3);
    expect(out).toMatch(/app\.case_parties\.phone_enc: [3-9]\d* re-encrypted/);
    expect(out).toContain("every encrypted value is now under key k2");
    expect(new Set(await keyIds())).toEqual(new Set(["k2"]));

    // Idempotent: again, nothing to do, same outcome.
    const again = await cli({ FIELD_KEYS: `${k1},${k2};${index}` });
    expect(again.code).toBe(0);
    expect(again.out).toContain("0 values re-encrypted in 0 batches of at most 500 rows");
    for (const t of ENCRYPTED_COLUMNS) expect(again.out).toContain(`${t.table}.${t.column}: 0 re-encrypted`);
    expect(new Set(await keyIds())).toEqual(new Set(["k2"]));
  });
});
