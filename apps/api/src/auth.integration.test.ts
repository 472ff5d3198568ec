import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "./demo.ts";
import { cookieOf, startTestApi, type TestApi } from "./test-harness.ts";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ https: true });
});
afterAll(() => api.close());

const json = { "content-type": "application/json" };
const post = (path: string, body: unknown, extra: Record<string, string> = {}, ip?: string) =>
  api.request(path, {
    method: "POST",
    headers: { ...json, ...extra },
    body: JSON.stringify(body),
    ...(ip ? { ip } : {}),
  });

async function appCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (e) {
    if (e instanceof TRPCClientError) return (e.data as { appCode?: string } | undefined)?.appCode;
    throw e;
  }
}

describe("sign-in", () => {
  it("sets a __Host- cookie that is Secure, HttpOnly and SameSite=Lax", async () => {
    const res = await post("/auth/login", { username: "yumen.clerk", password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    const header = res.headers.get("set-cookie") ?? "";
    expect(header).toMatch(/^__Host-zz_session=[a-z2-7]{24}\.[a-z2-7]{32};/);
    expect(header).toContain("Secure");
    expect(header).toContain("HttpOnly");
    expect(header).toContain("SameSite=Lax");
    expect(header).toContain("Path=/");
    expect(header).not.toContain("Domain");
  });

  it("stores only the SHA-256 of the session secret", async () => {
    const cookie = await api.login("yumen.clerk");
    const [, token] = cookie.split("=");
    const [id, secret] = token!.split(".");
    const [row] = await api.db.admin<
      { secret_hash: Buffer }[]
    >`select secret_hash from auth.sessions where id = ${id!}`;
    expect(row!.secret_hash).toHaveLength(32);
    expect(row!.secret_hash.toString("utf8")).not.toContain(secret!);
    const { createHash } = await import("node:crypto");
    expect(row!.secret_hash.equals(createHash("sha256").update(secret!).digest())).toBe(true);
  });

  it("refuses a wrong password with a message in Chinese and English", async () => {
    const res = await post("/auth/login", { username: "yumen.clerk", password: "Wrong@2026x" });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "UNAUTHENTICATED", zh: "用户名或密码错误" });
  });

  it("answers an unknown name exactly like a wrong password", async () => {
    const res = await post("/auth/login", { username: "nobody.here", password: "Wrong@2026x" });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: "UNAUTHENTICATED", zh: "用户名或密码错误" });
  });

  it("locks the account for 30 minutes on the 5th failure, until an admin unlocks it", async () => {
    for (let i = 1; i <= 4; i++) {
      expect((await post("/auth/login", { username: "yumen.mediator", password: `Bad@pass${i}` })).status).toBe(401);
    }
    const fifth = await post("/auth/login", { username: "yumen.mediator", password: "Bad@pass5" });
    expect(fifth.status).toBe(423);
    const body = (await fifth.json()) as { code: string; zh: string; details: { lockedUntil: string } };
    expect(body.code).toBe("ACCOUNT_LOCKED");
    expect(body.zh).toContain("锁定");
    const minutes = (new Date(body.details.lockedUntil).getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThanOrEqual(30.1);
    // Even the right password is refused while locked.
    expect((await post("/auth/login", { username: "yumen.mediator", password: DEMO_PASSWORD })).status).toBe(423);

    const admin = api.client(await api.login("yumen.admin"));
    const list = await admin.users.list.query({ q: "yumen.mediator" });
    const user = list.items.find((u) => u.username === "yumen.mediator")!;
    expect(user.locked).toBe(true);
    await admin.users.unlock.mutate({ id: user.id, version: user.version });
    expect((await post("/auth/login", { username: "yumen.mediator", password: DEMO_PASSWORD })).status).toBe(200);

    const kinds = await api.db.admin<{ kind: string }[]>`select kind from app.audit_events
      where subject_id = ${user.id} order by id`;
    const seq = kinds.map((k) => k.kind);
    expect(seq.filter((k) => k === "auth.login_failed")).toHaveLength(5);
    expect(seq).toContain("auth.locked");
    expect(seq).toContain("auth.login_refused");
    expect(seq).toContain("user.unlocked");
    expect(seq.at(-1)).toBe("auth.login");
  });

  it("limits failed sign-ins per client address, saying how long to wait", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await post("/auth/login", { username: `nobody.${i}`, password: "x" }, {}, "198.51.100.77");
      statuses.push(res.status);
      if (res.status === 429) {
        const retry = Number(res.headers.get("retry-after"));
        expect(retry).toBeGreaterThan(500);
        expect(retry).toBeLessThanOrEqual(600);
        const body = (await res.json()) as { code: string; zh: string; en: string };
        expect(body.code).toBe("RATE_LIMITED");
        expect(body.zh).toBe(`请求过于频繁，请 ${Math.ceil(retry / 60)} 分钟后再试`);
        expect(body.en).toBe(`Too many requests; try again in ${Math.ceil(retry / 60)} minutes`);
      }
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
    // Even the right password waits: the address is what is limited.
    expect(
      (await post("/auth/login", { username: "yumen.clerk", password: DEMO_PASSWORD }, {}, "198.51.100.77")).status,
    ).toBe(429);
    // Another address is not affected.
    expect((await post("/auth/login", { username: "nobody.here", password: "x" }, {}, "198.51.100.78")).status).toBe(
      401,
    );
  });

  it("does not count successful sign-ins: 40 in a row from one address all succeed", async () => {
    const names = ["yumen.clerk", "yumen.leader", "yumen.liaison", "jiuquan.admin", "yumenzhen.admin"];
    for (let i = 0; i < 40; i++) {
      const res = await post(
        "/auth/login",
        { username: names[i % names.length], password: DEMO_PASSWORD },
        {},
        "198.51.100.90",
      );
      expect(res.status).toBe(200);
    }
    // A few failures in between do not block the others either.
    for (let i = 0; i < 3; i++) {
      expect(
        (await post("/auth/login", { username: "yumen.clerk", password: "Wrong@2026x" }, {}, "198.51.100.90")).status,
      ).toBe(401);
    }
    expect(
      (await post("/auth/login", { username: "yumen.leader", password: DEMO_PASSWORD }, {}, "198.51.100.90")).status,
    ).toBe(200);
  });

  it("locks an unknown login name exactly like a known one: same answers at the same attempts", async () => {
    const answers = async (username: string, ip: string) => {
      const seen: { status: number; code: string; zh: string; en: string; lockedMinutes?: number }[] = [];
      for (let i = 1; i <= 7; i++) {
        const res = await post("/auth/login", { username, password: `Bad@pass${i}` }, {}, ip);
        const body = (await res.json()) as { code: string; zh: string; en: string; details?: { lockedUntil?: string } };
        const until = body.details?.lockedUntil;
        seen.push({
          status: res.status,
          code: body.code,
          // The lock's time differs by the moment of the attempt; the wording must not.
          zh: body.zh.replace(/锁定至 .*?，/, "锁定至 …，"),
          en: body.en.replace(/until \S+ or/, "until … or"),
          ...(until ? { lockedMinutes: Math.round((new Date(until).getTime() - Date.now()) / 60_000) } : {}),
        });
      }
      return seen;
    };
    const known = await answers("cun.grid", "198.51.100.31");
    const unknown = await answers("yumen.nobody", "198.51.100.32");
    expect(known.map((a) => a.status)).toEqual([401, 401, 401, 401, 423, 423, 423]);
    expect(unknown).toEqual(known);
    expect(known[4]).toMatchObject({ code: "ACCOUNT_LOCKED", lockedMinutes: 30 });
    // Login names differ only in letter case: still one name.
    expect((await post("/auth/login", { username: "YUMEN.NOBODY", password: "x" }, {}, "198.51.100.33")).status).toBe(
      423,
    );
  });
});

