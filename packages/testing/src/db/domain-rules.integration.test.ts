import { CASE_CATEGORIES, WARNING_COLOURS, warningColour, YELLOW_SHARE } from "@zongzhi/domain";
import {
  FOLLOW_UP_METHODS,
  PERFORMANCE_STATUSES,
  SATISFACTIONS,
  SESSION_OUTCOMES,
  SUMMONS_STATES,
} from "@zongzhi/domain/case-records";
import { KIND_CODE_INPUT, KIND_CODE_MAX, ownKindCode } from "@zongzhi/domain/centre";
import { SUPERVISION_LEVELS } from "@zongzhi/domain/supervision";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../index.ts";

// Rules the database must repeat are held to the domain's one definition here: the deadline
// colour (app.deadline_colour, migration 0030, exists because the minute scan recolours clocks
// set-wise) answers as warningColour; the policy default share is YELLOW_SHARE; the catalogue's
// kind-code CHECKs take exactly what the domain's input pattern lets through; the CHECKs of the
// case records' states and kinds allow exactly the domain's vocabularies.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

const MINUTE = 60_000;
const T0 = Date.parse("2026-03-02T00:00:00Z");

describe("domain rules the database repeats", () => {
  it("app.deadline_colour answers as the domain's warningColour for any clock, share and instant", async () => {
    const clock = fc.record({
      start: fc.integer({ min: 0, max: 60 * 24 * 60 }),
      length: fc.integer({ min: -60, max: 60 * 24 * 30 }),
      at: fc.integer({ min: -60, max: 60 * 24 * 90 }),
      // The column keeps three decimals.
      share: fc.integer({ min: 1, max: 999 }).map((n) => n / 1000),
    });
    const cases = fc.sample(clock, { numRuns: 400, seed: 20261201 });
    const rows = cases.map((c) => {
      const start = new Date(T0 + c.start * MINUTE);
      const due = new Date(start.getTime() + c.length * MINUTE);
      const at = new Date(start.getTime() + c.at * MINUTE);
      return { start, due, at, share: c.share, expected: warningColour(start, due, at, c.share) };
    });
    const answers = await db.admin<{ i: number; colour: string }[]>`
      select (r.value ->> 'i')::int as i, app.deadline_colour((r.value ->> 'start')::timestamptz,
        (r.value ->> 'due')::timestamptz, (r.value ->> 'share')::numeric, (r.value ->> 'at')::timestamptz) as colour
      from jsonb_array_elements(${db.admin.json(
        rows.map((r, i) => ({
          i,
          start: r.start.toISOString(),
          due: r.due.toISOString(),
          at: r.at.toISOString(),
          share: r.share,
        })),
      )}::jsonb) r order by 1`;
    const differ = answers
      .filter((a) => a.colour !== rows[a.i]!.expected)
      .map((a) => ({ ...rows[a.i], sql: a.colour }));
    expect(differ).toEqual([]);
    expect(new Set(rows.map((r) => r.expected))).toEqual(new Set(["blue", "yellow", "red"]));
  });

  it("a policy's default yellow share is the domain's YELLOW_SHARE at the column's precision", async () => {
    const [column] = await db.admin<{ def: string; scale: number }[]>`
      select column_default as def, numeric_scale as scale from information_schema.columns
      where table_schema = 'app' and table_name = 'deadline_policies' and column_name = 'yellow_share'`;
    expect(Number(column!.def)).toBe(Number(YELLOW_SHARE.toFixed(column!.scale)));
  });

  it("the department-kind CHECKs store every code the domain's pattern accepts, up to KIND_CODE_MAX", async () => {
    const longest = `k${"_".repeat(37)}`;
    expect(KIND_CODE_INPUT.test(longest)).toBe(true);
    expect(KIND_CODE_INPUT.test(`${longest}x`)).toBe(false);
    expect(ownKindCode(longest)).toHaveLength(KIND_CODE_MAX);
    const checks = await db.admin<{ table: string; ok: boolean; longer: boolean }[]>`
      select c.conrelid::regclass::text as table,
        ${ownKindCode(longest)} ~ substring(pg_get_constraintdef(c.oid) from '~ ''([^'']+)''') as ok,
        ${`${ownKindCode(longest)}x`} ~ substring(pg_get_constraintdef(c.oid) from '~ ''([^'']+)''') as longer
      from pg_constraint c where c.contype = 'c' and c.conrelid in ('ref.department_kinds'::regclass, 'app.department_kinds'::regclass)
        and pg_get_constraintdef(c.oid) like '%code ~%' order by 1`;
    expect(checks).toEqual([
      { table: "app.department_kinds", ok: true, longer: false },
      { table: "ref.department_kinds", ok: true, longer: false },
    ]);
  });

  it("the CHECKs of the case records allow exactly the domain's vocabularies (case-records, supervision, warning colours)", async () => {
    const vocabularies: [table: string, column: string, values: readonly string[]][] = [
      ["case_summons", "status", SUMMONS_STATES],
      ["mediation_sessions", "outcome", SESSION_OUTCOMES],
      ["agreements", "performance_status", PERFORMANCE_STATUSES],
      ["follow_ups", "method", FOLLOW_UP_METHODS],
      ["follow_ups", "satisfaction", SATISFACTIONS],
      ["supervisions", "level", SUPERVISION_LEVELS],
      ["cases", "deadline_colour", WARNING_COLOURS],
      ["case_deadlines", "colour", WARNING_COLOURS],
    ];
    for (const [table, column, values] of vocabularies) {
      const [check] = await db.admin<{ def: string }[]>`
        select pg_get_constraintdef(c.oid) as def from pg_constraint c
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
        where c.contype = 'c' and c.conrelid = ${`app.${table}`}::regclass and a.attname = ${column}
          and cardinality(c.conkey) = 1`;
      const allowed = [...(check?.def ?? "").matchAll(/'([^']+)'::text/g)].map((m) => m[1]);
      // A CHECK's list has no order that means anything: compared as sets.
      expect({ table, column, allowed: allowed.sort() }).toEqual({ table, column, allowed: [...values].sort() });
    }
  });

  it("ref.case_categories seeds exactly the domain's built-in categories, in order", async () => {
    const rows = await db.admin<
      { code: string; name: string }[]
    >`select code, name from ref.case_categories order by sort`;
    expect(rows).toEqual(CASE_CATEGORIES.map((c) => ({ code: c.code, name: c.zh })));
  });
});
