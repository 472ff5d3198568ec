import { createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import { verifyCaseChains } from "@zongzhi/db/case-chain";
import { withScope } from "@zongzhi/db/client";
import { maskPersonName, warningColour } from "@zongzhi/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./database.ts";
import { jsonbText } from "./generate/format.ts";
import { type GenerateResult, generate } from "./generate/index.ts";

// One small province branch (Jiuquan's Yumen and Dunhuang with their townships and villages,
// under the city and the province): all five tiers, a few thousand cases.
const ONLY = ["620981", "620982"];
const ANCHOR = new Date("2026-11-20T03:00:00Z");
const cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));

let db: TestDatabase;
let other: TestDatabase;
let result: GenerateResult;
let catalogBefore: string[];

const catalog = (d: TestDatabase) =>
  d.admin<{ line: string }[]>`select format('%s %s', conrelid::regclass, pg_get_constraintdef(oid)) as line
      from pg_constraint where connamespace = 'app'::regnamespace
    union all select indexdef from pg_indexes where schemaname = 'app' order by 1`.then((rows) =>
    rows.map((r) => r.line),
  );

beforeAll(async () => {
  db = await createTestDatabase();
  other = await createTestDatabase();
  catalogBefore = await catalog(db);
  result = await generate(db.admin, { province: "62", only: ONLY, cases: 3000, seed: 11, anchor: ANCHOR, cipher });
}, 240_000);
afterAll(async () => {
  await db?.close();
  await other?.close();
});

