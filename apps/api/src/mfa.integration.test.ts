import { createHash, randomUUID } from "node:crypto";
import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP, generateTOTP } from "@oslojs/otp";
import { TRPCClientError } from "@trpc/client";
import { cipherContext } from "@zongzhi/crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "./demo.ts";
import { cookieOf, startTestApi, type TestApi } from "./test-harness.ts";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ https: true });
});
afterAll(() => api.close());

const json = { "content-type": "application/json" };
const post = (path: string, body: unknown, cookie?: string) =>
  api.request(path, { method: "POST", headers: json, body: JSON.stringify(body), ...(cookie ? { cookie } : {}) });

type Problem = { code: string; zh: string; en: string; details?: Record<string, unknown> };

async function failure(promise: Promise<unknown>): Promise<{ appCode?: string; zh?: string }> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof TRPCClientError) return e.data as { appCode?: string; zh?: string };
    throw e;
  }
  throw new Error("expected the call to fail");
}

/** The current time step and the code of any step for a key. */
const stepNow = () => Math.floor(Date.now() / 30_000);
const codeOf = (key: Uint8Array, step: number) => generateHOTP(key, BigInt(step), 6);
/** A six-digit code that no step of the ±1 window produces. */
function wrongCode(key: Uint8Array): string {
  const valid = new Set([-1, 0, 1, 2].map((d) => codeOf(key, stepNow() + d)));
  for (let n = 0; ; n++) {
    const candidate = String((123456 + n * 7919) % 1_000_000).padStart(6, "0");
    if (!valid.has(candidate)) return candidate;
  }
}

/** Signs in with a password only; for an account without a second factor. */
async function passwordSession(username: string): Promise<string> {
  const res = await post("/auth/login", { username, password: DEMO_PASSWORD });
  const body = (await res.json()) as { ok: boolean };
  expect(res.status).toBe(200);
  expect(body.ok).toBe(true);
  return cookieOf(res)!;
}

/** The password step of an account with a second factor: the challenge, and no cookie. */
async function challengeFor(username: string): Promise<string> {
  const res = await post("/auth/login", { username, password: DEMO_PASSWORD });
  expect(res.status).toBe(200);
  expect(cookieOf(res)).toBeNull();
  const body = (await res.json()) as { ok: boolean; totp: boolean; challenge: string };
  expect(body).toMatchObject({ ok: false, totp: true });
  expect(body.challenge).toMatch(/^[a-z2-7]{24}\.[a-z2-7]{32}$/);
  return body.challenge;
}

const submitCode = (challenge: string, code: string) => post("/auth/login/totp", { challenge, code });

/**
 * The replay guard keeps the last accepted step; tests that sign one account in several times
 * within 30 seconds rewind it (as the superuser) instead of waiting for the next code.
 */
async function rewindReplayGuard(username: string): Promise<void> {
  await api.db.admin`update app.users set totp_last_step = null where username = ${username}`;
}

/** Enrols an account through the API: begin → compute the code from the shown secret → confirm. */
async function enrol(username: string, cookie?: string): Promise<{ key: Uint8Array; cookie: string; uri: string }> {
  const session = cookie ?? (await passwordSession(username));
  const client = api.client(session);
  const { uri, secretBase32 } = await client.mfa.begin.mutate();
  const key = decodeBase32IgnorePadding(secretBase32);
  await client.mfa.confirm.mutate({ code: generateTOTP(key, 30, 6) });
  return { key, cookie: session, uri };
}

async function userRow(username: string) {
  const [row] = await api.db.admin<
    {
      id: string;
      totp_key: Buffer | null;
      totp_enabled_at: Date | null;
      totp_last_step: string | null;
      failed_attempts: number;
      locked_until: Date | null;
    }[]
  >`select id, totp_key, totp_enabled_at, totp_last_step, failed_attempts, locked_until
    from app.users where username = ${username}`;
  return row!;
}

