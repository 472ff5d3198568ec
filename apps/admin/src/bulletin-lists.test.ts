import { describe, expect, it } from "vitest";
import { type BulletinFigures, bulletinLists, bulletinListsCsv } from "./bulletin-lists.ts";

const child = (
  name: string,
  red: number,
  riskRed: number,
  band: "blue" | "yellow" | "red",
  index: number,
  reworks = 0,
  received = 20,
) => ({
  unit: { name },
  figures: { received, reworks, reworksPerCase: received === 0 ? null : reworks / received },
  current: { open: 10, red, yellow: 0, blue: 0, riskRed, riskYellow: 0, riskBlue: 0 },
  safety: { index, band },
});
const row = (rank: number | null, name: string, score: number | null) => ({ rank, unit: { name }, score });

describe("the bulletin's lists", () => {
  const f: BulletinFigures = {
    children: [
      child("甲镇", 0, 0, "blue", 95, 1, 20),
      child("乙镇", 2, 1, "red", 40),
      child("丙镇", 5, 0, "yellow", 75, 3, 12),
    ],
  };
  it("names the first and the last of the ranking without overlap, at most three, at most half each", () => {
    const seven = { rows: [1, 2, 3, 4, 5, 6, 7].map((i) => row(i, `u${i}`, 100 - i)) };
    const l = bulletinLists(f, seven);
    expect(l.top.map((u) => u.name)).toEqual(["u1", "u2", "u3"]);
    expect(l.bottom.map((u) => u.name)).toEqual(["u5", "u6", "u7"]);
    const three = {
      rows: [row(1, "a", 9), row(2, "b", 8), row(3, "c", 7), row(null, "d", null)],
    };
    expect(bulletinLists(f, three)).toMatchObject({ top: [{ name: "a" }], bottom: [{ name: "c" }] });
    expect(bulletinLists(f, { rows: [row(1, "a", 9)] })).toMatchObject({ top: [], bottom: [] });
  });
  it("lists the units with overdue cases, most first, those with reworks, and the red-band units", () => {
    const l = bulletinLists(f, undefined);
    expect(l.overdue).toEqual([
      { name: "丙镇", overdue: 5, riskRed: 0 },
      { name: "乙镇", overdue: 2, riskRed: 1 },
    ]);
    expect(l.redBand).toEqual([{ name: "乙镇", index: 40 }]);
    // Reworks (重办): most first; 3 of 12 cases = 0.25 a case, 1 of 20 = 0.05; none, not listed.
    expect(l.reworks).toEqual([
      { name: "丙镇", reworks: 3, perCase: 0.25 },
      { name: "甲镇", reworks: 1, perCase: 0.05 },
    ]);
    const csv = bulletinListsCsv(l)
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(csv[0]).toBe("名单,名次,单位,得分/件数,红色风险/平安指数/件均重办");
    expect(csv).toContain("有超期案件的单位,,丙镇,5,0");
    expect(csv).toContain("平安指数预警（红色）单位,,乙镇,,40.0");
    expect(csv).toContain("有重办案件的单位,,丙镇,3,0.25");
    expect(csv).toContain("有重办案件的单位,,甲镇,1,0.05");
  });
});
