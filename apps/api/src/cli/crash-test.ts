import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyringString } from "@zongzhi/crypto";
import { verifyCaseChains } from "@zongzhi/db/case-chain";
import { type EmbeddedCluster, freePort, startEmbeddedPostgres } from "@zongzhi/db/embedded";
import postgres from "postgres";
import superjson from "superjson";
import { migrateAndLoad, withCredentials } from "../database.ts";
import { DEMO_PASSWORD, loadDemo } from "../demo.ts";
import { createLogger } from "../logger.ts";
import { type ServerProcess, startServerProcess } from "../server-process.ts";
import { villageDispute } from "../test-harness.ts";

/**
 * `pnpm test:crash`: no acknowledged write is lost when the API process is killed (SIGKILL)
 * again and again and PostgreSQL restarts in immediate mode under load. Writers register cases
 * (with an Idempotency-Key) and drive transitions through the HTTP API, retrying every request
 * whose outcome they did not learn; a supervisor kills the API every few hundred milliseconds
 * and starts it again, and restarts PostgreSQL (SIGQUIT: no checkpoint, crash recovery) in the
 * middle. Then, from the database: every acknowledged write exists exactly once, nothing is
 * half-applied, retries made no duplicates, codes are gapless, every timeline chain verifies.
 *
 * The API process must survive PostgreSQL going away: any exit the supervisor did not cause
 * (an error thrown from a driver timer, an unhandled rejection) fails the run.
 *
 * Scale: CRASH_KILLS (default 20), CRASH_PG_RESTARTS (default 1), CRASH_WRITERS (default 4).
 * Exit code 0 when every check holds, 1 otherwise. The compiled server (apps/api/dist) runs,
 * built first when missing or stale.
 */

