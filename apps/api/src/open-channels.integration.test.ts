import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Validator } from "@seriousme/openapi-schema-validator";
import { hashPassword } from "@zongzhi/auth";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { components, paths } from "./open311-client.generated.ts";
import { generateClientTypes } from "./open311-client.ts";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

// Open channels (issue 13 §5): API keys scoped to one unit (shown once, stored hashed,
// revocable, rate-limited, last use recorded), the intake API with Idempotency-Key, a 12345
// work order received, signed for, answered, completed and rated through it, and the OpenAPI
// document that validates and from which a client is generated.

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let town: Client;
let sibling: Client;
const PASSWORD = "Channel#Fixture-2026!";
const TOWN = "620981101";
const SIBLING = "620981102";

type Schemas = components["schemas"];
type Problem = Schemas["Problem"] & { details: { fields: { path: string }[] } };
/** The JSON body of an answer, as the document says it is. */
const json = async <T>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;

/** A request to the intake API with a key (and no Origin: integrators are not browsers). */
const call = (path: string, key: string | null, init: RequestInit & { idempotencyKey?: string } = {}) => {
  const headers = new Headers(init.headers);
  headers.set("x-no-origin", "1");
  if (key) headers.set("authorization", `Bearer ${key}`);
  if (init.idempotencyKey) headers.set("idempotency-key", init.idempotencyKey);
  if (init.body) headers.set("content-type", "application/json");
  return api.request(path, { ...init, headers });
};
const workOrder = (n: string) => ({
  service_code: "neighbour",
  description: `12345工单${n}：楼上漏水，楼下住户要求赔偿`,
  last_name: "张",
  first_name: "先生",
  phone: "13909370000",
  address_string: "玉门镇运政巷金诚公司住宅楼",
  external_id: `GD2026${n}`,
});

beforeAll(async () => {
  api = await startTestApi();
  town = api.client(await api.login("yumenzhen.admin"));
  const hash = await hashPassword(PASSWORD);
  await api.db.admin`insert into app.users (tenant_id, username, display_name, roles, password_hash,
      must_change_password, password_changed_at)
    values ((select id from app.tenants where code = ${SIBLING}), 'channel.sibling', '赤金镇管理员', '{tenant_admin}',
      ${hash}, false, now())`;
  sibling = api.client(await api.login("channel.sibling", PASSWORD));
});
afterAll(() => api.close());

describe("API keys", () => {
  it("are shown once, stored as a hash the runtime role cannot read, and revocable", async () => {
    const { key, token } = await town.channels.createKey.mutate({
      name: "12345 市民热线",
      channel: "hotline_12345",
      permissions: ["case.register", "case.read"],
      ratePerMinute: 100,
    });
    expect(token).toMatch(/^zzk_[a-z2-7]{16}_[a-z2-7]{32}$/);
    expect(token.slice(4, 20)).toBe(key.keyId);
    const listed = await town.channels.keys.query();
    expect(JSON.stringify(listed)).not.toContain(token.slice(21));
    const [stored] = await api.db.admin<{ secret_hash: Buffer }[]>`select secret_hash from app.api_keys
      where id = ${key.id}`;
    expect(stored!.secret_hash.toString("hex")).toBe(createHash("sha256").update(token.slice(21)).digest("hex"));
    await expect(api.db.app`select secret_hash from app.api_keys`).rejects.toThrow(/permission denied/);

    expect(listed.find((k) => k.id === key.id)?.lastUsedAt).toBeNull();
    expect((await call("/api/v1/services", token)).status).toBe(200);
    expect((await town.channels.keys.query()).find((k) => k.id === key.id)?.lastUsedAt).toBeInstanceOf(Date);

    // A wrong secret with the right public id, a malformed key and no key are refused alike.
    for (const bad of [`${token.slice(0, 21)}${"a".repeat(32)}`, "zzk_nonsense", null]) {
      const res = await call("/api/v1/services", bad);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    }
    const revoked = await town.channels.revokeKey.mutate({ id: key.id, version: key.version });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect((await call("/api/v1/services", token)).status).toBe(401);
    // Another unit cannot revoke (nor see) this unit's keys.
    const { key: other } = await town.channels.createKey.mutate({
      name: "APP",
      channel: "online",
      permissions: ["case.read"],
    });
    expect((await refusal(sibling.channels.revokeKey.mutate({ id: other.id, version: other.version }))).appCode).toBe(
      "NOT_FOUND",
    );
    expect((await sibling.channels.keys.query()).map((k) => k.id)).not.toContain(other.id);
  });

  it("holds a per-key rate limit and only the permissions it was given", async () => {
    const { token } = await town.channels.createKey.mutate({
      name: "限流测试",
      channel: "online",
      permissions: ["case.read"],
      ratePerMinute: 2,
    });
    expect((await call("/api/v1/requests", token)).status).toBe(200);
    expect((await call("/api/v1/requests", token)).status).toBe(200);
    const limited = await call("/api/v1/requests", token);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);

    const { token: readOnly } = await town.channels.createKey.mutate({
      name: "只读",
      channel: "online",
      permissions: ["case.read"],
    });
    const refused = await call("/api/v1/requests", readOnly, {
      method: "POST",
      body: JSON.stringify(workOrder("900")),
      idempotencyKey: "readonly-attempt-1",
    });
    expect(refused.status).toBe(403);
    expect(await api.db.admin`select 1 from app.cases where description like '%工单900%'`).toHaveLength(0);
  });
});

