import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateHOTP, generateTOTP } from "@oslojs/otp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "./demo.ts";
import { refusal, startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/**
 * Re-authentication (MLPS level 3): revealing personal numbers, exporting them and granting
 * roles need a proof of the password or a code within the last 5 minutes. The sign-in counts;
 * a session signed in longer ago must prove itself again (auth.reauthenticate), per session.
 */
let api: TestApi;
let caseId: string;

/** Makes a session look signed in `minutes` ago (and proved nothing since). */
async function age(cookie: string, minutes: number): Promise<void> {
  const id = /zz_session=([a-z2-7]{24})\./.exec(cookie)![1]!;
  await api.db.admin`update auth.sessions set created_at = now() - make_interval(mins => ${minutes}),
    reauthenticated_at = null where id = ${id}`;
}

beforeAll(async () => {
  api = await startTestApi();
  const town = api.client(await api.login("yumenzhen.admin"));
  ({ id: caseId } = await town.cases.register.mutate(villageDispute("重新验证身份")));
});
afterAll(() => api.close());

describe("re-authentication before revealing personal data", () => {
  it("a fresh sign-in reveals; an older session must prove itself again, then reveals for 5 minutes", async () => {
    const cookie = await api.login("yumenzhen.admin");
    const c = api.client(cookie);
    expect((await c.cases.get.query({ id: caseId, reveal: true })).parties[0]!.revealed).toBe(true);

    await age(cookie, 6);
    const refused = await refusal(c.cases.get.query({ id: caseId, reveal: true }));
    expect(refused.appCode).toBe("REAUTH_REQUIRED");
    expect(refused.zh).toContain("最近 5 分钟内验证身份");
    expect(refused.en).toContain("within the last 5 minutes");
    // Masked reading needs nothing more.
    expect((await c.cases.get.query({ id: caseId })).parties[0]!.phone).not.toBe("13609371234");

    const wrong = await refusal(c.auth.reauthenticate.mutate({ method: "password", secret: "not-the-password" }));
    expect(wrong.appCode).toBe("VALIDATION");
    expect(wrong.fields?.[0]).toMatchObject({ path: "secret", zh: "密码不正确" });
    expect((await refusal(c.cases.get.query({ id: caseId, reveal: true }))).appCode).toBe("REAUTH_REQUIRED");

    const { until } = await c.auth.reauthenticate.mutate({ method: "password", secret: DEMO_PASSWORD });
    expect(until.getTime() - Date.now()).toBeGreaterThan(4 * 60_000);
    const open = await c.cases.get.query({ id: caseId, reveal: true });
    expect(open.parties[0]!.phone).toBe("13609371234");

    // The proof belongs to that session only; another session of the same user, signed in
    // long ago, is still refused.
    const other = await api.login("yumenzhen.admin");
    await age(other, 30);
    expect((await refusal(api.client(other).cases.get.query({ id: caseId, reveal: true }))).appCode).toBe(
      "REAUTH_REQUIRED",
    );

    // Audited in the sign-in log, naming the method.
    const lines = await api.db.admin<{ detail: { method: string } }[]>`select detail from app.audit_events
      where kind = 'auth.reauthenticated' and actor_id = (select id from app.users where username = 'yumenzhen.admin')`;
    expect(lines.map((l) => l.detail.method)).toEqual(["password"]);
  });

  it("a code of the second factor proves it too, but never twice", async () => {
    const cookie = await api.login("yumenzhen.mediator");
    const c = api.client(cookie);
    const { secretBase32 } = await c.mfa.begin.mutate();
    const key = decodeBase32IgnorePadding(secretBase32);
    const enrolCode = generateTOTP(key, 30, 6);
    await c.mfa.confirm.mutate({ code: enrolCode });
    await age(cookie, 10);
    // The code spent on the enrolment is refused (replay), a wrong one too.
    expect((await refusal(c.auth.reauthenticate.mutate({ method: "totp", secret: enrolCode }))).fields?.[0]?.zh).toBe(
      "该验证码已使用过，请等待验证器显示新的验证码",
    );
    expect((await refusal(c.auth.reauthenticate.mutate({ method: "totp", secret: "000000" }))).appCode).toBe(
      "VALIDATION",
    );
    const next = generateHOTP(key, BigInt(Math.floor(Date.now() / 30_000) + 1), 6);
    await c.auth.reauthenticate.mutate({ method: "totp", secret: next });
    expect((await c.cases.get.query({ id: caseId, reveal: true })).parties[0]!.revealed).toBe(true);
    expect((await refusal(c.auth.reauthenticate.mutate({ method: "totp", secret: next }))).appCode).toBe("VALIDATION");
  });

  it("an account without a second factor cannot use the code method", async () => {
    const c = api.client(await api.login("yumen.clerk"));
    expect((await refusal(c.auth.reauthenticate.mutate({ method: "totp", secret: "123456" }))).appCode).toBe(
      "PRECONDITION_FAILED",
    );
  });
});

describe("re-authentication before other sensitive operations", () => {
  it("a revealing ledger export needs it; the masked one does not", async () => {
    const cookie = await api.login("yumen.admin");
    await age(cookie, 6);
    const masked = await api.request("/exports/cases?format=csv", { cookie });
    expect(masked.status).toBe(200);
    await masked.text();
    const open = await api.request("/exports/cases?format=csv&reveal=1", { cookie });
    expect(open.status).toBe(403);
    expect(await open.json()).toMatchObject({ code: "REAUTH_REQUIRED", zh: expect.stringContaining("验证身份") });
    await api.client(cookie).auth.reauthenticate.mutate({ method: "password", secret: DEMO_PASSWORD });
    const after = await api.request("/exports/cases?format=csv&reveal=1", { cookie });
    expect(after.status).toBe(200);
    await after.text();
  });

  it("a role grant needs it; renaming does not", async () => {
    const cookie = await api.login("yumen.security");
    const c = api.client(cookie);
    await age(cookie, 6);
    const [clerk] = await api.db.admin<{ id: string; version: number; display_name: string }[]>`
      select id, version, display_name from app.users where username = 'yumen.leader'`;
    const grant = { id: clerk!.id, version: clerk!.version, displayName: clerk!.display_name };
    expect((await refusal(c.users.edit.mutate({ ...grant, roles: ["leader", "mediator"] }))).appCode).toBe(
      "REAUTH_REQUIRED",
    );
    const renamed = await c.users.edit.mutate({ ...grant, displayName: "玉门市分管领导甲", roles: ["leader"] });
    await c.auth.reauthenticate.mutate({ method: "password", secret: DEMO_PASSWORD });
    const granted = await c.users.edit.mutate({
      ...grant,
      version: renamed.version,
      roles: ["leader", "mediator"],
    });
    expect(granted.roles).toEqual(["leader", "mediator"]);
  });
});