async function auditKinds(userId: string): Promise<{ kind: string; detail: Record<string, unknown> }[]> {
  return api.db.admin<{ kind: string; detail: Record<string, unknown> }[]>`
    select kind, detail from app.audit_events where subject_id = ${userId} order by id`;
}

describe("enrolment", () => {
  it("begin shows a key once (QR URI and base32); confirm with a code from it turns the factor on", async () => {
    const cookie = await passwordSession("yumen.leader");
    const client = api.client(cookie);
    expect(await client.mfa.status.query()).toEqual({
      enabled: false,
      required: false,
      deploymentRequired: false,
      canConfigure: false,
      recoveryCodesLeft: 0,
    });
    const { uri, secretBase32 } = await client.mfa.begin.mutate();
    expect(secretBase32).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(uri);
    expect(url.protocol).toBe("otpauth:");
    expect(decodeURIComponent(url.pathname)).toBe("/综治中心平台:yumen.leader");
    expect(url.searchParams.get("secret")).toBe(secretBase32);
    expect(url.searchParams.get("period")).toBe("30");
    expect(url.searchParams.get("digits")).toBe("6");
    const key = decodeBase32IgnorePadding(secretBase32);

    // The pending key is stored encrypted too.
    const user = await userRow("yumen.leader");
    const [pending] = await api.db.admin<{ key_enc: Buffer }[]>`
      select key_enc from auth.totp_pending where user_id = ${user.id}`;
    expect(pending!.key_enc.includes(Buffer.from(key))).toBe(false);

    expect((await failure(client.mfa.confirm.mutate({ code: wrongCode(key) }))).appCode).toBe("VALIDATION");
    expect((await userRow("yumen.leader")).totp_enabled_at).toBeNull();

    expect(await client.mfa.confirm.mutate({ code: generateTOTP(key, 30, 6) })).toEqual({ enabled: true });
    expect((await client.mfa.status.query()).enabled).toBe(true);
    expect((await client.auth.me.query()).totpEnabled).toBe(true);
    // A second enrolment needs the first one turned off.
    expect((await failure(client.mfa.begin.mutate())).appCode).toBe("CONFLICT");
    expect(await api.db.admin`select 1 from auth.totp_pending where user_id = ${user.id}`).toHaveLength(0);
    expect((await auditKinds(user.id)).map((a) => a.kind)).toContain("auth.totp_enabled");
  });

  it("the stored key is SM4 ciphertext bound to its user, not the key", async () => {
    const { key } = await enrol("yumen.clerk");
    const user = await userRow("yumen.clerk");
    expect(user.totp_enabled_at).toBeInstanceOf(Date);
    const stored = user.totp_key!;
    expect(stored.equals(Buffer.from(key))).toBe(false);
    expect(stored.includes(Buffer.from(key))).toBe(false);
    expect(stored.toString("latin1")).not.toContain(Buffer.from(key).toString("base64"));
    // Only the API's FieldCipher opens it, and only in the user's own context.
    const plain = api.cipher.decrypt(stored, cipherContext("users", "totp_key", user.id));
    expect(new Uint8Array(Buffer.from(plain, "base64"))).toEqual(key);
    expect(() => api.cipher.decrypt(stored, cipherContext("users", "totp_key", randomUUID()))).toThrow();
  });

  it("an enrolment not confirmed within 10 minutes has to start again", async () => {
    const cookie = await passwordSession("yumenzhen.mediator");
    const client = api.client(cookie);
    const { secretBase32 } = await client.mfa.begin.mutate();
    const user = await userRow("yumenzhen.mediator");
    await api.db.admin`update auth.totp_pending set created_at = now() - interval '10 minutes 1 second'
      where user_id = ${user.id}`;
    const code = generateTOTP(decodeBase32IgnorePadding(secretBase32), 30, 6);
    expect((await failure(client.mfa.confirm.mutate({ code }))).appCode).toBe("PRECONDITION_FAILED");
    expect((await userRow("yumenzhen.mediator")).totp_key).toBeNull();
  });
});

