import fc from "fast-check";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./test-harness.ts";

/**
 * The unit's own median days to resolve in cockpit.figures (the period, the same months a year
 * earlier, each month of the trend), computed in the database from the kept days histograms over
 * groups of months that overlap (a month of the period is also its own month of the trend): equal
 * to the median of the raw cases after random registrations and resolutions, for every category
 * and for one.
 */

let api: TestApi;
let admin: postgres.Sql;
const COUNTY = "620981";
let units: string[] = [];
let seq = 0;

beforeAll(async () => {
  api = await startTestApi({ centres: false });
  admin = api.db.admin;
  const villages = await admin<{ code: string }[]>`select code from app.tenants where code like ${`${COUNTY}%`}
    and length(code) = 12 order by code limit 3`;
  units = [COUNTY, `${COUNTY}101`, ...villages.map((v) => v.code)];
});
afterAll(() => api.close());

/** The median of the raw cases registered in [from, to] (Beijing months) of the county's subtree. */
async function directMedian(from: string, to: string, category = ""): Promise<number | null> {
  const [row] = await admin<{ median: number | null }[]>`
    select percentile_cont(0.5) within group (order by greatest(
        (c.resolved_at at time zone 'Asia/Shanghai')::date - (c.registered_at at time zone 'Asia/Shanghai')::date, 0)) as median
    from app.cases c
    where starts_with(c.scope_code, ${COUNTY}) and c.resolved_at is not null
      and (${category} = '' or c.category_code = ${category})
      and to_char(c.registered_at at time zone 'Asia/Shanghai', 'YYYY-MM') between ${from} and ${to}`;
  return row!.median;
}

const caseArb = fc.record({
  unit: fc.nat(),
  // Days after 2024-01-01 (two years: the period of 2025 and the same months of 2024).
  day: fc.integer({ min: 0, max: 730 }),
  hour: fc.integer({ min: 0, max: 23 }),
  resolveDays: fc.option(fc.integer({ min: 0, max: 60 }), { freq: 3 }),
  category: fc.constantFrom("labour", "neighbour"),
});

type CaseSpec = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

async function insert(c: CaseSpec) {
  seq += 1;
  const scope = units[c.unit % units.length]!;
  const at = new Date(Date.UTC(2024, 0, 1) + c.day * 86_400_000 + c.hour * 3_600_000);
  const resolved = c.resolveDays === null ? null : new Date(at.getTime() + c.resolveDays * 86_400_000 + 3_600_000);
  const year = at.getUTCFullYear();
  await admin`insert into app.cases (scope_code, owner_code, code, year, seq, category_code, channel, title, description,
      location_code, people_count, risk_grade, status, registered_at, accepted_at, resolved_at)
    values (${scope}, ${scope}, ${`${scope}-${year}-${String(900_000 + seq)}`}, ${year}, ${900_000 + seq},
      ${c.category}, 'visit', '测试事件', '测试', ${scope}, 1, 'none', ${resolved ? "resolved" : "accepted"}, ${at},
      ${at}, ${resolved})`;
}

describe("the unit's own medians", () => {
  it("equal the raw cases' median for the period, a year earlier and each month of the trend", async () => {
    const leader = api.client(await api.login("yumen.leader"));
    await fc.assert(
      fc.asyncProperty(
        fc.array(caseArb, { minLength: 1, maxLength: 30 }),
        fc.constantFrom("", "labour"),
        async (cases, category) => {
          for (const c of cases) await insert(c);
          const r = await leader.cockpit.figures.query({
            from: "2025-03",
            to: "2025-08",
            ...(category ? { categoryCode: category } : {}),
          });
          expect(r.figures.medianDaysToResolve).toBe(await directMedian("2025-03", "2025-08", category));
          expect(r.lastYear.medianDaysToResolve).toBe(await directMedian("2024-03", "2024-08", category));
          const direct = await Promise.all(r.trend.map((t) => directMedian(t.month, t.month, category)));
          expect(r.trend.map((t) => t.figures.medianDaysToResolve)).toEqual(direct);
        },
      ),
      { numRuns: 8 },
    );
  });
});