const KILLS = Number(process.env.CRASH_KILLS ?? 20);
const PG_RESTARTS = Number(process.env.CRASH_PG_RESTARTS ?? 1);
const WRITERS = Number(process.env.CRASH_WRITERS ?? 4);
const run = randomUUID().slice(0, 8);
const started = Date.now();
const say = (line: string) => console.log(`[crash ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

const counts = {
  registrationsAcknowledged: 0,
  registrationsReplayed: 0,
  transitionsAcknowledged: 0,
  transitionsLearnedAfterRetry: 0,
  retries: 0,
  apiKills: 0,
  apiRestarts: 0,
  postgresRestarts: 0,
  apiUnplannedExits: 0,
};

// ---------------------------------------------------------------------------------- setup

const dir = await mkdtemp(join(tmpdir(), "zz-crash-"));
const password = randomUUID();
const pgPort = await freePort();
const pgOptions = { dataDir: join(dir, "pg"), port: pgPort, password, persistent: true };
let cluster: EmbeddedCluster = await startEmbeddedPostgres(pgOptions);
const maintenance = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
await maintenance.unsafe("create database zongzhi");
await maintenance.end();
const adminUrl = withCredentials(cluster.adminUrl, "zongzhi");
const appPassword = randomUUID();
const workerPassword = randomUUID();
await migrateAndLoad(adminUrl, { appPassword, workerPassword }, createLogger("warn"));
const fieldKeys = generateKeyringString();
const { createSm4Cipher, keyringFromEnv } = await import("@zongzhi/crypto");
await loadDemo(adminUrl, { cipher: createSm4Cipher(keyringFromEnv(fieldKeys)) });
say(`PostgreSQL on 127.0.0.1:${pgPort}, schema and demo loaded`);

const apiPort = await freePort();
const env = {
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "/",
  NODE_ENV: "development",
  DATABASE_URL: adminUrl,
  APP_DATABASE_URL: withCredentials(adminUrl, null, "zz_app", appPassword),
  WORKER_DATABASE_URL: withCredentials(adminUrl, null, "zz_worker", workerPassword),
  FIELD_KEYS: fieldKeys,
  MIGRATE: "off",
  DEMO: "off",
  JOBS: "on",
  HOST: "127.0.0.1",
  DATA_DIR: join(dir, "data"),
  LOG_LEVEL: "warn",
};
const origin = `http://127.0.0.1:${apiPort}`;
let api: ServerProcess | null = null;
/** The last lines of every exit of the API that the supervisor did not cause. */
const unplannedExits: string[] = [];
let stopping = false;
/** Set while the supervisor itself kills or stops the API. */
let planned = false;

/** Starts the API on its fixed port; retries while PostgreSQL is still recovering. */
async function startApi(): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const started = await startServerProcess(env, { compiled: true, port: apiPort, readyWithinMs: 120_000 });
      api = started;
      planned = false;
      // An exit nobody asked for (e.g. a driver error thrown from a timer while PostgreSQL is
      // down) fails the run: the process must survive its database going away. It is recorded
      // with its last lines, and the API is started again so that the run completes its checks.
      void started.exited.then(async (code) => {
        if (planned || api !== started) return;
        counts.apiUnplannedExits++;
        const tail = started.lines().slice(-12).join("\n    ");
        unplannedExits.push(`exit ${code}:\n    ${tail}`);
        say(`the API exited by itself (${code}): ${started.lines().slice(-3).join(" | ").slice(0, 600)}`);
        await startApi();
      });
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(500);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// -------------------------------------------------------------------------------- writers

let shownAnswers = 0;
type Outcome = { kind: "ok"; data: unknown } | { kind: "refused"; code: string } | { kind: "unknown" };

/** One HTTP call to a tRPC mutation: a result, a refusal (4xx with its code), or no answer we can trust. */
async function mutate(cookie: string, path: string, input: unknown, headers: Record<string, string> = {}) {
  try {
    const res = await fetch(`${origin}/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin, cookie, ...headers },
      body: JSON.stringify(superjson.serialize(input)),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await res.json().catch(() => null)) as {
      result?: { data: unknown };
      error?: { json?: { data?: { appCode?: string } } };
    } | null;
    if (res.status === 200 && body?.result) {
      return { kind: "ok", data: superjson.deserialize(body.result.data as never) } satisfies Outcome;
    }
    const code = body?.error?.json?.data?.appCode;
    if (res.status >= 400 && res.status < 500 && code) return { kind: "refused", code } satisfies Outcome;
    // Shown a few times: an answer that is neither a result nor a refusal is worth reading.
    if (shownAnswers++ < 3) say(`no usable answer to ${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    return { kind: "unknown" } satisfies Outcome;
  } catch (error) {
    // A connection refused or cut is the expected unknown; anything else is shown.
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    if (!cause && (error as Error).name !== "TimeoutError" && shownAnswers++ < 3) say(`${path}: ${String(error)}`);
    return { kind: "unknown" } satisfies Outcome;
  }
}

async function query<T>(cookie: string, path: string, input: unknown): Promise<T | null> {
  try {
    const q = encodeURIComponent(JSON.stringify(superjson.serialize(input)));
    const res = await fetch(`${origin}/trpc/${path}?input=${q}`, {
      headers: { cookie },
      signal: AbortSignal.timeout(15_000),
    });
    if (res.status !== 200) return null;
    const body = (await res.json()) as { result: { data: unknown } };
    return superjson.deserialize(body.result.data as never) as T;
  } catch {
    return null;
  }
}

async function signIn(username: string): Promise<string | null> {
  for (; !stopping; ) {
    try {
      const res = await fetch(`${origin}/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json", origin },
        body: JSON.stringify({ username, password: DEMO_PASSWORD }),
        signal: AbortSignal.timeout(15_000),
      });
      const cookie = /(zz_session=[^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
      if (res.status === 200 && cookie) return cookie;
      if (shownAnswers++ < 3) say(`sign-in of ${username} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    } catch {
      // the API is down: try again
    }
    await sleep(300);
  }
  return null;
}

/** What the writers were told: acknowledged registrations and transitions. */
const acknowledged = {
  cases: new Map<string, { id: string; code: string }>(),
  transitions: [] as { id: string; version: number }[],
};
/** Titles of every registration attempted (acknowledged or not). */
const attempted = new Set<string>();

/** A registration retried with its Idempotency-Key until an answer comes. */
async function register(cookie: string, title: string, key: string): Promise<{ id: string; code: string } | null> {
  attempted.add(title);
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) counts.retries++;
    const out = await mutate(cookie, "cases.register", villageDispute(title), { "idempotency-key": key });
    if (out.kind === "ok") {
      const data = out.data as { id: string; code: string; replayed: boolean };
      if (data.replayed) counts.registrationsReplayed++;
      return data;
    }
    if (out.kind === "refused") throw new Error(`registration refused: ${out.code}`);
    if (stopping && attempt > 200) return null;
    await sleep(150 + Math.random() * 300);
  }
}

/**
 * A transition retried until its outcome is known. Without an answer the case is read back:
 * at the version after it, the transition took effect (a late acknowledgement); at the version
 * before it, it is sent again.
 */
async function transition(cookie: string, id: string, version: number, action: string, data: object): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) counts.retries++;
    const out = await mutate(cookie, "cases.transition", { id, version, action, data });
    if (out.kind === "ok") {
      counts.transitionsAcknowledged++;
      const next = (out.data as { version: number }).version;
      acknowledged.transitions.push({ id, version: next });
      return next;
    }
    if (out.kind === "refused" && out.code !== "CONFLICT") throw new Error(`${action} refused: ${out.code}`);
    // Unknown, or a version conflict after an unknown outcome: what does the case say now?
    let current: { version: number } | null = null;
    while (!current) {
      current = await query<{ version: number }>(cookie, "cases.get", { id });
      if (!current) await sleep(200);
    }
    if (current.version === version + 1) {
      counts.transitionsLearnedAfterRetry++;
      counts.transitionsAcknowledged++;
      acknowledged.transitions.push({ id, version: current.version });
      return current.version;
    }
    if (current.version !== version) throw new Error(`case ${id} at version ${current.version}, expected ${version}`);
    await sleep(150 + Math.random() * 300);
  }
}