describe("sign-in with a second factor", () => {
  let key: Uint8Array;
  beforeAll(async () => {
    ({ key } = await enrol("yumen.mediator"));
  });

  it("a right password gives a challenge without a session; only its SHA-256 is stored; the code opens the session", async () => {
    await rewindReplayGuard("yumen.mediator");
    const sessions = () => api.db.admin`select 1 from auth.sessions s join app.users u on u.id = s.user_id
      where u.username = 'yumen.mediator'`;
    const before = (await sessions()).length;
    const challenge = await challengeFor("yumen.mediator");
    const [id, secret] = challenge.split(".") as [string, string];
    const [row] = await api.db.admin<{ secret_hash: Buffer; attempts: number }[]>`
      select secret_hash, attempts from auth.login_challenges where id = ${id}`;
    expect(row!.secret_hash.equals(createHash("sha256").update(secret).digest())).toBe(true);
    expect(row!.attempts).toBe(0);
    // The password step alone opens no session.
    expect(await sessions()).toHaveLength(before);

    const res = await submitCode(challenge, generateTOTP(key, 30, 6));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, mustChangePassword: false, mfaEnrolmentRequired: false });
    const cookie = cookieOf(res)!;
    expect(cookie).toMatch(/^__Host-zz_session=/);
    expect((await api.client(cookie).auth.me.query()).username).toBe("yumen.mediator");
    expect(await api.db.admin`select 1 from auth.login_challenges where id = ${id}`).toHaveLength(0);

    const user = await userRow("yumen.mediator");
    const audit = await auditKinds(user.id);
    expect(audit.map((a) => a.kind)).toEqual(expect.arrayContaining(["auth.totp_challenged", "auth.login"]));
    expect(audit.findLast((a) => a.kind === "auth.login")!.detail).toEqual({ mfa: true });
  });

  it("a code that was already used is refused (replay), audited and counted", async () => {
    await rewindReplayGuard("yumen.mediator");
    const code = generateTOTP(key, 30, 6);
    const first = await submitCode(await challengeFor("yumen.mediator"), code);
    expect(first.status).toBe(200);
    const again = await submitCode(await challengeFor("yumen.mediator"), code);
    expect(again.status).toBe(401);
    const body = (await again.json()) as Problem;
    expect(body.code).toBe("UNAUTHENTICATED");
    expect(body.details).toEqual({ totp: "replayed" });
    expect(body.zh).toContain("已使用");
    expect(cookieOf(again)).toBeNull();
    const user = await userRow("yumen.mediator");
    expect(user.failed_attempts).toBe(1);
    const failed = (await auditKinds(user.id)).findLast((a) => a.kind === "auth.totp_failed");
    expect(failed!.detail).toMatchObject({ reason: "replayed" });
    // An earlier step is refused as well once a later one was accepted.
    const lastStep = Number(user.totp_last_step);
    const earlier = await submitCode(await challengeFor("yumen.mediator"), codeOf(key, lastStep - 1));
    expect(earlier.status).toBe(401);
    await api.db.admin`update app.users set failed_attempts = 0 where username = 'yumen.mediator'`;
  });

  it("a wrong code is refused in Chinese, counted as a failed sign-in, and the right one still works", async () => {
    await rewindReplayGuard("yumen.mediator");
    const challenge = await challengeFor("yumen.mediator");
    const res = await submitCode(challenge, wrongCode(key));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "UNAUTHENTICATED", zh: "验证码错误", details: { totp: "wrong" } });
    const user = await userRow("yumen.mediator");
    expect(user.failed_attempts).toBe(1);
    const kinds = (await auditKinds(user.id)).map((a) => a.kind);
    expect(kinds.slice(-2)).toEqual(["auth.totp_failed", "auth.login_failed"]);
    // Malformed codes are wrong codes, not server errors.
    expect((await submitCode(challenge, "12ab56")).status).toBe(401);

    const ok = await submitCode(challenge, generateTOTP(key, 30, 6));
    expect(ok.status).toBe(200);
    expect((await userRow("yumen.mediator")).failed_attempts).toBe(0);
  });

  it("the 5th failure locks the account for 30 minutes, and the lock outlasts the challenge", async () => {
    await rewindReplayGuard("yumen.mediator");
    const challenge = await challengeFor("yumen.mediator");
    for (let i = 1; i <= 4; i++) expect((await submitCode(challenge, wrongCode(key))).status).toBe(401);
    const fifth = await submitCode(challenge, wrongCode(key));
    expect(fifth.status).toBe(423);
    const body = (await fifth.json()) as Problem & { details: { lockedUntil: string } };
    expect(body.code).toBe("ACCOUNT_LOCKED");
    expect(body.zh).toContain("锁定");
    const minutes = (new Date(body.details.lockedUntil).getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30.1);
    // The challenge is gone: even the right code is refused now, and so is the password.
    expect((await submitCode(challenge, generateTOTP(key, 30, 6))).status).toBe(401);
    expect((await post("/auth/login", { username: "yumen.mediator", password: DEMO_PASSWORD })).status).toBe(423);
    const user = await userRow("yumen.mediator");
    const kinds = (await auditKinds(user.id)).map((a) => a.kind);
    expect(kinds).toContain("auth.locked");
    // An administrator unlocks it; the next sign-in works with the code.
    const admin = api.client(await passwordSession("yumen.admin"));
    const { items } = await admin.users.list.query({ q: "yumen.mediator" });
    const row = items.find((u) => u.username === "yumen.mediator")!;
    expect(row.totpEnabled).toBe(true);
    await admin.users.unlock.mutate({ id: row.id, version: row.version });
    await rewindReplayGuard("yumen.mediator");
    expect((await submitCode(await challengeFor("yumen.mediator"), generateTOTP(key, 30, 6))).status).toBe(200);
  });

  it("a challenge takes at most 5 codes", async () => {
    await rewindReplayGuard("yumen.mediator");
    const challenge = await challengeFor("yumen.mediator");
    await api.db.admin`update auth.login_challenges set attempts = 5 where id = ${challenge.split(".")[0]!}`;
    const res = await submitCode(challenge, generateTOTP(key, 30, 6));
    expect(res.status).toBe(401);
    expect(((await res.json()) as Problem).details).toEqual({ totp: "expired" });
  });

  it("a challenge expires after 5 minutes: the right code then asks to sign in again, without counting a failure", async () => {
    await rewindReplayGuard("yumen.mediator");
    const challenge = await challengeFor("yumen.mediator");
    await api.db.admin`update auth.login_challenges set created_at = now() - interval '5 minutes 1 second'
      where id = ${challenge.split(".")[0]!}`;
    const res = await submitCode(challenge, generateTOTP(key, 30, 6));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      code: "UNAUTHENTICATED",
      zh: "验证码已过期，请重新登录",
      details: { totp: "expired" },
    });
    expect(cookieOf(res)).toBeNull();
    expect((await userRow("yumen.mediator")).failed_attempts).toBe(0);
  });

  it("a forged or malformed challenge is refused like an expired one", async () => {
    await rewindReplayGuard("yumen.mediator");
    const challenge = await challengeFor("yumen.mediator");
    const forged = challenge.replace(/\.[a-z2-7]{32}$/, `.${"a".repeat(32)}`);
    for (const bad of [forged, "nonsense", ""]) {
      const res = await submitCode(bad, generateTOTP(key, 30, 6));
      expect([400, 401]).toContain(res.status);
    }
    expect((await submitCode(challenge, generateTOTP(key, 30, 6))).status).toBe(200);
  });

  it("never writes codes, challenges or keys to the logs", async () => {
    await rewindReplayGuard("yumen.mediator");
    const challenge = await challengeFor("yumen.mediator");
    const code = generateTOTP(key, 30, 6);
    await submitCode(challenge, code);
    const all = api.logs.join("\n");
    expect(all).not.toContain(challenge.split(".")[1]!);
    expect(all).not.toContain(`"${code}"`);
    expect(all).toContain('"path":"/auth/login/totp"');
  });
});

