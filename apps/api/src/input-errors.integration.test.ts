import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./test-harness.ts";

// A route that hands the database a raw value, as a procedure with a missing check would
// (added before the first request: Hono builds its matcher then).
const probes: Record<string, { sqlstate: string; run: () => Promise<unknown> }> = {
  nul: { sqlstate: "22021", run: () => api.db.app`select ${"名\u0000"}::text` },
  integer: { sqlstate: "22003", run: () => api.db.app`select ${"2147483648"}::int` },
  date: { sqlstate: "22008", run: () => api.db.app`select ${"0000-01-01"}::date` },
  range: { sqlstate: "22000", run: () => api.db.app`select tstzrange(now(), now() - interval '1 hour')` },
};

let api: TestApi;
let cookie: string;
beforeAll(async () => {
  api = await startTestApi({ centres: true });
  api.app.get("/test/data-exception/:kind", async (c) => {
    await probes[c.req.param("kind")]!.run();
    return c.json({ ok: true });
  });
  cookie = await api.login("yumen.admin");
}, 120_000);
afterAll(() => api.close());

const json = { "content-type": "application/json" };
/** Text a user must never read: JavaScript, decoder or database internals. */
const INTERNALS = /BigInt|iterable|call stack|JSON|Unexpected|postgres|invalid byte sequence|out of range for type/i;

async function trpc(path: string, body: string | null, method = "POST") {
  const res =
    method === "GET"
      ? await api.request(`/trpc/${path}${body === null ? "" : `?input=${encodeURIComponent(body)}`}`, { cookie })
      : await api.request(`/trpc/${path}`, { method, cookie, headers: json, ...(body === null ? {} : { body }) });
  const parsed = (await res.json()) as { error?: { json: { message: string; data: Record<string, unknown> } } };
  return {
    status: res.status,
    error: parsed.error?.json.data as
      | { appCode: string; zh: string; en: string; fields?: { path: string }[] }
      | undefined,
  };
}
const encode = (value: unknown) => JSON.stringify(superjson.serialize(value));

describe("a PostgreSQL data exception (SQLSTATE class 22) that got past the input checks", () => {
  it("is answered 400 VALIDATION with our bilingual message, and logged with the request id", async () => {
    for (const [kind, { sqlstate }] of Object.entries(probes)) {
      const res = await api.request(`/test/data-exception/${kind}`, { headers: { "x-request-id": `probe-${kind}` } });
      const body = (await res.json()) as { code: string; zh: string; en: string; details?: unknown };
      expect(res.status, kind).toBe(400);
      expect(body).toMatchObject({ code: "VALIDATION", zh: "输入的值超出允许范围或格式不正确，请检查后重试" });
      expect(JSON.stringify(body)).not.toMatch(INTERNALS);
      const line = api.logs
        .map((l) => JSON.parse(l) as Record<string, string>)
        .find((l) => l.requestId === `probe-${kind}` && l.sqlstate);
      expect(line, kind).toMatchObject({ level: 40, sqlstate, path: `/test/data-exception/${kind}` });
      // The offending value is the user's: it is not written to the log.
      expect(line!.reason).not.toContain("2147483648");
      expect(line!.reason).not.toContain("0000-01-01");
    }
  });
});

