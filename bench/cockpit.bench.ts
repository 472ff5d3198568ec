import { Writable } from "node:stream";
import { caseLedgerColumns, openLedgerSink } from "@zongzhi/api";
import type postgres from "postgres";
import type { Figure } from "./lib/figures.ts";
import { type ApiProcess, login, trpc } from "./lib/http.ts";
import { summarize } from "./lib/stats.ts";

/**
 * The leaders' cockpit (issue 10 §7) through HTTP on the generated province: `cockpit.figures`
 * and `cockpit.ranking` end to end (client round trip) as the province's and a county's staff,
 * and the streamed Excel export of the case list with its time, size and the API's peak RSS.
 * Targets: province ≤ 300 ms, county ≤ 100 ms (issue 10); the export has no target, its time
 * and memory are reported. Prints figures; never fails on timing.
 */
export async function cockpitFigures(
  api: ApiProcess,
  admin: postgres.Sql,
  province: { code: string },
  county: { code: string },
  log: (s: string) => void,
  runs = 20,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const to = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
  const from = `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
  for (const [tier, unit, target] of [
    ["province", province, 300],
    ["county", county, 100],
  ] as const) {
    const cookie = await login(api.origin, `gen.${unit.code}`, "Zongzhi@2026");
    for (const path of ["cockpit.figures", "cockpit.ranking"] as const) {
      const input = path === "cockpit.figures" ? { from, to } : { month: to };
      await trpc(api.origin, cookie, "query", path, input); // warm
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        await trpc(api.origin, cookie, "query", path, input);
        samples.push(performance.now() - t);
      }
      const s = summarize(samples);
      log(`  ${path} ${tier} ${unit.code}: median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms`);
      figures.push({
        section: "cockpit",
        name: `${path} through HTTP (12 months)`,
        tier,
        unit: unit.code,
        service: s,
        target: `≤ ${target} ms end to end`,
        verdict: s.p95 <= target ? "pass" : "miss",
      });
    }
  }

  // Export: every case of the province, all years (the widest ledger the data offers).
  const cookie = await login(api.origin, `gen.${province.code}`, "Zongzhi@2026");
  const [{ first, n }] =
    (await admin`select to_char(min(registered_at) at time zone 'Asia/Shanghai', 'YYYY-MM') as first,
      count(*)::int as n from app.cases`) as unknown as [{ first: string; n: number }];
  for (const format of ["xlsx", "csv"] as const) {
    const rssBefore = Math.round(api.rss());
    let peak = rssBefore;
    const timer = setInterval(() => {
      peak = Math.max(peak, Math.round(api.rss()));
    }, 100);
    const t = performance.now();
    let bytes = 0;
    // An export spans at most 36 months: the ledger of the last 36 months.
    const exportFrom =
      first > `${Number(to.slice(0, 4)) - 3}${to.slice(4)}` ? first : `${Number(to.slice(0, 4)) - 2}-01`;
    const res = await fetch(`${api.origin}/exports/cases?format=${format}&from=${exportFrom}&to=${to}`, {
      headers: { cookie },
    });
    if (!res.ok || !res.body) throw new Error(`export ${format}: ${res.status} ${await res.text()}`);
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
    }
    const ms = performance.now() - t;
    clearInterval(timer);
    const [{ rows }] = (await admin`select count(*)::int as rows from app.cases
      where registered_at >= ${`${exportFrom}-01T00:00:00+08:00`}::timestamptz`) as unknown as [{ rows: number }];
    log(
      `  export cases.${format}: ${rows.toLocaleString("en")} rows (of ${n.toLocaleString("en")}), ${(bytes / 2 ** 20).toFixed(1)} MB in ${(ms / 1000).toFixed(1)} s (${Math.round(rows / (ms / 1000)).toLocaleString("en")} rows/s), API RSS ${rssBefore} → peak ${peak} MB`,
    );
    figures.push({
      section: "cockpit",
      name: `export of the case ledger (${format}), streamed`,
      tier: "province",
      unit: province.code,
      rows,
      note: `${(ms / 1000).toFixed(1)} s, ${(bytes / 2 ** 20).toFixed(1)} MB, ${Math.round(rows / (ms / 1000)).toLocaleString("en")} rows/s, API RSS ${rssBefore} MB → peak ${peak} MB`,
      verdict: "info",
    });
  }
  return figures;
}

/**
 * The ledger writer alone at 1 M rows (issue 10 §5: "1 M rows without exhausting memory"): case
 * ledger rows of the generated shape through the same sink the export uses (exceljs' streaming
 * WorkbookWriter, or CSV) into a stream that discards them, waiting for `drain` as the export
 * does; time and this process's peak RSS and heap. The database side of a 1 M-row export is the
 * cursor of the HTTP figure above at that size; this one needs no 1 M-case database.
 */
export async function ledgerWriterFigures(log: (s: string) => void, rows = 1_000_000): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const format of ["xlsx", "csv"] as const) {
    global.gc?.();
    const rssBefore = Math.round(process.memoryUsage().rss / 2 ** 20);
    let peak = rssBefore;
    let heapPeak = 0;
    const timer = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, Math.round(m.rss / 2 ** 20));
      heapPeak = Math.max(heapPeak, Math.round(m.heapUsed / 2 ** 20));
    }, 50);
    let bytes = 0;
    // A reader as slow as a network: a small buffer, so backpressure is real.
    const out = new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        setImmediate(done);
      },
    });
    const sink = openLedgerSink(
      format,
      out,
      "基准 案件台账（合成 1,000,000 行）",
      "案件台账",
      caseLedgerColumns(false),
    );
    const t = performance.now();
    const at = new Date("2026-01-05T02:00:00Z");
    for (let i = 0; i < rows; i++) {
      sink.row({
        code: `620502101001-2026-${String(i).padStart(7, "0")}`,
        registeredAt: at,
        unit: "某某村",
        owner: "某某镇",
        category: "邻里纠纷",
        channel: "visit",
        title: `邻里纠纷第${i}件：宅基地界址与排水沟争议`,
        status: "已办结",
        risk: "蓝",
        colour: "",
        people: 2 + (i % 7),
        amount: (i % 1000) * 12.5,
        group: i % 50 === 0 ? "是" : "否",
        applicant: "张*",
        phone: "138****1111",
        idNumber: "620502********1234",
        resolvedAt: at,
        closedAt: at,
      });
      if (i % 2000 === 1999) await sink.drained();
    }
    await sink.end();
    const ms = performance.now() - t;
    clearInterval(timer);
    log(
      `  ledger writer ${format}, ${rows.toLocaleString("en")} rows: ${(bytes / 2 ** 20).toFixed(1)} MB in ${(ms / 1000).toFixed(1)} s (${Math.round(rows / (ms / 1000)).toLocaleString("en")} rows/s), RSS ${rssBefore} → peak ${peak} MB, heap peak ${heapPeak} MB`,
    );
    figures.push({
      section: "cockpit",
      name: `ledger writer (${format}), ${rows.toLocaleString("en")} synthetic rows, streamed`,
      tier: "province",
      unit: "—",
      rows,
      note: `${(ms / 1000).toFixed(1)} s, ${(bytes / 2 ** 20).toFixed(1)} MB, RSS ${rssBefore} → peak ${peak} MB, heap peak ${heapPeak} MB`,
      verdict: "info",
    });
  }
  return figures;
}