describe("turning it off and resetting it", () => {
  it("a user turns it off with password and a current code; sign-in then needs the password only", async () => {
    const { key, cookie } = await enrol("yumenzhen.admin");
    await rewindReplayGuard("yumenzhen.admin");
    const client = api.client(cookie);
    expect(
      (await failure(client.mfa.disable.mutate({ password: "Wrong#Pass2026", code: generateTOTP(key, 30, 6) })))
        .appCode,
    ).toBe("VALIDATION");
    expect((await failure(client.mfa.disable.mutate({ password: DEMO_PASSWORD, code: wrongCode(key) }))).appCode).toBe(
      "VALIDATION",
    );
    expect(await client.mfa.disable.mutate({ password: DEMO_PASSWORD, code: generateTOTP(key, 30, 6) })).toEqual({
      enabled: false,
    });
    const user = await userRow("yumenzhen.admin");
    expect(user.totp_key).toBeNull();
    expect(user.totp_enabled_at).toBeNull();
    expect((await auditKinds(user.id)).map((a) => a.kind)).toContain("auth.totp_disabled");
    await passwordSession("yumenzhen.admin");
  });

  it("a setup link (password reset) does not bypass the second factor", async () => {
    const clerk = await userRow("yumen.clerk");
    expect(clerk.totp_key).not.toBeNull();
    const admin = api.client(await passwordSession("yumen.admin"));
    const { url } = await admin.users.setupLink.mutate({ id: clerk.id });
    const token = url.split("#")[1]!;
    const res = await post("/auth/setup", { token, password: "Clerk#Reset2027" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, signIn: true });
    expect(cookieOf(res)).toBeNull();
    const again = await post("/auth/login", { username: "yumen.clerk", password: "Clerk#Reset2027" });
    expect(await again.json()).toMatchObject({ ok: false, totp: true });
    expect(cookieOf(again)).toBeNull();
  });

  it("a security administrator resets a lost second factor in the subtree; another deployment cannot", async () => {
    await enrol("yumen.auditor");
    const target = await userRow("yumen.auditor");
    const other = api.client(await passwordSession("yongji.security"));
    expect((await failure(other.users.resetTotp.mutate({ id: target.id }))).appCode).toBe("NOT_FOUND");
    const clerk = api.client(await passwordSession("cun.mediator"));
    expect((await failure(clerk.users.resetTotp.mutate({ id: target.id }))).appCode).toBe("FORBIDDEN");
    // Separation of duties (三权分立): the centre administrator manages accounts but no second factor.
    const centreAdmin = api.client(await passwordSession("yumen.admin"));
    const refused = await failure(centreAdmin.users.resetTotp.mutate({ id: target.id }));
    expect(refused.appCode).toBe("FORBIDDEN");
    expect(refused.zh).toContain("重置他人两步验证");
    const admin = api.client(await passwordSession("yumen.security"));
    expect((await failure(admin.users.resetTotp.mutate({ id: (await userRow("yumen.security")).id }))).appCode).toBe(
      "FORBIDDEN",
    );
    const [before] = await api.db.admin<
      { n: number }[]
    >`select count(*)::int as n from auth.sessions where user_id = ${target.id}`;
    expect(before!.n).toBeGreaterThan(0);
    expect(await admin.users.resetTotp.mutate({ id: target.id })).toEqual({ ok: true });
    // Whoever holds the lost phone is signed out too.
    const [left] = await api.db.admin<
      { n: number }[]
    >`select count(*)::int as n from auth.sessions where user_id = ${target.id}`;
    expect(left!.n).toBe(0);
    const after = await userRow("yumen.auditor");
    expect(after.totp_key).toBeNull();
    expect(after.totp_enabled_at).toBeNull();
    expect((await auditKinds(target.id)).map((a) => a.kind)).toContain("user.totp_reset");
    // The user signs in with the password alone and may enrol a new phone.
    await enrol("yumen.auditor");
  });
});

