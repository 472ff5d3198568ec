import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./test-harness.ts";

/**
 * 一月一考评's month-on-month change (issue 10 §2): each child's score, rank, last month's score
 * and rank and the difference, on crafted cases with hand-computed scores; in the ranking and in
 * its ledger; across a year's end.
 */
let api: TestApi;
let admin: postgres.Sql;
const TOWN = "620981101";
let TOWN2: string;
let TOWN3: string;
let seq = 0;

/** A case of `scope` registered and accepted at `at`, resolved then too when `resolved`. */
async function insertCase(scope: string, at: string, resolved: boolean): Promise<void> {
  seq += 1;
  const year = new Date(Date.parse(at) + 8 * 3600e3).getUTCFullYear();
  await admin`insert into app.cases (scope_code, owner_code, code, year, seq, category_code, channel, title,
      description, location_code, status, registered_at, accepted_at, resolved_at)
    values (${scope}, ${scope}, ${`${scope}-${year}-${String(700000 + seq)}`}, ${year}, ${700000 + seq}, 'neighbour',
      'visit', '测试事件', '测试', ${scope}, ${resolved ? "resolved" : "accepted"}, ${at}, ${at}, ${resolved ? at : null})`;
}

/** Only the resolution rate weighs: a score is 100 × resolved ÷ accepted. */
const WEIGHTS = {
  resolutionRate: 100,
  closureRate: 0,
  onTimeRate: 0,
  satisfactionRate: 0,
  followUpRate: 0,
  localShare: 0,
  reworkFreeRate: 0,
};

beforeAll(async () => {
  api = await startTestApi({ centres: false });
  admin = api.db.admin;
  const towns = await admin<{ code: string }[]>`select code from app.tenants where code like '620981___'
    and length(code) = 9 and code <> ${TOWN} order by code limit 2`;
  TOWN2 = towns[0]!.code;
  TOWN3 = towns[1]!.code;
  // May 2022: TOWN 1 of 2 resolved (50), TOWN2 1 of 1 (100); TOWN3 nothing.
  await insertCase(TOWN, "2022-05-10T02:00:00Z", true);
  await insertCase(TOWN, "2022-05-11T02:00:00Z", false);
  await insertCase(TOWN2, "2022-05-12T02:00:00Z", true);
  // June 2022: TOWN 1 of 1 (100), TOWN2 0 of 2 (0), TOWN3 1 of 1 (100).
  await insertCase(TOWN, "2022-06-10T02:00:00Z", true);
  await insertCase(TOWN2, "2022-06-11T02:00:00Z", false);
  await insertCase(TOWN2, "2022-06-12T02:00:00Z", false);
  await insertCase(TOWN3, "2022-06-13T02:00:00Z", true);
  // The last day of December 2022 in Beijing (UTC 16:30 on the 31st is January the 1st there).
  await insertCase(TOWN, "2022-12-31T15:00:00Z", false);
  await insertCase(TOWN, "2022-12-31T16:30:00Z", true);
});
afterAll(() => api.close());

describe("the ranking's month-on-month change", () => {
  it("gives each child last month's score and rank and the difference; equal scores share a rank", async () => {
    const leader = api.client(await api.login("yumen.leader"));
    const r = await leader.cockpit.ranking.query({ month: "2022-06", weights: WEIGHTS });
    const row = (code: string) => r.rows.find((x) => x.unit.code === code)!;
    expect(
      r.rows
        .slice(0, 3)
        .map((x) => x.unit.code)
        .sort(),
    ).toEqual([TOWN, TOWN2, TOWN3].sort());
    expect(row(TOWN)).toMatchObject({ score: 100, rank: 1, previousScore: 50, previousRank: 2, change: 50 });
    expect(row(TOWN3)).toMatchObject({ score: 100, rank: 1, previousScore: null, previousRank: null, change: null });
    expect(row(TOWN2)).toMatchObject({ score: 0, rank: 3, previousScore: 100, previousRank: 1, change: -100 });
    // A unit that received nothing either month: no score, no rank, no change, listed last.
    const idle = r.rows.slice(3);
    expect(idle.length).toBeGreaterThan(0);
    expect(idle.every((x) => x.score === null && x.rank === null && x.change === null)).toBe(true);

    // May against April (nothing in April): scores without a change.
    const may = await leader.cockpit.ranking.query({ month: "2022-05", weights: WEIGHTS });
    expect(may.rows.find((x) => x.unit.code === TOWN)).toMatchObject({ score: 50, rank: 2, change: null });

    // January 2023 against December 2022, by Beijing dates: 0 of 1 in December, 1 of 1 in January.
    const jan = await leader.cockpit.ranking.query({ month: "2023-01", weights: WEIGHTS });
    expect(jan.rows[0]).toMatchObject({
      unit: { code: TOWN },
      score: 100,
      rank: 1,
      previousScore: 0,
      previousRank: 1,
      change: 100,
    });
  });

  it("the ranking's ledger carries last month's rank and the change, by the unit's saved weights", async () => {
    const cookie = await api.login("yumen.leader");
    const leader = api.client(cookie);
    const { version } = await leader.cockpit.settings.query({});
    await leader.cockpit.saveSettings.mutate({ ranking: WEIGHTS, safety: null, version });
    const res = await api.request("/exports/ranking?format=csv&to=2022-06", { cookie });
    expect(res.status).toBe(200);
    const lines = (await res.text())
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    const header = lines[0]!.split(",");
    const col = (name: string) => header.indexOf(name);
    expect(col("上月名次")).toBeGreaterThan(-1);
    expect(col("环比")).toBeGreaterThan(-1);
    const names = new Map(
      (
        await admin<{ code: string; name: string }[]>`select code, name from app.tenants
        where code in (${TOWN}, ${TOWN2}, ${TOWN3})`
      ).map((t) => [t.name, t.code]),
    );
    const rows = lines.slice(1, 4).map((l) => l.split(","));
    const byCode = new Map(rows.map((cells) => [names.get(cells[col("单位")]!), cells]));
    const pick = (code: string) =>
      ["名次", "得分", "上月名次", "环比"].map((name) => byCode.get(code)?.[col(name)] ?? "missing");
    expect(pick(TOWN)).toEqual(["1", "100", "2", "50"]);
    expect(pick(TOWN3)).toEqual(["1", "100", "", ""]);
    expect(pick(TOWN2)).toEqual(["3", "0", "1", "-100"]);
  });
});
