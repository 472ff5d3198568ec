import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { MAX_ATTACHMENT_BYTES } from "@zongzhi/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SMALL_BODY_LIMIT, TRPC_BODY_LIMIT } from "./app.ts";
import { STAGING_DIR } from "./storage.ts";
import { startTestApi, type TestApi } from "./test-harness.ts";
import { UPLOAD_BODY_LIMIT } from "./upload.ts";

let api: TestApi;
let clerkCookie: string;
let caseId: string;
beforeAll(async () => {
  api = await startTestApi({ centres: true });
  clerkCookie = await api.login("yumen.clerk");
  const { id } = await api.client(clerkCookie).cases.register.mutate({
    categoryCode: "labour",
    channel: "visit",
    title: "附件上传",
    description: "上传现场照片",
    locationCode: "620981101",
    parties: [{ role: "applicant", kind: "person", name: "李建军", phone: "13809375678" }],
  });
  caseId = id;
}, 120_000);
afterAll(() => api.close());

const CHUNK = 64 * 1024;

/**
 * A body of `total` bytes produced lazily, CHUNK at a time, that records how much the server
 * pulled: a server that stops reading at the limit pulls little, one that reads all pulls all.
 */
function lazyBody(total: number, prefix = new Uint8Array(0)) {
  const counter = { pulled: 0 };
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0 && prefix.byteLength > 0) {
        controller.enqueue(prefix);
        sent += prefix.byteLength;
        counter.pulled += prefix.byteLength;
        return;
      }
      if (sent >= total) {
        controller.close();
        return;
      }
      const n = Math.min(CHUNK, total - sent);
      sent += n;
      counter.pulled += n;
      controller.enqueue(new Uint8Array(n).fill(0x61));
    },
  });
  return { stream, counter };
}

async function expect413(res: Response, limitText: string) {
  expect(res.status).toBe(413);
  const body = (await res.json()) as { code: string; zh: string; en: string };
  expect(body.code).toBe("PAYLOAD_TOO_LARGE");
  expect(body.zh).toContain(`请求内容过大（上限 ${limitText}）`);
  expect(body.en).toContain(`at most ${limitText}`);
}

describe("request bodies over their limit are refused with 413 before they are read", () => {
  const routes = [
    { path: "/auth/login", limit: SMALL_BODY_LIMIT, text: "16 KB" },
    { path: "/auth/setup", limit: SMALL_BODY_LIMIT, text: "16 KB" },
    { path: "/public/lookup", limit: SMALL_BODY_LIMIT, text: "16 KB" },
    { path: "/trpc/cases.register", limit: TRPC_BODY_LIMIT, text: "1 MB" },
  ];

  it.each(routes)("$path with a Content-Length over $text: refused without reading a byte", async (route) => {
    const { stream, counter } = lazyBody(20 * 1024 * 1024);
    const res = await api.request(route.path, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(20 * 1024 * 1024) },
      body: stream,
      cookie: clerkCookie,
    });
    await expect413(res, route.text);
    expect(res.headers.get("connection")).toBe("close");
    expect(counter.pulled).toBeLessThanOrEqual(CHUNK);
  });

  it.each(routes)("$path chunked (no Content-Length): refused once the limit is passed", async (route) => {
    const { stream, counter } = lazyBody(100 * 1024 * 1024);
    const res = await api.request(route.path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      cookie: clerkCookie,
    });
    await expect413(res, route.text);
    // Read up to the limit and one chunk past it (plus what the stream had queued), never the 100 MB.
    expect(counter.pulled).toBeGreaterThan(route.limit);
    expect(counter.pulled).toBeLessThanOrEqual(route.limit + 3 * CHUNK);
  });

  it("a body within the limit still goes through", async () => {
    const res = await api.request("/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      // Padded with whitespace: an unknown key would be refused (inputs are strict).
      body: `${JSON.stringify({ username: "yumen.leader", password: "Zongzhi@2026" })}${" ".repeat(8000)}`,
    });
    expect(res.status).toBe(200);
  });
});

