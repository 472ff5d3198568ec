import { Writable } from "node:stream";
import { caseLedgerColumns, openLedgerSink } from "@zongzhi/api";
import { unitFigures, unitRanking } from "@zongzhi/api/services/figures";
import { type Budget, type Figure, type ReadPools, timeRead } from "./lib/figures.ts";
import { type ApiProcess, login, trpc } from "./lib/http.ts";
import { load, round, summarize } from "./lib/stats.ts";
import type { BenchUnit } from "./lib/units.ts";

/**
 * The leaders' cockpit (issue 10 §7) through HTTP on the generated province: `cockpit.figures`
 * and `cockpit.ranking` end to end (client round trip over HTTP) as the province's, the busiest
 * city's and the busiest county's staff, each with its reference from the same run: the same
 * service in this process (`service` of the in-process call), its statements' database time as
 * zz_app under RLS (`db`) and as the owner with the policies written out (`reference`). Then the
 * streamed export of the province's whole case ledger (every registration month, 1 M rows at
 * that size) as Excel and CSV over HTTP: time, rows/s, size and the API's peak RSS; a broken
 * download is reported with the API's last log lines. Targets: province ≤ 300 ms, county ≤ 100 ms
 * (issue 10; a city is held to the province's); the export has no target. Prints figures; never
 * fails on timing.
 */
export async function cockpitFigures(
  api: ApiProcess,
  pools: ReadPools,
  units: BenchUnit[],
  budget: Budget,
  log: (s: string) => void,
  runs = 20,
  exports = true,
): Promise<Figure[]> {
  const figures: Figure[] = [];
  const to = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
  const from = `${Number(to.slice(0, 4)) - 1}${to.slice(4)}`;
  const targets = { province: 300, city: 300, county: 100 } as const;
  for (const unit of units) {
    if (unit.level !== "province" && unit.level !== "city" && unit.level !== "county") continue;
    const target = targets[unit.level];
    const cookie = await login(api.origin, unit.username, "Zongzhi@2026").catch((error: unknown) => {
      throw new Error(`sign-in of ${unit.username} failed: ${String(error)}; API log: ${api.output().slice(-1500)}`);
    });
    for (const path of ["cockpit.figures", "cockpit.ranking"] as const) {
      const input = path === "cockpit.figures" ? { from, to } : { month: to };
      await trpc(api.origin, cookie, "query", path, input); // warm
      const samples: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        await trpc(api.origin, cookie, "query", path, input);
        samples.push(performance.now() - t);
      }
      const http = summarize(samples);
      // The reference: the same service in this process, its statements in the database.
      const inProcess = await timeRead<unknown>(
        pools,
        unit.ctx,
        (tx) => (path === "cockpit.figures" ? unitFigures(tx, { from, to }) : unitRanking(tx, { month: to })),
        budget,
      );
      log(
        `  ${path} ${unit.level} ${unit.code}: HTTP median ${http.median.toFixed(1)} ms, p95 ${http.p95.toFixed(1)} ms; in process ${inProcess.service.median.toFixed(1)} / ${inProcess.service.p95.toFixed(1)} ms; db ${inProcess.db.median.toFixed(1)} / ${inProcess.db.p95.toFixed(1)} ms; reference ${inProcess.reference.median.toFixed(1)} / ${inProcess.reference.p95.toFixed(1)} ms`,
      );
      figures.push({
        section: "cockpit",
        name: `${path} through HTTP (12 months)`,
        tier: unit.level,
        unit: unit.code,
        service: http,
        db: inProcess.db,
        reference: inProcess.reference,
        statements: inProcess.statements,
        target: `≤ ${target} ms end to end`,
        verdict: http.p95 <= target ? "pass" : "miss",
        note: `in process (no HTTP) median ${round(inProcess.service.median)} / p95 ${round(inProcess.service.p95)} ms`,
        load: load(),
      });
    }
  }

  // Export: the province's whole case ledger (every registration month, as its inbox lists it).
  const province = units.find((u) => u.level === "province");
  if (!province || !exports) return figures;
  const cookie = await login(api.origin, province.username, "Zongzhi@2026");
  for (const format of ["xlsx", "csv"] as const) {
    const rssBefore = Math.round(api.rss());
    let peak = rssBefore;
    const timer = setInterval(() => {
      peak = Math.max(peak, Math.round(api.rss()));
    }, 100);
    const t = performance.now();
    let bytes = 0;
    let lines = 0;
    let expected: number | null = null;
    try {
      const res = await fetch(`${api.origin}/exports/cases?format=${format}`, { headers: { cookie } });
      if (!res.ok || !res.body) throw new Error(`export ${format}: ${res.status} ${await res.text()}`);
      expected = res.headers.get("x-ledger-rows") === null ? null : Number(res.headers.get("x-ledger-rows"));
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        if (format === "csv") for (const b of value) if (b === 10) lines += 1;
      }
    } catch (error) {
      clearInterval(timer);
      const ms = performance.now() - t;
      const cause = (error as { cause?: unknown }).cause;
      log(
        `  export cases.${format} broke off after ${(ms / 1000).toFixed(1)} s and ${(bytes / 2 ** 20).toFixed(1)} MB: ${String(error)}${cause ? ` (cause: ${String(cause)})` : ""}\n  API log:\n${api.output().slice(-3000)}`,
      );
      figures.push({
        section: "cockpit",
        name: `export of the case ledger (${format}), streamed over HTTP`,
        tier: "province",
        unit: province.code,
        verdict: "miss",
        note: `broke off after ${(ms / 1000).toFixed(1)} s, ${(bytes / 2 ** 20).toFixed(1)} MB: ${String(error)}${cause ? ` (${String(cause)})` : ""}`.slice(
          0,
          300,
        ),
        load: load(),
      });
      continue;
    }
    const ms = performance.now() - t;
    clearInterval(timer);
    // CSV: one line per case after the header; Excel: the rows the API announced.
    const rows = format === "csv" ? lines - 1 : (expected ?? 0);
    log(
      `  export cases.${format}: ${rows.toLocaleString("en")} rows${expected !== null ? ` (announced ${expected.toLocaleString("en")})` : ""}, ${(bytes / 2 ** 20).toFixed(1)} MB in ${(ms / 1000).toFixed(1)} s (${Math.round(rows / (ms / 1000)).toLocaleString("en")} rows/s), API RSS ${rssBefore} → peak ${peak} MB`,
    );
    figures.push({
      section: "cockpit",
      name: `export of the case ledger (${format}), every month, streamed over HTTP`,
      tier: "province",
      unit: province.code,
      rows,
      note: `${(ms / 1000).toFixed(1)} s, ${(bytes / 2 ** 20).toFixed(1)} MB, ${Math.round(rows / (ms / 1000)).toLocaleString("en")} rows/s, API RSS ${rssBefore} MB → peak ${peak} MB${format === "csv" && expected !== null && expected !== rows ? `; announced ${expected}` : ""}`,
      verdict: format === "csv" && expected !== null && expected !== rows ? "miss" : "info",
      load: load(),
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
