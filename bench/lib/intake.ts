import { randomBytes } from "node:crypto";
import { registerCase } from "@zongzhi/api/services/cases";
import type { FieldCipher } from "@zongzhi/crypto";
import { createPool, type Sql, withScope } from "@zongzhi/db/client";
import { chinaToday, idCardCheckDigit } from "@zongzhi/domain";
import { type Captured, captureService } from "./explain.ts";
import type { Figure } from "./figures.ts";
import { closedLoop, type LoadResult, login, sampler, trpc } from "./http.ts";
import { fmt } from "./lists.ts";
import { load, round } from "./stats.ts";
import type { BenchUnit } from "./units.ts";

const PASSWORD = "Zongzhi@2026";

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

/**
 * The same work as one intake as raw SQL, as zz_app with RLS on: the statements
 * `registerCase` sends today (category check, counter, case, two parties, repeat-claimant
 * links, two clock policies and clocks, the first timeline event), one round trip each,
 * no application code between them.
 */
async function rawIntake(app: Sql, unit: BenchUnit): Promise<void> {
  const scope = unit.code;
  const year = Number(chinaToday().slice(0, 4));
  await withScope(app, unit.ctx, async ({ sql }) => {
    await sql`select 1 from ref.case_categories where code = ${"neighbour"}
      union all select 1 from app.case_categories where code = ${"neighbour"} and active limit 1`;
    const [counter] = await sql<{ last: number }[]>`insert into app.case_counters (scope_code, year, last)
      values (${scope}, ${year}, 1) on conflict (scope_code, year) do update set last = case_counters.last + 1 returning last`;
    const code = `${scope}-${year}-${String(counter?.last).padStart(6, "0")}`;
    const [row] = await sql<{ id: string }[]>`insert into app.cases (scope_code, owner_code, code, year, seq,
        category_code, channel, title, description, location_code, address_enc, address_masked, people_count,
        amount_cents, group_dispute, risk_grade, difficulty, lookup_digest, registered_by)
      values (${scope}, ${scope}, ${code}, ${year}, ${counter?.last ?? 0}, 'neighbour', 'visit', ${`基准测试 ${code}`},
        '双方因宅基地边界发生争执，申请调解。', ${scope}, null, null, 2, null, false, 'none', 'simple', ${randomBytes(16)},
        ${unit.ctx.userId})
      returning id`;
    const id = row?.id as string;
    const index = randomBytes(16);
    for (const role of ["applicant", "respondent"]) {
      await sql`insert into app.case_parties (case_id, role, kind, name_enc, name_masked, id_number_enc, id_number_index,
          id_number_masked, phone_enc, phone_index, phone_masked, address_enc, address_masked, org_code)
        values (${id}, ${role}, 'person', ${randomBytes(40)}, '张*', ${role === "applicant" ? randomBytes(48) : null},
          ${role === "applicant" ? index : null}, ${role === "applicant" ? "620***********1234" : null}, ${randomBytes(40)},
          ${randomBytes(16)}, '139****5678', null, null, null)`;
    }
    await sql`insert into app.case_links (case_id, related_id, reason)
      select distinct ${id}::uuid, cp.case_id, 'repeat_claimant' from app.case_parties cp
      where cp.id_number_index in (select decode(x, 'hex') from unnest(${[index.toString("hex")]}::text[]) as x)
        and cp.case_id <> ${id}
      on conflict do nothing`;
    for (const stage of ["first_contact", "resolution"]) {
      await sql`select id, scope_code as "scopeCode", category_code as "categoryCode", stage, amount, unit,
          yellow_share::float as "yellowShare", version from app.deadline_policies where stage = ${stage}`;
      const now = new Date();
      await sql`insert into app.case_deadlines (case_id, stage, owner_code, policy_id, policy_version, amount, unit,
          yellow_share, started_at, due_at, ref_id)
        values (${id}, ${stage}, ${scope}, null, 0, ${stage === "resolution" ? 30 : 3},
          ${stage === "resolution" ? "calendar_days" : "working_days"}, 0.333, ${now},
          ${new Date(now.getTime() + 3 * 86_400_000)}, null)`;
    }
    await sql`insert into app.case_events (case_id, actor_id, actor_scope, kind, payload)
      values (${id}, ${unit.ctx.userId}, ${scope}, 'case.registered',
        ${sql.json({ code, channel: "visit", category: "neighbour", groupDispute: false, riskGrade: "none", parties: 2 })})`;
  });
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
    const http = await closedLoop(clients, seconds, async (client, i) => {
      const unit = unitOf(client, i);
      await trpc(api.origin, await cookieOf(unit, client), "mutation", "cases.register", intakeInput(unit));
    });
    const raw = createPool(appUrl, { max: clients });
    const sqlRun = await closedLoop(clients, seconds, (client, i) => rawIntake(raw, unitOf(client, i)));
    await raw.end({ timeout: 5 });
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
