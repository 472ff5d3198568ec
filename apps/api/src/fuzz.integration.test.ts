import { listProcedures, type ProcedureInfo } from "@zongzhi/api/procedures";
import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DEMO_PASSWORD } from "./demo.ts";
import {
  describe as describeInput,
  encode,
  type FuzzInput,
  fuzzInputArb,
  httpBodyArb,
  type IdSource,
  inputJsonSchema,
  pathParamArb,
} from "./fuzz-inputs.ts";
import { startTestApi, type TestApi } from "./test-harness.ts";

/**
 * Every procedure of the router, read at run time, gets a few hundred hostile inputs through the
 * real HTTP app as a powerful user of a real tenant: no answer may be a 5xx, every refusal must
 * carry our bilingual message (never a JavaScript internal), and no row of another deployment
 * may change. FUZZ_SEED replays a run; FUZZ_RUNS sets the inputs per procedure.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 4);
const OWN = "620981"; // Yumen county: the actor's unit, with the demo centre and cases below it
const FOREIGN = "140881"; // Yongji: another deployment, whose rows must not change
/** Text that means a JavaScript or driver internal reached the user. */
const INTERNALS =
  /Maximum call stack|BigInt|is not iterable|is not a function|Cannot read|Unexpected token|in JSON at|undefined|TypeError|SyntaxError|RangeError|\bat .*\.(ts|js)|Invalid regular expression|postgres|SQL/i;

let api: TestApi;
const cookies = new Map<string, string>();
let ownIds: Map<string, string[]>;
let foreignIds: Map<string, string[]>;

beforeAll(async () => {
  api = await startTestApi({ centres: true, cases: true });
  await seedForeignDeployment();
  // The actor: every role a county centre can hold in one account, so that (almost) every
  // procedure lets it in; the audit administrator's is another account (separation of duties).
  await api.db.admin`insert into app.users (tenant_id, username, display_name, roles, password_hash,
      must_change_password, password_changed_at)
    select tenant_id, 'fuzz.actor', '模糊测试', array['tenant_admin','leader','intake_clerk','mediator',
      'department_liaison'], password_hash, false, now()
    from app.users where username = 'yumen.admin'`;
  await api.db.admin`insert into app.users (tenant_id, username, display_name, roles, password_hash,
      must_change_password, password_changed_at)
    select tenant_id, 'fuzz.auditor', '模糊测试审计员', array['auditor'], password_hash, false, now()
    from app.users where username = 'yumen.admin'`;
  ownIds = await idsUnder(OWN);
  foreignIds = await idsUnder(FOREIGN);
}, 180_000);
afterAll(() => api?.close());

/** Rows of every kind in the other deployment, so that foreign ids of every table exist. */
async function seedForeignDeployment() {
  const c = api.client(await api.login("yongji.admin"));
  const stationing = await c.centre.station.mutate({
    kindCode: "court",
    name: "永济市人民法院",
    residency: "permanent",
  });
  await c.centre.createWindow.mutate({ number: 1, name: "综合受理", stationingId: stationing.id });
  const mediator = await c.centre.addMediator.mutate({ name: "王调解", grade: "senior", affiliation: "committee" });
  const room = await c.centre.createRoom.mutate({
    name: "第一调解室",
    kind: "general",
    capacity: 6,
    area: "resolution",
  });
  await c.centre.saveCommittee.mutate({
    name: "永济市联合人民调解委员会",
    field: "joint",
    members: [{ mediatorId: mediator.id, role: "director" }],
  });
  const starts = new Date(Date.now() + 3 * 86400e3);
  await c.centre.book.mutate({
    roomId: room.id,
    startsAt: starts,
    endsAt: new Date(starts.getTime() + 3600e3),
    title: "调解",
    mediatorIds: [mediator.id],
  });
  await c.cases.register.mutate({
    categoryCode: "labour",
    channel: "visit",
    title: "拖欠工资",
    description: "三名工人被拖欠工资。",
    locationCode: "140881100",
    parties: [{ role: "applicant", kind: "person", name: "赵某" }],
  });
}

/** Ids of every table's rows in a subtree, by table name (read as the owner). */
async function idsUnder(code: string): Promise<Map<string, string[]>> {
  const tables = await api.db.admin<{ table: string }[]>`
    select c.table_name as table from information_schema.columns c
    join information_schema.columns s on s.table_schema = c.table_schema and s.table_name = c.table_name
      and s.column_name = 'scope_code'
    where c.table_schema = 'app' and c.column_name = 'id' and c.data_type = 'uuid'`;
  const out = new Map<string, string[]>();
  for (const { table } of tables) {
    const rows = await api.db.admin.unsafe<{ id: string }[]>(
      `select id::text from app.${table} where scope_code >= $1 and scope_code < $1 || ':' order by id limit 50`,
      [code],
    );
    if (rows.length)
      out.set(
        table,
        rows.map((r) => r.id),
      );
  }
  const tenants = await api.db.admin<{ id: string }[]>`
    select id::text from app.tenants where code >= ${code} and code < ${code} || ':' order by code limit 50`;
  out.set(
    "tenants",
    tenants.map((r) => r.id),
  );
  return out;
}

