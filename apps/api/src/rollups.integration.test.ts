import { scanDeadlines } from "@zongzhi/api/services/deadlines";
import { unitFigures } from "@zongzhi/api/services/figures";
import { holdingByTier } from "@zongzhi/api/services/holdings";
import { caseCounts, DEADLINE_TOP, deadlineCounts, followUpRate } from "@zongzhi/api/services/rollups";
import { createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import { type Sql, withScope } from "@zongzhi/db/client";
import { CODE_LENGTH, chinaToday, monthsBetween } from "@zongzhi/domain";
import { createTestDatabase, type TestDatabase } from "@zongzhi/testing";
import { generate } from "@zongzhi/testing/generate";
import {
  directClockCounts,
  directCohorts,
  directCounts,
  directHoldingByTier,
  rollupDrift,
} from "@zongzhi/testing/rollup-check";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./test-harness.ts";

// The rollups (migration 0032) against direct counts over the case tables: after a bulk load
// and its rebuild, and after random workloads through the API, one client after another and
// several at once. Two comparisons each time: every kept rollup row against the rollups
// computed afresh, and what the overview services answer against counts written out by hand.

const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);

/** What the overview services answer for `unit`, and what direct counts say, side by side. */
async function compare(app: Sql, admin: Sql, rootId: string, unit: string) {
  const ctx = { userId: null, tenantId: rootId, scope: unit, roles: ["leader"] };
  const now = new Date();
  const cohorts = await directCohorts(admin, unit);
  // The cockpit's trend over every month with cases, in periods of at most 36 months.
  const months = cohorts.length ? monthsBetween(cohorts[0]!.month, cohorts.at(-1)!.month) : [];
  const periods = Array.from({ length: Math.ceil(months.length / 36) }, (_, i) => months.slice(i * 36, i * 36 + 36));
  const [counts, trend, clocks, dashboard, rate, holdings] = await withScope(app, ctx, (tx) =>
    Promise.all([
      caseCounts(tx),
      Promise.all(periods.map((p) => unitFigures(tx, { from: p[0], to: p.at(-1) }))).then((all) =>
        all.flatMap((f) => f.trend),
      ),
      deadlineCounts(tx, 1_000_000),
      deadlineCounts(tx),
      followUpRate(tx),
      holdingByTier(tx, now),
    ]),
  );
  // How long each tier held the subtree's cases: the rollup (0081) against the periods themselves.
  expect(
    holdings.map((h) => ({
      len: h.level ? CODE_LENGTH[h.level] : 0,
      cases: h.cases,
      periods: h.periods,
      current: h.current,
      hours: h.totalHours,
    })),
  ).toEqual(await directHoldingByTier(admin, unit, now));
  const sideways = await admin<{ n: number }[]>`select count(*)::int as n from app.cases
    where starts_with(handler_code, ${unit}) and not starts_with(scope_code, ${unit})`;
  expect(counts).toEqual(await directCounts(admin, unit));
  // The figures by registration month (the rollup of 0040/0041/0085 and 0065's reworks) against
  // the cohorts counted by hand; the rates from the same counts.
  const ratio = (n: number, d: number) => (d === 0 ? null : n / d);
  expect(
    trend
      .filter((t) => t.figures.received > 0)
      .map(({ month, figures: f }) => ({
        month,
        received: f.received,
        accepted: f.accepted,
        resolved: f.resolved,
        closed: f.closed,
        followUpRate: f.followUpRate,
        satisfactionRate: f.satisfactionRate,
        escalationRate: f.escalationRate,
        returnsPerCase: f.returnsPerCase,
        groupDisputes: f.groupDisputes,
        people: f.people,
        amountYuan: f.amountYuan,
        reworks: f.reworks,
      })),
  ).toEqual(
    cohorts.map((c) => ({
      month: c.month,
      received: c.received,
      accepted: c.accepted,
      resolved: c.resolved,
      closed: c.closed,
      followUpRate: ratio(c.followedUp, c.closed),
      satisfactionRate: ratio(c.satisfied, c.followedUp),
      escalationRate: ratio(c.escalated, c.received),
      returnsPerCase: ratio(c.returns, c.received),
      groupDisputes: c.groupDisputes,
      people: c.people,
      amountYuan: c.amountYuan,
      reworks: c.reworks,
    })),
  );
  if (sideways[0]!.n === 0) {
    const direct = await directClockCounts(admin, unit);
    expect(clocks.units.map(({ unitName: _, ...c }) => c).sort((a, b) => a.unitCode.localeCompare(b.unitCode))).toEqual(
      direct,
    );
    // The dashboard's cut: totals over every unit, the first ten by red, yellow, code.
    const sum = (c: "blue" | "yellow" | "red") => direct.reduce((n, u) => n + u[c], 0);
    const ranked = [...direct].sort(
      (a, b) => b.red - a.red || b.yellow - a.yellow || (a.unitCode < b.unitCode ? -1 : 1),
    );
    expect({ ...dashboard, units: dashboard.units.map(({ unitName: _, ...c }) => c) }).toEqual({
      totals: { blue: sum("blue"), yellow: sum("yellow"), red: sum("red") },
      units: ranked.slice(0, DEADLINE_TOP),
      unitCount: direct.length,
    });
    expect(rate).toEqual({
      closed: counts.closed,
      followedUp: counts.followedUp,
      rate: counts.closed ? counts.followedUp / counts.closed : null,
    });
  }
}