describe("generate", () => {
  it("onboards the branch's real units under the province, each with a staff account", async () => {
    const [t] = await db.admin<{ province: number; city: number; county: number; township: number; village: number }[]>`
      select count(*) filter (where level = 'province')::int as province, count(*) filter (where level = 'city')::int as city,
        count(*) filter (where level = 'county')::int as county, count(*) filter (where level = 'township')::int as township,
        count(*) filter (where level = 'village')::int as village from app.tenants`;
    const [registry] = await db.admin<{ n: number }[]>`select count(*)::int as n from ref.divisions
      where code like '620981%' or code like '620982%'`;
    expect(t).toMatchObject({ province: 1, city: 1, county: 2 });
    expect(t!.township + t!.village + 2).toBe(registry!.n);
    expect(result.units).toBe(registry!.n + 2);
    const [u] = await db.admin`select count(*)::int as n from app.users where username like 'gen.%'`;
    expect(u!.n).toBe(result.units);
  });

  it("puts back every index and constraint it dropped for the load", async () => {
    expect(await catalog(db)).toEqual(catalogBefore);
  });

  it("writes timelines whose hash chains the auditors' check accepts", async () => {
    const report = await verifyCaseChains(db.admin);
    expect(report.cases).toBe(3000);
    expect(report.events).toBe(result.events);
    expect(report.broken).toEqual([]);
    const [mismatch] = await db.admin`select count(*)::int as n from app.cases c
      where c.event_seq <> (select max(seq) from app.case_events e where e.case_id = c.id)
        or c.last_hash <> (select hash from app.case_events e where e.case_id = c.id order by seq desc limit 1)`;
    expect(mismatch!.n).toBe(0);
  });

  it("spreads cases over the tiers in the issue's shares", async () => {
    const rows = await db.admin<{ len: number; n: number }[]>`select length(scope_code) as len, count(*)::int as n
      from app.cases group by 1 order by 1`;
    const share = Object.fromEntries(rows.map((r) => [r.len, r.n / 3000]));
    expect(share[12]).toBeGreaterThan(0.5);
    expect(share[12]).toBeLessThan(0.6);
    expect(share[9]).toBeGreaterThan(0.3);
    expect(share[9]).toBeLessThan(0.4);
    expect(share[6]).toBeGreaterThan(0.06);
    expect(share[4]).toBeGreaterThan(0.01);
    // Escalations reach the upper tiers; a county hands cases sideways now and then.
    const [o] = await db.admin<{ up: number; handler: number; open: number }[]>`select
        count(*) filter (where length(owner_code) < length(scope_code))::int as up,
        count(*) filter (where handler_code is not null)::int as handler,
        count(*) filter (where status not in ('closed', 'archived', 'cancelled', 'duplicate'))::int as open
      from app.cases`;
    expect(o!.up).toBeGreaterThan(100);
    expect(o!.handler).toBeGreaterThan(5);
    expect(o!.open).toBeGreaterThan(30);
  });

  it("gives every case its holdings (0022): the open period is its owner's, finished cases have none open", async () => {
    const [bad] = await db.admin<{ n: number; cases: number }[]>`select count(*)::int as cases,
        count(*) filter (where (h.holder_code is distinct from c.owner_code)
          <> (c.status in ('closed', 'archived', 'cancelled', 'duplicate')))::int as n
      from app.cases c left join app.case_holdings h on h.case_id = c.id and h.held_until is null`;
    expect(bad!.cases).toBe(3000);
    expect(bad!.n).toBe(0);
  });

  it("hands the duty clocks over with the case: every running one belongs to the case's owner", async () => {
    const [c] = await db.admin<{ wrong: number; handed: number; instructions: number }[]>`select
        count(*) filter (where d.completed_at is null and d.stage in ('first_contact', 'resolution', 'follow_up')
          and d.owner_code <> c.owner_code)::int as wrong,
        count(*) filter (where d.handed_over_to is not null)::int as handed,
        count(*) filter (where d.basis = 'instruction')::int as instructions
      from app.case_deadlines d join app.cases c on c.id = d.case_id`;
    expect(c!.wrong).toBe(0);
    expect(c!.handed).toBeGreaterThan(50);
    expect(c!.instructions).toBeGreaterThan(10);
  });

  it("fills what the triggers keep (0030): the cases' worst running colour and the clocks' next turn", async () => {
    const [bad] = await db.admin<{ n: number; turns: number }[]>`select
        (select count(*) from app.cases c where c.deadline_colour is distinct from app.case_worst_colour(c.id))::int as n,
        (select count(*) from app.case_deadlines d where d.completed_at is null and d.paused_since is null
          and d.colour <> 'red' and d.turns_at is null)::int as turns`;
    expect(bad).toEqual({ n: 0, turns: 0 });
  });

  it("numbers cases gaplessly per unit and year and leaves the counters where intake continues", async () => {
    const [bad] = await db.admin`select count(*)::int as n from (select scope_code, year, max(seq) as m, count(*) as c
      from app.cases group by 1, 2) x left join app.case_counters k using (scope_code, year)
      where x.m <> x.c or k.last is distinct from x.m`;
    expect(bad!.n).toBe(0);
  });

  it("colours every open clock as the minute scan would have at the anchor, with a supervision for each red one", async () => {
    const open = await db.admin<{ started_at: Date; due_at: Date; colour: string; supervised: boolean }[]>`
      select d.started_at, d.due_at, d.colour, exists (select 1 from app.supervisions s where s.deadline_id = d.id) as supervised
      from app.case_deadlines d where d.completed_at is null and d.paused_since is null`;
    expect(open.length).toBeGreaterThan(20);
    for (const d of open) {
      expect(d.colour).toBe(warningColour(d.started_at, d.due_at, ANCHOR, 0.333));
      if (d.due_at.getTime() < ANCHOR.getTime() - 60_000) expect(d.supervised).toBe(true);
    }
  });

  it("seals parties with the given keys (names decrypt to what the masks show)", async () => {
    const parties = await db.admin<{ name_enc: Buffer; name_masked: string; scope_code: string; kind: string }[]>`
      select name_enc, name_masked, scope_code, kind from app.case_parties where kind = 'person' limit 50`;
    for (const p of parties) {
      const name = cipher.decrypt(p.name_enc, JSON.stringify(["zongzhi", "case_parties", "name", p.scope_code]));
      expect(maskPersonName(name)).toBe(p.name_masked);
    }
  });

  it("is visible through row-level security exactly as the predicate says", async () => {
    const [village] = await db.admin<{ id: string; code: string }[]>`select t.id, t.code from app.tenants t
      where t.level = 'village' order by (select count(*) from app.cases c where c.scope_code = t.code) desc limit 1`;
    for (const code of [village!.code, village!.code.slice(0, 9), "620981", "6209", "62"]) {
      const [t] = await db.admin<{ id: string }[]>`select id from app.tenants where code = ${code}`;
      const [seen] = await withScope(
        db.app,
        { userId: null, tenantId: t!.id, scope: code, roles: ["tenant_admin"] },
        (tx) => tx.sql<{ n: number }[]>`select count(*)::int as n from app.cases`,
      );
      const [truth] = await db.admin<{ n: number }[]>`select count(*)::int as n from app.cases
        where (scope_code >= ${code} and scope_code < ${`${code}:`}) or (handler_code >= ${code} and handler_code < ${`${code}:`})`;
      expect(seen!.n).toBe(truth!.n);
      expect(seen!.n).toBeGreaterThan(0);
    }
  });

  it("prints JSON exactly as PostgreSQL's jsonb does", async () => {
    const samples = [
      { from: "accepted", to: "triaged", route: "mediator" },
      { supervisionId: "0b7d", stage: "first_contact", level: "chase", addressedTo: "620981" },
      { referral: { kind: "litigation", receivingBody: "县人民法院" }, z: [1, 2], a: null, ok: true },
    ];
    for (const s of samples) {
      const [row] = await db.admin<{ t: string }[]>`select (${JSON.stringify(s)}::text)::jsonb::text as t`;
      expect(jsonbText(s)).toBe(row!.t);
    }
  });

  it("is deterministic: the same seed and anchor give the same rows", async () => {
    await generate(other.admin, { province: "62", only: ONLY, cases: 3000, seed: 11, anchor: ANCHOR, cipher });
    const digest = (d: TestDatabase) =>
      d.admin<{ cases: string; events: string }[]>`select
        (select md5(string_agg(id::text || code || status || owner_code || coalesce(handler_code, ''), ',' order by id)) from app.cases) as cases,
        (select md5(string_agg(encode(hash, 'hex'), ',' order by case_id, seq)) from app.case_events) as events`;
    expect(await digest(other)).toEqual(await digest(db));
  }, 240_000);
});