describe("the intake API", () => {
  let townKey = "";
  let siblingKey = "";
  beforeAll(async () => {
    const all = ["case.register", "case.read", "case.follow_up"] as const;
    townKey = (await town.channels.createKey.mutate({ name: "12345", channel: "hotline_12345", permissions: [...all] }))
      .token;
    siblingKey = (
      await sibling.channels.createKey.mutate({ name: "12345", channel: "hotline_12345", permissions: [...all] })
    ).token;
  });

  it("needs an Idempotency-Key, refuses cookies, needs no Origin, and answers a retry with the first result", async () => {
    const body = JSON.stringify(workOrder("001"));
    const missing = await call("/api/v1/requests", townKey, { method: "POST", body });
    expect(missing.status).toBe(400);
    expect((await json<Problem>(missing)).zh).toContain("Idempotency-Key");
    const cookie = await call("/api/v1/requests", townKey, {
      method: "POST",
      body,
      idempotencyKey: "order-001-a",
      headers: { cookie: "zz_session=x" },
    });
    expect(cookie.status).toBe(400);

    const first = await call("/api/v1/requests", townKey, { method: "POST", body, idempotencyKey: "order-001-a" });
    expect(first.status).toBe(201);
    const created = await json<Schemas["Created"]>(first);
    expect(created.code).toMatch(/^620981101-\d{4}-\d{6}$/);
    const retry = await call("/api/v1/requests", townKey, { method: "POST", body, idempotencyKey: "order-001-a" });
    expect(retry.status).toBe(200);
    expect(await json(retry)).toEqual({ ...created, replayed: true });
    const [row] = await api.db.admin<{ n: number; channel: string; scope_code: string }[]>`select count(*)::int as n,
        min(channel::text) as channel, min(scope_code) as scope_code from app.cases where description like '%工单001%'`;
    expect(row).toEqual({ n: 1, channel: "hotline_12345", scope_code: TOWN });
    // The same key for another body is a conflict; the same work order number under a new key too.
    const other = await call("/api/v1/requests", townKey, {
      method: "POST",
      body: JSON.stringify(workOrder("002")),
      idempotencyKey: "order-001-a",
    });
    expect(other.status).toBe(409);
    const again = await call("/api/v1/requests", townKey, { method: "POST", body, idempotencyKey: "order-001-b" });
    expect(again.status).toBe(409);
    expect((await json<Problem>(again)).zh).toContain("工单号");
  });

  it("a key of township A cannot read B's requests nor create in B", async () => {
    const mine = await json<Schemas["Created"]>(
      call("/api/v1/requests", townKey, {
        method: "POST",
        body: JSON.stringify(workOrder("101")),
        idempotencyKey: "order-101",
      }),
    );
    const theirs = await json<Schemas["Created"]>(
      call("/api/v1/requests", siblingKey, {
        method: "POST",
        body: JSON.stringify(workOrder("102")),
        idempotencyKey: "order-102",
      }),
    );
    expect((await call(`/api/v1/requests/${theirs.service_request_id}`, townKey)).status).toBe(404);
    expect((await call(`/api/v1/requests/${mine.service_request_id}`, siblingKey)).status).toBe(404);
    const listed = await json<Schemas["Request"][]>(call("/api/v1/requests", townKey));
    expect(listed.map((r) => r.service_request_id)).toContain(mine.service_request_id);
    expect(listed.map((r) => r.service_request_id)).not.toContain(theirs.service_request_id);
    const rate = await call(`/api/v1/requests/${theirs.service_request_id}/rating`, townKey, {
      method: "POST",
      body: JSON.stringify({ satisfaction: "unsatisfied" }),
    });
    expect(rate.status).toBe(404);

    const before = await api.db.admin`select 1 from app.cases where scope_code = ${SIBLING}`;
    const intoB = await call("/api/v1/requests", townKey, {
      method: "POST",
      body: JSON.stringify({ ...workOrder("103"), location_code: "620981102001" }),
      idempotencyKey: "order-103",
    });
    expect(intoB.status).toBe(400);
    expect((await json<Problem>(intoB)).details.fields[0]?.path).toBe("location_code");
    expect(await api.db.admin`select 1 from app.cases where scope_code = ${SIBLING}`).toHaveLength(before.length);
  });

  it("a 12345 work order is received, signed for, answered, completed and rated; unsatisfied means rework", async () => {
    const created = await json<Schemas["Created"]>(
      call("/api/v1/requests", townKey, {
        method: "POST",
        body: JSON.stringify(workOrder("201")),
        idempotencyKey: "order-201",
      }),
    );
    const id = created.service_request_id;
    const version = async () =>
      (await api.db.admin<{ version: number }[]>`select version from app.cases where id = ${id}`)[0]!.version;
    const act = async (action: string, data: Record<string, unknown> = {}) =>
      town.cases.transition.mutate({ id, version: await version(), action: action as "accept", data: data as never });
    await act("accept");
    await act("triage", { route: { kind: "room" } });
    await act("resolve", { outcome: "已上门向业主解释收费依据，业主表示理解" });
    await act("await_follow_up");
    const answered = await json<Schemas["Request"]>(call(`/api/v1/requests/${id}`, townKey));
    expect(answered.status).toBe("closed");
    expect(answered.history.map((h) => h.stage)).toEqual(["received", "signed", "progress", "answered", "progress"]);
    expect(answered.history[3]?.note).toBe("已上门向业主解释收费依据，业主表示理解");
    expect(answered.history[1]?.zh).toBe("签收");

    // The citizen is not satisfied: the rating sends the case back for rework (重办), counted.
    const unhappy = await call(`/api/v1/requests/${id}/rating`, townKey, {
      method: "POST",
      body: JSON.stringify({ satisfaction: "unsatisfied", comment: "费用问题没有说清楚" }),
    });
    expect(unhappy.status).toBe(200);
    const reworked = await json<Schemas["Request"]>(unhappy);
    expect(reworked.detailed_status).toBe("reopened");
    expect(reworked.status).toBe("open");
    expect(reworked.history.slice(-2).map((h) => h.stage)).toEqual(["rated", "reopened"]);

    // Rework goes straight back to triage (the case was accepted once).
    await act("triage", { route: { kind: "room" } });
    await act("resolve", { outcome: "出示物业收费票据并书面答复" });
    await act("await_follow_up");
    const happy = await call(`/api/v1/requests/${id}/rating`, townKey, {
      method: "POST",
      body: JSON.stringify({ satisfaction: "satisfied" }),
    });
    expect((await json<Schemas["Request"]>(happy)).detailed_status).toBe("awaiting_follow_up");
    await act("close");
    const done = await json<Schemas["Request"]>(call(`/api/v1/requests/${id}`, townKey));
    expect(done.detailed_status).toBe("closed");
    expect(done.history.at(-1)?.stage).toBe("completed");
    expect(done.history.at(-1)?.zh).toBe("办结");
    expect(done.history.filter((h) => h.stage === "reopened")).toHaveLength(1);
  });

  it("refuses bad input with a bilingual 400, never a 500", async () => {
    for (const body of [
      "not json",
      JSON.stringify({}),
      JSON.stringify({ ...workOrder("301"), service_code: "no_such" }),
      JSON.stringify({ ...workOrder("302"), lat: 95 }),
      JSON.stringify({ ...workOrder("303"), unknown: 1 }),
      JSON.stringify({ ...workOrder("304"), description: "\u0000" }),
    ]) {
      const res = await call("/api/v1/requests", townKey, {
        method: "POST",
        body,
        idempotencyKey: `bad-${body.length}`,
      });
      expect(res.status, body).toBe(400);
      const problem = await json<Problem>(res);
      expect(problem.zh).toBeTruthy();
      expect(problem.en).toBeTruthy();
    }
    expect((await call("/api/v1/requests/not-a-uuid", townKey)).status).toBe(400);
    expect((await call("/api/v1/requests?limit=9999", townKey)).status).toBe(400);
  });
});