/** A digest of every row of a subtree, in every schema, read as the owner. */
async function digestUnder(code: string): Promise<Record<string, string>> {
  const tables = await api.db.admin<{ schema: string; table: string; column: string }[]>`
    select table_schema as schema, table_name as table, column_name as column from information_schema.columns
    where table_schema in ('app', 'auth') and column_name in ('scope_code', 'code', 'root_code')
      and (column_name = 'scope_code' or table_name = 'tenants')
    order by 1, 2, 3`;
  const out: Record<string, string> = {};
  for (const { schema, table, column } of tables) {
    const [row] = await api.db.admin.unsafe<{ n: number; digest: string | null }[]>(
      `select count(*)::int as n, md5(string_agg(t::text, '|' order by t::text)) as digest
       from ${schema}.${table} t where ${column} >= $1 and ${column} < $1 || ':'`,
      [code],
    );
    out[`${schema}.${table}.${column}`] = `${row!.n}:${row!.digest}`;
  }
  return out;
}

/** Ids for a field: rows of the table its name points at (own or foreign), any row, or random. */
function idSource(procedure: string): IdSource {
  const words = procedure.split(/[.]|(?=[A-Z])/).map((w) => w.toLowerCase());
  const tableFor = (pool: Map<string, string[]>, field: string | undefined) => {
    const stem = (field ?? "")
      .replace(/Ids?$/, "")
      .replace(/^.*(?=[A-Z])/, "")
      .toLowerCase();
    const hints = stem && stem !== "id" ? [stem] : words;
    for (const hint of hints) {
      for (const [table, ids] of pool) if (hint.length > 2 && table.includes(hint)) return ids;
    }
    return [...pool.values()].flat();
  };
  return (field) => {
    const own = tableFor(ownIds, field);
    const foreign = tableFor(foreignIds, field);
    return fc.oneof(
      { weight: 5, arbitrary: own.length ? fc.constantFrom(...own) : fc.uuid() },
      { weight: 2, arbitrary: foreign.length ? fc.constantFrom(...foreign) : fc.uuid() },
      { weight: 2, arbitrary: fc.uuid({ version: 4 }) },
    );
  };
}

/** A path segment for a parameter; one JavaScript cannot encode (a lone surrogate) goes as broken percent-encoding. */
function pathSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%ED%A0%80%zz";
  }
}

/** A stable seed per procedure: adding a procedure does not change the inputs of the others. */
function seedOf(path: string): number {
  let h = SEED | 0;
  for (const ch of path) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

interface Answer {
  status: number;
  body: string;
  requestId: string;
}

async function call(p: ProcedureInfo, cookie: string, input: FuzzInput): Promise<Answer> {
  const text = encode(input);
  const res =
    p.type === "query"
      ? await api.request(`/trpc/${p.path}${text === null ? "" : `?input=${encodeURIComponent(text)}`}`, { cookie })
      : await api.request(`/trpc/${p.path}`, {
          method: "POST",
          cookie,
          headers: { "content-type": "application/json" },
          ...(text === null ? {} : { body: text }),
        });
  return { status: res.status, body: await res.text(), requestId: res.headers.get("x-request-id") ?? "" };
}

/** The error data of a refusal: tRPC's (superjson-encoded), or a plain HTTP problem (e.g. a 413). */
function errorData(body: string): { appCode?: string; zh?: string; en?: string; message?: string } | null {
  try {
    const parsed = JSON.parse(body) as {
      error?: { json?: { message?: string; data?: Record<string, string> } };
      code?: string;
      zh?: string;
      en?: string;
    };
    const e = parsed.error?.json;
    if (e) return { ...e.data, message: e.message };
    return parsed.code ? { appCode: parsed.code, zh: parsed.zh, en: parsed.en } : null;
  } catch {
    return null;
  }
}

/** Who can call a procedure at all: the county actor, else the county's auditor, else the operator. */
async function actorFor(p: ProcedureInfo): Promise<string> {
  for (const who of ["fuzz.actor", "fuzz.auditor", "operator"]) {
    const answer = await call(p, await session(who), { kind: "value", label: "probe", value: {} });
    if (errorData(answer.body)?.appCode !== "FORBIDDEN") return who;
  }
  return "fuzz.actor";
}

async function session(who: string): Promise<string> {
  let cookie = cookies.get(who);
  if (!cookie) {
    cookie = await api.login(who, DEMO_PASSWORD);
    cookies.set(who, cookie);
  }
  return cookie;
}

/** Undoes what a fuzzed call may legitimately do to the actor itself (disable, lock, sign out). */
async function repair(who: string) {
  await api.db.admin`update app.users set status = 'active', failed_attempts = 0, locked_until = null,
      must_change_password = false, totp_key = null, totp_enabled_at = null where username = ${who}`;
  await api.db.admin`update app.tenants set status = 'active', require_totp = false
    where ${OWN} like code || '%' or code = '62'`;
  cookies.delete(who);
}

const SESSION_LOST = new Set([
  "UNAUTHENTICATED",
  "PASSWORD_CHANGE_REQUIRED",
  "MFA_ENROLMENT_REQUIRED",
  "ACCOUNT_LOCKED",
]);

/** Distinct lines with their counts. */
function summary(lines: string[]): string {
  const counts = new Map<string, number>();
  for (const l of lines) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].map(([l, n]) => `${n} × ${l}`).join("\n");
}

