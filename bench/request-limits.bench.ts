import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import { createPool } from "@zongzhi/db/client";
import { createApp } from "@zongzhi/server/app";
import { DEMO_PASSWORD, loadDemo } from "@zongzhi/server/demo";
import { createLogger } from "@zongzhi/server/logger";
import { localDiskStore } from "@zongzhi/server/storage";
import { createTemplate, startTestCluster, TEST_APP_PASSWORD, withDatabase } from "@zongzhi/testing/cluster";

/**
 * Oversize request bodies against a real server on the loopback: 100 MB sent to the sign-in
 * endpoint (chunked and with Content-Length) and as an attachment upload, and accepted 9 MB
 * uploads. Prints the process's resident memory before, at its peak during, and after each
 * series, and how long the 413 took; then the median time of a wrong sign-in under a known and
 * an unknown login name (they must be alike). Never fails on figures.
 */

const MB = 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 0x61);
const rss = () => Math.round(process.memoryUsage().rss / MB);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Sends `prefix`, `total` filler bytes in 64 KB writes (never held whole) and `suffix`; resolves
 * with the status, the time to the answer and how much was written by then.
 */
function send(
  url: string,
  total: number,
  headers: Record<string, string>,
  prefix = Buffer.alloc(0),
  suffix = Buffer.alloc(0),
): Promise<{ status: number; ms: number; sentMb: number }> {
  return new Promise((resolve) => {
    const started = performance.now();
    let sent = 0;
    let answered = false;
    const req = httpRequest(url, { method: "POST", headers }, (res) => {
      answered = true;
      const ms = performance.now() - started;
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, ms, sentMb: Math.round(sent / MB) }));
    });
    req.on("error", () => {
      if (!answered) resolve({ status: 0, ms: performance.now() - started, sentMb: Math.round(sent / MB) });
    });
    req.write(prefix);
    const pump = () => {
      while (!answered && sent < total) {
        const n = Math.min(CHUNK.length, total - sent);
        sent += n;
        if (!req.write(n === CHUNK.length ? CHUNK : CHUNK.subarray(0, n))) return void req.once("drain", pump);
      }
      if (!answered) req.end(suffix);
    };
    pump();
  });
}

async function series(
  label: string,
  times: number,
  attempt: () => Promise<{ status: number; ms: number; sentMb: number }>,
) {
  const before = rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rss());
  }, 5);
  const results = [];
  for (let i = 0; i < times; i++) results.push(await attempt());
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 700));
  const after = rss();
  const statuses = [...new Set(results.map((r) => r.status))].join("/");
  const ms = results.map((r) => r.ms.toFixed(0)).join(", ");
  console.log(
    `[limits] ${label.padEnd(44)} ${statuses.padEnd(4)} RSS ${before} → peak ${peak} → ${after} MB; answer in ${ms} ms; client got to write ≤ ${Math.max(...results.map((r) => r.sentMb))} MB`,
  );
}

