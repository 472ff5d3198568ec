import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AppError } from "@zongzhi/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addressAllowed, checkWebhookTarget, postToWebhook, type ResolvedAddress } from "./webhook-targets.ts";

// SSRF rules of webhook targets: only public unicast addresses (loopback too where a deployment
// allows a receiver beside the server), every resolved address checked, and the delivery
// connected to exactly the address that was checked.

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

describe("which addresses a webhook may reach", () => {
  const refused = [
    "127.0.0.1",
    "127.10.20.30",
    "::1",
    "0.0.0.0",
    "::",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254", // the cloud metadata service (AWS, Alibaba ECS classic, Tencent)
    "100.100.100.200", // Alibaba Cloud's metadata service (carrier-grade NAT range)
    "fd00:ec2::254", // AWS's IPv6 metadata service (unique local)
    "fe80::1",
    "::ffff:127.0.0.1", // IPv4-mapped loopback
    "::ffff:10.0.0.1",
    "64:ff9b::7f00:1", // NAT64 of 127.0.0.1
    "2002:7f00:1::", // 6to4 of 127.0.0.1
    "224.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "192.0.2.1",
    "2001:db8::1",
    "not an address",
  ];
  it.each(refused)("refuses %s", (address) => {
    expect(addressAllowed(address, { allowLoopback: false })).toBe(false);
  });
  it.each(["47.93.0.10", "8.8.8.8", "172.32.0.1", "2400:3200::1"])("allows the public address %s", (address) => {
    expect(addressAllowed(address, { allowLoopback: false })).toBe(true);
  });
  it("allows loopback only where allowed, and never private, link-local or metadata addresses", () => {
    for (const a of ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
      expect(addressAllowed(a, { allowLoopback: true })).toBe(true);
    for (const a of ["10.0.0.1", "169.254.169.254", "fd00:ec2::254", "192.168.0.5"]) {
      expect(addressAllowed(a, { allowLoopback: true })).toBe(false);
    }
  });
});

/** The refusal of a check, with its bilingual message and the field it names. */
async function refusalOf(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const e = error as AppError;
    expect(e.code).toBe("VALIDATION");
    expect((e.details?.fields as { path: string }[] | undefined)?.[0]?.path).toBe("url");
    return e.messages;
  }
  throw new Error("expected a refusal");
}

describe("checking a webhook URL", () => {
  const network = (answers: Record<string, ResolvedAddress[]>) => ({
    allowLoopback: false,
    resolve: async (host: string) => answers[host] ?? [],
  });

  it("checks every address a name resolves to", async () => {
    const n = network({
      "hooks.example.cn": [v4("47.93.0.10"), v6("2400:3200::1")],
      "mixed.example.cn": [v4("47.93.0.10"), v4("10.0.0.8")],
      "meta.example.cn": [v4("169.254.169.254")],
    });
    expect(await checkWebhookTarget("https://hooks.example.cn/zz", n)).toHaveLength(2);
    const mixed = await refusalOf(checkWebhookTarget("https://mixed.example.cn/zz", n));
    expect(mixed.zh).toContain("不能指向本机、内网、链路本地或云元数据地址");
    expect(mixed.en).toContain("mixed.example.cn → 10.0.0.8");
    expect((await refusalOf(checkWebhookTarget("https://meta.example.cn/", n))).en).toContain("169.254.169.254");
    expect((await refusalOf(checkWebhookTarget("https://nowhere.example.cn/", n))).zh).toContain("无法解析");
  });

  it("checks address literals as they are, and refuses credentials and other schemes", async () => {
    // A resolver that would call every name public: literals and localhost never ask it.
    const n = { allowLoopback: false, resolve: async () => [v4("47.93.0.10")] };
    for (const url of [
      "https://127.0.0.1/",
      "https://[::1]:8443/",
      "https://[::ffff:7f00:1]/",
      "https://169.254.169.254/latest/meta-data/",
      "https://[fd00:ec2::254]/",
      "http://10.0.0.1/",
      "https://localhost:8443/",
      "https://db.localhost/",
    ]) {
      expect((await refusalOf(checkWebhookTarget(url, n))).en, url).toContain("cannot point at");
    }
    expect((await refusalOf(checkWebhookTarget("https://user:pw@47.93.0.10/", n))).en).toContain("user name");
    expect((await refusalOf(checkWebhookTarget("ftp://47.93.0.10/", n))).en).toContain("https");
    expect((await refusalOf(checkWebhookTarget("not a url", n))).en).toContain("not a valid URL");
  });
});

describe("delivering to the checked address only", () => {
  // Two receivers on one port of two loopback addresses: the name's first answer points at the
  // first, every later answer at the second (a rebinding resolver).
  let first: Server;
  let second: Server;
  let port = 0;
  const got: { server: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const receiver = (name: string) =>
    createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        got.push({ server: name, headers: req.headers, body });
        res.statusCode = 204;
        res.end();
      });
    });
  beforeAll(async () => {
    first = receiver("first");
    await new Promise<void>((ok) => first.listen(0, "127.0.0.1", ok));
    port = (first.address() as AddressInfo).port;
    second = receiver("second");
    await new Promise<void>((ok) => second.listen(port, "127.0.0.2", ok));
  });
  afterAll(async () => {
    await Promise.all([first, second].map((s) => new Promise((closed) => s?.close(closed))));
  });

  it("connects to the address it checked, once resolved, with the name kept in the Host header", async () => {
    got.length = 0;
    let lookups = 0;
    const rebinding = {
      allowLoopback: true,
      resolve: async () => [v4(lookups++ === 0 ? "127.0.0.1" : "127.0.0.2")],
    };
    const answer = await postToWebhook(
      `http://hooks.example.test:${port}/zz`,
      { headers: { "content-type": "application/json" }, body: '{"a":1}', timeoutMs: 5000 },
      rebinding,
    );
    expect(answer.status).toBe(204);
    expect(lookups).toBe(1);
    expect(got).toEqual([
      expect.objectContaining({
        server: "first",
        body: '{"a":1}',
        headers: expect.objectContaining({ host: `hooks.example.test:${port}` }),
      }),
    ]);
  });

  it("a name that has come to point at a refused address is not contacted at all", async () => {
    got.length = 0;
    let lookups = 0;
    // Public when the webhook was registered, loopback at delivery, on a deployment without loopback.
    const rebinding = {
      allowLoopback: false,
      resolve: async () => [v4(lookups++ === 0 ? "47.93.0.10" : "127.0.0.1")],
    };
    await checkWebhookTarget(`http://hooks.example.test:${port}/zz`, rebinding);
    const refused = await postToWebhook(
      `http://hooks.example.test:${port}/zz`,
      { headers: {}, body: "{}", timeoutMs: 5000 },
      rebinding,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).messages.en).toContain("hooks.example.test → 127.0.0.1");
    expect(got).toEqual([]);
  });
});
