import { randomBytes } from "node:crypto";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateTOTP } from "@oslojs/otp";
import { createSm4Cipher, keyringFromEnv } from "@zongzhi/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ciphertextKeyIds, rotateFieldKeys } from "./key-rotation.ts";
import { startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/**
 * Key rotation (`pnpm keys:rotate`): after k2 is appended to the keyring, every value sealed
 * under k1 is re-encrypted under k2 in batches, and the case stays readable at every batch.
 */
const b64 = (n: number) => randomBytes(n).toString("base64");
const k1 = `k1:${b64(16)}`;
const k2 = `k2:${b64(16)}`;
const index = `index:${b64(32)}`;
const before = createSm4Cipher(keyringFromEnv(`${k1};${index}`));
const during = createSm4Cipher(keyringFromEnv(`${k1},${k2};${index}`));
const after = createSm4Cipher(keyringFromEnv(`${k2};${index}`));

let old: TestApi;
let rotated: TestApi;
let caseId: string;

const keyIds = () => ciphertextKeyIds(old.db.admin);

beforeAll(async () => {
  old = await startTestApi({ app: { cipher: before } });
  const town = old.client(await old.login("yumenzhen.admin"));
  ({ id: caseId } = await town.cases.register.mutate({
    ...villageDispute("密钥轮换"),
    parties: [
      { role: "applicant", kind: "person", name: "刘大爷", phone: "13609371234" },
      { role: "respondent", kind: "person", name: "王大妈", phone: "13909375678" },
    ],
  }));
  const { secretBase32 } = await town.mfa.begin.mutate();
  await town.mfa.confirm.mutate({ code: generateTOTP(decodeBase32IgnorePadding(secretBase32), 30, 6) });
  rotated = await startTestApi({ db: old.db, demo: false, app: { cipher: during } });
});
afterAll(async () => {
  await rotated?.close();
  await old?.close();
});

describe("pnpm keys:rotate", () => {
  it("re-encrypts under the new key in batches, readable throughout, and a second pass has nothing left", async () => {
    const ids = await keyIds();
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ids)).toEqual(new Set(["k1"]));
    const reader = rotated.client(await rotated.login("yumen.admin"));
    const phones = async () =>
      (await reader.cases.get.query({ id: caseId, reveal: true })).parties.map((p) => p.phone).sort();
    let batches = 0;
    const report = await rotateFieldKeys(old.db.admin, during, {
      batch: 1,
      onBatch: async () => {
        batches += 1;
        expect(await phones()).toEqual(["13609371234", "13909375678"]);
      },
    });
    expect(batches).toBeGreaterThanOrEqual(5);
    const parties = report.columns.find((c) => c.table === "app.case_parties" && c.column === "phone_enc")!;
    expect(parties.reencrypted).toBe(2);
    expect(report.columns.find((c) => c.table === "app.users")!.reencrypted).toBe(1);
    expect(new Set(await keyIds())).toEqual(new Set(["k2"]));
    expect((await rotateFieldKeys(old.db.admin, during)).columns.every((c) => c.reencrypted === 0)).toBe(true);

    // The old key may now go: a keyring of k2 alone opens everything, k1 alone nothing.
    const [row] = await old.db.admin<{ v: Buffer; scope: string }[]>`select phone_enc as v, scope_code as scope
      from app.case_parties where case_id = ${caseId} limit 1`;
    const context = `["zongzhi","case_parties","phone","${row!.scope}"]`;
    expect(after.decrypt(row!.v, context)).toMatch(/^139|^136/);
    expect(() => before.decrypt(row!.v, context)).toThrow(/key/i);
  });
});
