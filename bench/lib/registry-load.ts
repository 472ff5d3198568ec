import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "@zongzhi/db/embedded";
import { migrate } from "@zongzhi/db/migrate";
import { ensureSearchIndex, loadRegistry } from "@zongzhi/registry";
import postgres from "postgres";
import type { Figure } from "./figures.ts";
import { load, round, summarize } from "./stats.ts";

/**
 * First start: the national registry loaded into a freshly migrated database of a fresh
 * embedded cluster with the quick start's own settings, as `pnpm start` does on first run: the
 * rows, key and parent index in one transaction (what the start waits for, the figure), then the
 * name-search index built concurrently while the server already serves (timed apart, in the note).
 */
export async function registryFigure(runs: number, log: (s: string) => void): Promise<Figure> {
  const dir = await mkdtemp(join(tmpdir(), "zz-bench-registry-"));
  const cluster = await startEmbeddedPostgres({ dataDir: join(dir, "pg"), password: "bench", persistent: false });
  const samples: number[] = [];
  const indexSamples: number[] = [];
  let rows = 0;
  try {
    for (let i = 0; i < runs; i++) {
      const maintenance = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
      await maintenance.unsafe("drop database if exists first_start with (force)");
      await maintenance.unsafe("create database first_start");
      await maintenance.end();
      const url = cluster.adminUrl.replace(/\/postgres$/, "/first_start");
      await migrate(url, { appPassword: "bench" });
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      const t = performance.now();
      rows = await loadRegistry(sql, { searchIndex: "after" });
      samples.push(performance.now() - t);
      const i = performance.now();
      await ensureSearchIndex(sql);
      indexSamples.push(performance.now() - i);
      await sql.end();
    }
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const s = summarize(samples);
  const index = summarize(indexSamples);
  const indexNote = `name-search index then ${round(index.median / 1000, 1)} s in the background`;
  log(
    `  registry: ${rows.toLocaleString("en")} divisions in ${round(s.median / 1000, 1)} s (median of ${runs}); ${indexNote}`,
  );
  return {
    section: "first start",
    name: `national registry load (${rows.toLocaleString("en")} divisions)`,
    service: s,
    target: "≤ 10 s",
    verdict: s.median <= 10_000 ? "pass" : "miss",
    note: `${round(s.median / 1000, 1)} s median (COPY FREEZE, key and indexes built after); ${indexNote}`,
    load: load(),
  };
}