describe("the OpenAPI document", () => {
  it("validates as OpenAPI 3.1 and has a human page", async () => {
    const doc = await json<Record<string, unknown>>(api.request("/api/openapi.json"));
    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    const page = await api.request("/api/docs");
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    for (const op of ["createRequest", "getRequest", "rateRequest", "listServices", "Idempotency-Key"])
      expect(html).toContain(op);
  });

  it("generates the example client's types, and the client registers a case", async () => {
    const doc = await json<Record<string, unknown>>(api.request("/api/openapi.json"));
    // The checked-in client types are exactly what the served document generates (pnpm gen:client).
    const onDisk = await readFile(new URL("./open311-client.generated.ts", import.meta.url), "utf8");
    expect(onDisk).toBe(await generateClientTypes(doc));

    const { token } = await town.channels.createKey.mutate({
      name: "示例客户端",
      channel: "online",
      permissions: ["case.register", "case.read"],
    });
    const client = createClient<paths>({
      baseUrl: api.origin,
      headers: { authorization: `Bearer ${token}` },
      fetch: (request: Request) =>
        api.request(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body,
          duplex: "half",
        } as RequestInit),
    });
    const services = await client.GET("/api/v1/services");
    expect(services.data?.some((s) => s.service_code === "neighbour")).toBe(true);
    const created = await client.POST("/api/v1/requests", {
      params: { header: { "Idempotency-Key": "example-client-1" } },
      body: {
        service_code: "neighbour",
        description: "示例客户端提交的诉求",
        external_id: "APP-1",
        lat: 40.2917,
        long: 97.045,
      },
    });
    expect(created.response.status).toBe(201);
    // The position the integrator sent is the case's point.
    const [point] = await api.db.admin<{ latitude: number; longitude: number; position_source: string }[]>`
      select latitude, longitude, position_source from app.cases where id = ${created.data!.service_request_id}`;
    expect(point).toEqual({ latitude: 40.2917, longitude: 97.045, position_source: "channel" });
    const read = await client.GET("/api/v1/requests/{id}", {
      params: { path: { id: created.data!.service_request_id } },
    });
    expect(read.data?.code).toBe(created.data?.code);
    expect(read.data?.history[0]?.stage).toBe("received");
  });
});