async function writer(n: number): Promise<void> {
  const cookie = await signIn("yumen.clerk");
  if (!cookie) return;
  for (let i = 0; !stopping; i++) {
    const title = `崩溃测试 ${run} w${n} #${i}`;
    const made = await register(cookie, title, `crash-${run}-w${n}-${i}`);
    if (!made) return;
    acknowledged.cases.set(title, made);
    counts.registrationsAcknowledged++;
    if (stopping) return;
    // return → resubmit → accept: three transitions, each a version step.
    let v = await transition(cookie, made.id, 1, "return", { reason: "材料不全，请补正" });
    v = await transition(cookie, made.id, v, "resubmit", {});
    await transition(cookie, made.id, v, "accept", {});
  }
}

// ----------------------------------------------------------------------------- supervisor

await startApi();
say(`API on ${origin}; ${WRITERS} writers, ${KILLS} kills, ${PG_RESTARTS} PostgreSQL restart(s)`);
const writers = Array.from({ length: WRITERS }, (_, n) => writer(n));
const pgRestartAt = new Set(
  Array.from({ length: PG_RESTARTS }, (_, i) => Math.floor(((i + 1) * KILLS) / (PG_RESTARTS + 1))),
);

for (let kill = 1; kill <= KILLS; kill++) {
  await sleep(300 + Math.random() * 900);
  const victim = api!;
  planned = true;
  victim.child.kill("SIGKILL");
  await victim.exited;
  counts.apiKills++;
  if (pgRestartAt.has(kill)) {
    // The API is down; PostgreSQL goes down hard too, with whatever the last requests left in flight.
    await cluster.stopImmediately();
    cluster = await startEmbeddedPostgres(pgOptions);
    counts.postgresRestarts++;
    say(`kill ${kill}: PostgreSQL restarted in immediate mode (crash recovery)`);
  }
  await startApi();
  counts.apiRestarts++;
  if (kill % 5 === 0) say(`kill ${kill}: ${counts.registrationsAcknowledged} cases acknowledged so far`);
}
// One more PostgreSQL crash with the API up and writing, unless none were asked for.
if (PG_RESTARTS > 0) {
  await sleep(500);
  await cluster.stopImmediately();
  cluster = await startEmbeddedPostgres(pgOptions);
  counts.postgresRestarts++;
  say("PostgreSQL restarted in immediate mode under a running API");
}
await sleep(1500);
stopping = true;
// Writers finish the operation they are in (learning its outcome), then stop.
const writersDone = await Promise.race([Promise.all(writers).then(() => true), sleep(120_000).then(() => false)]);
if (!writersDone) {
  console.error(`FAILED: writers did not finish within 120 s of the stop\n${api!.lines().slice(-10).join("\n")}`);
  process.exit(1);
}
planned = true;
api!.child.kill("SIGTERM");
await api!.exited;

// ----------------------------------------------------------------------------------- checks