describe("rollups after a bulk load", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));
    await generate(db.admin, { province: "62", only: ["620981"], cases: 3000, seed: 3, cipher });
  }, 240_000);
  afterAll(() => db?.close());

  it("equal the case tables once app.rebuild_rollups() has run, at every tier", async () => {
    expect(await rollupDrift(db.admin)).toEqual([]);
    const [root] = await db.admin<{ id: string }[]>`select id from app.tenants where code = '62'`;
    const units = await db.admin<{ code: string }[]>`select distinct on (length(scope_code)) scope_code as code
      from app.cases order by length(scope_code), scope_code`;
    for (const unit of ["62", ...units.map((u) => u.code)]) await compare(db.app, db.admin, root!.id, unit);
  });

  it("the comparison can fail: a rollup row off by one is reported", async () => {
    await db.admin`update app.case_tallies set n = n + 1 where (scope_code, dim, value) =
      (select scope_code, dim, value from app.case_tallies where scope_code = '62' and dim = 'state' limit 1)`;
    try {
      expect((await rollupDrift(db.admin)).length).toBe(1);
    } finally {
      await db.admin`select app.rebuild_rollups()`;
    }
    expect(await rollupDrift(db.admin)).toEqual([]);
  });

  it("the comparison can fail: a figure bucket, a breakdown and a rework off by one are reported", async () => {
    await db.admin`update app.figures_monthly set received = received + 1 where ctid =
      (select ctid from app.figures_monthly where scope_code = '62' and category = '' limit 1)`;
    await db.admin`update app.figures_monthly_by set cases = cases + 1 where ctid =
      (select ctid from app.figures_monthly_by where scope_code = '62' and dim = 'channel' limit 1)`;
    await db.admin`update app.rework_monthly set reworks = reworks + 1 where ctid =
      (select ctid from app.rework_monthly where scope_code = '62' limit 1)`;
    try {
      const drift = await rollupDrift(db.admin);
      expect(drift.filter((l) => l.startsWith("figures 62 "))).toHaveLength(1);
      expect(drift.filter((l) => l.startsWith("figures by 62 "))).toHaveLength(1);
      expect(drift.filter((l) => l.startsWith("reworks 62 "))).toHaveLength(1);
    } finally {
      await db.admin`select app.rebuild_rollups()`;
      await db.admin`select app.rebuild_case_figures()`;
    }
    expect(await rollupDrift(db.admin)).toEqual([]);
  });

  it("the comparison can fail: a holding period off by a second is reported, by the drift and by the tier figures", async () => {
    const [root] = await db.admin<{ id: string }[]>`select id from app.tenants where code = '62'`;
    await db.admin`update app.holding_tallies set closed_seconds = closed_seconds + 1
      where scope_code = '62' and holder_len = 9 and shard = 0`;
    try {
      expect((await rollupDrift(db.admin)).filter((l) => l.startsWith("holdings 62 tier 9"))).toHaveLength(1);
      await expect(compare(db.app, db.admin, root!.id, "62")).rejects.toThrow();
    } finally {
      await db.admin`select app.rebuild_rollups()`;
    }
    expect(await rollupDrift(db.admin)).toEqual([]);
  });

  it("the deadline block merges the owners changed since the last fold into the folded ranking (0175)", async () => {
    const [root] = await db.admin<{ id: string }[]>`select id from app.tenants where code = '62'`;
    const ctx = { userId: null, tenantId: root!.id, scope: "62", roles: ["leader"] };
    const ranking = () => db.admin<{ owner: string; blue: number; yellow: number; red: number }[]>`
      select owner_code as owner, blue, yellow, red from app.clock_units
      where scope_code = '62' and shard = 0 and owner_code <> '' order by red desc, yellow desc, owner_code`;
    const folded = await ranking();
    expect(folded.length).toBeGreaterThan(DEADLINE_TOP + 1);
    // The first-ranked owner loses every running clock; the owner just below the cut turns all of
    // its clocks red, so that it outranks the folded rows above it. Both are this backend's shard
    // rows until the fold, the folded rows unchanged.
    const first = folded[0]!;
    const below = folded.slice(DEADLINE_TOP).find((u) => u.blue + u.yellow > 0)!;
    await db.admin`update app.case_deadlines set completed_at = now()
      where owner_code = ${first.owner} and completed_at is null and paused_since is null`;
    await db.admin`update app.case_deadlines set colour = 'red'
      where owner_code = ${below.owner} and completed_at is null and paused_since is null`;
    try {
      const [pending] = await db.admin<{ n: number }[]>`select count(*)::int as n from app.clock_units
        where scope_code = '62' and shard <> 0 and owner_code in (${first.owner}, ${below.owner}, '')`;
      expect(pending!.n).toBe(3);
      expect(await ranking()).toEqual(folded);
      const dashboard = await withScope(db.app, ctx, (tx) => deadlineCounts(tx));
      expect(dashboard.units.map((u) => u.unitCode)).not.toContain(first.owner);
      expect(dashboard.unitCount).toBe(folded.length - 1);
      const red = below.red + below.yellow + below.blue;
      const tenth = folded.filter((u) => u.owner !== first.owner)[DEADLINE_TOP - 1]!;
      if (red > tenth.red) expect(dashboard.units.map((u) => u.unitCode)).toContain(below.owner);
      expect(dashboard.totals.red).toBe(folded.reduce((n, u) => n + u.red, 0) - first.red + below.blue + below.yellow);
      await compare(db.app, db.admin, root!.id, "62");
      await compare(db.app, db.admin, root!.id, first.owner.slice(0, 6));
      // After the fold: shard 0 alone, the same answers.
      await db.app`select auth.compact_rollups()`;
      const [left] = await db.admin<{ n: number }[]>`select count(*)::int as n from app.clock_units where shard <> 0`;
      expect(left!.n).toBe(0);
      expect((await ranking()).map((u) => u.owner)).not.toContain(first.owner);
      expect(await rollupDrift(db.admin)).toEqual([]);
      await compare(db.app, db.admin, root!.id, "62");
    } finally {
      await db.admin`select app.rebuild_rollups()`;
      await db.admin`select app.rebuild_case_figures()`;
    }
  });

  it("the comparison can fail: a colour of one owner off by one in the clock units is reported", async () => {
    await db.admin`update app.clock_units set red = red + 1 where ctid =
      (select ctid from app.clock_units where scope_code = '62' and owner_code <> '' limit 1)`;
    try {
      expect((await rollupDrift(db.admin)).filter((l) => l.startsWith("clock units 62 "))).toHaveLength(1);
    } finally {
      await db.admin`select app.rebuild_rollups()`;
    }
    expect(await rollupDrift(db.admin)).toEqual([]);
  });
});

