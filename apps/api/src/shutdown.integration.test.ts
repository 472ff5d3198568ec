import type { ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@zongzhi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD, loadDemo } from "./demo.ts";
import { type ServerProcess, serverEnv, startServerProcess } from "./server-process.ts";
import { villageDispute } from "./test-harness.ts";

// The real server process (main.ts) stopped with SIGTERM while a request is in flight and a
// notification stream is open: it stops accepting, finishes the request, closes the stream and
// the worker, and exits 0 — or, past SHUTDOWN_TIMEOUT_MS, cuts what is left. Every line it
// writes, the start banner included, is a JSON log record.

let db: TestDatabase;
let dataDir: string;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  db = await createTestDatabase();
  await loadDemo(db.adminUrl, {});
  dataDir = await mkdtemp(join(tmpdir(), "zz-shutdown-"));
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await db?.close();
  await rm(dataDir, { recursive: true, force: true });
});

type Server = ServerProcess;

async function startServer(extra: Record<string, string> = {}, compiled = false): Promise<Server> {
  const s = await startServerProcess({ ...serverEnv(db, dataDir), ...extra }, { compiled });
  children.add(s.child);
  void s.exited.then(() => children.delete(s.child));
  return s;
}

async function signIn(s: Server, username = "yumen.clerk"): Promise<string> {
  const res = await fetch(`${s.origin}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: s.origin },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  });
  expect(res.status).toBe(200);
  return /(zz_session=[^;]*)/.exec(res.headers.get("set-cookie") ?? "")![1]!;
}

/** A sign-in whose body arrives in two parts: in flight until `finish()` sends the rest. */
function slowLogin(s: Server) {
  const body = JSON.stringify({ username: "yumen.clerk", password: DEMO_PASSWORD });
  const req = httpRequest(`${s.origin}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: s.origin, "transfer-encoding": "chunked" },
  });
  const answer = new Promise<{ status: number; connection: string | undefined; body: string }>((done, fail) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => done({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }));
    });
    req.on("error", fail);
  });
  req.write(body.slice(0, 10));
  return { answer, finish: () => req.end(body.slice(10)) };
}

/** Opens /events and resolves `ended` when the server closes the stream. */
async function openStream(s: Server, cookie: string) {
  const res = await fetch(`${s.origin}/events`, { headers: { cookie } });
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  const ended = (async () => {
    for (;;) if ((await reader.read()).done) return true;
  })();
  return { first, ended };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SIGTERM", () => {
  it("drains: no new connections, the request in flight answered, the stream closed, exit 0", async () => {
    const s = await startServer({ SHUTDOWN_TIMEOUT_MS: "20000" });
    const cookie = await signIn(s);
    const stream = await openStream(s, cookie);
    expect(stream.first).toContain("event: ready");
    const slow = slowLogin(s);
    await wait(200);

    s.child.kill("SIGTERM");
    expect(await stream.ended).toBe(true);
    // Closed for new connections while the request is still in flight.
    await wait(200);
    expect(s.child.exitCode).toBeNull();
    await expect(fetch(`${s.origin}/healthz`)).rejects.toThrow();
    slow.finish();
    const answer = await slow.answer;
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true });
    expect(answer.connection).toBe("close");
    expect(await s.exited).toBe(0);

    const records = s.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => String(r.msg).includes("Ready in"))).toMatchObject({ port: s.port });
    const drained = records.find((r) => r.msg === "HTTP server drained") as { drain: Record<string, unknown> };
    expect(drained.drain).toMatchObject({ abandoned: 0, streamsClosed: 1, timedOut: false });
    expect(records.at(-1)).toMatchObject({ msg: "stopped" });
  });

  it("cuts a request still in flight after SHUTDOWN_TIMEOUT_MS and still exits", async () => {
    const s = await startServer({ SHUTDOWN_TIMEOUT_MS: "1500" });
    const slow = slowLogin(s);
    const cut = slow.answer.then(
      () => "answered",
      () => "cut",
    );
    await wait(200);
    const stopped = Date.now();
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(10_000);
    expect(await cut).toBe("cut");
    const records = s.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const drained = records.find((r) => r.msg === "HTTP server drained") as { drain: Record<string, unknown> };
    expect(drained.drain).toMatchObject({ abandoned: 1, timedOut: true });
  });

  it("finishes the photo being decoded, then ends the photo pool's threads (the compiled server, plain node)", async () => {
    // dist/main.js as the image runs it: the photo pool's thread is dist/photo-worker.js.
    const s = await startServer({ SHUTDOWN_TIMEOUT_MS: "60000", PHOTO_TIMEOUT_MS: "60000" }, true);
    const cookie = await signIn(s, "cun.grid");
    const report = async (file: string, key: string) => {
      const form = new FormData();
      form.append("report", JSON.stringify({ report: villageDispute(`现场照片 ${key}`), position: null }));
      const bytes = await readFile(new URL(`../fixtures/${file}`, import.meta.url));
      form.append("photo", new File([bytes], file, { type: "image/heic" }));
      return fetch(`${s.origin}/field-reports`, {
        method: "POST",
        headers: { cookie, origin: s.origin, "idempotency-key": key },
        body: form,
      });
    };
    const first = await report("phone-portrait.heic", "k-shutdown-0001");
    expect(first.status, await first.clone().text()).toBe(201);
    // Seconds of decoding in the pool's thread: still in work when the stop comes.
    const slow = report("flat-7680.heic", "k-shutdown-0002");
    await wait(1500);
    s.child.kill("SIGTERM");
    expect((await slow).status).toBe(201);
    expect(await s.exited).toBe(0);
    const records = s.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const drained = records.findIndex((r) => r.msg === "HTTP server drained");
    const closed = records.findIndex((r) => r.msg === "photo pool closed");
    expect(drained).toBeGreaterThan(0);
    // After the drain (the request in flight had its photo), before the process stops.
    expect(closed).toBeGreaterThan(drained);
    expect(records[closed]).toMatchObject({ photos: { completed: 2, running: 0, queued: 0, timedOut: 0 } });
    expect(records.at(-1)).toMatchObject({ msg: "stopped" });
  }, 180_000);
});
