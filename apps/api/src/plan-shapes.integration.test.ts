import { listCases } from "@zongzhi/api/services/cases";
import { scanDeadlines } from "@zongzhi/api/services/deadlines";
import { caseCounts, deadlineCounts, followUpRate } from "@zongzhi/api/services/rollups";
import { createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import { type Sql, type Tx, withScope } from "@zongzhi/db/client";
import { CODE_LENGTH } from "@zongzhi/domain";
import { createTestDatabase, type TestDatabase } from "@zongzhi/testing";
import { generate } from "@zongzhi/testing/generate";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// A guard, not a timed test: on a small generated tree of all five tiers, EXPLAIN (ANALYZE) of
// every list and count statement the services send, as they send it, under the real policies
// as zz_app, and of every statement the inbox's page function runs (as its owner, zz_auth,
// exactly as it runs them): each must reach cases through an index bounded by the subtree or
// ordered by time, never scan the table, and estimate the rows of every node that ran to the
// end within 10× of what it found. A policy, index or query rewrite that loses the plan fails
// here before any benchmark runs.

const cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));
let db: TestDatabase;
let captured: { text: string; params: unknown[] }[] = [];
let traced: Sql;
let rootId: string;
/** One unit per tier, the busiest of each. */
let units: { tier: string; code: string }[];

type PlanNode = {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Recheck Cond"?: string;
  Filter?: string;
  "Plan Rows": number;
  "Actual Rows": number;
  "Actual Loops": number;
  Plans?: PlanNode[];
};

beforeAll(async () => {
  db = await createTestDatabase();
  await generate(db.admin, { province: "62", only: ["620981"], cases: 4000, seed: 2, cipher });
  rootId = (await db.admin<{ id: string }[]>`select id from app.tenants where code = '62'`)[0]!.id;
  const [fn] = await db.admin<{ src: string }[]>`select prosrc as src from pg_proc
    where oid = 'app.case_rows(uuid[], text[])'::regprocedure`;
  // Its variables (the county's ids, the county) as the statement's parameters.
  rowsStatement = /RETURN QUERY (SELECT[\s\S]*?);\s*END LOOP/
    .exec(fn!.src)![1]!
    .replace("unnest(ids)", "unnest($1::uuid[])")
    .replaceAll("= county AND", "= $2 AND");
  units = [{ tier: "province", code: "62" }];
  for (const len of [4, 6, 9, 12]) {
    const [u] = await db.admin<{ code: string }[]>`select left(scope_code, ${len}) as code from app.cases
      where length(scope_code) >= ${len} group by 1 order by count(*) desc limit 1`;
    units.push({ tier: Object.entries(CODE_LENGTH).find(([, l]) => l === len)![0], code: u!.code });
  }
  // The runtime role's connection with every statement it sends recorded.
  traced = postgres(db.appUrl, {
    max: 1,
    prepare: false,
    onnotice: () => {},
    debug: (_c, text, params) => captured.push({ text, params: params as unknown[] }),
  });
}, 240_000);
afterAll(async () => {
  await traced?.end({ timeout: 1 });
  await db?.close();
});

const as = <T>(scope: string, fn: (tx: Tx) => Promise<T>) =>
  withScope(traced, { userId: null, tenantId: rootId, scope, roles: ["tenant_admin"] }, fn);

/** The statements a service call sent (beyond the transaction's own). */
async function statementsOf(scope: string, call: (tx: Tx) => Promise<unknown>) {
  captured = [];
  await as(scope, call);
  return captured.filter((q) => !/^(begin|commit|rollback)$|^set local app\./i.test(q.text.trim()));
}

const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

/** Nodes that ran to the end: not below a Limit (which stops them early), nor an early-exit join side. */
function completed(n: PlanNode, out: PlanNode[] = [], underLimit = false): PlanNode[] {
  const limited = underLimit || n["Node Type"] === "Limit";
  if (!limited) out.push(n);
  for (const c of n.Plans ?? []) completed(c, out, limited);
  return out;
}

