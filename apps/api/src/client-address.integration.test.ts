import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "./demo.ts";
import { startTestApi, type TestApi } from "./test-harness.ts";

// One API trusts no proxy (the default); the other trusts 10.0.0.0/8 as its reverse proxies.
let direct: TestApi;
let proxied: TestApi;
beforeAll(async () => {
  [direct, proxied] = await Promise.all([startTestApi(), startTestApi({ trustedProxies: ["10.0.0.0/8"] })]);
}, 120_000);
afterAll(async () => {
  await Promise.all([direct.close(), proxied.close()]);
});

const json = { "content-type": "application/json" };
const signIn = (api: TestApi, username: string, password: string, ip: string, headers: Record<string, string> = {}) =>
  api.request("/auth/login", {
    method: "POST",
    headers: { ...json, ...headers },
    body: JSON.stringify({ username, password }),
    ip,
  });
const lookup = (api: TestApi, code: string, phoneLast4: string, ip: string, headers: Record<string, string> = {}) =>
  api.request("/public/lookup", {
    method: "POST",
    headers: { ...json, ...headers },
    body: JSON.stringify({ code, phoneLast4 }),
    ip,
  });

async function lastLoginIp(api: TestApi, username: string): Promise<string | null> {
  const [row] = await api.db.admin<{ ip: string | null }[]>`select e.ip from app.audit_events e
    join app.users u on u.id = e.actor_id where u.username = ${username} and e.kind = 'auth.login'
    order by e.id desc limit 1`;
  return row?.ip ?? null;
}

describe("a forged X-Forwarded-For from a client", () => {
  it("does not get past the sign-in limit by rotating the header", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await signIn(direct, `ghost.${i}`, "x", "203.0.113.50", { "x-forwarded-for": `10.0.0.${i + 1}` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
    const again = await signIn(direct, "ghost.x", "x", "203.0.113.50", { "x-real-ip": "198.51.100.200" });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("does not get past the public lookup limit by rotating the header", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      const code = `620981-2026-${String(100000 + i)}`;
      const res = await lookup(direct, code, "1234", "203.0.113.60", { "x-forwarded-for": `10.0.1.${i + 1}` });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const refused = await lookup(direct, "620981-2026-999999", "1234", "203.0.113.60");
    expect(refused.status).toBe(429);
    const retry = Number(refused.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(500);
    const body = (await refused.json()) as { zh: string; en: string };
    expect(body.zh).toContain(`请 ${Math.ceil(retry / 60)} 分钟后再试`);
    expect(body.en).toContain(`try again in ${Math.ceil(retry / 60)} minutes`);
  });

  it("limits guesses at one case code from many addresses too", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await lookup(direct, "620981-2026-424242", String(1000 + i), `203.0.113.${100 + i}`);
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 404)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it("is not written into the audit log: the socket address is", async () => {
    const res = await signIn(direct, "yumen.clerk", DEMO_PASSWORD, "203.0.113.70", { "x-forwarded-for": "1.2.3.4" });
    expect(res.status).toBe(200);
    expect(await lastLoginIp(direct, "yumen.clerk")).toBe("203.0.113.70");
    const [session] = await direct.db.admin<{ ip: string }[]>`select s.ip from auth.sessions s
      join app.users u on u.id = s.user_id where u.username = 'yumen.clerk' order by s.created_at desc limit 1`;
    expect(session!.ip).toBe("203.0.113.70");
  });
});

describe("behind a configured trusted proxy", () => {
  it("the client is the right-most address the proxies did not add, in the audit log too", async () => {
    const res = await signIn(proxied, "yumen.leader", DEMO_PASSWORD, "10.0.0.2", {
      "x-forwarded-for": "6.6.6.6, 198.51.100.20, 10.20.0.1",
    });
    expect(res.status).toBe(200);
    expect(await lastLoginIp(proxied, "yumen.leader")).toBe("198.51.100.20");
  });

  it("limits each real client on its own, and a client cannot forge its way past", async () => {
    for (let i = 0; i < 30; i++) {
      const res = await signIn(proxied, `ghost.${i}`, "x", "10.0.0.2", {
        "x-forwarded-for": `7.7.7.${i}, 198.51.100.30`,
      });
      expect(res.status).toBe(401);
    }
    expect(
      (await signIn(proxied, "ghost.a", "x", "10.0.0.2", { "x-forwarded-for": "8.8.8.8, 198.51.100.30" })).status,
    ).toBe(429);
    // Another client behind the same proxy is not affected.
    expect(
      (await signIn(proxied, "yumen.clerk", DEMO_PASSWORD, "10.0.0.2", { "x-forwarded-for": "198.51.100.31" })).status,
    ).toBe(200);
  });

  it("a peer outside the trusted range is its own address", async () => {
    const res = await signIn(proxied, "yumen.auditor", DEMO_PASSWORD, "203.0.113.80", {
      "x-forwarded-for": "198.51.100.40",
    });
    expect(res.status).toBe(200);
    expect(await lastLoginIp(proxied, "yumen.auditor")).toBe("203.0.113.80");
  });
});