/** What the fuzz run saw, for the report and the assertions. */
interface Findings {
  sent: number;
  statuses: Map<number, number>;
  /** Answers >= 500, with the input and the server's log line. */
  failures: string[];
  /** 5xx answers by procedure and error message. */
  classes: Map<string, number>;
  /** Refusals without our bilingual message, or echoing internals. */
  unclear: string[];
  /** All-optional inputs refused when sent with no input at all. */
  emptyRefused: string[];
  repairs: string[];
  validPools: string[];
  timings: [string, number][];
}

async function fuzz(who: string, p: ProcedureInfo, found: Findings) {
  const started = performance.now();
  const schema = inputJsonSchema(p.inputs);
  const accepts = (v: unknown) => p.inputs.every((s) => s.safeParse(v).success);
  const { arbitrary, validPool } = fuzzInputArb(schema, idSource(p.path), accepts, seedOf(p.path));
  found.validPools.push(`${p.path}:${validPool}`);
  const inputs: FuzzInput[] = [
    { kind: "none", label: "no input" },
    ...fc.sample(arbitrary, { numRuns: RUNS, seed: seedOf(p.path) }),
  ];
  const one = async (input: FuzzInput) => {
    const answer = await call(p, await session(who), input);
    found.sent++;
    found.statuses.set(answer.status, (found.statuses.get(answer.status) ?? 0) + 1);
    const data = errorData(answer.body);
    if (answer.status >= 500) {
      const log = api.logs.find((l) => l.includes('"level":50') && l.includes(answer.requestId))?.slice(0, 600);
      found.failures.push(
        `${p.path} → ${answer.status} for ${describeInput(input)}\n    ${log ?? answer.body.slice(0, 300)}`,
      );
      const key = `${p.path}: ${/"message":"([^"]{0,80})/.exec(log ?? "")?.[1] ?? "?"}`;
      found.classes.set(key, (found.classes.get(key) ?? 0) + 1);
    } else if (answer.status >= 400) {
      if (!data?.zh || !data.en || INTERNALS.test(`${data.zh} ${data.en} ${data.message ?? ""}`)) {
        found.unclear.push(`${p.path} → ${answer.status} ${answer.body.slice(0, 200)} for ${describeInput(input)}`);
      }
      if (input.kind === "none" && accepts({}) && data?.appCode === "VALIDATION") found.emptyRefused.push(p.path);
    }
    if (data?.appCode && SESSION_LOST.has(data.appCode)) {
      found.repairs.push(`${p.path}: ${data.appCode} after ${input.label}`);
      await repair(who);
    }
  };
  // A few requests in flight keep both cores busy (the server and PostgreSQL); FUZZ_CONCURRENCY=1 replays in order.
  const queue = [...inputs];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let input = queue.shift(); input; input = queue.shift()) await one(input);
    }),
  );
  found.timings.push([p.path, performance.now() - started]);
}

