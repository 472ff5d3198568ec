import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dispatchWebhooks, SIGNATURE_HEADER, signWebhook, verifyWebhookSignature } from "@zongzhi/api";
import { hashPassword } from "@zongzhi/auth";
import { statementRecorder } from "@zongzhi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, TEST_PUBLIC_ADDRESS, type TestApi } from "./test-harness.ts";

// Signed webhooks (issue 13 §5): a change of status of a request submitted by a key is sent to
// that key's webhooks by the dispatcher (the job queue's task), signed with HMAC-SHA256 over
// timestamp and body; a failure is retried with backoff; the unit's administrators read the
// delivery log and replay a delivery. A local receiver verifies every signature.

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let town: Client;
let sibling: Client;
let server: Server;
let receiverUrl = "";
/** What the receiver got, and how it answers the next request (a queue of status codes). */
/** Every statement of the API and the dispatcher, for the Citus routing check at the end. */
const recorder = statementRecorder();
const received: { headers: IncomingHttpHeaders; body: string; verified: boolean }[] = [];
const answers: number[] = [];
let secret = "";

beforeAll(async () => {
  api = await startTestApi({ onStatement: recorder.onStatement });
  town = api.client(await api.login("yumenzhen.admin"));
  await api.db.admin`insert into app.users (tenant_id, username, display_name, roles, password_hash,
      must_change_password, password_changed_at)
    values ((select id from app.tenants where code = '620981102'), 'hook.sibling', '赤金镇管理员', '{tenant_admin}',
      ${await hashPassword("Hook#Fixture-2026!")}, false, now())`;
  sibling = api.client(await api.login("hook.sibling", "Hook#Fixture-2026!"));
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", () => {
      received.push({
        headers: req.headers,
        body,
        verified: verifyWebhookSignature(secret, req.headers[SIGNATURE_HEADER] as string, body, dispatchedAt),
      });
      res.statusCode = answers.shift() ?? 200;
      res.end("ok");
    });
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/zongzhi`;
});
afterAll(async () => {
  await new Promise((closed) => server?.close(closed));
  await api?.close();
});

let dispatchedAt = new Date();
/** One run of the dispatcher at `at` (the job queue's task, called directly with its clock). */
const dispatch = (at: Date) => {
  dispatchedAt = at;
  // Receivers here are address literals on loopback: no name is resolved, nothing leaves the machine.
  return dispatchWebhooks(api.db.app, api.cipher, at, { allowLoopback: true });
};

describe("signatures", () => {
  it("verify over timestamp and body, and refuse a changed body, another secret or a stale timestamp", () => {
    const at = new Date("2026-12-01T08:00:00Z");
    const header = signWebhook("whsec_test", '{"a":1}', at);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature("whsec_test", header, '{"a":1}', at)).toBe(true);
    expect(verifyWebhookSignature("whsec_test", header, '{"a":2}', at)).toBe(false);
    expect(verifyWebhookSignature("whsec_other", header, '{"a":1}', at)).toBe(false);
    expect(verifyWebhookSignature("whsec_test", header, '{"a":1}', new Date(at.getTime() + 301_000))).toBe(false);
    expect(verifyWebhookSignature("whsec_test", "t=1,v1=zz", '{"a":1}', at)).toBe(false);
  });
});

describe("webhooks", () => {
  it("sends each change of status signed, retries with backoff, and an administrator replays from the log", async () => {
    const { key, token } = await town.channels.createKey.mutate({
      name: "12345 推送",
      channel: "hotline_12345",
      permissions: ["case.register", "case.read"],
    });
    const created = await town.channels.createWebhook.mutate({ apiKeyId: key.id, url: receiverUrl });
    secret = created.secret;
    expect(secret).toMatch(/^whsec_/);
    expect(JSON.stringify(await town.channels.webhooks.query())).not.toContain(secret);
    // Not in the clear in the database either (the field cipher seals it).
    const [row] = await api.db.admin<{ secret_enc: Buffer }[]>`select secret_enc from app.webhooks
      where id = ${created.webhook.id}`;
    expect(row!.secret_enc.toString("utf8")).not.toContain(secret);

    const res = await api.request("/api/v1/requests", {
      method: "POST",
      headers: {
        "x-no-origin": "1",
        authorization: `Bearer ${token}`,
        "idempotency-key": "hook-order-1",
        "content-type": "application/json",
      },
      body: JSON.stringify({ service_code: "neighbour", description: "推送测试：邻里噪音", external_id: "GD-H1" }),
    });
    expect(res.status).toBe(201);
    const { service_request_id: id } = (await res.json()) as { service_request_id: string };
    const version = async () =>
      (await api.db.admin<{ version: number }[]>`select version from app.cases where id = ${id}`)[0]!.version;
    await town.cases.transition.mutate({ id, version: await version(), action: "accept", data: {} });

    // First attempt: the receiver answers 500; the delivery waits 30 s for the next.
    const t0 = new Date(Date.now() + 1000);
    answers.push(500);
    expect(await dispatch(t0)).toMatchObject({ sent: 0, failed: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]!.verified).toBe(true);
    const payload = JSON.parse(received[0]!.body);
    expect(payload).toMatchObject({
      event: "request.status_changed",
      request: {
        service_request_id: id,
        external_id: "GD-H1",
        detailed_status: "accepted",
        previous_status: "registered",
      },
    });
    expect(received[0]!.headers["x-zz-delivery"]).toBe(payload.id);
    let [log] = await town.channels.deliveries.query({ webhookId: created.webhook.id });
    expect(log).toMatchObject({ status: "pending", attempts: 1, lastStatus: 500, lastError: "HTTP 500" });
    expect(log!.nextAttemptAt.getTime() - t0.getTime()).toBe(30_000);
    // Not yet due: nothing is sent.
    expect(await dispatch(new Date(t0.getTime() + 10_000))).toMatchObject({ sent: 0, failed: 0 });
    // Second failure: the wait doubles (backoff).
    answers.push(503);
    await dispatch(new Date(t0.getTime() + 31_000));
    [log] = await town.channels.deliveries.query({ webhookId: created.webhook.id });
    expect(log!.nextAttemptAt.getTime() - (t0.getTime() + 31_000)).toBe(60_000);
    // Third attempt is answered 200: delivered.
    expect(await dispatch(new Date(t0.getTime() + 92_000))).toMatchObject({ sent: 1, failed: 0 });
    [log] = await town.channels.deliveries.query({ webhookId: created.webhook.id });
    expect(log).toMatchObject({ status: "delivered", attempts: 3, lastStatus: 200 });
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers["x-zz-delivery"])).size).toBe(1);
    expect(received.every((r) => r.verified)).toBe(true);

    // A capture replayed later by someone else fails the receiver's timestamp check.
    const captured = received[2]!;
    expect(
      verifyWebhookSignature(
        secret,
        captured.headers[SIGNATURE_HEADER] as string,
        captured.body,
        new Date(Date.now() + 3600e3),
      ),
    ).toBe(false);

    // The administrator replays the delivery from the log: the same id and body, a fresh signature.
    const replayed = await town.channels.replayDelivery.mutate({ id: log!.id, version: log!.version });
    expect(replayed.status).toBe("pending");
    expect(await dispatch(new Date(Date.now() + 2000))).toMatchObject({ sent: 1 });
    expect(received).toHaveLength(4);
    expect(received[3]!.headers["x-zz-delivery"]).toBe(payload.id);
    expect(JSON.parse(received[3]!.body)).toEqual(payload);
    expect(received[3]!.verified).toBe(true);

    // Another unit sees none of it and cannot replay.
    expect(await sibling.channels.deliveries.query()).toEqual([]);
    const [latest] = await town.channels.deliveries.query({ webhookId: created.webhook.id });
    expect(
      (await refusal(sibling.channels.replayDelivery.mutate({ id: latest!.id, version: latest!.version }))).appCode,
    ).toBe("NOT_FOUND");
    // Nor hook a webhook onto this unit's key.
    expect(
      (await refusal(sibling.channels.createWebhook.mutate({ apiKeyId: key.id, url: "https://evil.example.com/" })))
        .appCode,
    ).toBe("NOT_FOUND");
  });

  it("gives up after the last attempt and refuses URLs that are not https (or this machine)", async () => {
    const { key, token } = await town.channels.createKey.mutate({
      name: "失败推送",
      channel: "online",
      permissions: ["case.register"],
    });
    for (const url of ["http://example.com/hook", "ftp://127.0.0.1/", "https://", "javascript:alert(1)"]) {
      expect((await refusal(town.channels.createWebhook.mutate({ apiKeyId: key.id, url }))).appCode, url).toBe(
        "VALIDATION",
      );
    }
    // A receiver that is not there: every attempt fails, then the delivery fails for good.
    const dead = await town.channels.createWebhook.mutate({ apiKeyId: key.id, url: "http://127.0.0.1:9/nothing" });
    const res = await api.request("/api/v1/requests", {
      method: "POST",
      headers: {
        "x-no-origin": "1",
        authorization: `Bearer ${token}`,
        "idempotency-key": "hook-order-2",
        "content-type": "application/json",
      },
      body: JSON.stringify({ service_code: "neighbour", description: "推送失败测试" }),
    });
    const { service_request_id: id } = (await res.json()) as { service_request_id: string };
    const [c] = await api.db.admin<{ version: number }[]>`select version from app.cases where id = ${id}`;
    await town.cases.transition.mutate({ id, version: c!.version, action: "accept", data: {} });
    let at = Date.now() + 1000;
    for (let i = 0; i < 8; i += 1) {
      await dispatch(new Date(at));
      at += 30_000 * 2 ** i + 1000;
    }
    const [log] = await town.channels.deliveries.query({ webhookId: dead.webhook.id });
    expect(log).toMatchObject({ status: "failed", attempts: 8 });
    expect(log!.lastError).toBeTruthy();
    expect((await town.channels.webhooks.query()).find((w) => w.id === dead.webhook.id)?.failed).toBe(1);
  });
});

describe("webhook targets on a deployment that allows no loopback (SSRF)", () => {
  // A resolver the test steers: names of the tenant's own network resolve inside it, and
  // `rebind.example.cn` answers a public address until the test switches it to a private one.
  let rebound = false;
  const answers: Record<string, string[]> = {
    "hooks.example.cn": [TEST_PUBLIC_ADDRESS],
    "intranet.example.cn": [TEST_PUBLIC_ADDRESS, "192.168.10.20"],
    "metadata.example.cn": ["100.100.100.200"],
  };
  const network = {
    allowLoopback: false,
    resolve: async (host: string) =>
      (host === "rebind.example.cn" ? [rebound ? "10.0.0.5" : TEST_PUBLIC_ADDRESS] : (answers[host] ?? [])).map(
        (address) => ({ address, family: 4 as const }),
      ),
  };
  let strict: TestApi;
  let admin: Client;
  beforeAll(async () => {
    strict = await startTestApi({ app: { webhookNetwork: network } });
    admin = strict.client(await strict.login("yumenzhen.admin"));
  });
  afterAll(() => strict?.close());

  it("refuses loopback, private, link-local and metadata targets at registration with a bilingual 400", async () => {
    const { key } = await admin.channels.createKey.mutate({
      name: "内网探测",
      channel: "online",
      permissions: ["case.register"],
    });
    const cases: [string, string][] = [
      ["http://127.0.0.1:5432/", "127.0.0.1"],
      ["http://localhost:8080/hook", "localhost"],
      ["https://[::1]/hook", "::1"],
      ["https://169.254.169.254/latest/meta-data/", "169.254.169.254"],
      ["https://[fd00:ec2::254]/", "fd00:ec2::254"],
      ["https://10.1.2.3/hook", "10.1.2.3"],
      ["https://intranet.example.cn/hook", "192.168.10.20"],
      ["https://metadata.example.cn/", "100.100.100.200"],
      ["https://nowhere.example.cn/", "nowhere.example.cn"],
    ];
    for (const [url, named] of cases) {
      const r = await refusal(admin.channels.createWebhook.mutate({ apiKeyId: key.id, url }));
      expect(r.appCode, url).toBe("VALIDATION");
      expect(`${r.zh} ${r.en}`, url).toContain(named);
      expect(r.zh, url).toMatch(/推送地址/);
      expect(r.fields?.[0]?.path, url).toBe("url");
    }
    expect(await admin.channels.webhooks.query()).toEqual([]);
    // A public target is taken.
    const ok = await admin.channels.createWebhook.mutate({ apiKeyId: key.id, url: "https://hooks.example.cn/zz" });
    expect(ok.webhook.url).toBe("https://hooks.example.cn/zz");
  });

  it("a target that resolves inside the network at delivery time (DNS rebinding) is refused without a connection", async () => {
    const { key, token } = await admin.channels.createKey.mutate({
      name: "重绑定",
      channel: "online",
      permissions: ["case.register"],
    });
    const hook = await admin.channels.createWebhook.mutate({ apiKeyId: key.id, url: "https://rebind.example.cn/zz" });
    const res = await strict.request("/api/v1/requests", {
      method: "POST",
      headers: {
        "x-no-origin": "1",
        authorization: `Bearer ${token}`,
        "idempotency-key": "rebind-order-1",
        "content-type": "application/json",
      },
      body: JSON.stringify({ service_code: "neighbour", description: "重绑定测试" }),
    });
    const { service_request_id: id } = (await res.json()) as { service_request_id: string };
    const [c] = await strict.db.admin<{ version: number }[]>`select version from app.cases where id = ${id}`;
    await admin.cases.transition.mutate({ id, version: c!.version, action: "accept", data: {} });
    rebound = true;
    const result = await dispatchWebhooks(strict.db.app, strict.cipher, new Date(Date.now() + 1000), network);
    expect(result).toMatchObject({ sent: 0, failed: 1 });
    const [log] = await admin.channels.deliveries.query({ webhookId: hook.webhook.id });
    expect(log).toMatchObject({ status: "pending", attempts: 1, lastStatus: null });
    expect(log!.lastError).toContain("rebind.example.cn → 10.0.0.5");
  });
});

describe("on Citus", () => {
  it("every write the API and the job sent into a distributed table names county_code (packages/testing citus-writes.ts)", async () => {
    const unrouted = await recorder.unrouted(api.db.admin);
    expect(unrouted.map((u) => `${u.table}: ${u.reason}: ${u.statement.replace(/\s+/g, " ")}`)).toEqual([]);
  });
});
