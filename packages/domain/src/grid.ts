// The grid (一张网): the tiers grids sit on, what an exclusive grid covers and how a grid worker
// serves. The API's schemas, the services and the admin UI read these lists from here.

/** Tiers of the grid (一级 township, 二级 village/community, 三级 group/compound, 微网格). */
export const GRID_TIERS = ["township", "village", "group", "micro"] as const;
/** A tier of the grid. */
export type GridTier = (typeof GRID_TIERS)[number];

/** What an exclusive grid (专属网格) covers. */
export const EXCLUSIVE_TYPES = [
  "school",
  "hospital",
  "industrial_park",
  "enterprise",
  "market",
  "scenic_area",
  "other",
] as const;
/** What an exclusive grid covers. */
export type ExclusiveType = (typeof EXCLUSIVE_TYPES)[number];

/** How a grid worker serves: 专职, 兼职, 专属. */
export const GRID_WORKER_KINDS = ["full_time", "part_time", "exclusive"] as const;
/** How a grid worker serves. */
export type GridWorkerKind = (typeof GRID_WORKER_KINDS)[number];

/** The tier a new grid under `parent` starts on: the one below (an exclusive grid may stay on it). */
export function tierBelow(parent: GridTier | null): GridTier {
  if (parent === null) return "township";
  return GRID_TIERS[Math.min(GRID_TIERS.indexOf(parent) + 1, GRID_TIERS.length - 1)] ?? "micro";
}