describe("the runtime role", () => {
  it("cannot read a TOTP key, a last step, a challenge or a pending enrolment", async () => {
    await expect(api.db.app`select totp_key from app.users`).rejects.toThrow(/permission denied/);
    await expect(api.db.app`select totp_last_step from app.users`).rejects.toThrow(/permission denied/);
    await expect(api.db.app`select * from app.users`).rejects.toThrow(/permission denied/);
    await expect(api.db.app`select * from auth.login_challenges`).rejects.toThrow(/permission denied/);
    await expect(api.db.app`select * from auth.totp_pending`).rejects.toThrow(/permission denied/);
    await expect(api.db.app`delete from auth.login_challenges`).rejects.toThrow(/permission denied/);
    await expect(api.db.app`update app.tenants set require_totp = true where code = '62'`).rejects.toThrow(
      /permission denied/,
    );
    // Whether a user has one is readable (the users page shows it).
    await expect(api.db.app`select totp_enabled_at from app.users`).resolves.toBeDefined();
  });

  it("cannot open a sign-in challenge, or read one's key, from inside a tenant context", async () => {
    const user = await userRow("yumen.clerk");
    const conn = await api.db.app.reserve();
    try {
      await conn`begin`;
      await conn`select set_config('app.scope', '620981', true)`;
      await expect(conn`select auth.challenge_create('x', '\\x00'::bytea, ${user.id}, null)`).rejects.toThrow(
        /tenant context/,
      );
    } finally {
      await conn`rollback`;
      conn.release();
    }
  });
});

