import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { join } from "node:path";
import { freePort } from "@zongzhi/db/embedded";
import { repoRoot } from "./cluster.ts";
import { type Summary, summarize } from "./stats.ts";

/** The API server as a separate process (its RSS is one of the figures). */
export interface ApiProcess {
  origin: string;
  pid: number;
  /** Resident set size now (MB). */
  rss(): number;
  /** What the API has written to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the compiled server (`apps/api/dist/main.js`, as the image runs it) on the generated
 * database in production mode, with the job queue off (the benchmark times the deadline scan on
 * its own) and no demo data.
 */
export async function startApi(env: {
  adminUrl: string;
  appPassword: string;
  workerPassword: string;
  fieldKeys: string;
  /** The checkout whose server is built and run (default: this one). */
  root?: string;
}): Promise<ApiProcess> {
  const root = env.root ?? repoRoot;
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  // What production runs (infra/Dockerfile): the compiled server, built afresh from this tree, under
  // plain node. Through tsx the process would also hold the loader and every transpiled module's
  // source and map, which is no part of the API's memory in production.
  const built = spawnSync(process.execPath, ["build.mjs"], { cwd: join(root, "apps/api"), stdio: "inherit" });
  if (built.status !== 0) throw new Error(`building ${root}/apps/api/dist failed`);
  const main = join(root, "apps/api/dist/main.js");
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: env.adminUrl,
      APP_DATABASE_PASSWORD: env.appPassword,
      WORKER_DATABASE_PASSWORD: env.workerPassword,
      FIELD_KEYS: env.fieldKeys,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_ORIGIN: origin,
      ALLOW_INSECURE_COOKIE: "1",
      DEMO: "off",
      JOBS: "off",
      // The generated staff have no authenticator: production's second-factor rule is relaxed here.
      REQUIRE_STAFF_TOTP: "0",
      LOG_LEVEL: "warn",
      DATA_DIR: join(root, ".bench", "api-data"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    output += d.toString();
  });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`API exited: ${output.slice(-2000)}`);
    try {
      const res = await fetch(`${origin}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGTERM");
      throw new Error(`API did not start: ${output.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  const pid = child.pid as number;
  return {
    origin,
    pid,
    output: () => output,
    rss() {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        return kb / 1024;
      } catch {
        return 0;
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** Signs in and returns the session cookie. */
export async function login(origin: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${origin}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", origin, "sec-fetch-site": "same-origin" },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get("set-cookie");
  if (!cookie) throw new Error(`login ${username}: no cookie`);
  return cookie.split(";")[0] as string;
}

/**
 * Keep-alive connections for the load's calls. Why node:http and not fetch: the load generator
 * shares the machine's two cores with the API and PostgreSQL, and fetch (undici, WHATWG streams)
 * costs several times the CPU per call; that would be charged to the API's figures.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A tRPC call over HTTP (superjson wire format for plain JSON input). */
export function trpc(
  origin: string,
  cookie: string,
  kind: "query" | "mutation",
  path: string,
  input: unknown,
): Promise<unknown> {
  const body = JSON.stringify({ json: input });
  const url = new URL(
    kind === "query" ? `${origin}/trpc/${path}?input=${encodeURIComponent(body)}` : `${origin}/trpc/${path}`,
  );
  const headers: Record<string, string> =
    kind === "query"
      ? { cookie }
      : {
          cookie,
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(body)),
          origin,
          "sec-fetch-site": "same-origin",
        };
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: kind === "query" ? "GET" : "POST", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if ((res.statusCode ?? 500) >= 400) {
          reject(new Error(`${path}: ${res.statusCode} ${text.slice(0, 300)}`));
          return;
        }
        try {
          resolve((JSON.parse(text) as { result: { data: { json: unknown } } }).result.data.json);
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on("error", reject);
    if (kind === "mutation") req.write(body);
    req.end();
  });
}

/** Result of a closed-loop load run. */
export interface LoadResult {
  clients: number;
  seconds: number;
  requests: number;
  errors: number;
  perSecond: number;
  latency: Summary;
  /** Every counted latency (ms), to merge runs. */
  samples: number[];
  firstError?: string;
}

/** Several runs of the same load as one: requests and seconds added, latencies pooled. */
export function mergeLoads(runs: LoadResult[]): LoadResult {
  const samples = runs.flatMap((r) => r.samples);
  const seconds = runs.reduce((s, r) => s + r.seconds, 0);
  const requests = runs.reduce((s, r) => s + r.requests, 0);
  const firstError = runs.find((r) => r.firstError)?.firstError;
  return {
    clients: runs[0]?.clients ?? 0,
    seconds,
    requests,
    errors: runs.reduce((s, r) => s + r.errors, 0),
    perSecond: requests / Math.max(seconds, 0.001),
    latency: summarize(samples),
    samples,
    ...(firstError ? { firstError } : {}),
  };
}

/**
 * Closed-loop load: `clients` workers each call `fn(client, i)` back to back for `seconds`
 * (after `warmupSeconds` not counted). Returns throughput and latency.
 */
export async function closedLoop(
  clients: number,
  seconds: number,
  fn: (client: number, i: number) => Promise<unknown>,
  warmupSeconds = 2,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const warmEnd = performance.now() + warmupSeconds * 1000;
  const end = warmEnd + seconds * 1000;
  let counted = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; performance.now() < end; i++) {
        const t = performance.now();
        try {
          await fn(client, i);
          if (t >= warmEnd) {
            latencies.push(performance.now() - t);
            counted++;
          }
        } catch (error) {
          errors++;
          firstError ??= String(error).slice(0, 300);
        }
      }
    }),
  );
  return {
    clients,
    seconds,
    requests: counted,
    errors,
    perSecond: counted / seconds,
    latency: summarize(latencies),
    samples: latencies,
    ...(firstError ? { firstError } : {}),
  };
}

/** Samples a value every `ms` until stopped; returns the maximum seen. */
export function sampler(read: () => number, ms = 250): { stop(): number } {
  let max = read();
  const timer = setInterval(() => {
    max = Math.max(max, read());
  }, ms);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, read());
    },
  };
}