/**
 * What is wrong with a plan: a scan of cases, cases reached without the expected index, the
 * cases held sideways looked for among all handled cases (the handler index, not 0038's),
 * estimates off.
 */
function planProblems(plan: PlanNode, expectIndex: RegExp | null, tier = ""): string[] {
  const problems: string[] = [];
  const all = nodes(plan);
  for (const n of all) {
    if (n["Node Type"] === "Seq Scan" && n["Relation Name"] === "cases") problems.push("Seq Scan on cases");
    // (A village's own handled cases are few: there the handler index is as good.)
    if (n["Index Name"] === "cases_handler_idx" && tier !== "village")
      problems.push("cases_handler_idx (sideways cases not by cases_sideways_idx)");
  }
  if (expectIndex) {
    const used = all.filter((n) => n["Relation Name"] === "cases" || /^Bitmap Index Scan$/.test(n["Node Type"]));
    if (!used.some((n) => expectIndex.test(n["Index Name"] ?? ""))) {
      problems.push(
        `no index matching ${expectIndex} (used ${used.map((n) => n["Index Name"] ?? n["Node Type"]).join(", ")})`,
      );
    }
  }
  // Bitmap AND/OR nodes report no rows of their own; a node never started found nothing to compare.
  const counted = completed(plan).filter((x) => x["Actual Loops"] > 0 && !/^Bitmap(And|Or)$/.test(x["Node Type"]));
  for (const n of counted) {
    const est = Math.max(n["Plan Rows"], 1);
    const act = Math.max(n["Actual Rows"], 1);
    // A few rows either way are no misestimate (an empty table estimated at 11 rows).
    if (Math.max(est, act) / Math.min(est, act) > 10 && Math.abs(n["Plan Rows"] - n["Actual Rows"]) > 50) {
      problems.push(
        `${n["Node Type"]}${n["Index Name"] ? ` ${n["Index Name"]}` : ""}: estimated ${n["Plan Rows"]}, found ${n["Actual Rows"]}`,
      );
    }
  }
  return problems;
}

/** The statement app.case_rows runs for each county of a page (0190), as its text in the function. */
let rowsStatement = "";

