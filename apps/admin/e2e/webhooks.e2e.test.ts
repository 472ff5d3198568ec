import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dispatchWebhooks, SIGNATURE_HEADER, verifyWebhookSignature } from "@zongzhi/api";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.ts";
import { refuse, signIn } from "./helpers.ts";

// 状态推送 (issue 13 §5) through the UI: a township administrator adds a webhook to an API key
// (an address inside the network is refused with a clear message), a change of status of a
// request the key submitted reaches a receiver signed, the delivery log shows it, and a
// delivery is sent again from the log. The receiver runs beside the server on loopback, which
// this server allows (a production server does not); the dispatcher (the job queue's task) is
// run by the test.

/** The dispatcher's network in this test: loopback address literals only, no name resolved. */
const LOOPBACK = { allowLoopback: true };

let h: Harness;
let receiver: Server;
let receiverUrl = "";
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
beforeAll(async () => {
  h = await startHarness({ centres: false, webhookNetwork: LOOPBACK });
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.statusCode = 200;
      res.end("ok");
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, "127.0.0.1", ok));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/zongzhi/hook`;
});
afterAll(async () => {
  await new Promise((closed) => receiver?.close(closed));
  await h?.close();
});

describe("status webhooks", () => {
  test("an administrator adds a webhook, reads the signed delivery in the log and sends it again", async () => {
    const page = await signIn(h, "yumenzhen.admin");
    await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "开放接口", exact: true }).click();
    await page.getByRole("button", { name: "签发密钥" }).click();
    const issue = page.getByRole("dialog", { name: "签发接口密钥" });
    const keys = await h.db.admin`select 1 from app.api_keys`;
    // channels.createKey's schema refuses a key without a name or a rate of 0 before sending.
    await issue.getByLabel("每分钟请求上限").fill("0");
    await issue.getByRole("button", { name: "签发密钥" }).click();
    await issue.getByText("不能为空", { exact: true }).waitFor();
    await issue.getByText("不能小于1").waitFor();
    expect(await h.db.admin`select 1 from app.api_keys`).toHaveLength(keys.length);
    await issue.getByLabel("每分钟请求上限").fill("60");
    await issue.getByLabel("名称").fill("济时办 App");
    await issue.getByRole("button", { name: "签发密钥" }).click();
    const shown = page.getByRole("dialog", { name: "密钥已签发" });
    const token = await shown.getByRole("textbox").inputValue();
    await shown.getByRole("button", { name: "我已保存" }).click();

    // The cloud's metadata service is no receiver: refused, saying why.
    await page.getByRole("button", { name: "新增推送地址" }).click();
    const add = page.getByRole("dialog", { name: "新增推送地址" });
    // Plain http to another machine: the webhook schema's own rule, in the dialog.
    await refuse(
      add,
      "推送地址",
      "http://example.com/hook",
      "推送地址须为 https 地址（或本机的 http 地址）",
      "新增推送地址",
    );
    await refuse(
      add,
      "推送地址",
      "https://169.254.169.254/latest/meta-data/",
      /不能指向本机、内网、链路本地或云元数据地址/,
      "新增推送地址",
    );
    expect(await h.db.admin`select 1 from app.webhooks`).toHaveLength(0);

    await add.getByLabel("推送地址").fill(receiverUrl);
    await add.getByRole("button", { name: "新增推送地址" }).click();
    const secretDialog = page.getByRole("dialog", { name: "签名密钥" });
    const secret = await secretDialog.getByRole("textbox").inputValue();
    expect(secret).toMatch(/^whsec_/);
    await secretDialog.getByRole("button", { name: "我已保存" }).click();
    await page.getByTestId("webhook-table").getByRole("row").filter({ hasText: receiverUrl }).waitFor();

    // The integrator submits a request; the township accepts it: a change of status to push.
    const submitted = await fetch(`${h.origin}/api/v1/requests`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token}`,
        "idempotency-key": "app-order-0001",
        "content-type": "application/json",
      },
      body: JSON.stringify({ service_code: "neighbour", description: "小区楼道堆放杂物" }),
    });
    expect(submitted.status).toBe(201);
    const { service_request_id: id } = (await submitted.json()) as { service_request_id: string };
    const [c] = await h.db.admin<
      { version: number; code: string }[]
    >`select version, code from app.cases where id = ${id}`;
    const accepted = await page.request.post("/trpc/cases.transition", {
      headers: { origin: h.origin },
      data: { json: { id, version: c!.version, action: "accept", data: {} } },
    });
    expect(accepted.status()).toBe(200);

    expect(await dispatchWebhooks(h.db.app, h.cipher, new Date(), LOOPBACK)).toMatchObject({ sent: 1, failed: 0 });
    expect(received).toHaveLength(1);
    const first = received[0]!;
    expect(verifyWebhookSignature(secret, first.headers[SIGNATURE_HEADER] as string, first.body)).toBe(true);
    expect(JSON.parse(first.body)).toMatchObject({
      event: "request.status_changed",
      request: { service_request_id: id, code: c!.code, detailed_status: "accepted", previous_status: "registered" },
    });

    // The log shows it delivered; sent again from there, the receiver gets the same delivery.
    await page.reload();
    const row = page.getByTestId("delivery-table").getByRole("row").filter({ hasText: c!.code });
    await row.getByText("已送达").waitFor();
    await row.getByRole("button", { name: "重新推送" }).click();
    await page.getByText("已加入推送队列").first().waitFor();
    expect(await dispatchWebhooks(h.db.app, h.cipher, new Date(), LOOPBACK)).toMatchObject({ sent: 1 });
    expect(received).toHaveLength(2);
    expect(received[1]!.headers["x-zz-delivery"]).toBe(first.headers["x-zz-delivery"]);
    expect(verifyWebhookSignature(secret, received[1]!.headers[SIGNATURE_HEADER] as string, received[1]!.body)).toBe(
      true,
    );
  });
});