describe("tRPC requests", () => {
  it("a body JSON or superjson cannot decode is a VALIDATION refusal in our words", async () => {
    const bodies = [
      "{",
      "\u0000",
      '{"json":"zz","meta":{"values":["bigint"]}}',
      '{"json":{"id":"zz"},"meta":{"values":{"id":["bigint"]}}}',
      '{"json":5,"meta":{"values":["set"]}}',
      '{"json":"(","meta":{"values":["regexp"]}}',
      `{"json":{"0":1},"meta":{"values":${'{"0":'.repeat(5_000)}["Date"]${"}".repeat(5_000)}}}`,
    ];
    for (const body of bodies) {
      for (const [path, method] of [
        ["cases.get", "GET"],
        ["centre.createRoom", "POST"],
      ] as const) {
        const { status, error } = await trpc(path, body, method);
        expect(status, `${path} ${body.slice(0, 40)}`).toBe(400);
        expect(error).toMatchObject({ appCode: "VALIDATION", zh: "请求内容无法解析，请检查输入格式" });
        expect(JSON.stringify(error)).not.toMatch(INTERNALS);
      }
    }
  });

  it("a batch that tRPC cannot take apart is refused in our words too", async () => {
    for (const url of [
      `/trpc/cases.get,cases.list?batch=1&input=${encodeURIComponent("5")}`,
      `/trpc/cases.get,cases.list?batch=1&input=${encodeURIComponent('{"0":{"json":"zz","meta":{"values":["bigint"]}}}')}`,
      "/trpc/cases.get,centre.createRoom?batch=1",
    ]) {
      const res = await api.request(url, { cookie });
      expect(res.status, url).toBeLessThan(500);
      const parsed = (await res.json()) as unknown;
      const answers = (Array.isArray(parsed) ? parsed : [parsed]) as {
        error?: { json: { message: string; data: { zh: string; en: string } } };
      }[];
      for (const a of answers) {
        const e = a.error?.json;
        expect(e?.data.zh, url).toMatch(/请求|输入/);
        expect(`${e?.message} ${e?.data.zh} ${e?.data.en}`).not.toMatch(INTERNALS);
      }
    }
  });

  it("unknown keys are refused and named, at any depth", async () => {
    const top = await trpc("cases.get", encode({ id: "0a878763-e060-4a1a-beca-9b7d1b722593", isAdmin: true }), "GET");
    expect(top.status).toBe(400);
    expect(top.error?.en).toBe('Invalid input: input unknown field(s): "isAdmin"');
    expect(top.error?.zh).toBe('输入有误：输入包含未知字段："isAdmin"');
    const deep = await trpc(
      "cases.transition",
      encode({ id: "0a878763-e060-4a1a-beca-9b7d1b722593", version: 1, action: "accept", data: { scope_code: "62" } }),
    );
    expect(deep.error?.fields?.map((f) => f.path)).toEqual(["data"]);
    expect(deep.error?.en).toContain('data unknown field(s): "scope_code"');
  });

  it("a procedure whose input is all optional may be called with no input at all", async () => {
    for (const path of ["centre.stationings", "cases.list", "escalation.supervisions", "auth.me"]) {
      expect((await trpc(path, null, "GET")).status, path).toBe(200);
    }
    const begin = await trpc("mfa.begin", null);
    expect(begin.status).toBe(200);
    // A required field still has to be there, and the refusal names it.
    const missing = await trpc("cases.get", null, "GET");
    expect(missing.status).toBe(400);
    expect(missing.error?.fields?.map((f) => f.path)).toEqual(["id"]);
  });

  it("a procedure that takes no input refuses one", async () => {
    const res = await trpc("auth.me", encode({ as: "operator" }), "GET");
    expect(res.status).toBe(400);
    expect(res.error?.en).toContain('unknown field(s): "as"');
  });

  it("no such procedure, or the wrong method, is answered in both languages without echoing the request", async () => {
    const missing = await trpc("cases.dropTable", null, "GET");
    expect(missing.status).toBe(404);
    expect(missing.error).toMatchObject({ appCode: "NOT_FOUND", zh: "接口不存在" });
    const wrong = await trpc("cases.get", null, "PUT");
    expect(wrong.status).toBe(405);
    expect(wrong.error).toMatchObject({ zh: "该接口不支持此请求方法" });
  });
});

describe("HTTP routes outside tRPC", () => {
  it("sign-in refuses unknown keys and control characters with a field-level 400, not a 401", async () => {
    const extra = await api.request("/auth/login", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ username: "yumen.admin", password: "x", role: "platform_admin" }),
    });
    expect(extra.status).toBe(400);
    expect(((await extra.json()) as { en: string }).en).toContain('unknown field(s): "role"');
    const nul = await api.request("/auth/login", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ username: "yumen\u0000.admin", password: "x" }),
    });
    expect(nul.status).toBe(400);
    expect(((await nul.json()) as { zh: string }).zh).toContain("username 不能包含控制字符");
  });

  it("the public lookup refuses unknown keys", async () => {
    const res = await api.request("/public/lookup", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ code: "620981-2026-000001", phoneLast4: "5678", scope: "62" }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { en: string }).en).toContain('unknown field(s): "scope"');
  });
});
