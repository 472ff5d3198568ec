import type { Outputs } from "./api.ts";

type Child = Outputs["cockpit"]["figures"]["children"][number];
type RankingRow = Outputs["cockpit"]["ranking"]["rows"][number];
/** What the lists read of cockpit.figures: each child's name, overdue and risk counts, reworks and band. */
export interface BulletinFigures {
  children: {
    unit: Pick<Child["unit"], "name">;
    current: Pick<Child["current"], "red" | "riskRed">;
    figures: Pick<Child["figures"], "reworks" | "reworksPerCase">;
    safety: Pick<Child["safety"], "band" | "index">;
  }[];
}
/** What the lists read of cockpit.ranking: each row's rank, name and score. */
export interface BulletinRanking {
  rows: (Pick<RankingRow, "rank" | "score"> & { unit: Pick<RankingRow["unit"], "name"> })[];
}

export interface RankedUnit {
  rank: number;
  name: string;
  score: number;
}
export interface OverdueUnit {
  name: string;
  /** Open cases with a red (overdue) clock now. */
  overdue: number;
  /** Open red-risk cases now. */
  riskRed: number;
}

export interface ReworkUnit {
  name: string;
  /** Times the month's cases of the unit were sent back for rework (重办). */
  reworks: number;
  /** Reworks ÷ cases received (null: none received). */
  perCase: number | null;
}

/**
 * The lists of 一月一通报: the first and the last of the ranking, units with overdue cases, units
 * whose cases were sent back for rework, units in the red band.
 */
export interface BulletinLists {
  top: RankedUnit[];
  bottom: RankedUnit[];
  overdue: OverdueUnit[];
  reworks: ReworkUnit[];
  redBand: { name: string; index: number }[];
}

/** How many units each end of the ranking names: up to 3, never more than half of the ranked units. */
export const LIST_SIZE = 3;

/**
 * The bulletin's lists from the month's figures and ranking: 表扬 (the first ranked, up to 3) and
 * 末位 (the last, as many, never overlapping: each end takes at most half of the ranked units),
 * the child units with overdue open cases (most first), those whose cases of the period were sent
 * back for rework (most first), and those whose safety index is red.
 */
export function bulletinLists(f: BulletinFigures, r: BulletinRanking | undefined): BulletinLists {
  const ranked = (r?.rows ?? [])
    .filter((row) => row.rank !== null && row.score !== null)
    .map((row) => ({ rank: row.rank!, name: row.unit.name, score: row.score! }));
  const n = Math.min(LIST_SIZE, Math.floor(ranked.length / 2));
  return {
    top: ranked.slice(0, n),
    bottom: n === 0 ? [] : ranked.slice(-n),
    overdue: f.children
      .filter((c) => c.current.red > 0)
      .map((c) => ({ name: c.unit.name, overdue: c.current.red, riskRed: c.current.riskRed }))
      .sort((a, b) => b.overdue - a.overdue || a.name.localeCompare(b.name, "zh-CN")),
    reworks: f.children
      .filter((c) => c.figures.reworks > 0)
      .map((c) => ({ name: c.unit.name, reworks: c.figures.reworks, perCase: c.figures.reworksPerCase }))
      .sort((a, b) => b.reworks - a.reworks || a.name.localeCompare(b.name, "zh-CN")),
    redBand: f.children
      .filter((c) => c.safety.band === "red")
      .map((c) => ({ name: c.unit.name, index: c.safety.index }))
      .sort((a, b) => a.index - b.index),
  };
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The lists as one CSV (UTF-8 with BOM, so that Excel opens it in Chinese): list, unit, figures. */
export function bulletinListsCsv(lists: BulletinLists): string {
  const rows: (string | number)[][] = [["名单", "名次", "单位", "得分/件数", "红色风险/平安指数/件均重办"]];
  for (const u of lists.top) rows.push(["考评前列（表扬）", u.rank, u.name, u.score.toFixed(1), ""]);
  for (const u of lists.bottom) rows.push(["考评末位", u.rank, u.name, u.score.toFixed(1), ""]);
  for (const u of lists.overdue) rows.push(["有超期案件的单位", "", u.name, u.overdue, u.riskRed]);
  for (const u of lists.reworks)
    rows.push(["有重办案件的单位", "", u.name, u.reworks, u.perCase === null ? "" : u.perCase.toFixed(2)]);
  for (const u of lists.redBand) rows.push(["平安指数预警（红色）单位", "", u.name, "", u.index.toFixed(1)]);
  return `\uFEFF${rows.map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
}
