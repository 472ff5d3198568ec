/** Tiers of the administrative tree, top down (省 → 市 → 县 → 乡镇 → 村). */
export const LEVELS = ["province", "city", "county", "township", "village"] as const;
/** One tier. */
export type Level = (typeof LEVELS)[number];

/** Length of a division code at each tier: GB/T 2260 (2+2+2) plus township (3) and village (3). */
export const CODE_LENGTH: Record<Level, number> = { province: 2, city: 4, county: 6, township: 9, village: 12 };

/** Chinese and English names of the tiers. */
export const LEVEL_NAMES: Record<Level, { zh: string; en: string }> = {
  province: { zh: "省级", en: "Province" },
  city: { zh: "市级", en: "City" },
  county: { zh: "县级", en: "County" },
  township: { zh: "乡镇（街道）", en: "Township" },
  village: { zh: "村（社区）", en: "Village" },
};

/** The tier a well-formed code belongs to, or null. */
export function levelOfCode(code: string): Level | null {
  if (!/^\d+$/.test(code)) return null;
  return LEVELS.find((level) => CODE_LENGTH[level] === code.length) ?? null;
}

/** True when `code` is a well-formed division code of the given tier (or any tier). */
export function isDivisionCode(code: string, level?: Level): boolean {
  const found = levelOfCode(code);
  return found !== null && (level === undefined || found === level) && !/^0/.test(code);
}

/**
 * The county key of a row in unit `code` (its `county_code`: the first six digits, or the whole
 * code above county level, as `left(code, 6)` in the database). Every insert into a table that
 * Citus distributes names it: the coordinator routes an INSERT by that value (infra/SCALE.md).
 */
export function countyOf(code: string): string {
  return code.slice(0, CODE_LENGTH.county);
}

/** The code of the tier directly above, or null for a province. */
export function parentCodeOf(code: string): string | null {
  const level = levelOfCode(code);
  if (level === null || level === "province") return null;
  const parentLevel = LEVELS[LEVELS.indexOf(level) - 1] as Level;
  return code.slice(0, CODE_LENGTH[parentLevel]);
}

/** Every ancestor code from the province down to the parent. */
export function ancestorCodesOf(code: string): string[] {
  const out: string[] = [];
  for (let p = parentCodeOf(code); p !== null; p = parentCodeOf(p)) out.unshift(p);
  return out;
}

/** True when `code` lies in the subtree rooted at `ancestor` (itself included). */
export function inSubtree(code: string, ancestor: string): boolean {
  return code.startsWith(ancestor);
}

/** The tier directly below, or null for a village. */
export function childLevel(level: Level): Level | null {
  return LEVELS[LEVELS.indexOf(level) + 1] ?? null;
}
