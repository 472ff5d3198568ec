import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bundledPostgres,
  type EmbeddedCluster,
  EmbeddedPostgresError,
  freePort,
  holderOf,
  placeDataDir,
  reachableCopy,
  startEmbeddedPostgres,
} from "./embedded.ts";

// The launcher itself, with real PostgreSQL servers: ports, locks, leftovers, and (as root)
// binaries and data the postgres user could not reach in place.

const root = typeof process.getuid === "function" && process.getuid() === 0;
let dir: string;
const clusters: EmbeddedCluster[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "zz-embedded-test-"));
});
afterAll(async () => {
  for (const c of clusters) await c.stop();
  await rm(dir, { recursive: true, force: true });
});

async function start(name: string, options: { port?: number; portFallback?: boolean } = {}) {
  const cluster = await startEmbeddedPostgres({
    dataDir: join(dir, name),
    password: "pw-test",
    persistent: false,
    fast: true,
    ...options,
  });
  clusters.push(cluster);
  return cluster;
}

async function answers(cluster: EmbeddedCluster): Promise<number> {
  const sql = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ n: number }[]>`select 1 as n`;
    return row!.n;
  } finally {
    await sql.end();
  }
}

function occupy(port: number): Promise<Server> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(port, "127.0.0.1", () => done(s));
  });
}

async function rejection(promise: Promise<unknown>): Promise<EmbeddedPostgresError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmbeddedPostgresError);
  return error as EmbeddedPostgresError;
}

describe("ports", () => {
  it("takes a free port when the wanted one is taken and fallback is allowed, and says so in one line when not", async () => {
    const port = await freePort();
    const blocker = await occupy(port);
    try {
      const moved = await start("fallback", { port, portFallback: true });
      expect(moved.port).not.toBe(port);
      expect(await answers(moved)).toBe(1);

      const error = await rejection(start("no-fallback", { port }));
      expect(error.code).toBe("port-in-use");
      expect(error.message).toContain(`port ${port}`);
      expect(error.message).not.toContain("\n");
    } finally {
      blocker.close();
    }
  });
});

describe("the data directory", () => {
  it("refuses, in one line, a directory a running server holds", async () => {
    const first = await start("held");
    expect(holderOf(first.dataDir)?.owner).toBe(process.pid);
    // Another process's server: the owner file names a live process that is not us.
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"]);
    try {
      await writeFile(join(first.dataDir, "zongzhi.owner"), String(other.pid));
      const error = await rejection(start("held"));
      expect(error.code).toBe("data-dir-in-use");
      expect(error.message).toContain(`process ${other.pid}`);
      expect(error.message).not.toContain("\n");
      expect(await answers(first)).toBe(1);
    } finally {
      other.kill();
      await writeFile(join(first.dataDir, "zongzhi.owner"), String(process.pid));
    }
  });

  it("stops a server left running by a process that died, and starts", async () => {
    const dataDir = join(dir, "leftover");
    const embedded = fileURLToPath(new URL("./embedded.ts", import.meta.url));
    const script = `import { startEmbeddedPostgres } from ${JSON.stringify(embedded)};
      const c = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, password: "pw-test", persistent: true, fast: true });
      console.log("READY " + c.port);`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const port = await new Promise<number>((ready, fail) => {
      child.stdout.on("data", (chunk: Buffer) => {
        const m = /READY (\d+)/.exec(chunk.toString());
        if (m) ready(Number(m[1]));
      });
      child.once("exit", (code) => fail(new Error(`child exited with ${code}`)));
    });
    const left = holderOf(dataDir);
    expect(left).not.toBeNull();
    // Killed without a chance to stop its server: the postmaster stays behind.
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(holderOf(dataDir)?.postmaster).toBe(left!.postmaster);

    const notices: string[] = [];
    const again = await startEmbeddedPostgres({
      dataDir,
      port,
      password: "pw-test",
      persistent: false,
      fast: true,
      notice: (line) => notices.push(line),
    });
    clusters.push(again);
    expect(notices.join("\n")).toContain(`pid ${left!.postmaster}`);
    expect(holderOf(dataDir)?.postmaster).not.toBe(left!.postmaster);
    expect(await answers(again)).toBe(1);
  });
});

describe.skipIf(!root)("as root (skipped when not root: only root hands the server to the postgres user)", () => {
  it("runs binaries kept in a 0700 directory from a root-owned copy the postgres user can reach", async () => {
    const privateDir = await mkdtemp(join(tmpdir(), "zz-private-"));
    try {
      const { nativeDir } = bundledPostgres();
      const copy = join(privateDir, "native");
      await new Promise<void>((done, fail) => {
        const cp = spawn("cp", ["-al", nativeDir, copy], { stdio: "inherit" });
        cp.once("exit", (code) => (code === 0 ? done() : fail(new Error(`cp exited with ${code}`))));
      });
      expect((await stat(privateDir)).mode & 0o777).toBe(0o700);
      const cache = join(dir, "cache");
      const cluster = await startEmbeddedPostgres({
        dataDir: join(dir, "from-private"),
        password: "pw-test",
        persistent: false,
        fast: true,
        nativeDir: copy,
        binaryCacheDir: cache,
      });
      clusters.push(cluster);
      expect(cluster.binDir.startsWith(cache)).toBe(true);
      expect(await answers(cluster)).toBe(1);
      const target = join(cluster.binDir, "..");
      expect((await stat(target)).uid).toBe(0);
      expect((await stat(target)).mode & 0o777).toBe(0o755);
      // A second pass finds every file in place and leaves it alone.
      const first = await reachableCopy(copy, "x", cache);
      const inode = (await stat(join(first, "bin", "postgres"))).ino;
      expect(await reachableCopy(copy, "x", cache)).toBe(first);
      expect((await stat(join(first, "bin", "postgres"))).ino).toBe(inode);
    } finally {
      await rm(privateDir, { recursive: true, force: true });
    }
  });

  it("puts a cluster meant for a 0700 directory where the postgres user can reach it", async () => {
    const privateDir = await mkdtemp(join(tmpdir(), "zz-private-"));
    const fallbackRoot = join(dir, "clusters");
    try {
      const preferred = join(privateDir, "checkout", ".data", "pg");
      const placed = await placeDataDir(preferred, { fallbackRoot });
      expect(placed.relocated).toBe(true);
      expect(placed.dataDir.startsWith(fallbackRoot)).toBe(true);
      // The same checkout always gets the same place.
      expect((await placeDataDir(preferred, { fallbackRoot })).dataDir).toBe(placed.dataDir);
      const cluster = await startEmbeddedPostgres({
        dataDir: placed.dataDir,
        password: "pw-test",
        persistent: false,
        fast: true,
      });
      clusters.push(cluster);
      expect(await answers(cluster)).toBe(1);

      await chmod(privateDir, 0o755);
      expect((await placeDataDir(preferred, { fallbackRoot })).relocated).toBe(false);
      expect(existsSync(join(privateDir, "checkout", ".data"))).toBe(true);
    } finally {
      await rm(privateDir, { recursive: true, force: true });
    }
  });
});
