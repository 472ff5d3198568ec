import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "./demo.ts";
import { readEnv, staffTotpRequired } from "./env.ts";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

// MLPS level 3: a second factor for every staff role by default in production. The test
// harness leaves it off (tests that are not about the second factor sign staff in with a
// password); main.ts turns it on from the environment, which this file checks too.

describe("the production default", () => {
  it("requires a second factor of staff in production unless REQUIRE_STAFF_TOTP=0 relaxes it", () => {
    expect(staffTotpRequired(readEnv({ NODE_ENV: "production" }))).toBe(true);
    expect(staffTotpRequired(readEnv({ NODE_ENV: "production", REQUIRE_STAFF_TOTP: "0" }))).toBe(false);
    expect(staffTotpRequired(readEnv({}))).toBe(false);
    expect(staffTotpRequired(readEnv({ REQUIRE_STAFF_TOTP: "1" }))).toBe(true);
  });
});

describe("with the installation requiring a second factor of all staff", () => {
  let strict: TestApi;
  let relaxed: TestApi;
  beforeAll(async () => {
    strict = await startTestApi({ app: { requireStaffTotp: true } });
    relaxed = await startTestApi();
  }, 120_000);
  afterAll(async () => {
    await strict?.close();
    await relaxed?.close();
  });

  it("holds a clerk without one at the enrolment step, though the deployment does not ask for it", async () => {
    const res = await strict.request("/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "yumen.clerk", password: DEMO_PASSWORD }),
    });
    const cookie = /(zz_session=[^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
    const body = (await res.json()) as { ok: boolean; mfaEnrolmentRequired?: boolean };
    expect(body).toMatchObject({ ok: true, mfaEnrolmentRequired: true });
    const clerk = strict.client(cookie!);
    expect((await refusal(clerk.cases.list.query({}))).appCode).toBe("MFA_ENROLMENT_REQUIRED");
    expect((await clerk.auth.me.query()).username).toBe("yumen.clerk");
  });

  it("holds an operator and a tenant administrator too", async () => {
    for (const username of ["operator", "yumen.admin"]) {
      const client = strict.client(await strict.login(username));
      expect((await refusal(client.users.list.query({}))).appCode, username).toBe("MFA_ENROLMENT_REQUIRED");
    }
  });

  it("without it (the harness's default), the same clerk works with a password alone", async () => {
    const clerk = relaxed.client(await relaxed.login("yumen.clerk"));
    expect(Array.isArray((await clerk.cases.list.query({})).items)).toBe(true);
  });
});
