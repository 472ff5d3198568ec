import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateTOTP } from "@oslojs/otp";
import { hashRecoveryCode, normalizeRecoveryCode } from "@zongzhi/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "./demo.ts";
import { cookieOf, refusal, startTestApi, type TestApi } from "./test-harness.ts";

/**
 * Recovery codes of the second factor (MLPS level 3): ten made at once and shown once, kept as
 * SHA-256 hashes only, each signing in once in place of a TOTP code; new codes replace the old,
 * withdrawing the second factor removes them, and making them needs a fresh proof of identity.
 */
let api: TestApi;
const USER = "yumen.leader";

const post = (path: string, body: unknown) =>
  api.request(path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });

async function challenge(): Promise<string> {
  const res = await post("/auth/login", { username: USER, password: DEMO_PASSWORD });
  const body = (await res.json()) as { totp?: boolean; challenge: string };
  expect(body.totp).toBe(true);
  return body.challenge;
}
const signInWith = async (code: string) => post("/auth/login/totp", { challenge: await challenge(), code });
const stored = () =>
  api.db.admin<{ code_hash: Buffer; used_at: Date | null }[]>`select code_hash, used_at from auth.recovery_codes
    where user_id = (select id from app.users where username = ${USER}) order by created_at, code_hash`;

let cookie: string;
let key: Uint8Array;
beforeAll(async () => {
  api = await startTestApi();
  cookie = await api.login(USER);
  const c = api.client(cookie);
  const { secretBase32 } = await c.mfa.begin.mutate();
  key = decodeBase32IgnorePadding(secretBase32);
  await c.mfa.confirm.mutate({ code: generateTOTP(key, 30, 6) });
});
afterAll(() => api.close());

describe("recovery codes", () => {
  let codes: string[];

  it("are made ten at once, shown once and stored only as hashes", async () => {
    const c = api.client(cookie);
    expect((await c.mfa.status.query()).recoveryCodesLeft).toBe(0);
    ({ codes } = await c.mfa.recoveryCodes.mutate());
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    const rows = await stored();
    expect(rows).toHaveLength(10);
    const hashes = new Set(rows.map((r) => r.code_hash.toString("hex")));
    for (const code of codes) {
      expect(hashes.has(Buffer.from(hashRecoveryCode(normalizeRecoveryCode(code)!)).toString("hex"))).toBe(true);
    }
    // No plaintext anywhere in the table (nor in the audit line, which names the count).
    const dump = JSON.stringify(rows.map((r) => r.code_hash.toString("latin1")));
    for (const code of codes) expect(dump).not.toContain(code.replaceAll("-", ""));
    const [line] = await api.db.admin<{ detail: unknown }[]>`select detail from app.audit_events
      where kind = 'auth.recovery_codes_generated' order by id desc limit 1`;
    expect(line!.detail).toEqual({ count: 10 });
    expect((await c.mfa.status.query()).recoveryCodesLeft).toBe(10);
  });

  it("sign in once each in place of a code, typed in any case and grouping", async () => {
    const first = codes[0]!;
    const res = await signInWith(first.toUpperCase().replaceAll("-", " "));
    expect(res.status).toBe(200);
    const session = cookieOf(res)!;
    expect((await api.client(session).mfa.status.query()).recoveryCodesLeft).toBe(9);
    const again = await signInWith(first);
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ code: "UNAUTHENTICATED", zh: "验证码错误" });
    // A well-formed code that was never issued counts as a wrong code too.
    expect((await signInWith("aaaa-bbbb-cccc-dddd")).status).toBe(401);
    const [login] = await api.db.admin<{ detail: unknown }[]>`select detail from app.audit_events
      where kind = 'auth.login' and detail ? 'recovery_code' order by id desc limit 1`;
    expect(login!.detail).toEqual({ mfa: true, recovery_code: true, recovery_codes_left: 9 });
    await api.db.admin`update app.users set failed_attempts = 0 where username = ${USER}`;
  });

  it("new codes replace every earlier one; making them needs a fresh proof", async () => {
    const c = api.client(cookie);
    await api.db.admin`update auth.sessions set created_at = now() - interval '10 minutes'
      where id = ${/zz_session=([a-z2-7]{24})\./.exec(cookie)![1]!}`;
    expect((await refusal(c.mfa.recoveryCodes.mutate())).appCode).toBe("REAUTH_REQUIRED");
    await c.auth.reauthenticate.mutate({ method: "password", secret: DEMO_PASSWORD });
    const { codes: fresh } = await c.mfa.recoveryCodes.mutate();
    expect((await stored()).length).toBe(10);
    expect((await signInWith(codes[1]!)).status).toBe(401);
    expect((await signInWith(fresh[0]!)).status).toBe(200);
    await api.db.admin`update app.users set failed_attempts = 0 where username = ${USER}`;
    codes = fresh;
  });

  it("go with the second factor: withdrawing it removes them", async () => {
    const c = api.client(cookie);
    await api.db.admin`update app.users set totp_last_step = null where username = ${USER}`;
    await c.mfa.disable.mutate({ password: DEMO_PASSWORD, code: generateTOTP(key, 30, 6) });
    expect(await stored()).toEqual([]);
    expect((await refusal(c.mfa.recoveryCodes.mutate())).appCode).toBe("PRECONDITION_FAILED");
  });
});