describe("every 429 says when to retry", () => {
  it("on tRPC too: enrolment code guesses past their limit carry Retry-After and the wait in words", async () => {
    const cookie = await api.login("yumen.liaison");
    await api.client(cookie).mfa.begin.mutate();
    const guess = () =>
      api.request("/trpc/mfa.confirm", {
        method: "POST",
        cookie,
        headers: json,
        body: JSON.stringify({ json: { code: "000000" } }),
      });
    for (let i = 0; i < 10; i++) expect((await guess()).status).not.toBe(429);
    const refused = await guess();
    expect(refused.status).toBe(429);
    const retry = Number(refused.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(500);
    expect(retry).toBeLessThanOrEqual(600);
    const body = (await refused.json()) as { error: { json: { data: { appCode: string; zh: string } } } };
    expect(body.error.json.data.appCode).toBe("RATE_LIMITED");
    expect(body.error.json.data.zh).toBe(`请求过于频繁，请 ${Math.ceil(retry / 60)} 分钟后再试`);
  });
});

describe("sessions", () => {
  it("ends after 30 minutes idle", async () => {
    const cookie = await api.login("yumen.leader");
    expect((await api.client(cookie).auth.me.query()).username).toBe("yumen.leader");
    const id = cookie.split("=")[1]!.split(".")[0]!;
    await api.db
      .admin`update auth.sessions set last_active_at = now() - interval '30 minutes 1 second' where id = ${id}`;
    expect(await appCode(api.client(cookie).auth.me.query())).toBe("UNAUTHENTICATED");
    expect(await api.db.admin`select 1 from auth.sessions where id = ${id}`).toHaveLength(0);
  });

  it("ends 12 hours after sign-in however active it is", async () => {
    const cookie = await api.login("yumen.leader");
    const id = cookie.split("=")[1]!.split(".")[0]!;
    await api.db
      .admin`update auth.sessions set created_at = now() - interval '12 hours 1 second', last_active_at = now() where id = ${id}`;
    expect(await appCode(api.client(cookie).auth.me.query())).toBe("UNAUTHENTICATED");
  });

  it("slides the idle window while in use", async () => {
    const cookie = await api.login("yumen.leader");
    const id = cookie.split("=")[1]!.split(".")[0]!;
    await api.db.admin`update auth.sessions set last_active_at = now() - interval '29 minutes' where id = ${id}`;
    await api.client(cookie).auth.me.query();
    const [row] = await api.db.admin<
      { idle: number }[]
    >`select extract(epoch from now() - last_active_at)::int as idle from auth.sessions where id = ${id}`;
    expect(row!.idle).toBeLessThan(5);
  });

  it("refuses a token whose secret is wrong even if the id is right", async () => {
    const cookie = await api.login("yumen.leader");
    const forged = cookie.replace(/\.[a-z2-7]{32}$/, `.${"a".repeat(32)}`);
    expect(await appCode(api.client(forged).auth.me.query())).toBe("UNAUTHENTICATED");
  });

  it("a wrong secret with a known session id does not keep the session alive", async () => {
    const cookie = await api.login("yumen.leader");
    const id = cookie.split("=")[1]!.split(".")[0]!;
    await api.db.admin`update auth.sessions set last_active_at = now() - interval '29 minutes' where id = ${id}`;
    const forged = cookie.replace(/\.[a-z2-7]{32}$/, `.${"a".repeat(32)}`);
    for (let i = 0; i < 3; i++) expect(await appCode(api.client(forged).auth.me.query())).toBe("UNAUTHENTICATED");
    const [row] = await api.db.admin<
      { idle: number }[]
    >`select extract(epoch from now() - last_active_at)::int as idle from auth.sessions where id = ${id}`;
    expect(row!.idle).toBeGreaterThanOrEqual(29 * 60);
    // Two minutes later (idle limit passed) the session is gone for its owner too.
    await api.db
      .admin`update auth.sessions set last_active_at = last_active_at - interval '2 minutes' where id = ${id}`;
    expect(await appCode(api.client(cookie).auth.me.query())).toBe("UNAUTHENTICATED");
  });

  it("clears an invalid or expired cookie on tRPC answers too", async () => {
    const cookie = await api.login("yumen.leader");
    const id = cookie.split("=")[1]!.split(".")[0]!;
    await api.db.admin`delete from auth.sessions where id = ${id}`;
    for (const sent of [cookie, cookie.replace(/=.*/, "=garbage")]) {
      const res = await api.request("/trpc/auth.me", { cookie: sent });
      expect(res.status).toBe(401);
      const header = res.headers.get("set-cookie") ?? "";
      expect(header).toMatch(/^__Host-zz_session=;/);
      expect(header).toContain("Max-Age=0");
      expect(header).toContain("Secure");
    }
    // A valid cookie is left alone.
    const fresh = await api.login("yumen.leader");
    expect((await api.request("/trpc/auth.me", { cookie: fresh })).headers.get("set-cookie")).toBeNull();
  });

  it("suspending a unit ends the sessions of everyone in it and below; reactivation does not revive them", async () => {
    const town = await api.login("yumenzhen.admin");
    const village = await api.login("cun.mediator");
    const county = await api.login("yumen.clerk");
    const admin = api.client(await api.login("yumen.admin"));
    const [unit] = await api.db.admin<{ id: string; version: number }[]>`select id, version from app.tenants
      where code = '620981101'`;
    const suspended = await admin.tenants.setStatus.mutate({
      id: unit!.id,
      status: "suspended",
      version: unit!.version,
    });
    expect(await api.db.admin`select 1 from auth.sessions where scope_code like '620981101%'`).toHaveLength(0);
    await admin.tenants.setStatus.mutate({ id: unit!.id, status: "active", version: suspended.version });
    expect(await appCode(api.client(town).auth.me.query())).toBe("UNAUTHENTICATED");
    expect(await appCode(api.client(village).auth.me.query())).toBe("UNAUTHENTICATED");
    // The unit above is untouched, and the unit's users can sign in again.
    expect((await api.client(county).auth.me.query()).username).toBe("yumen.clerk");
    expect((await api.client(await api.login("cun.mediator")).auth.me.query()).username).toBe("cun.mediator");
  });

  it("logout ends the session", async () => {
    const cookie = await api.login("yumen.leader");
    const res = await api.request("/auth/logout", { method: "POST", cookie });
    expect(res.status).toBe(200);
    expect(await appCode(api.client(cookie).auth.me.query())).toBe("UNAUTHENTICATED");
    const [row] = await api.db.admin`select count(*)::int as n from app.audit_events where kind = 'auth.logout'`;
    expect(row!.n).toBeGreaterThan(0);
  });

  it("a password change ends every other session and renews the current one", async () => {
    const first = await api.login("yumen.auditor");
    const second = await api.login("yumen.auditor");
    const res = await api.request("/trpc/auth.changePassword", {
      method: "POST",
      cookie: first,
      headers: json,
      body: JSON.stringify({ json: { current: DEMO_PASSWORD, next: "Another#Pass2026" } }),
    });
    expect(res.status).toBe(200);
    const renewed = cookieOf(res)!;
    expect(renewed).toBeTruthy();
    expect(await appCode(api.client(second).auth.me.query())).toBe("UNAUTHENTICATED");
    expect(await appCode(api.client(first).auth.me.query())).toBe("UNAUTHENTICATED");
    expect((await api.client(renewed).auth.me.query()).username).toBe("yumen.auditor");
    expect((await post("/auth/login", { username: "yumen.auditor", password: "Another#Pass2026" })).status).toBe(200);
  });

  it("a weak new password is refused with every reason", async () => {
    const cookie = await api.login("yumen.leader");
    try {
      await api.client(cookie).auth.changePassword.mutate({ current: DEMO_PASSWORD, next: "short" });
      expect.unreachable();
    } catch (e) {
      const data = (e as TRPCClientError<never>).data as unknown as { appCode: string; zh: string };
      expect(data.appCode).toBe("PASSWORD_POLICY");
      expect(data.zh).toContain("至少8个字符");
      expect(data.zh).toContain("大写字母");
    }
  });

  it("disabling a user ends all its sessions at once", async () => {
    const victim = await api.login("yumenzhen.mediator");
    const admin = api.client(await api.login("yumenzhen.admin"));
    const { items } = await admin.users.list.query({});
    const user = items.find((u) => u.username === "yumenzhen.mediator")!;
    await admin.users.setStatus.mutate({ id: user.id, version: user.version, status: "disabled" });
    expect(await appCode(api.client(victim).auth.me.query())).toBe("UNAUTHENTICATED");
    const res = await post("/auth/login", { username: "yumenzhen.mediator", password: DEMO_PASSWORD });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { zh: string }).zh).toContain("停用");
  });
});

