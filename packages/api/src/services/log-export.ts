import type { Writable } from "node:stream";
import type { Tx } from "@zongzhi/db/client";
import { CHINA_UTC_OFFSET_MS } from "@zongzhi/domain/dates";
import { logKindName } from "@zongzhi/domain/operations";
import type { LedgerFormat } from "../schemas/exports.ts";
import { type LogFilter, type LogLine, searchLog } from "./audit.ts";
import { type Column, openLedgerSink } from "./exports.ts";

/** The rows read per query: the export keeps one page in memory, whatever the log's size. */
const PAGE = 400;

const LOG_TITLES = { operations: "操作日志", sign_in: "登录日志" } as const;

const COLUMNS: Column[] = [
  { header: "时间", key: "at", width: 20 },
  { header: "操作人", key: "actor", width: 24 },
  { header: "单位", key: "unit", width: 20 },
  { header: "操作", key: "kind", width: 28 },
  { header: "对象", key: "object", width: 36 },
  { header: "结果", key: "result", width: 16 },
  { header: "IP", key: "ip", width: 16 },
  { header: "请求编号", key: "requestId", width: 38 },
];

/** China's wall clock of an instant (2026-12-01 15:17:08): a spreadsheet shows it as it is, in both formats. */
const chinaTime = (at: Date) =>
  new Date(at.getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ");

/** One log line as a row of the export, in Chinese (the names the UI shows, never raw keys). */
export function logRow(l: LogLine): Record<string, string> {
  const detail = (l.detail ?? {}) as { result?: unknown; object?: unknown; action?: unknown };
  const result = typeof detail.result === "string" ? detail.result : null;
  return {
    at: chinaTime(l.at),
    actor: l.actorName ? `${l.actorName}（${l.actorUsername ?? ""}）` : (l.actorId ?? "系统"),
    unit: l.scopeCode === "!" ? "平台" : (l.unitName ?? l.scopeCode),
    kind: logKindName(l.kind, detail).zh,
    object: typeof detail.object === "string" ? detail.object : (l.subjectId ?? ""),
    result: result === null ? "" : result === "ok" ? "成功" : `拒绝（${result}）`,
    ip: l.ip ?? "",
    requestId: l.requestId ?? "",
  };
}

/** The file name of a log export (操作日志-2026-12-01.xlsx). */
export function logExportName(log: LogFilter["log"], format: LedgerFormat, now = new Date()): string {
  return `${LOG_TITLES[log]}-${chinaTime(now).slice(0, 10)}.${format}`;
}

/**
 * Streams one of the logs of the caller's subtree (操作日志 or 登录日志), filtered as the page
 * filters it, to `out` as Excel or CSV: page by page through the same keyset search the page
 * reads (RLS and the definer function decide what is visible), waiting for the file to take
 * each page before reading the next. Returns the number of rows written.
 */
export async function writeLogExport(
  tx: Tx,
  filter: Omit<LogFilter, "before" | "limit">,
  format: LedgerFormat,
  out: Writable,
): Promise<number> {
  const title = `${LOG_TITLES[filter.log]}（导出于 ${chinaTime(new Date())}）`;
  const sink = openLedgerSink(format, out, title, LOG_TITLES[filter.log], COLUMNS);
  let before: number | undefined;
  let rows = 0;
  for (;;) {
    const page = await searchLog(tx, { ...filter, before, limit: PAGE });
    for (const line of page.items) sink.row(logRow(line));
    rows += page.items.length;
    await sink.drained();
    if (page.next === null) break;
    before = page.next;
  }
  await sink.end();
  return rows;
}
