import { loadavg } from "node:os";

/** Summary of timed samples (milliseconds). */
export interface Summary {
  n: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

/** Median, 95th percentile (nearest rank), min and max. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { n: 0, median: Number.NaN, p95: Number.NaN, min: Number.NaN, max: Number.NaN };
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
  return { n: s.length, median: at(0.5), p95: at(0.95), min: s[0] as number, max: s[s.length - 1] as number };
}

/** The machine's 1, 5 and 15-minute load averages. */
export function load(): [number, number, number] {
  const [a, b, c] = loadavg();
  return [round(a ?? 0, 2), round(b ?? 0, 2), round(c ?? 0, 2)];
}

/** Rounds to `digits` decimals. */
export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Runs `fn` after `warmup` calls, as many times as fit in `budgetMs` (between `min` and `max`
 * runs) and returns the durations. Why a budget: one province query may take seconds before
 * the fixes and milliseconds after; a fixed count would take hours or say little.
 */
export async function timeRuns(
  fn: () => Promise<unknown>,
  options: { warmup?: number; min?: number; max?: number; budgetMs?: number } = {},
): Promise<number[]> {
  const { warmup = 2, min = 5, max = 40, budgetMs = 4000 } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  const started = performance.now();
  while (out.length < max && (out.length < min || performance.now() - started < budgetMs)) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

/** Like {@link timeRuns}, but collects the figure each call returns (e.g. the database's own time). */
export async function sampleRuns(
  fn: () => Promise<number>,
  options: { warmup?: number; min?: number; max?: number; budgetMs?: number } = {},
): Promise<number[]> {
  const { warmup = 1, min = 5, max = 40, budgetMs = 4000 } = options;
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  const started = performance.now();
  while (out.length < max && (out.length < min || performance.now() - started < budgetMs)) out.push(await fn());
  return out;
}