export async function run(): Promise<void> {
  const cluster = await startTestCluster();
  const dir = await mkdtemp(join(tmpdir(), "zz-bench-limits-"));
  const pools: { end(): Promise<void> }[] = [];
  try {
    await createTemplate(cluster.adminUrl, "zz_bench_limits");
    const adminUrl = withDatabase(cluster.adminUrl, "zz_bench_limits");
    await loadDemo(adminUrl, {});
    const sql = createPool(
      withDatabase(cluster.adminUrl, "zz_bench_limits", { user: "zz_app", password: TEST_APP_PASSWORD }),
      {
        max: 4,
      },
    );
    pools.push(sql);
    const cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));
    const app = createApp({
      sql,
      logger: createLogger("silent"),
      origin: "http://127.0.0.1",
      cipher,
      store: localDiskStore(dir),
      insecureCookie: true,
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise((r) => server.once("listening", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const origin = { origin: "http://127.0.0.1" };

    const login = await fetch(`${base}/auth/login`, {
      method: "POST",
      headers: { ...origin, "content-type": "application/json" },
      body: JSON.stringify({ username: "yumen.clerk", password: DEMO_PASSWORD }),
    });
    const cookie = /(zz_session=[^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1] ?? "";
    const registered = await fetch(`${base}/trpc/cases.register`, {
      method: "POST",
      headers: { ...origin, cookie, "content-type": "application/json" },
      body: JSON.stringify({
        json: {
          categoryCode: "labour",
          channel: "visit",
          title: "附件基准",
          description: "上传基准",
          locationCode: "620981101",
          parties: [{ role: "applicant", kind: "person", name: "李建军", phone: "13809375678" }],
        },
      }),
    });
    const caseId = ((await registered.json()) as { result: { data: { json: { id: string } } } }).result.data.json.id;

    const json = { ...origin, "content-type": "application/json" };
    console.log(`[limits] server up; RSS ${rss()} MB`);
    await series("3 × 100 MB chunked → POST /auth/login", 3, () =>
      send(`${base}/auth/login`, 100 * MB, { ...json, "transfer-encoding": "chunked" }),
    );
    await series("3 × 100 MB Content-Length → POST /auth/login", 3, () =>
      send(`${base}/auth/login`, 100 * MB, { ...json, "content-length": String(100 * MB) }),
    );
    await series("3 × 100 MB chunked → POST /trpc/cases.register", 3, () =>
      send(`${base}/trpc/cases.register`, 100 * MB, { ...json, cookie, "transfer-encoding": "chunked" }),
    );
    const boundary = "zz-bench-boundary";
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n\x1a\n`,
      "latin1",
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const upload = { ...origin, cookie, "content-type": `multipart/form-data; boundary=${boundary}` };
    const length = (n: number) => String(head.length + n + tail.length);
    await series("3 × 100 MB chunked upload → attachments", 3, () =>
      send(`${base}/cases/${caseId}/attachments`, 100 * MB, { ...upload, "transfer-encoding": "chunked" }, head, tail),
    );
    await series("3 × 100 MB Content-Length upload → attachments", 3, () =>
      send(
        `${base}/cases/${caseId}/attachments`,
        100 * MB,
        { ...upload, "content-length": length(100 * MB) },
        head,
        tail,
      ),
    );
    const nine = 9 * MB;
    await series("3 × 9 MB upload (accepted, streamed to disk)", 3, () =>
      send(`${base}/cases/${caseId}/attachments`, nine, { ...upload, "content-length": length(nine) }, head, tail),
    );
    server.close();

    // Wrong sign-ins: a known name and an unknown one take the same path (a hash each, a counted failure).
    const known = ["yumen.admin", "yumen.leader", "yumen.mediator", "yumen.liaison", "yumen.auditor", "jiuquan.admin"];
    const timings = { known: [] as number[], unknown: [] as number[] };
    const statuses = { known: new Map<number, number>(), unknown: new Map<number, number>() };
    for (let i = 0; i < 30; i++) {
      for (const kind of ["known", "unknown"] as const) {
        const username = kind === "known" ? known[i % known.length]! : `nobody.${i % known.length}`;
        const env = { incoming: { socket: { remoteAddress: `198.51.100.${i + 1}` } }, outgoing: {} };
        const started = performance.now();
        const res = await app.request(
          "http://127.0.0.1/auth/login",
          { method: "POST", headers: json, body: JSON.stringify({ username, password: "Wrong#Pass2026" }) },
          env,
        );
        timings[kind].push(performance.now() - started);
        statuses[kind].set(res.status, (statuses[kind].get(res.status) ?? 0) + 1);
      }
    }
    const show = (m: Map<number, number>) => [...m].map(([s, n]) => `${n}×${s}`).join(" ");
    console.log(
      `[limits] wrong sign-in, median of 30: known name ${median(timings.known).toFixed(1)} ms (${show(statuses.known)}), unknown name ${median(timings.unknown).toFixed(1)} ms (${show(statuses.unknown)})`,
    );
  } finally {
    for (const p of pools) await p.end();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
