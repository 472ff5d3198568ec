import { type CaseFilter, getCase, listCases } from "@zongzhi/api/services/cases";
import { countCases, TOTAL_BOUND } from "@zongzhi/api/services/rollups";
import { createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import { withScope } from "@zongzhi/db/client";
import { CASE_STATES, CODE_LENGTH } from "@zongzhi/domain";
import { createTestDatabase, type TestDatabase } from "@zongzhi/testing";
import { generate } from "@zongzhi/testing/generate";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The inbox through the real service (auth.case_page picks a page's ids, migration 0031; the
// rows are read under the caller's policy), checked against the owner's direct query with the
// visibility rule written out, on a generated branch of all five tiers.

const cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));
const ANCHOR = new Date("2026-11-20T03:00:00Z");
let db: TestDatabase;
let root: { id: string; code: string };
let units: { code: string; level: keyof typeof CODE_LENGTH }[];
let titles: string[];
let codes: string[];

beforeAll(async () => {
  db = await createTestDatabase();
  await generate(db.admin, { province: "62", only: ["620981"], cases: 3000, seed: 5, anchor: ANCHOR, cipher });
  root = (await db.admin<{ id: string; code: string }[]>`select id, code from app.tenants where code = '62'`)[0]!;
  units = await db.admin`select code, level from app.tenants order by code`;
  titles = (await db.admin<{ title: string }[]>`select title from app.cases order by id limit 200`).map((r) => r.title);
  codes = (await db.admin<{ code: string }[]>`select code from app.cases order by id limit 50`).map((r) => r.code);
}, 240_000);
afterAll(() => db?.close());

const as = <T>(scope: string, fn: Parameters<typeof withScope<T>>[2], roles = ["tenant_admin"]) =>
  withScope(db.app, { userId: null, tenantId: root.id, scope, roles }, fn);

/** Every page of a filter, through the service. */
async function allPages(scope: string, f: Omit<CaseFilter, "limit">, limit: number, pages: number) {
  const ids: string[] = [];
  let before: string | undefined;
  for (let i = 0; i < pages; i++) {
    const page = await as(scope, (tx) => listCases(tx, { ...f, limit, before }));
    ids.push(...page.items.map((c) => c.id));
    if (!page.next) break;
    before = page.next;
  }
  return ids;
}

/** The owner's query: the visibility rule and the filters written out, no RLS. */
async function expected(scope: string, f: Omit<CaseFilter, "limit">, n: number): Promise<string[]> {
  const unit = f.unitCode ?? scope;
  if (!unit.startsWith(scope)) return [];
  const q = f.q?.trim() || null;
  const rows = await db.admin<{ id: string }[]>`select id from app.cases c
    where (starts_with(c.scope_code, ${unit})
        or (${unit === scope} and starts_with(c.handler_code, ${scope})))
      ${f.status?.length ? db.admin`and c.status = any(${f.status}::app.case_state[])` : db.admin``}
      ${f.categoryCode ? db.admin`and c.category_code = ${f.categoryCode}` : db.admin``}
      ${f.channel ? db.admin`and c.channel = ${f.channel}` : db.admin``}
      ${f.riskGrade ? db.admin`and c.risk_grade = ${f.riskGrade}` : db.admin``}
      ${f.deadlineColour ? db.admin`and c.deadline_colour = ${f.deadlineColour}` : db.admin``}
      ${f.level ? db.admin`and length(c.scope_code) = ${CODE_LENGTH[f.level]}` : db.admin``}
      ${
        q === null
          ? db.admin``
          : /^[0-9-]+$/.test(q)
            ? db.admin`and strpos(c.code, ${q}) > 0`
            : db.admin`and strpos(c.title, ${q}) > 0`
      }
    order by c.registered_at desc, c.id desc limit ${n}`;
  return rows.map((r) => r.id);
}