describe("rollups after random workloads through the API", () => {
  let api: TestApi;
  type Client = ReturnType<TestApi["client"]>;
  const clients = new Map<string, Client>();
  let rootId: string;
  const TOWN = "620981101";
  const COUNTY = "620981";
  let villageCode: string;

  beforeAll(async () => {
    api = await startTestApi({ centres: true });
    clients.set(TOWN, api.client(await api.login("yumenzhen.admin")));
    clients.set(COUNTY, api.client(await api.login("yumen.admin")));
    const village = api.client(await api.login("cun.mediator"));
    villageCode = (await village.auth.me.query()).tenant!.code;
    clients.set(villageCode, village);
    clients.set("leader", api.client(await api.login("yumen.leader")));
    rootId = (await api.db.admin<{ id: string }[]>`select id from app.tenants where code = '62'`)[0]!.id;
  });
  afterAll(() => api.close());

  const CATEGORIES = ["neighbour", "labour", "marriage_family", "land", "petition"] as const;
  const dispute = (n: number) => ({
    categoryCode: CATEGORIES[n % CATEGORIES.length]!,
    channel: (["visit", "grid_patrol", "hotline_12345"] as const)[n % 3]!,
    title: `抽样纠纷${n}`,
    description: "随机工作负载",
    locationCode: TOWN,
    peopleCount: 1 + (n % 4),
    groupDispute: n % 5 === 0,
    riskGrade: (["none", "blue", "yellow", "red"] as const)[n % 4]!,
    difficulty: "simple" as const,
    parties: [{ role: "applicant" as const, kind: "person" as const, name: "赵先生", phone: "13709370009" }],
  });

  type Op =
    | { kind: "register"; at: "town" | "county"; n: number }
    | { kind: "step"; pick: number; choice: number }
    | { kind: "followUp"; pick: number; satisfaction: number }
    | { kind: "escalate"; pick: number }
    | { kind: "signFor"; pick: number }
    | { kind: "assignDown"; pick: number }
    | { kind: "scan"; hours: number };
  // Registration twice among ten arms: with one in nine, a run of short sequences could leave as
  // few as 20 cases (seed 850580236 did), too few for the final check that the workload was real.
  const register = fc.record({
    kind: fc.constant("register" as const),
    at: fc.constantFrom("town", "county" as const),
    n: fc.nat(99),
  });
  const op: fc.Arbitrary<Op> = fc.oneof(
    register,
    register,
    fc.record({ kind: fc.constant("step" as const), pick: fc.nat(), choice: fc.nat() }),
    fc.record({ kind: fc.constant("step" as const), pick: fc.nat(), choice: fc.nat() }),
    fc.record({ kind: fc.constant("step" as const), pick: fc.nat(), choice: fc.nat() }),
    fc.record({ kind: fc.constant("followUp" as const), pick: fc.nat(), satisfaction: fc.nat(2) }),
    fc.record({ kind: fc.constant("escalate" as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant("signFor" as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant("assignDown" as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant("scan" as const), hours: fc.integer({ min: 1, max: 24 * 60 }) }),
  );

  /** The case `pick` points at and the client of the unit that owns it (or null). */
  async function target(pick: number) {
    const rows = await api.db.admin<
      { id: string; owner_code: string; version: number }[]
    >`select id, owner_code, version
      from app.cases order by registered_at, id`;
    if (rows.length === 0) return null;
    const c = rows[pick % rows.length]!;
    const client = clients.get(c.owner_code);
    return client ? { ...c, client } : null;
  }

  async function run(o: Op): Promise<void> {
    const ignore = () => {};
    const tomorrow = new Date(Date.parse(chinaToday()) + 86_400_000).toISOString().slice(0, 10);
    switch (o.kind) {
      case "register":
        await clients
          .get(o.at === "town" ? TOWN : COUNTY)!
          .cases.register.mutate({ ...dispute(o.n), locationCode: o.at === "town" ? TOWN : COUNTY })
          .catch(ignore);
        return;
      case "scan":
        await scanDeadlines(api.db.app, new Date(Date.now() + o.hours * 3_600_000));
        return;
    }
    const t = await target(o.pick);
    if (!t) return;
    switch (o.kind) {
      case "step": {
        const c = await t.client.cases.get.query({ id: t.id }).catch(() => null);
        const actions = (c?.actions ?? []) as string[];
        if (!c || actions.length === 0) return;
        const action = actions[o.choice % actions.length]!;
        const data: Record<string, unknown> = {
          reason: "工作负载",
          outcome: "已化解",
          holdUntil: tomorrow,
          route: { kind: "mediator" },
          referral: { kind: "litigation", receivingBody: "玉门市人民法院" },
        };
        await t.client.cases.transition
          .mutate({ id: t.id, version: c.version as number, action: action as never, data: data as never })
          .catch(ignore);
        return;
      }
      case "followUp":
        await t.client.cases.recordFollowUp
          .mutate({
            caseId: t.id,
            method: "phone",
            satisfaction: (["satisfied", "basically_satisfied", "unsatisfied"] as const)[o.satisfaction]!,
          })
          .catch(ignore);
        return;
      case "escalate":
        await t.client.escalation.escalate
          .mutate({
            id: t.id,
            version: t.version,
            toCode: t.owner_code.slice(0, t.owner_code.length === 12 ? 9 : 6),
            reason: "需上级协调",
          })
          .catch(ignore);
        return;
      case "signFor":
        await t.client.escalation.signFor.mutate({ id: t.id, version: t.version }).catch(ignore);
        return;
      case "assignDown":
        await t.client.escalation.assignDown
          .mutate({
            id: t.id,
            version: t.version,
            toCode: t.owner_code === COUNTY ? TOWN : villageCode,
            instructions: "请办理",
            deadline: new Date(Date.now() + 5 * 86_400_000),
          })
          .catch(ignore);
        return;
    }
  }

  const check = async () => {
    expect(await rollupDrift(api.db.admin)).toEqual([]);
    for (const unit of ["62", COUNTY, TOWN, villageCode]) await compare(api.db.app, api.db.admin, rootId, unit);
  };

  it("stay equal to direct counts, one client after another and several at once", async () => {
    console.log(`rollups: fast-check seed ${seed} (replay with FC_SEED=${seed})`);
    let changed = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 10, maxLength: 30 }), fc.boolean(), async (ops, together) => {
        const before = await api.db.admin<
          { v: string }[]
        >`select md5(string_agg(id::text || version, ',' order by id)) as v
          from app.cases`;
        if (together) {
          // Three clients at once, each running its share in order.
          await Promise.all(
            [0, 1, 2].map(async (k) => {
              for (const o of ops.filter((_, i) => i % 3 === k)) await run(o);
            }),
          );
        } else {
          for (const o of ops) await run(o);
        }
        const after = await api.db.admin<
          { v: string }[]
        >`select md5(string_agg(id::text || version, ',' order by id)) as v
          from app.cases`;
        if (after[0]!.v !== before[0]!.v) changed++;
        await check();
      }),
      { seed, numRuns: 15 },
    );
    expect(changed).toBeGreaterThan(6);
    const [n] = await api.db.admin<{ cases: number; states: number }[]>`select count(*)::int as cases,
      count(distinct status)::int as states from app.cases`;
    expect(n!.cases).toBeGreaterThan(20);
    expect(n!.states).toBeGreaterThan(2);
  }, 300_000);

  it("stay equal after the compaction folds the shards, with writes going on meanwhile", async () => {
    await run({ kind: "register", at: "county", n: 11 });
    await run({ kind: "register", at: "town", n: 12 });
    const [pending] = await api.db.admin<
      { n: number }[]
    >`select count(*)::int as n from app.case_tallies where shard <> 0`;
    expect(pending!.n).toBeGreaterThan(0);
    const [holdings] = await api.db.admin<
      { n: number }[]
    >`select count(*)::int as n from app.holding_tallies where shard <> 0`;
    expect(holdings!.n).toBeGreaterThan(0);
    await Promise.all([
      api.db.app`select auth.compact_rollups(), auth.compact_holding_tallies()`,
      run({ kind: "register", at: "town", n: 7 }),
      run({ kind: "step", pick: 3, choice: 0 }),
    ]);
    await api.db.app`select auth.compact_rollups(), auth.compact_holding_tallies()`;
    const [left] = await api.db.admin<{ n: number }[]>`select
      (select count(*) from app.case_tallies where shard <> 0) + (select count(*) from app.holding_tallies where shard <> 0)
        as n`;
    expect(Number(left!.n)).toBe(0);
    await check();
  });

  it("a trigger writes the rows of every unit above the case under the case's county; the fold keys them by the unit (0171, 0181)", async () => {
    await api.db.app`select auth.compact_rollups(), auth.compact_holding_tallies()`;
    await run({ kind: "register", at: "town", n: 21 });
    // What the triggers wrote for this registration: for the town, the county, the city and the
    // province alike, the case's county (on Citus: the case's shard, the only one a trigger may write).
    const written = await api.db.admin<{ table: string; county: string; scopes: string[] }[]>`
      select t as "table", county_code as county, array_agg(distinct scope_code order by scope_code) as scopes
      from (select 'case_tallies' as t, county_code, scope_code from app.case_tallies where shard <> 0
        union all select 'holding_tallies', county_code, scope_code from app.holding_tallies where shard <> 0
        union all select 'figures_monthly', county_code, scope_code from app.figures_monthly where shard <> 0
        union all select 'figures_monthly_by', county_code, scope_code from app.figures_monthly_by where shard <> 0
        union all select 'clock_tallies', county_code, scope_code from app.clock_tallies where shard <> 0
        union all select 'clock_units', county_code, scope_code from app.clock_units where shard <> 0) x
      group by 1, 2 order by 1, 2`;
    const chain = ["62", "6209", COUNTY, TOWN];
    expect(written.map((w) => w.table)).toEqual([
      "case_tallies",
      "clock_tallies",
      "clock_units",
      "figures_monthly",
      "figures_monthly_by",
      "holding_tallies",
    ]);
    for (const w of written) {
      expect(w.county, w.table).toBe(COUNTY);
      expect(w.scopes, w.table).toEqual(expect.arrayContaining(chain));
    }
    // Folded, each unit's figures are one row per key again, under the unit's own code.
    await api.db.app`select auth.compact_rollups(), auth.compact_holding_tallies()`;
    const [folded] = await api.db.admin<{ extra: number; misplaced: number }[]>`
      select (select count(*) from (select 1 from app.case_tallies group by scope_code, dim, value having count(*) > 1) d)::int
        + (select count(*) from (select 1 from app.figures_monthly group by scope_code, month, category having count(*) > 1) d)::int
        + (select count(*) from (select 1 from app.clock_units where shard = 0 group by scope_code, owner_code having count(*) > 1) d)::int
        as extra,
        (select count(*) from app.case_tallies where county_code <> left(scope_code, 6))::int
        + (select count(*) from app.figures_monthly where county_code <> left(scope_code, 6))::int
        + (select count(*) from app.clock_units where shard = 0 and county_code <> left(scope_code, 6))::int as misplaced`;
    expect(folded).toEqual({ extra: 0, misplaced: 0 });
    await check();
  });
});