describe("a deployment that requires a second factor", () => {
  let gansuKey: Uint8Array;

  it("only a security administrator of the deployment root sets it, after enrolling themselves", async () => {
    const yumenAdmin = api.client(await passwordSession("yumen.admin"));
    expect((await yumenAdmin.mfa.status.query()).canConfigure).toBe(false);
    expect((await failure(yumenAdmin.mfa.setRequired.mutate({ required: true }))).appCode).toBe("FORBIDDEN");
    // The database function refuses it too, whatever the API would do.
    const conn = await api.db.app.reserve();
    try {
      await conn`begin`;
      await conn`select set_config('app.scope', '620981', true), set_config('app.roles', 'tenant_admin', true)`;
      await expect(conn`select auth.set_require_totp(true)`).rejects.toThrow(/deployment root/);
    } finally {
      await conn`rollback`;
      conn.release();
    }

    // The root's centre administrator is a system administrator: the policy is not theirs (三权分立).
    const rootAdmin = api.client(await passwordSession("gansu.admin"));
    expect((await rootAdmin.mfa.status.query()).canConfigure).toBe(false);
    const refused = await failure(rootAdmin.mfa.setRequired.mutate({ required: true }));
    expect(refused.appCode).toBe("FORBIDDEN");
    const gansuCookie = await passwordSession("gansu.security");
    const gansu = api.client(gansuCookie);
    expect(await gansu.mfa.status.query()).toMatchObject({ canConfigure: true, deploymentRequired: false });
    expect((await failure(gansu.mfa.setRequired.mutate({ required: true }))).appCode).toBe("PRECONDITION_FAILED");
    ({ key: gansuKey } = await enrol("gansu.security", gansuCookie));
    expect(await gansu.mfa.setRequired.mutate({ required: true })).toEqual({ required: true });
    const [root] = await api.db.admin<{ require_totp: boolean; id: string }[]>`
      select id, require_totp from app.tenants where code = '62'`;
    expect(root!.require_totp).toBe(true);
    const [audit] = await api.db.admin<{ detail: unknown }[]>`select detail from app.audit_events
      where kind = 'tenant.require_totp' and subject_id = ${root!.id}`;
    expect(audit!.detail).toEqual({ required: true });
  });

  it("holds an unenrolled staff member at enrolment (MFA_ENROLMENT_REQUIRED) until done", async () => {
    const res = await post("/auth/login", { username: "jiuquan.admin", password: DEMO_PASSWORD });
    expect(await res.json()).toEqual({ ok: true, mustChangePassword: false, mfaEnrolmentRequired: true });
    const cookie = cookieOf(res)!;
    const client = api.client(cookie);
    expect((await client.auth.me.query()).mfaEnrolmentRequired).toBe(true);
    expect(await client.mfa.status.query()).toMatchObject({ enabled: false, required: true, deploymentRequired: true });
    expect((await failure(client.tenants.get.query({}))).appCode).toBe("MFA_ENROLMENT_REQUIRED");
    expect((await failure(client.users.list.query({}))).appCode).toBe("MFA_ENROLMENT_REQUIRED");
    const attachment = await api.request(`/attachments/${randomUUID()}`, { cookie });
    expect(attachment.status).toBe(403);
    expect(((await attachment.json()) as Problem).code).toBe("MFA_ENROLMENT_REQUIRED");
    expect((await api.request("/events", { cookie })).status).toBe(403);

    const { key } = await enrol("jiuquan.admin", cookie);
    expect((await client.tenants.get.query({})).tenant.code).toBe("6209");
    expect((await client.auth.me.query()).mfaEnrolmentRequired).toBe(false);
    // Where it is required, it cannot be turned off.
    expect(
      (await failure(client.mfa.disable.mutate({ password: DEMO_PASSWORD, code: generateTOTP(key, 30, 6) }))).appCode,
    ).toBe("FORBIDDEN");
  });

  it("binds staff only, of that deployment only", async () => {
    // A staff member of the deployment without a second factor is held.
    expect((await api.client(await passwordSession("yumenzhen.admin")).auth.me.query()).mfaEnrolmentRequired).toBe(
      true,
    );
    // A grid worker is not bound; another deployment is not; the operator is not (REQUIRE_OPERATOR_TOTP off).
    for (const username of ["cun.grid", "yongji.admin", "operator"]) {
      const me = await api.client(await passwordSession(username)).auth.me.query();
      expect(me.mfaEnrolmentRequired, username).toBe(false);
    }
    await api.client(await passwordSession("cun.grid")).tenants.get.query({});
  });

  it("turned off again, nobody is held", async () => {
    await rewindReplayGuard("gansu.security");
    const res = await submitCode(await challengeFor("gansu.security"), generateTOTP(gansuKey, 30, 6));
    expect(res.status).toBe(200);
    const gansu = api.client(cookieOf(res)!);
    expect(await gansu.mfa.setRequired.mutate({ required: false })).toEqual({ required: false });
    expect((await api.client(await passwordSession("yumenzhen.admin")).auth.me.query()).mfaEnrolmentRequired).toBe(
      false,
    );
  });
});

describe("operators with REQUIRE_OPERATOR_TOTP=1", () => {
  let ops: TestApi;
  beforeAll(async () => {
    ops = await startTestApi({ https: true, requireOperatorTotp: true });
  });
  afterAll(() => ops.close());

  it("must enrol before anything else; deployments' staff are unaffected", async () => {
    const login = async (username: string) => {
      const res = await ops.request("/auth/login", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ username, password: DEMO_PASSWORD }),
      });
      return { body: (await res.json()) as Record<string, unknown>, cookie: cookieOf(res)! };
    };
    const operator = await login("operator");
    expect(operator.body).toMatchObject({ ok: true, mfaEnrolmentRequired: true });
    const client = ops.client(operator.cookie);
    expect((await failure(client.platform.deployments.query())).appCode).toBe("MFA_ENROLMENT_REQUIRED");
    const { secretBase32 } = await client.mfa.begin.mutate();
    await client.mfa.confirm.mutate({ code: generateTOTP(decodeBase32IgnorePadding(secretBase32), 30, 6) });
    expect(Array.isArray(await client.platform.deployments.query())).toBe(true);
    expect((await login("yumen.clerk")).body).toMatchObject({ ok: true, mfaEnrolmentRequired: false });
  });
});
