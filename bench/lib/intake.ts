import { randomBytes } from "node:crypto";
import { recordOperation } from "@zongzhi/api/services/audit";
import { registerCase } from "@zongzhi/api/services/cases";
import type { FieldCipher } from "@zongzhi/crypto";
import { createPool, type Sql, withScope } from "@zongzhi/db/client";
import { chinaToday, idCardCheckDigit } from "@zongzhi/domain";
import { type Captured, captureService } from "./explain.ts";
import type { Figure } from "./figures.ts";
import { closedLoop, type LoadResult, login, mergeLoads, sampler, trpc } from "./http.ts";
import { fmt } from "./lists.ts";
import { load, round } from "./stats.ts";
import type { BenchUnit } from "./units.ts";

const PASSWORD = "Zongzhi@2026";
/** Turns HTTP and raw SQL take at each concurrency. */
const ROUNDS = 4;

let serial = 0;

function idNumber(county: string): string {
  const n = serial++;
  const first17 = `${county}19${String(60 + (n % 40)).padStart(2, "0")}0${1 + (n % 9)}1${n % 10}${String(n % 1000).padStart(3, "0")}`;
  return first17 + idCardCheckDigit(first17);
}

/** An intake as the UI sends it: two parties with ID numbers and phones. */
export function intakeInput(unit: BenchUnit) {
  const n = serial++;
  return {
    categoryCode: "neighbour",
    channel: "visit",
    title: `基准测试登记 ${n} 宅基地边界纠纷`,
    description: "双方因宅基地边界发生争执，申请调解。",
    locationCode: unit.code,
    peopleCount: 2,
    groupDispute: false,
    riskGrade: "none",
    difficulty: "simple",
    parties: [
      {
        role: "applicant",
        kind: "person",
        name: "张三",
        idNumber: idNumber(unit.code.slice(0, 6)),
        phone: `139${String(10_000_000 + (n % 89_999_999)).padStart(8, "0")}`,
      },
      { role: "respondent", kind: "person", name: "李四", phone: `138${String(20_000_000 + (n % 79_999_999))}` },
    ],
  } as const;
}

const hex = () => randomBytes(40).toString("hex");

/**
 * The same work as one intake as raw SQL, as zz_app with RLS on: the statements
 * `cases.register` sends (migration 0034), with values made up front instead of by the service
 * (random bytes for ciphertexts and indexes, fixed clocks): the tenant transaction
 * (BEGIN + settings + `app.intake_open`, one round trip; `app.intake_record` + COMMIT, one round
 * trip) and then the operation log's transaction (BEGIN + settings + its one INSERT + COMMIT, one
 * round trip, `recordOperation` as the API calls it). Not included: the session check, HTTP,
 * tRPC, input parsing, encryption (what the service adds on top is what the figure measures).
 */
async function rawIntake(app: Sql, unit: BenchUnit): Promise<void> {
  const scope = unit.code;
  const year = Number(chinaToday().slice(0, 4));
  const n = serial++;
  const title = `基准测试登记 ${n} 宅基地边界纠纷`;
  const id = await withScope(app, unit.ctx, async (tx) => {
    const [opened] = await tx.sql<{ seq: number }[]>`select seq, category_known, prior_hash, prior_response, rules,
        calendar
      from app.intake_open(${year}, ${"neighbour"}, ${null}, ${null})`;
    const seq = opened?.seq as number;
    const code = `${scope}-${year}-${String(seq).padStart(6, "0")}`;
    const at = new Date();
    const party = (role: string, withId: boolean) => ({
      role,
      kind: "person",
      name_enc: hex(),
      name_masked: "张*",
      id_number_enc: withId ? hex() : null,
      id_number_index: withId ? randomBytes(16).toString("hex") : null,
      id_number_masked: withId ? "620***********1234" : null,
      phone_enc: hex(),
      phone_index: randomBytes(16).toString("hex"),
      phone_masked: "139****5678",
      address_enc: null,
      address_masked: null,
      org_code: null,
    });
    const clock = (stage: string, amount: number, unit: string) => ({
      stage,
      policy_id: null,
      policy_version: 0,
      amount,
      unit,
      yellow_share: 1 / 3,
      due_at: new Date(at.getTime() + 3 * 86_400_000).toISOString(),
    });
    const event = { code, channel: "visit", category: "neighbour", groupDispute: false, riskGrade: "none", parties: 2 };
    const [row] = await tx.commitAfter(
      tx.sql<{ id: string }[]>`select app.intake_record(${year}, ${seq}, ${"neighbour"}, ${"visit"}, ${title},
        ${"双方因宅基地边界发生争执，申请调解。"}, ${scope}, ${null}, ${null}, ${2}, ${null}, ${false}, ${"none"},
        ${"simple"}, ${randomBytes(16)}, ${tx.sql.json([party("applicant", true), party("respondent", false)])},
        ${tx.sql.json([clock("first_contact", 3, "working_days"), clock("resolution", 30, "calendar_days")])}, ${at},
        ${tx.sql.json(event)}, ${null}) as id`,
    );
    return row?.id as string;
  });
  await withScope(app, unit.ctx, (tx) =>
    recordOperation(
      tx,
      {
        kind: "op.cases.register",
        result: "ok",
        input: {},
        output: { id, code: "", replayed: false },
        ip: "127.0.0.1",
      },
      { last: true },
    ),
  );
}

/** How many statements (round trips) the service sends for one intake, today. */
export async function serviceStatements(
  capture: { sql: Sql; take(): Captured[] },
  unit: BenchUnit,
  cipher: FieldCipher,
): Promise<number> {
  const { statements } = await captureService(capture, unit.ctx, (tx) =>
    registerCase(tx, intakeInput(unit) as never, cipher),
  );
  return statements.length;
}