const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
const problems: string[] = [];
try {
  type Stored = { id: string; code: string; title: string; version: number; event_seq: number };
  const rows = await sql<Stored[]>`
    select id, code, title, version, event_seq from app.cases where title like ${`崩溃测试 ${run} %`}`;
  const byTitle = new Map<string, Stored[]>();
  for (const r of rows) byTitle.set(r.title, [...(byTitle.get(r.title) ?? []), r]);
  let lost = 0;
  let duplicates = 0;
  for (const [title, ack] of acknowledged.cases) {
    const found = byTitle.get(title) ?? [];
    if (found.length === 0) lost++;
    else if (found[0]!.id !== ack.id || found[0]!.code !== ack.code)
      problems.push(`${title}: acknowledged ${ack.code}, stored ${found[0]!.code}`);
  }
  for (const [title, found] of byTitle) {
    if (found.length > 1) duplicates += found.length - 1;
    if (!attempted.has(title)) problems.push(`${title}: stored but never sent`);
  }
  const byId = new Map(rows.map((r) => [r.id, r]));
  let transitionsLost = 0;
  for (const t of acknowledged.transitions) if ((byId.get(t.id)?.version ?? 0) < t.version) transitionsLost++;

  // Nothing half-applied: every stored case has its parties, both clocks, its registration event
  // first, a timeline whose length the case row knows, and one transition event per version step.
  const incomplete = await sql<{ code: string; why: string }[]>`
    select c.code, concat_ws(', ',
        case when not exists (select from app.case_parties p where p.case_id = c.id) then 'no parties' end,
        case when (select count(*) from app.case_deadlines d where d.case_id = c.id
                   and d.stage in ('first_contact', 'resolution')) < 2 then 'clocks missing' end,
        case when (select kind from app.case_events e where e.case_id = c.id and e.seq = 1) is distinct from 'case.registered'
          then 'no registration event' end,
        case when (select count(*) from app.case_events e where e.case_id = c.id) <> c.event_seq then 'timeline length' end,
        case when (select count(*) from app.case_events e where e.case_id = c.id and e.kind in ('case.return', 'case.resubmit', 'case.accept'))
                  <> c.version - 1 then 'version without its event' end,
        case when not exists (select from app.idempotency_keys k where k.response->>'id' = c.id::text) then 'key not settled' end
      ) as why
    from app.cases c where c.title like ${`崩溃测试 ${run} %`}`;
  const halfApplied = incomplete.filter((r) => r.why !== "");
  for (const r of halfApplied.slice(0, 10)) problems.push(`${r.code}: ${r.why}`);
  const [unsettled] = await sql<{ n: number }[]>`
    select count(*)::int as n from app.idempotency_keys where key like ${`crash-${run}-%`} and response is null`;
  if (unsettled!.n > 0) problems.push(`${unsettled!.n} idempotency keys without their case`);

  // Gapless codes: per unit and year, 1..n with the counter at n.
  const gaps = await sql<{ scope_code: string; year: number; n: number; max: number; last: number }[]>`
    select c.scope_code, c.year, count(*)::int as n, max(c.seq)::int as max, k.last
    from app.cases c join app.case_counters k on k.scope_code = c.scope_code and k.year = c.year
    group by c.scope_code, c.year, k.last
    having count(*) <> max(c.seq) or max(c.seq) <> k.last or min(c.seq) <> 1`;
  for (const g of gaps)
    problems.push(`codes of ${g.scope_code}/${g.year}: ${g.n} cases, highest ${g.max}, counter ${g.last}`);

  const chains = await verifyCaseChains(sql);
  for (const b of chains.broken.slice(0, 10)) problems.push(`chain of ${b.code} broken at #${b.seq} (${b.reason})`);

  const unacknowledgedStored = rows.filter((r) => !acknowledged.cases.has(r.title)).length;
  if (lost) problems.push(`${lost} acknowledged cases lost`);
  if (duplicates) problems.push(`${duplicates} duplicate cases`);
  if (transitionsLost) problems.push(`${transitionsLost} acknowledged transitions lost`);
  console.log(
    JSON.stringify(
      {
        ...counts,
        casesStored: rows.length,
        storedWithoutAcknowledgement: unacknowledgedStored,
        lost,
        transitionsLost,
        duplicates,
        halfApplied: halfApplied.length,
        codeGaps: gaps.length,
        chainsChecked: chains.cases,
        eventsChecked: chains.events,
        chainsBroken: chains.broken.length,
        seconds: Math.round((Date.now() - started) / 1000),
      },
      null,
      2,
    ),
  );
  if (counts.apiKills < KILLS) problems.push(`only ${counts.apiKills} kills`);
  for (const exit of unplannedExits) problems.push(`the API exited without being killed (${exit})`);
  if (counts.registrationsAcknowledged === 0) problems.push("no write was acknowledged: the test proved nothing");
} finally {
  await sql.end();
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(`FAILED:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
say(
  `passed: ${counts.registrationsAcknowledged} cases and ${counts.transitionsAcknowledged} transitions acknowledged, none lost`,
);
process.exit(0);