describe("request hygiene", () => {
  it("refuses a state-changing request from another site", async () => {
    const cross = await api.request("/auth/login", {
      method: "POST",
      headers: { ...json, origin: "https://evil.example", "sec-fetch-site": "cross-site" },
      body: JSON.stringify({ username: "yumen.clerk", password: DEMO_PASSWORD }),
    });
    expect(cross.status).toBe(403);
    expect(((await cross.json()) as { zh: string }).zh).toBe("跨站请求被拒绝");
    const bare = await api.request("/auth/login", {
      method: "POST",
      headers: { ...json, "x-no-origin": "1" },
      body: JSON.stringify({ username: "yumen.clerk", password: DEMO_PASSWORD }),
    });
    expect(bare.status).toBe(403);
    const same = await api.request("/auth/login", {
      method: "POST",
      headers: { ...json, "x-no-origin": "1", "sec-fetch-site": "same-origin" },
      body: JSON.stringify({ username: "yumen.clerk", password: DEMO_PASSWORD }),
    });
    expect(same.status).toBe(200);
  });

  it("sends CSP with frame-ancestors, HSTS over HTTPS, and a request id", async () => {
    const res = await api.request("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok", database: "ok" });
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("x-request-id")).toMatch(/.+/);
  });

  it("answers bad input with a 400 in both languages, never a 500", async () => {
    const res = await api.request("/auth/login", { method: "POST", headers: json, body: "{not json" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; zh: string; en: string };
    expect(body.code).toBe("VALIDATION");
    expect(body.zh).toBeTruthy();
    expect(body.en).toBeTruthy();
  });

  it("never writes passwords or tokens to the logs", async () => {
    const cookie = await api.login("yumen.clerk");
    await api.client(cookie).auth.me.query();
    const token = cookie.split("=")[1]!;
    const all = api.logs.join("\n");
    expect(all).not.toContain(DEMO_PASSWORD);
    expect(all).not.toContain(token);
    expect(all).not.toContain(token.split(".")[1]!);
    expect(all).toContain('"path":"/auth/login"');
  });
});

describe("the audit table", () => {
  it("is insert-only for the runtime role", async () => {
    await expect(api.db.app`select * from app.audit_events`).rejects.toThrow(/permission denied/);
    await expect(api.db.app`update app.audit_events set kind = 'x'`).rejects.toThrow(/permission denied/);
    await expect(api.db.app`delete from app.audit_events`).rejects.toThrow(/permission denied/);
  });
});
