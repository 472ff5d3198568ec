import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyringString } from "@zongzhi/crypto";
import { freePort } from "@zongzhi/db/embedded";
import type { TestDatabase } from "@zongzhi/testing";

/** The checkout's root. */
export const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/** A real API process (main.ts) started by a test or a script, with what it wrote. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  origin: string;
  /** Every line written so far (stdout and stderr), in order. */
  lines(): string[];
  exited: Promise<number | null>;
}

/** The newest modification time of the files under `dir` (node_modules and dist left out). */
function newest(dir: string): number {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Builds the compiled server (apps/api/dist: what the image runs) when it is missing or older
 * than the sources. CI builds it first (`pnpm build`); a local run after an edit gets a new one.
 */
export function ensureCompiledServer(): string {
  const main = join(REPO, "apps/api/dist/main.js");
  // Patched dependencies (patches/, pnpm-lock.yaml) are bundled too: a new patch means a new build.
  const sources = Math.max(
    newest(join(REPO, "apps/api/src")),
    newest(join(REPO, "packages")),
    existsSync(join(REPO, "patches")) ? newest(join(REPO, "patches")) : 0,
    statSync(join(REPO, "pnpm-lock.yaml")).mtimeMs,
  );
  if (!existsSync(main) || statSync(main).mtimeMs < sources) {
    const r = spawnSync(process.execPath, ["build.mjs"], { cwd: join(REPO, "apps/api"), stdio: "inherit" });
    if (r.status !== 0) throw new Error("building apps/api/dist failed");
  }
  return main;
}

/** The environment of a server on a test database: its roles' URLs, a fresh keyring, no demo, no embedded cluster. */
export function serverEnv(db: TestDatabase, dataDir: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/",
    DATABASE_URL: db.adminUrl,
    APP_DATABASE_URL: db.appUrl,
    WORKER_DATABASE_URL: db.workerUrl,
    FIELD_KEYS: generateKeyringString(),
    DEMO: "off",
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "info",
  };
}

/**
 * Starts main.ts (through tsx) or, with `compiled`, apps/api/dist/main.js (plain node), and
 * resolves once the banner is written. `port` is taken when given (a restart on the same port).
 */
export async function startServerProcess(
  env: Record<string, string>,
  options: { compiled?: boolean; port?: number; readyWithinMs?: number } = {},
): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const args = options.compiled ? [ensureCompiledServer()] : ["--import", "tsx", join(REPO, "apps/api/src/main.ts")];
  const child = spawn(process.execPath, args, {
    cwd: REPO,
    env: { ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  const lines = () => out.split("\n").filter((l) => l.trim());
  const until = Date.now() + (options.readyWithinMs ?? 90_000);
  while (!out.includes("Ready in")) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited ${child.exitCode}:\n${out}`);
    if (Date.now() > until) {
      child.kill("SIGKILL");
      throw new Error(`no banner:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port, origin: `http://127.0.0.1:${port}`, lines, exited };
}