/** A multipart body with one `file` part of `size` bytes (a PNG signature, then filler), produced lazily. */
function multipartFile(size: number, options: { onChunk?: (sent: number) => Promise<void> } = {}) {
  const boundary = "----zz-test-boundary";
  const head = new TextEncoder().encode(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="现场照片.png"\r\nContent-Type: image/png\r\n\r\n`,
  );
  const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const hash = createHash("sha256");
  const counter = { pulled: 0 };
  let sent = 0;
  let stage: "head" | "file" | "tail" | "done" = "head";
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (stage === "head") {
        controller.enqueue(head);
        counter.pulled += head.byteLength;
        stage = "file";
        return;
      }
      if (stage === "file") {
        await options.onChunk?.(sent);
        const n = Math.min(CHUNK, size - sent);
        const chunk = new Uint8Array(n).fill(0x5a);
        if (sent === 0) chunk.set(png.slice(0, n));
        hash.update(chunk);
        sent += n;
        counter.pulled += n;
        controller.enqueue(chunk);
        if (sent >= size) stage = "tail";
        return;
      }
      if (stage === "tail") {
        controller.enqueue(tail);
        stage = "done";
        return;
      }
      controller.close();
    },
  });
  return { stream, counter, boundary, sha256: () => hash.digest("hex") };
}

async function stagedBytes(): Promise<number> {
  const dir = join(api.attachmentsDir, STAGING_DIR);
  const names = await readdir(dir).catch(() => [] as string[]);
  let total = 0;
  for (const name of names) total += (await stat(join(dir, name)).catch(() => ({ size: 0 }))).size;
  return total;
}

describe("attachment uploads stream to the store and stop at their limit", () => {
  const upload = (
    body: ReadableStream<Uint8Array>,
    boundary: string,
    extra: Record<string, string> = {},
    cookie = clerkCookie,
  ) =>
    api.request(`/cases/${caseId}/attachments`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}`, ...extra },
      body,
      cookie,
    });

  it("writes the file to disk while it is still arriving, and keeps it with its hash", async () => {
    const size = 6 * 1024 * 1024;
    // After 3 MB the sender waits until at least 2 MB are on disk: a server that buffered the whole
    // body before storing it would never get there, and the upload would fail.
    let sawStreaming = false;
    const file = multipartFile(size, {
      onChunk: async (sent) => {
        if (sent !== 3 * 1024 * 1024) return;
        for (let i = 0; i < 200 && !sawStreaming; i++) {
          if ((await stagedBytes()) >= 2 * 1024 * 1024) sawStreaming = true;
          else await new Promise((r) => setTimeout(r, 25));
        }
        if (!sawStreaming) throw new Error("the server did not stream the upload to the store");
      },
    });
    const res = await upload(file.stream, file.boundary);
    expect(res.status).toBe(201);
    expect(sawStreaming).toBe(true);
    const saved = (await res.json()) as { id: string; sizeBytes: number; mime: string };
    expect(saved).toMatchObject({ sizeBytes: size, mime: "image/png" });
    const [row] = await api.db.admin<
      { storage_key: string; sha256: string; filename: string }[]
    >`select storage_key, sha256, filename from app.attachments where id = ${saved.id}`;
    expect(row!.sha256).toBe(file.sha256());
    expect(row!.filename).toBe("现场照片.png");
    const stored = await readFile(join(api.attachmentsDir, row!.storage_key));
    expect(createHash("sha256").update(stored).digest("hex")).toBe(row!.sha256);
    expect(await stagedBytes()).toBe(0);
  });

  it("a Content-Length over the limit is refused before a byte is read", async () => {
    const file = multipartFile(100 * 1024 * 1024);
    const res = await upload(file.stream, file.boundary, { "content-length": String(100 * 1024 * 1024) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: "PAYLOAD_TOO_LARGE", zh: "附件大小须在10MB以内" });
    expect(file.counter.pulled).toBeLessThanOrEqual(CHUNK);
  });

  it("a chunked file over the limit stops the reading at the limit and leaves nothing staged", async () => {
    const file = multipartFile(100 * 1024 * 1024);
    const res = await upload(file.stream, file.boundary);
    expect(res.status).toBe(413);
    const body = (await res.json()) as { code: string; zh: string; en: string };
    expect(body).toMatchObject({ code: "PAYLOAD_TOO_LARGE", zh: "附件大小须在10MB以内" });
    expect(file.counter.pulled).toBeGreaterThan(MAX_ATTACHMENT_BYTES);
    expect(file.counter.pulled).toBeLessThanOrEqual(UPLOAD_BODY_LIMIT + 4 * CHUNK);
    expect(await stagedBytes()).toBe(0);
    const [n] = await api.db.admin<{ n: number }[]>`select count(*)::int as n from app.attachments
      where case_id = ${caseId} and size_bytes > ${MAX_ATTACHMENT_BYTES}`;
    expect(n!.n).toBe(0);
  });

  it("a caller who is not signed in is refused before the body is read", async () => {
    const file = multipartFile(5 * 1024 * 1024);
    const res = await upload(file.stream, file.boundary, {}, "");
    expect(res.status).toBe(401);
    expect(file.counter.pulled).toBeLessThanOrEqual(CHUNK);
  });

  it("a refused type leaves nothing in the store", async () => {
    const form = new FormData();
    form.set("file", new File([new Uint8Array([0x4d, 0x5a, 0x90, 0, 1, 2, 3])], "photo.png"));
    const res = await api.request(`/cases/${caseId}/attachments`, { method: "POST", cookie: clerkCookie, body: form });
    expect(res.status).toBe(400);
    expect(await stagedBytes()).toBe(0);
  });

  it("a malformed multipart body is a 400 in both languages, not a 500", async () => {
    const res = await api.request(`/cases/${caseId}/attachments`, {
      method: "POST",
      cookie: clerkCookie,
      headers: { "content-type": "multipart/form-data; boundary=x" },
      body: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; zh: string; en: string };
    expect(body.code).toBe("VALIDATION");
    expect(body.zh).toBeTruthy();
    expect(body.en).toBeTruthy();
    expect(await stagedBytes()).toBe(0);
  });
});