describe("the case inbox at every tier", () => {
  it("holds a branch of all five tiers with cases held sideways", async () => {
    const [t] = await db.admin<{ tiers: number; sideways: number }[]>`select
      (select count(distinct length(scope_code))::int from app.cases) as tiers,
      (select count(*)::int from app.cases where handler_code is not null and not starts_with(scope_code, handler_code)) as sideways`;
    expect(t!.tiers).toBe(4);
    expect(t!.sideways).toBeGreaterThan(0);
  });

  it("returns, page by page, exactly the owner's query with the rule written out, for any unit, filter and text", async () => {
    const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);
    console.log(`case lists: fast-check seed ${seed} (replay with FC_SEED=${seed})`);
    const value = {
      status: fc.subarray([...CASE_STATES], { minLength: 1, maxLength: 4 }),
      categoryCode: fc.constantFrom("labour", "neighbour", "marriage_family", "land", "petition"),
      channel: fc.constantFrom("visit", "grid_patrol", "hotline_12345", "township_report" as const),
      riskGrade: fc.constantFrom("red", "yellow", "blue", "none" as const),
      deadlineColour: fc.constantFrom("red", "yellow", "blue" as const),
      level: fc.constantFrom("city", "county", "township", "village" as const),
      unitCode: fc.constantFrom(...units.map((u) => u.code), "620982", "620981101999"),
      q: fc.oneof(
        fc
          .tuple(fc.constantFrom(...titles), fc.nat(), fc.integer({ min: 1, max: 6 }))
          .map(([t, at, n]) => [...t].slice(at % t.length, (at % t.length) + n).join("")),
        fc.constantFrom(...codes),
        fc.constantFrom(...codes).map((c) => c.slice(-6)),
      ),
    };
    // No filter, one or two at a time (more filters mostly match nothing).
    const filter = fc
      .subarray(Object.keys(value) as (keyof typeof value)[], { maxLength: 2 })
      .chain((keys) =>
        fc.record(Object.fromEntries(keys.map((k) => [k, value[k]])) as Record<string, fc.Arbitrary<unknown>>),
      );
    let nonEmpty = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...units.map((u) => u.code)),
        filter,
        fc.integer({ min: 1, max: 9 }),
        async (scope, f, limit) => {
          const got = await allPages(scope, f as Omit<CaseFilter, "limit">, limit, 3);
          expect(got).toEqual(await expected(scope, f as Omit<CaseFilter, "limit">, limit * 3));
          if (got.length > 0) nonEmpty++;
          // The first page's total: exact (rollups, or fewer matches than the bound), or the bound;
          // for a text, exact when one page holds every match, else "more than a page" (0080).
          const { total } = await as(scope, (tx) => listCases(tx, { ...(f as Omit<CaseFilter, "limit">), limit }));
          const all = (await expected(scope, f as Omit<CaseFilter, "limit">, 100_000)).length;
          if ((f as { q?: string }).q?.trim()) {
            expect(total).toEqual(all <= limit ? { n: all, exact: true } : { n: limit + 1, exact: false });
          } else {
            expect(total).toEqual(
              all < TOTAL_BOUND || total?.exact ? { n: all, exact: true } : { n: TOTAL_BOUND, exact: false },
            );
          }
        },
      ),
      { seed, numRuns: 200 },
    );
    expect(nonEmpty, "most draws must return cases, or the comparison proves little").toBeGreaterThan(80);
  });

  it("finds a text met now and then among a province's newest cases slice by slice, and a rare one at once", async () => {
    // auth.case_page (0080): a text met 10 or more times among the subtree's newest 2,000 cases
    // but fewer than a page goes through the 30-day slices of the trigram index; one the first
    // 500 do not hold at all goes to one lookup over the subtree. Both must page like the owner.
    const newest = await db.admin<{ title: string }[]>`select title from app.cases
      order by registered_at desc, id desc limit 2000`;
    const seen = new Map<string, number>();
    for (const { title } of newest) {
      const chars = [...title];
      const here = new Set<string>();
      for (let i = 0; i + 3 <= chars.length; i++) here.add(chars.slice(i, i + 3).join(""));
      for (const t of here) seen.set(t, (seen.get(t) ?? 0) + 1);
    }
    const older = await db.admin<{ title: string }[]>`select title from app.cases
      order by registered_at desc, id desc offset 2000`;
    const later = (t: string) => older.filter((r) => r.title.includes(t)).length;
    const sometimes = [...seen]
      .filter(([t, n]) => n >= 12 && n <= 30 && !/[0-9 ]/.test(t))
      .sort(([a], [b]) => later(b) - later(a))[0]?.[0];
    expect(sometimes, "a text met 12 to 30 times among the newest 2,000").toBeDefined();
    const inFirst500 = new Set(newest.slice(0, 500).map((r) => r.title));
    const rare = older
      .map((r) => [...r.title].slice(0, 6).join(""))
      .find((t) => ![...inFirst500].some((x) => x.includes(t)));
    expect(rare, "a text the newest 500 do not hold").toBeDefined();
    for (const q of [sometimes!, rare!]) {
      const all = await expected("62", { q }, 1000);
      expect(all.length).toBeGreaterThan(q === sometimes ? 40 : 0);
      expect(await allPages("62", { q }, 40, 30)).toEqual(all);
      expect(await allPages("6209", { q }, 7, 200)).toEqual(await expected("6209", { q }, 1000));
    }
  });

  it("looks a text up by its rare trigrams alone and returns exactly the owner's rows (0176)", async () => {
    // The sample of titles (auth.title_grams, taken by app.rebuild_rollups after the load) lists the
    // three-character substrings met in at least 3 titles here; a substring not listed is rare.
    const [sampled] = await db.admin<{ n: number }[]>`select count(*)::int as n from auth.title_grams where gram <> ''`;
    expect(sampled!.n).toBeGreaterThan(0);
    // Texts of five characters or more from older titles with a substring met in one or two titles.
    const candidates = await db.admin<{ q: string }[]>`
      with t as (select title from app.cases order by registered_at, id limit 1500)
      select distinct substr(t.title, i, 6) as q from t, generate_series(1, 6) i
      where length(substr(t.title, i, 6)) = 6 and substr(t.title, i, 6) ~ '^[[:alnum:]]+$'
      limit 400`;
    const rare: string[] = [];
    for (const { q } of candidates) {
      const [r] = await db.admin<{ g: string[] | null }[]>`select auth.rare_title_grams(${q}) as g`;
      if (r!.g?.length) rare.push(q);
      if (rare.length >= 6) break;
    }
    expect(rare.length, "texts with a rare trigram").toBeGreaterThan(2);
    const county = units.find((u) => u.level === "county")!.code;
    const township = units.find((u) => u.level === "township")!.code;
    for (const q of rare) {
      const all = await expected("62", { q }, 1000);
      expect(all.length).toBeGreaterThan(0);
      expect(await allPages("62", { q }, 1, 50)).toEqual(all);
      for (const unit of ["6209", county, township]) {
        expect(await allPages(unit, { q }, 2, 50)).toEqual(await expected(unit, { q }, 1000));
      }
      // With a filter, and a text that holds the rare trigram but matches no title.
      expect(await allPages("62", { q, status: ["registered", "accepted"] }, 3, 50)).toEqual(
        await expected("62", { q, status: ["registered", "accepted"] }, 1000),
      );
      expect(await allPages("62", { q: `${q}无此文字` }, 5, 5)).toEqual([]);
    }
  });

  it("finds a text whose every piece is common, filtered or not, exactly as the owner's query, and counts a text as the list finds it (0201)", async () => {
    // Texts of three to five characters of the newest titles none of whose three-character
    // substrings is rare in the sample: the walk first, then the full lookup (or the slices), with
    // the filters now answered by the text index as well.
    const newest = await db.admin<{ title: string }[]>`select title from app.cases
      order by registered_at desc, id desc limit 300`;
    const common: string[] = [];
    for (const { title } of newest) {
      const chars = [...title];
      for (const len of [5, 4, 3]) {
        const q = chars.slice(0, len).join("");
        if (chars.length < len || common.includes(q) || !/^[\p{L}\p{N}]+$/u.test(q)) continue;
        const [r] = await db.admin<{ g: string[] | null }[]>`select auth.rare_title_grams(${q}) as g`;
        if (!r!.g?.length) common.push(q);
        break;
      }
      if (common.length >= 4) break;
    }
    expect(common.length, "texts without a rare trigram").toBe(4);
    const county = units.find((u) => u.level === "county")!.code;
    const filters: Omit<CaseFilter, "limit" | "q">[] = [
      {},
      { categoryCode: "labour" },
      { status: ["registered", "accepted", "in_mediation"] },
      { channel: "visit" },
      { riskGrade: "none", deadlineColour: "red" },
    ];
    let found = 0;
    for (const q of common) {
      for (const unit of ["62", "6209", county]) {
        for (const f of filters) {
          const all = await expected(unit, { ...f, q }, 1000);
          found += all.length;
          expect(await allPages(unit, { ...f, q }, 9, 120)).toEqual(all);
          // The exports' bounded count (auth.case_count) of the same filter and text.
          const n = (await expected(unit, { ...f, q }, 100_000)).length;
          expect(await as(unit, (tx) => countCases(tx, { ...f, q, unitCode: unit }))).toEqual({
            n: Math.min(n, TOTAL_BOUND),
            exact: n < TOTAL_BOUND,
          });
        }
      }
    }
    expect(found, "the texts are met").toBeGreaterThan(50);
    // A text with a rare trigram is counted by the rows of its rare trigrams, as the page finds them.
    const [rare] = await db.admin<{ q: string }[]>`select q from (select distinct left(title, 6) as q from app.cases) t
      where q ~ '^[[:alnum:]]+$' and cardinality(auth.rare_title_grams(q)) > 0 limit 1`;
    expect(rare).toBeDefined();
    for (const unit of ["62", "6209", county]) {
      for (const f of filters) {
        const n = (await expected(unit, { ...f, q: rare!.q }, 100_000)).length;
        expect(await as(unit, (tx) => countCases(tx, { ...f, q: rare!.q, unitCode: unit }))).toEqual({
          n: Math.min(n, TOTAL_BOUND),
          exact: n < TOTAL_BOUND,
        });
      }
    }
  });

  it("pages through rows registered a microsecond apart without skipping one", async () => {
    const [busy] = await db.admin<{ scope_code: string }[]>`select scope_code from app.cases
      where length(scope_code) = 12 group by 1 order by count(*) desc limit 1`;
    const unit = busy!.scope_code;
    // The unit's three newest cases, 1 µs apart just after a millisecond boundary.
    await db.admin`with c as (select id, row_number() over (order by id) as k from app.cases where scope_code = ${unit}
        order by id limit 3)
      update app.cases x set registered_at = timestamptz '2026-11-21 08:00:00.000000+08' + (3 - c.k) * interval '1 microsecond'
      from c where c.id = x.id`;
    const all = await expected(unit, {}, 1000);
    expect(all.length).toBeGreaterThan(3);
    expect(await allPages(unit, {}, 1, all.length + 1)).toEqual(all);
    const first = await as(unit, (tx) => listCases(tx, { limit: 1 }));
    expect(first.items[0]!.id).toBe(all[0]);
    expect(first.next).toBe(`2026-11-21T00:00:00.000002Z|${all[0]}`);
    // The cursor cut to the millisecond, as a JavaScript Date has it, skips the one in the middle.
    const row = first.items[0]!;
    const cut = await as(unit, (tx) =>
      listCases(tx, { limit: 1, before: `${row.registeredAt.toISOString()}|${row.id}` }),
    );
    expect(cut.items[0]?.id).not.toBe(all[1]);
    const exact = await as(unit, (tx) => listCases(tx, { limit: 1, before: first.next! }));
    expect(exact.items[0]?.id).toBe(all[1]);
  });

  it("shows a sideways handler the cases it holds, in its inbox and by code, and nobody else's", async () => {
    const held = await db.admin<{ id: string; code: string; handler_code: string }[]>`select id, code, handler_code
      from app.cases where handler_code is not null and not starts_with(scope_code, handler_code) limit 5`;
    expect(held.length).toBeGreaterThan(0);
    for (const c of held) {
      const inbox = await allPages(c.handler_code, {}, 200, 20);
      expect(inbox).toContain(c.id);
      const byCode = await as(c.handler_code, (tx) => listCases(tx, { limit: 5, q: c.code }));
      expect(byCode.items.map((i) => i.id)).toEqual([c.id]);
      // Narrowed to one of its own units, the handler sees only cases registered there.
      const own = units.find((u) => u.code.startsWith(c.handler_code) && u.code !== c.handler_code);
      if (own) expect(await allPages(c.handler_code, { unitCode: own.code }, 200, 20)).not.toContain(c.id);
    }
  });

  it("shows a unit the case of another county it handles sideways, in its inbox and its detail (read by county, 0190)", async () => {
    // A case registered at the city (its county_code is the city's) or in another branch and
    // assigned down to a unit of this county: on Citus its rows are on another shard than the
    // handler's county.
    const held = await db.admin<{ id: string; code: string; handler_code: string; county_code: string }[]>`
      select id, code, handler_code, county_code from app.cases
      where handler_code is not null and county_code <> left(handler_code, 6) order by id limit 3`;
    expect(held.length).toBeGreaterThan(0);
    for (const c of held) {
      for (const scope of [c.handler_code, c.handler_code.slice(0, 6)]) {
        expect(await allPages(scope, {}, 200, 50), scope).toContain(c.id);
        const detail = await as(scope, (tx) => getCase(tx, c.id, { reveal: false, cipher }));
        expect(detail).toMatchObject({ id: c.id, code: c.code, handlerCode: c.handler_code });
      }
      // A unit of the handler's county that holds it not (neither above nor below the handler)
      // sees neither.
      const other = units.find(
        (u) =>
          u.code.startsWith(c.handler_code.slice(0, 6)) &&
          !u.code.startsWith(c.handler_code) &&
          !c.handler_code.startsWith(u.code),
      );
      if (!other) continue;
      expect(await allPages(other.code, {}, 200, 50)).not.toContain(c.id);
      await expect(as(other.code, (tx) => getCase(tx, c.id, { reveal: false, cipher }))).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    }
  });

  it("shows no unit outside the caller's subtree, even when asked for it by code", async () => {
    const town = units.find((u) => u.level === "township")!.code;
    const sibling = units.find((u) => u.level === "township" && u.code !== town)!.code;
    const page = await as(town, (tx) => listCases(tx, { limit: 50, unitCode: sibling }));
    expect(page.items).toEqual([]);
    const own = await as(town, (tx) => listCases(tx, { limit: 200 }));
    expect(own.items.every((c) => c.scopeCode.startsWith(town) || c.ownerCode.startsWith(town))).toBe(true);
  });

  it("refuses a malformed page cursor with a bilingual validation error", async () => {
    await expect(as("62", (tx) => listCases(tx, { limit: 5, before: "yesterday|x" }))).rejects.toMatchObject({
      code: "VALIDATION",
    });
  });

  it("gives a department liaison nothing: its work is its summons inbox", async () => {
    const page = await as("620981", (tx) => listCases(tx, { limit: 5 }), ["department_liaison"]);
    expect(page.items).toEqual([]);
  });
});