it("every procedure answers hostile inputs with a clear 4xx and changes no other deployment's rows", async () => {
  const started = performance.now();
  const procedures = listProcedures();
  const byActor = new Map<string, ProcedureInfo[]>();
  for (const p of procedures) {
    const who = await actorFor(p);
    byActor.set(who, [...(byActor.get(who) ?? []), p]);
  }
  const found: Findings = {
    sent: 0,
    statuses: new Map(),
    failures: [],
    classes: new Map(),
    unclear: [],
    emptyRefused: [],
    repairs: [],
    validPools: [],
    timings: [],
  };

  const foreignBefore = await digestUnder(FOREIGN);
  for (const p of byActor.get("fuzz.actor") ?? []) await fuzz("fuzz.actor", p, found);
  for (const p of byActor.get("fuzz.auditor") ?? []) await fuzz("fuzz.auditor", p, found);
  const foreignAfter = await digestUnder(FOREIGN);
  // Operators act across deployments by design: fuzzed after the isolation check.
  for (const p of byActor.get("operator") ?? []) await fuzz("operator", p, found);

  // The error map's backstop answers 400 to a value PostgreSQL refused (SQLSTATE class 22), and
  // logs it: each such line is an input check missing, so none may appear.
  const backstop = api.logs
    .filter((l) => l.includes("database refused a value the input checks let through"))
    .map((l) => JSON.parse(l) as { path?: string; sqlstate?: string; reason?: string })
    .map((l) => `${l.path} ${l.sqlstate} ${l.reason}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const statuses = JSON.stringify(Object.fromEntries([...found.statuses].sort()));
  console.log(
    `fuzz: ${procedures.length} procedures (${byActor.get("operator")?.length ?? 0} as operator), ${found.sent} inputs, ` +
      `seed ${SEED} (replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} FUZZ_CONCURRENCY=1), ${seconds} s, statuses ${statuses}, ` +
      `${found.failures.length} answers >= 500, ${backstop.length} values only the database refused, ` +
      `${found.unclear.length} unclear refusals, ${found.repairs.length} actor repairs`,
  );
  const slowest = found.timings.sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(`slowest: ${slowest.map(([path, ms]) => `${path} ${(ms / 1000).toFixed(1)} s`).join(", ")}`);
  console.log(`valid-shaped inputs per procedure (of 400 candidates): ${found.validPools.join(" ")}`);
  if (found.repairs.length) console.log(`actor repairs: ${found.repairs.slice(0, 20).join("; ")}`);
  if (found.classes.size) console.log([...found.classes].map(([k, n]) => `${n} × ${k}`).join("\n"));
  if (found.failures.length) console.log(found.failures.slice(0, 30).join("\n"));
  if (backstop.length) console.log(`refused by the database only:\n${summary(backstop)}`);
  if (found.unclear.length) console.log(found.unclear.slice(0, 40).join("\n"));
  expect(procedures.length).toBeGreaterThan(50);
  expect(found.failures, `seed ${SEED}`).toEqual([]);
  expect(backstop, `seed ${SEED}`).toEqual([]);
  expect(found.unclear, `seed ${SEED}`).toEqual([]);
  expect(found.emptyRefused, "all-optional inputs sent with no input").toEqual([]);
  expect(foreignAfter).toEqual(foreignBefore);
}, 600_000);

it("every route outside tRPC answers hostile bodies and path parameters with a clear 4xx", async () => {
  // The app's own route table, read at run time: every POST, and every GET that takes a parameter.
  const routes = [
    ...new Map(
      api.app.routes
        .filter((r) => r.path !== "*" && !r.path.startsWith("/trpc"))
        .filter((r) => r.method === "POST" || (r.method === "GET" && r.path.includes(":")))
        .map((r) => [`${r.method} ${r.path}`, r]),
    ).values(),
  ];
  const actor = await session("fuzz.actor");
  const failures: string[] = [];
  let sent = 0;
  const statuses = new Map<number, number>();
  for (const route of routes) {
    // Sign-in and the public pages are tried as an anonymous client (a signed-in one would sign out).
    const cookie = route.path.startsWith("/auth/") || route.path.startsWith("/public/") ? undefined : actor;
    const inputs = fc.sample(fc.tuple(httpBodyArb(), pathParamArb), { numRuns: 60, seed: seedOf(route.path) });
    for (const [body, param] of inputs) {
      const path = route.path.replace(/:[a-z]+/gi, pathSegment(param));
      const res = await api.request(path, {
        method: route.method,
        ...(cookie ? { cookie } : {}),
        ...(route.method === "POST" ? { headers: { "content-type": "application/json" }, body: body.text } : {}),
      });
      sent++;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      const data = errorData(text);
      const unclear = res.status >= 400 && (!data?.zh || !data.en || INTERNALS.test(`${data.zh} ${data.en}`));
      if (res.status >= 500 || unclear) {
        failures.push(
          `${route.method} ${path.slice(0, 80)} → ${res.status} ${text.slice(0, 200)} for ${body.label}: ${body.text.slice(0, 200)}`,
        );
      }
    }
  }
  console.log(
    `fuzz: ${routes.length} HTTP routes (${routes.map((r) => `${r.method} ${r.path}`).join(", ")}), ${sent} inputs, ` +
      `seed ${SEED}, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`,
  );
  if (failures.length) console.log(failures.slice(0, 30).join("\n"));
  expect(routes.length).toBeGreaterThan(5);
  expect(failures, `seed ${SEED}`).toEqual([]);
}, 300_000);