function rateFigure(name: string, r: LoadResult, extra: Partial<Figure> = {}): Figure {
  return {
    section: "http",
    name,
    service: r.latency,
    rate: { perSecond: round(r.perSecond, 1), clients: r.clients, seconds: r.seconds },
    load: load(),
    ...(r.errors ? { note: `${r.errors} errors: ${r.firstError}` } : {}),
    ...extra,
  };
}

/**
 * Intake through HTTP (`cases.register`) against the same work as raw SQL transactions, side
 * by side with the same concurrency; then case detail and the province list through HTTP; the
 * API process's RSS throughout.
 */
export async function httpFigures(
  api: { origin: string; rss(): number },
  appUrl: string,
  townships: BenchUnit[],
  county: BenchUnit,
  province: BenchUnit,
  caseIds: string[],
  seconds: number,
  log: (s: string) => void,
): Promise<Figure[]> {
  const out: Figure[] = [];
  const rss = sampler(() => api.rss());
  const cookies = new Map<string, string>();
  const cookieOf = async (u: BenchUnit, slot: number) => {
    const key = `${u.username}#${slot}`;
    let c = cookies.get(key);
    if (!c) {
      c = await login(api.origin, u.username, PASSWORD);
      cookies.set(key, c);
    }
    return c;
  };
  for (const clients of [8, 16]) {
    // Each client works for townships (client i: i, i + clients, …), as 16 windows would.
    const unitOf = (client: number, i: number) =>
      townships[
        (client + clients * (i % Math.max(1, Math.floor(townships.length / clients)))) % townships.length
      ] as BenchUnit;
    for (let c = 0; c < clients; c++) for (let i = 0; i < 2; i++) await cookieOf(unitOf(c, i), c);
    // Side by side: four rounds, HTTP and raw SQL taking turns (and turns at going first), so
    // that a change in the machine's load during the run falls on both alike.
    const raw = createPool(appUrl, { max: clients });
    const httpRuns: LoadResult[] = [];
    const sqlRuns: LoadResult[] = [];
    const slice = Math.max(1, seconds / ROUNDS);
    for (let round = 0; round < ROUNDS; round++) {
      const warmup = round === 0 ? 2 : 1;
      const viaHttp = () =>
        closedLoop(
          clients,
          slice,
          async (client, i) => {
            const unit = unitOf(client, i);
            await trpc(api.origin, await cookieOf(unit, client), "mutation", "cases.register", intakeInput(unit));
          },
          warmup,
        );
      const viaSql = () => closedLoop(clients, slice, (client, i) => rawIntake(raw, unitOf(client, i)), warmup);
      if (round % 2 === 0) {
        httpRuns.push(await viaHttp());
        sqlRuns.push(await viaSql());
      } else {
        sqlRuns.push(await viaSql());
        httpRuns.push(await viaHttp());
      }
    }
    await raw.end({ timeout: 5 });
    const http = mergeLoads(httpRuns);
    const sqlRun = mergeLoads(sqlRuns);
    const share = http.perSecond / Math.max(sqlRun.perSecond, 0.001);
    out.push(
      rateFigure(`intake via HTTP, ${clients} clients`, http, {
        target: "≥ 80 % of raw SQL",
        verdict: share >= 0.8 ? "pass" : "miss",
        note: `${round(share * 100, 0)} % of raw SQL (${round(sqlRun.perSecond, 1)} tps)${http.errors ? `; ${http.errors} errors: ${http.firstError}` : ""}`,
      }),
      rateFigure(`intake as raw SQL transactions, ${clients} clients (reference)`, sqlRun, { verdict: "info" }),
    );
    log(
      `  intake ${clients} clients: HTTP ${round(http.perSecond, 1)} req/s (p95 ${fmt(http.latency.p95)} ms), raw SQL ${round(sqlRun.perSecond, 1)} tps (p95 ${fmt(sqlRun.latency.p95)} ms) → ${round(share * 100, 0)} %`,
    );
  }
  for (const clients of [8, 16]) {
    for (let c = 0; c < clients; c++) await cookieOf(county, c);
    const detail = await closedLoop(clients, seconds, async (client, i) =>
      trpc(api.origin, await cookieOf(county, client), "query", "cases.get", {
        id: caseIds[(client * 7919 + i) % caseIds.length],
      }),
    );
    out.push(rateFigure(`case detail via HTTP (county), ${clients} clients`, detail, { verdict: "info" }));
    log(`  detail ${clients} clients: ${round(detail.perSecond, 1)} req/s, p95 ${fmt(detail.latency.p95)} ms`);
    for (let c = 0; c < clients; c++) await cookieOf(province, c);
    const list = await closedLoop(clients, seconds, async (client) =>
      trpc(api.origin, await cookieOf(province, client), "query", "cases.list", { limit: 50 }),
    );
    out.push(rateFigure(`province list via HTTP, ${clients} clients`, list, { verdict: "info" }));
    log(`  province list ${clients} clients: ${round(list.perSecond, 1)} req/s, p95 ${fmt(list.latency.p95)} ms`);
  }
  const maxRss = rss.stop();
  out.push({
    section: "http",
    name: "API process RSS under that load (max)",
    target: "< 300 MB",
    verdict: maxRss < 300 ? "pass" : "miss",
    note: `${round(maxRss, 0)} MB`,
    load: load(),
  });
  log(`  API RSS max ${round(maxRss, 0)} MB`);
  return out;
}