/** EXPLAIN (ANALYZE) of a recorded statement, in the same tenant context. */
async function explainAsApp(scope: string, q: { text: string; params: unknown[] }) {
  const [row] = await withScope(db.app, { userId: null, tenantId: rootId, scope, roles: ["tenant_admin"] }, (tx) =>
    tx.sql.unsafe(`explain (analyze, format json) ${q.text}`, q.params as never[]),
  );
  return (row!["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan;
}

/** EXPLAIN (ANALYZE) of one statement of auth.case_page, as its owner runs it inside the function. */
async function explainPageStatement(scope: string, flags: unknown[], params: unknown[], counted = false) {
  const conn = await db.admin.reserve();
  try {
    await conn`begin`;
    await conn`set local role zz_auth`;
    await conn`select set_config('app.scope', ${scope}, true), set_config('plan_cache_mode', 'force_custom_plan', true),
      set_config('max_parallel_workers_per_gather', '0', true), set_config('random_page_cost', '1.1', true)`;
    const [{ q: statement }] = (await conn.unsafe(
      `select app.case_page_sql(${flags.map((_, i) => `$${i + 1}`).join(", ")}) as q`,
      flags as never[],
    )) as unknown as [{ q: string }];
    // A count runs the statement as auth.case_count does.
    const q = counted ? `SELECT count(*)::integer FROM (${statement}) x` : statement;
    await conn.unsafe(`prepare page (text, app.case_state[], text, app.case_channel, app.risk_grade, text, integer, text,
      timestamptz, uuid, integer, text, integer) as ${q}`);
    const list = params.map((p) =>
      p === null ? "null" : typeof p === "number" ? String(p) : `'${String(p).replaceAll("'", "''")}'`,
    );
    const [row] = await conn.unsafe(`explain (analyze, format json) execute page (${list.join(", ")})`);
    return (row!["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan;
  } finally {
    await conn`rollback`.catch(() => {});
    await conn.unsafe("deallocate page").catch(() => {});
    conn.release();
  }
}

/** The index a subtree's page walks (or, for the province, the time index). */
const TIER_INDEX: Record<string, RegExp> = {
  province: /^cases_(time|text)_idx$/,
  city: /^cases_(city_time|text)_idx$/,
  county: /^cases_(county_time|text)_idx$/,
  township: /^cases_(township_time|text)_idx$/,
  // A village is one code: its few rows through either index that leads with the scope.
  village: /^(cases_(scope_time|text)_idx|cases_seq_unique)$/,
};
/** A case read by its id: the primary key or the unique (id) kept for foreign keys. */
const BY_KEY = /^cases_(pkey|id_key)$/;
/** Filter indexes a rare filter may walk instead, picking the subtree out of it. */
const FILTER_INDEX = /^cases_(status|colour|risk)_time_idx$/;

const FILTERS: [string, Record<string, unknown>, Partial<Record<string, unknown>>][] = [
  ["first page", {}, {}],
  ["state", { status: ["registered", "accepted", "in_mediation"] }, { status: "{registered,accepted,in_mediation}" }],
  ["deadline colour", { deadlineColour: "red" }, { colour: "red" }],
  ["category", { categoryCode: "neighbour" }, { category: "neighbour" }],
  ["channel", { channel: "visit" }, { channel: "visit" }],
  ["risk", { riskGrade: "yellow" }, { risk: "yellow" }],
  ["level", { level: "village" }, { level: 12 }],
];

describe("plan shapes of the inbox and the overviews (EXPLAIN ANALYZE, small generated tree)", () => {
  it("holds all five tiers", () => {
    expect(units.map((u) => u.tier)).toEqual(["province", "city", "county", "township", "village"]);
  });

  for (const tier of ["province", "city", "county", "township", "village"]) {
    it(`a ${tier}'s inbox: the service's statement reads cases by id under the policy; the page function walks the ${tier} index`, async () => {
      const unit = units.find((u) => u.tier === tier)!.code;
      const problems: string[] = [];
      for (const [name, filter, page] of FILTERS) {
        let items: { id: string; scopeCode: string }[] = [];
        const sent = await statementsOf(unit, async (tx) => {
          items = (await listCases(tx, { limit: 50, ...filter })).items;
        });
        expect(
          sent.find((q) => q.text.includes("auth.case_page(") && q.text.includes("app.case_rows(")),
          name,
        ).toBeDefined();
        if (name === "first page") expect(items.length, name).toBeGreaterThan(0);
        // The page's rows by key (0190: app.case_rows, county by county), never the subtree under
        // the policy (the planner, blind to the scope, hashed a township's every case that way).
        const byCounty = new Map<string, string[]>();
        for (const c of items)
          byCounty.set(c.scopeCode.slice(0, 6), [...(byCounty.get(c.scopeCode.slice(0, 6)) ?? []), c.id]);
        for (const [county, ids] of byCounty) {
          const outer = await explainAsApp(unit, { text: rowsStatement, params: [ids, county] });
          // By key: the primary key (id, county_code) or the unique (id) that 0121 keeps beside it;
          // the two cost the same to the planner, which takes either from one analyze to the next.
          for (const p of planProblems(outer, BY_KEY)) problems.push(`${name} (zz_app): ${p}`);
          for (const n of nodes(outer).filter(
            (n) => n["Relation Name"] === "cases" && !BY_KEY.test(n["Index Name"] ?? ""),
          ))
            problems.push(`${name} (zz_app): cases read by ${n["Index Name"] ?? n["Node Type"]}, not by key`);
        }
        const flags = [
          unit.length,
          true,
          "status" in page,
          "category" in page,
          "channel" in page,
          "risk" in page,
          "colour" in page,
          "level" in page,
          "none",
          false,
          false,
        ];
        const params = [
          unit,
          page.status ?? null,
          page.category ?? null,
          page.channel ?? null,
          page.risk ?? null,
          page.colour ?? null,
          page.level ?? null,
          null,
          null,
          null,
          51,
          unit,
          null,
        ];
        const inner = await explainPageStatement(unit, flags, params);
        // The total of a filter the rollups cannot answer: the same statement, in no order (0038).
        const count = await explainPageStatement(unit, [...flags, false], params, true);
        for (const p of planProblems(count, null, tier)) problems.push(`${name} (count): ${p}`);
        const expected = Object.keys(page).length
          ? new RegExp(`${TIER_INDEX[tier]!.source}|${FILTER_INDEX.source}`)
          : TIER_INDEX[tier]!;
        for (const p of planProblems(inner, expected, tier)) problems.push(`${name} (page): ${p}`);
      }
      // A deep page: the cursor is an index condition of the same walk.
      const [deep] = await db.admin<{ at: string; id: string }[]>`select registered_at::text as at, id from app.cases
        where starts_with(scope_code, ${unit}) order by registered_at desc, id desc offset 40 limit 1`;
      const inner = await explainPageStatement(
        unit,
        [unit.length, true, false, false, false, false, false, false, "none", false, true],
        [unit, null, null, null, null, null, null, null, deep!.at, deep!.id, 51, unit, null],
      );
      for (const p of planProblems(inner, TIER_INDEX[tier]!, tier)) problems.push(`deep page (page): ${p}`);
      // Text: the walk reads the tier index in time order (a chunk of 200 rows here, scaled to the
      // small tree: the function reads 2,000 of millions); the lookup goes through the trigram index.
      const walk = await explainPageStatement(
        unit,
        [unit.length, true, false, false, false, false, false, false, "walk", false, true],
        [
          unit,
          null,
          null,
          null,
          null,
          null,
          null,
          "%纠纷%",
          "infinity",
          "ffffffff-ffff-ffff-ffff-ffffffffffff",
          2000,
          unit,
          null,
        ],
      );
      for (const p of planProblems(walk, TIER_INDEX[tier]!, tier)) problems.push(`text walk (page): ${p}`);
      const match = await explainPageStatement(
        unit,
        [unit.length, true, false, false, false, false, false, false, "match", false, false],
        [unit, null, null, null, null, null, null, "%边界纠纷%", null, null, 51, unit, null],
      );
      for (const p of planProblems(match, /^cases_text_idx$/, tier)) problems.push(`text lookup (page): ${p}`);
      const textCount = await explainPageStatement(
        unit,
        [unit.length, true, false, false, false, false, false, false, "match", false, false, false],
        [unit, null, null, null, null, null, null, "%边界纠纷%", null, null, 1000, unit, null],
        true,
      );
      for (const p of planProblems(textCount, null, tier)) problems.push(`text count: ${p}`);
      expect(problems).toEqual([]);
    });
  }

  it("the overviews read their unit's rollup rows through the primary key, at every tier, and never scan cases or clocks", async () => {
    // Estimates are not held to the 10× rule here: a unit's own rows are a point in the policy's
    // range, which the planner puts at one row; these are key lookups with no other plan to pick.
    const problems: string[] = [];
    for (const { tier, code } of units) {
      const sent = await statementsOf(code, async (tx) => {
        await caseCounts(tx);
        await deadlineCounts(tx);
        await followUpRate(tx);
      });
      expect(sent.length).toBe(3);
      for (const q of sent) {
        const plan = await explainAsApp(code, q);
        const all = nodes(plan);
        for (const n of all) {
          if (
            n["Node Type"] === "Seq Scan" &&
            /^(cases|case_deadlines|case_tallies|clock_tallies)$/.test(n["Relation Name"] ?? "")
          ) {
            problems.push(`${tier}: Seq Scan on ${n["Relation Name"]} in ${q.text.slice(0, 60)}`);
          }
        }
        // The deadline block reads app.clock_units (0175): on this small tree its few pages may be
        // read whole (a plan that changes with autovacuum's statistics), at 1 M cases through its key
        // and rank index (the bench's plans).
        const rollup = all.find(
          (n) => /_tallies_pkey$/.test(n["Index Name"] ?? "") || n["Relation Name"] === "clock_units",
        );
        if (!rollup) problems.push(`${tier}: no rollup key lookup in ${q.text.slice(0, 60)}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("the deadline scan picks its clocks through the index of turning instants, never a scan of the clocks", async () => {
    captured = [];
    await scanDeadlines(traced, new Date(Date.now() + 3_600_000));
    const recolour = captured.find((q) => q.text.includes("turns_at <="))!;
    expect(recolour).toBeDefined();
    // Plan only (no ANALYZE): the statement updates.
    const [row] = await withScope(db.app, { userId: null, tenantId: rootId, scope: "62", roles: [] }, (tx) =>
      tx.sql.unsafe(`explain (format json) ${recolour.text}`, recolour.params as never[]),
    );
    const all = nodes((row!["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan);
    expect(all.filter((n) => n["Node Type"] === "Seq Scan").map((n) => n["Relation Name"])).not.toContain(
      "case_deadlines",
    );
    expect(all.map((n) => n["Index Name"])).toContain("case_deadlines_turns_idx");
  });

  it("the minute fold finds its shard rows and its zero rows through partial indexes, in every rollup table", async () => {
    // The fold's two reads per table (auth.compact_case_rollups, auth.compact_figures) must be
    // answerable from the few rows they want, not from the whole table (0039, 0042). On this small
    // tree the planner may still prefer a scan, so the check is that the index applies at all: the
    // statement's condition implies the index's predicate (scans disabled to ask just that).
    const tables: [string, string[]][] = [
      ["case_tallies", ["scope_code", "dim", "value"]],
      ["clock_tallies", ["scope_code", "owner_code", "colour"]],
      ["clock_units", ["scope_code", "owner_code"]],
      ["figures_monthly", ["scope_code", "month", "category"]],
      ["figures_monthly_by", ["scope_code", "month", "category", "dim", "key"]],
      ["holding_tallies", ["scope_code", "holder_len"]],
    ];
    const indexOf = async (text: string) =>
      db.admin.begin(async (tx) => {
        await tx`set local enable_seqscan = off`;
        const [row] = await tx.unsafe(`explain (format json) ${text}`);
        return nodes((row!["QUERY PLAN"] as { Plan: PlanNode }[])[0]!.Plan)
          .map((n) => n["Index Name"])
          .filter(Boolean);
      });
    for (const [table, keys] of tables) {
      expect(await indexOf(`select ctid from app.${table} where shard <> 0 for update skip locked`)).toContain(
        `${table}_shards_idx`,
      );
      if (!table.startsWith("figures_") && table !== "holding_tallies" && table !== "clock_units") continue;
      // auth.compact_figures' zero-row delete, spelled as it builds it.
      const [row] = await db.admin<{ sums: string }[]>`
        select string_agg(format('%s = 0', quote_ident(attname)), ' AND ' order by attnum) as sums
        from pg_attribute where attrelid = ${`app.${table}`}::regclass and attnum > 0 and not attisdropped
          and attname <> all (${[...keys, "shard", "county_code"]}::text[]) and attgenerated = ''`;
      expect(await indexOf(`delete from app.${table} where shard = 0 and ${row!.sums}`)).toContain(`${table}_zero_idx`);
    }
  });

  it("the check can fail: the inbox under the policy alone, without the page function, scans or misestimates", async () => {
    // What the inbox was before: the filter as a plain query under the policy.
    const plan = await explainAsApp("620981", {
      text: "select id from app.cases where status = any($1::app.case_state[]) order by registered_at desc, id desc limit 51",
      params: [["registered", "accepted"]],
    });
    expect(planProblems(plan, TIER_INDEX.county!)).not.toEqual([]);
  });
});
