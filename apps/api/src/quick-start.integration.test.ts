import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, holderOf, portIsFree, removeRelocated } from "@zongzhi/db/embedded";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "./demo.ts";

// `pnpm start` as a newcomer meets it: a checkout inside a 0700 directory (as under `mktemp -d`
// or /root; as root the server then runs as the postgres user, which cannot enter it), a second
// start beside a running one, a taken port, a restart, damaged secrets. Real processes, real
// PostgreSQL; each failure must be one line, never a stack trace.

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const root = typeof process.getuid === "function" && process.getuid() === 0;
const SKIP = new Set([".data", ".git", ".turbo", "coverage", "test-results"]);

let home: string;
let checkout: string;
let blocker: Server | null = null;
const children = new Set<ChildProcess>();

interface Run {
  child: ChildProcess;
  output: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startScript(env: Record<string, string>): Run {
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: checkout,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  void exited.then(() => children.delete(child));
  return { child, output: () => out + err, stderr: () => err, exited };
}

/** Resolves when the server printed its banner; rejects with the output when it exits first. */
async function ready(run: Run, ms = 240_000): Promise<void> {
  const until = Date.now() + ms;
  while (!run.output().includes("Ready in")) {
    if (run.child.exitCode !== null) throw new Error(`start exited ${run.child.exitCode}:\n${run.output()}`);
    if (Date.now() > until) throw new Error(`no banner within ${ms} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A failed start: exit code 1 and exactly one log line on stderr, no stack trace anywhere. */
async function oneLineFailure(run: Run): Promise<string> {
  expect(await run.exited).toBe(1);
  const lines = run
    .stderr()
    .split("\n")
    .filter((l) => l.trim());
  expect(lines).toHaveLength(1);
  expect(run.output()).not.toMatch(/\n\s+at |triggerUncaughtException|Unhandled 'error' event/);
  // A structured log record like every other line, whose message is what the person reads.
  const record = JSON.parse(lines[0]!) as { level: number; msg: string };
  expect(record.level).toBe(60);
  expect(record.msg).toMatch(/^启动失败 \/ start-up failed: .+: .+/);
  return record.msg;
}

async function stop(run: Run): Promise<number | null> {
  run.child.kill("SIGTERM");
  return run.exited;
}

function origin(port: number) {
  return `http://127.0.0.1:${port}`;
}

async function state(): Promise<{ port: number; dataDir?: string }> {
  return JSON.parse(await readFile(join(checkout, ".data", "embedded.json"), "utf8"));
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "zz-newcomer-"));
  checkout = join(home, "zongzhi");
  // A copy of this checkout inside a 0700 directory: the sources copied (a few MB), the installed
  // packages as hard links (a second, no extra space; nothing in the start path writes to them).
  spawnSync("mkdir", [checkout]);
  for (const entry of readdirSync(repo)) {
    if (SKIP.has(entry)) continue;
    const linked = entry === "node_modules" && spawnSync("cp", ["-al", join(repo, entry), checkout]).status === 0;
    if (!linked) spawnSync("cp", ["-a", join(repo, entry), checkout]);
  }
}, 120_000);

afterAll(async () => {
  for (const child of children) child.kill("SIGTERM");
  await Promise.all([...children].map((c) => new Promise((r) => c.once("exit", r))));
  blocker?.close();
  const s = await state().catch(() => null);
  if (s?.dataDir) await removeRelocated(s.dataDir);
  await rm(home, { recursive: true, force: true });
}, 60_000);

describe(`the quick start from a checkout in a 0700 directory${root ? " (as root)" : ""}`, () => {
  let port: number;
  let first: Run;

  it("starts, takes another port for its database when 54329 is taken, and lets a demo user in", async () => {
    expect((await stat(home)).mode & 0o777).toBe(0o700);
    // Another checkout's database, as far as this one can tell.
    if (await portIsFree(54329)) {
      blocker = await new Promise<Server>((done) => {
        const s = createServer();
        s.listen(54329, "127.0.0.1", () => done(s));
      });
    }
    port = await freePort();
    const started = Date.now();
    first = startScript({ PORT: String(port) });
    await ready(first);
    console.log(`[quick-start] first start from a 0700 directory: ${Date.now() - started} ms`);
    const out = first.output();
    expect(out).toContain("yumen.clerk");
    expect(out).toContain("demo deployments loaded");
    expect(out).toContain("port 54329 was taken");
    const remembered = await state();
    expect(remembered.port).not.toBe(54329);
    expect(out).toContain(`Embedded PostgreSQL on 127.0.0.1:${remembered.port}`);
    if (root) expect(remembered.dataDir).toMatch(/^\/var\/lib\/zongzhi\/clusters\//);

    const health = await fetch(`${origin(port)}/healthz`);
    expect(health.status).toBe(200);
    const login = await fetch(`${origin(port)}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: origin(port) },
      body: JSON.stringify({ username: "yumen.clerk", password: DEMO_PASSWORD }),
    });
    expect(await login.json()).toMatchObject({ ok: true });
  });

  it("refuses in one line a second start on the same data", async () => {
    const line = await oneLineFailure(startScript({ PORT: String(await freePort()) }));
    expect(line).toContain("is in use by a running server");
    expect(line).toContain("stop that `pnpm start` first");
  });

  it("refuses in one line a start on a taken HTTP port, before starting a database", async () => {
    const other = await mkdtemp(join(tmpdir(), "zz-newcomer-other-"));
    try {
      const line = await oneLineFailure(startScript({ PORT: String(port), DATA_DIR: other }));
      expect(line).toContain(`port ${port} on 127.0.0.1 is in use`);
      expect(line).toContain("PORT=");
      expect(existsSync(join(other, "pg"))).toBe(false);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it("stops its database with it, and after a restart on the remembered port prints the demo logins again", async () => {
    const { port: dbPort, dataDir } = await state();
    expect(await stop(first), first.output()).toBe(0);
    expect(holderOf(dataDir ?? join(checkout, ".data", "pg")), first.output()).toBeNull();
    blocker?.close();
    blocker = null;

    const again = startScript({ PORT: String(port) });
    await ready(again);
    expect(again.output()).toContain("demo deployments present");
    expect(again.output()).toContain("yumen.clerk");
    expect(again.output()).toContain(`127.0.0.1:${dbPort}`);
    expect((await state()).port, again.output()).toBe(dbPort);
    expect(await stop(again), again.output()).toBe(0);
  });

  it("says in one line what to do when .data/secrets.json is damaged", async () => {
    const file = join(checkout, ".data", "secrets.json");
    const good = await readFile(file, "utf8");
    await writeFile(file, "{ not json");
    try {
      const line = await oneLineFailure(startScript({ PORT: String(await freePort()) }));
      expect(line).toContain(".data/secrets.json cannot be read (not valid JSON)");
      expect(line).toContain("remove .data/");
    } finally {
      await writeFile(file, good);
    }
  });
});
