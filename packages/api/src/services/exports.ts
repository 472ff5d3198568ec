import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Tx } from "@zongzhi/db/client";
import {
  AppError,
  CASE_STATE_NAMES,
  CHANNEL_NAMES,
  FIGURE_DEFINITIONS,
  LEVEL_NAMES,
  monthsBetween,
  type RankingWeights,
  RISK_GRADE_NAMES,
  shiftMonth,
  WARNING_COLOUR_NAMES,
} from "@zongzhi/domain";
import {
  FOLLOW_UP_METHOD_NAMES,
  nameOf,
  PERFORMANCE_NAMES,
  SATISFACTION_NAMES,
  SESSION_OUTCOME_NAMES,
  SUMMONS_STATE_NAMES,
} from "@zongzhi/domain/case-records";
import { SUPERVISION_LEVEL_NAMES } from "@zongzhi/domain/supervision";
import ExcelJS from "exceljs";
import type { LedgerFormat, LedgerKind } from "../schemas/exports.ts";
import { mayFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { type CaseFilter, caseConditions, caseTextCondition } from "./case-filter.ts";
import { figureUnit, resolvePeriod, type UnitRef, unitFigures, unitRanking } from "./figures.ts";
import { type FieldCipher, fieldContext } from "./personal-data.ts";
import { assertRecentAuth } from "./reauth.ts";
import { countCases } from "./rollups.ts";

/**
 * Ledgers (台账) and exports (issue 10 §5): the case list of a unit's subtree and period, the
 * monthly ranking and the figure table, as Excel (exceljs' streaming WorkbookWriter: rows are
 * committed as they are read through a cursor, so 1 M rows never sit in memory) or CSV (UTF-8
 * with BOM, so Excel opens it in Chinese). Excel has the unit and the period in a title row and
 * a frozen header row. Personal data appears masked (the stored masked forms) unless the
 * caller asks to reveal it and the permission table lets it reveal the parties of that case
 * (`personal.reveal` for its relation to the case's owner, checked row by row); a revealing
 * export is audited when it starts and when it ends (with the number of rows revealed).
 */

export interface LedgerSpec {
  kind: LedgerKind;
  format: LedgerFormat;
  unitCode?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  weights?: RankingWeights | undefined;
  /** The case list only: one category. */
  categoryCode?: string | undefined;
  /**
   * The case list only: the inbox's other filters (cases.list's, unit and category above). Without
   * `from` and `to` the case list is the inbox's view: every registration month, and the cases a
   * unit of the caller's scope handles sideways when the unit is the caller's own, as the inbox
   * lists them.
   */
  filter?: LedgerCaseFilter | undefined;
  /** The case list only: show the parties' full data where the caller may (needs `cipher`). */
  reveal?: boolean | undefined;
  cipher?: FieldCipher | undefined;
}

/** The inbox filters a case ledger takes besides its unit and category. */
export type LedgerCaseFilter = Omit<CaseFilter, "limit" | "before" | "unitCode" | "categoryCode">;

/** Whether a case ledger is the inbox's view (no period asked for): see {@link LedgerSpec.filter}. */
export const isInboxLedger = (spec: LedgerSpec): boolean => spec.kind === "cases" && !spec.from && !spec.to;

export interface Column {
  header: string;
  key: string;
  width: number;
  numFmt?: string;
}

/** Writes rows to xlsx or csv with the same columns. */
export interface Sink {
  row(values: Record<string, unknown>): void;
  /** Resolves once the rows written so far have moved on (call between batches): backpressure. */
  drained(): Promise<void>;
  end(): Promise<void>;
}

/** What exceljs' streaming sheet holds: its own buffers (64 KiB each) and the zip entry it pipes to. */
type SheetStream = {
  buffers?: unknown[];
  // The zip's PassThrough (readable-stream, without the writableLength getter of node's streams).
  pipes?: { writableLength?: number; _writableState?: { length?: number } }[];
};
/**
 * Bytes a streaming sheet holds that have not reached the zip output yet. Why: exceljs' sheet
 * stream (StreamBuf, batch mode) writes to the zip's input without waiting, so a producer faster
 * than deflate fills that buffer (Buffers, outside the JavaScript heap) without limit; at 1 M rows
 * that was 1 GB of RSS. The export waits while this is above {@link SHEET_BACKLOG}.
 */
function sheetBacklog(ws: ExcelJS.Worksheet): number {
  const s = (ws as unknown as { _stream?: SheetStream })._stream;
  if (!s) return 0;
  return (
    (s.buffers?.length ?? 0) * 65_536 +
    (s.pipes ?? []).reduce((n, p) => n + (p.writableLength ?? p._writableState?.length ?? 0), 0)
  );
}
const SHEET_BACKLOG = 4 * 2 ** 20;
const tick = () => new Promise((done) => setTimeout(done, 2));

const readerGone = () => new Error("the ledger's reader went away before its end");

/**
 * Resolves once `out` can take more; throws when it is closed first (the client went away):
 * the export's transaction then ends instead of waiting for a "drain" that never comes.
 */
async function drainedOrGone(out: Writable): Promise<void> {
  if (out.destroyed) throw readerGone();
  if (!out.writableNeedDrain) return;
  const stop = new AbortController();
  try {
    await Promise.race([
      once(out, "drain", { signal: stop.signal }),
      once(out, "close", { signal: stop.signal }).then(() => {
        throw readerGone();
      }),
    ]);
  } finally {
    stop.abort();
  }
}

/** Rows a ledger reads per FETCH. */
const LEDGER_BATCH = 2000;

/**
 * Hands `query`'s rows to `each` in batches of `size`, read through a SQL cursor (DECLARE, then
 * FETCH after FETCH), waiting for `each` before fetching the next batch.
 *
 * Why not the driver's `.cursor()`: its protocol portal is planned for all of its rows, so the
 * province's ledger (1 M cases, newest first) was planned as a scan and sort of the whole subtree
 * before the first row, and that first batch alone outlasted the runtime role's 30 s
 * statement_timeout (0001) on a loaded machine: the export was cancelled before its first byte
 * and the download broke off ("terminated" in the 1 M bench). A DECLAREd cursor is planned for
 * its first rows (cursor_tuple_fraction, set here to PostgreSQL's default so that a server
 * setting cannot change it): the ledger streams in its order through the (registered_at, id)
 * index, each FETCH is a statement of its own with its own timeout and does a batch's work.
 */
async function fetchInBatches<T>(
  tx: Tx,
  /** A query fragment of `tx.sql` (not awaited: it runs as the cursor's query). */
  query: object,
  size: number,
  each: (rows: T[]) => Promise<void>,
): Promise<void> {
  await tx.sql`select set_config('cursor_tuple_fraction', '0.1', true)`;
  await tx.sql`declare ledger_rows no scroll cursor for ${query as never}`;
  for (;;) {
    const rows = (await tx.sql.unsafe(`fetch ${Math.trunc(size)} from ledger_rows`)) as unknown as T[];
    if (rows.length > 0) await each(rows);
    if (rows.length < size) break;
  }
  await tx.sql`close ledger_rows`;
}

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return "";
  const text = v instanceof Date ? v.toISOString() : String(v);
  // A text a spreadsheet would run as a formula (=, +, -, @ first) is kept as text.
  const s = typeof v === "string" && /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The columns of the case ledger (with the parties' full data or masked). */
export function caseLedgerColumns(reveal: boolean): Column[] {
  return [
    { header: "案件编号", key: "code", width: 26 },
    { header: "登记时间", key: "registeredAt", width: 20, numFmt: "yyyy-mm-dd hh:mm" },
    { header: "登记单位", key: "unit", width: 20 },
    { header: "承办单位", key: "owner", width: 20 },
    { header: "事件类别", key: "category", width: 14 },
    { header: "来源渠道", key: "channel", width: 12 },
    { header: "标题", key: "title", width: 36 },
    { header: "状态", key: "status", width: 10 },
    { header: "风险等级", key: "risk", width: 8 },
    { header: "时限颜色", key: "colour", width: 8 },
    { header: "涉及人数", key: "people", width: 8 },
    { header: "涉及金额（元）", key: "amount", width: 14, numFmt: "#,##0.00" },
    { header: "群体性", key: "group", width: 8 },
    { header: reveal ? "申请人" : "申请人（脱敏）", key: "applicant", width: 14 },
    { header: reveal ? "联系电话" : "联系电话（脱敏）", key: "phone", width: 16 },
    { header: reveal ? "身份证号" : "身份证号（脱敏）", key: "idNumber", width: 20 },
    { header: "化解时间", key: "resolvedAt", width: 20, numFmt: "yyyy-mm-dd hh:mm" },
    { header: "办结时间", key: "closedAt", width: 20, numFmt: "yyyy-mm-dd hh:mm" },
  ];
}

/**
 * A writer of ledger rows to `out` as xlsx (exceljs' streaming WorkbookWriter, rows committed
 * as they come) or csv; the caller waits for `drain` between batches.
 */
export function openLedgerSink(
  format: LedgerFormat,
  out: Writable,
  title: string,
  sheet: string,
  columns: Column[],
): Sink {
  if (format === "csv") {
    out.write(`\uFEFF${columns.map((c) => csvCell(c.header)).join(",")}\r\n`);
    return {
      row: (values) => {
        out.write(`${columns.map((c) => csvCell(values[c.key])).join(",")}\r\n`);
      },
      drained: () => drainedOrGone(out),
      end: () => new Promise((done) => out.end(done)),
    };
  }
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(sheet, { views: [{ state: "frozen", ySplit: 2 }] });
  ws.columns = columns.map((c) => ({ key: c.key, width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
  const titleRow = ws.addRow([title]);
  titleRow.font = { bold: true, size: 14 };
  titleRow.commit();
  const header = ws.addRow(columns.map((c) => c.header));
  header.font = { bold: true };
  header.commit();
  return {
    row: (values) => ws.addRow(columns.map((c) => values[c.key] ?? null)).commit(),
    drained: async () => {
      while (sheetBacklog(ws) > SHEET_BACKLOG) {
        if (out.destroyed) throw readerGone();
        await tick();
      }
      await drainedOrGone(out);
    },
    end: async () => {
      ws.commit();
      await wb.commit();
    },
  };
}

const label = (k: keyof typeof FIGURE_DEFINITIONS) => FIGURE_DEFINITIONS[k].label.zh;

/** The file name of a ledger (unit, period, kind). */
export function ledgerFileName(unitName: string, spec: LedgerSpec, period: string): string {
  return `${unitName}-${LEDGER_TITLES[spec.kind]}-${period}.${spec.format}`;
}

/** Chinese names of the ledgers (file names, titles, sheets). */
export const LEDGER_TITLES: Record<LedgerKind, string> = {
  cases: "案件台账",
  ranking: "考评排名",
  figures: "指标统计",
  summons: "吹哨召集台账",
  sessions: "调解记录台账",
  agreements: "调解协议台账",
  follow_ups: "回访台账",
  supervisions: "督办台账",
};

/** "，<category name>" for a title when the ledger is of one category. */
async function categoryNote(tx: Tx, spec: LedgerSpec): Promise<string> {
  if (!spec.categoryCode) return "";
  const [row] = await tx.sql<{ name: string }[]>`select name from ref.case_categories where code = ${spec.categoryCode}
    union all select name from app.case_categories where code = ${spec.categoryCode} limit 1`;
  return `，${row?.name ?? spec.categoryCode}`;
}

/** The first instant of `from` and of the month after `to` (Beijing time). */
function periodBounds(period: { from: string; to: string }): [string, string] {
  return [`${period.from}-01 00:00:00+08`, `${shiftMonth(period.to, 1)}-01 00:00:00+08`];
}

/**
 * The number of rows the case list will have, when the monthly buckets know it (the cases of the
 * subtree registered in the period, of one category or all): the UI's progress indicator.
 */
export async function expectedLedgerRows(tx: Tx, spec: LedgerSpec, unit: UnitRef): Promise<number | null> {
  if (spec.kind !== "cases") return null;
  const filter = spec.filter ?? {};
  if (isInboxLedger(spec)) {
    // The inbox's own total ("共 N 件"), when it is exact.
    const total = await countCases(tx, { ...filter, unitCode: unit.code, categoryCode: spec.categoryCode });
    return total.exact ? total.n : null;
  }
  if (Object.values(filter).some((v) => v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0))) {
    return null;
  }
  const period = resolvePeriod(spec);
  const months = monthsBetween(period.from, period.to).map((m) => `${m}-01`);
  const [row] = await tx.sql<{ n: number }[]>`select coalesce(sum(received), 0)::int as n from app.figures_monthly
    where scope_code = ${unit.code} and month = any(${months}::date[]) and category = ${spec.categoryCode ?? ""}`;
  return row?.n ?? 0;
}

/**
 * Before a revealing export starts: the caller must hold `personal.reveal` for the unit it
 * exports (FORBIDDEN otherwise), and the request is audited in its own committed transaction,
 * so that an interrupted download still leaves its line. Rows are re-checked as they are written.
 */
export async function authorizeReveal(tx: Tx, spec: LedgerSpec, unit: UnitRef): Promise<void> {
  if (!spec.reveal) return;
  if (spec.kind !== "cases" || !mayFor(tx, "personal.reveal", unit.code)) {
    throw new AppError("FORBIDDEN", {
      zh: "您无权导出当事人完整信息；可导出脱敏台账",
      en: "You may not export the parties' full data; export the masked ledger instead",
    });
  }
  await assertRecentAuth(tx);
  await recordAudit(tx, {
    kind: "personal_data.export_started",
    detail: { object: `${unit.name} ${LEDGER_TITLES[spec.kind]}`, ledger: spec.kind, ...periodOf(spec), result: "ok" },
  });
}

const periodOf = (spec: LedgerSpec) => {
  if (isInboxLedger(spec)) {
    return { from: null, to: null, format: spec.format, categoryCode: spec.categoryCode ?? null, filter: spec.filter };
  }
  const p = resolvePeriod(spec);
  return { from: p.from, to: p.to, format: spec.format, categoryCode: spec.categoryCode ?? null };
};

/** The inbox filters of a case ledger in words, for its title ("" when none). */
function filterNote(f: LedgerCaseFilter): string {
  const parts = [
    f.status?.length ? `状态：${f.status.map((x) => nameOf(CASE_STATE_NAMES, x, "zh")).join("、")}` : null,
    f.channel ? `渠道：${nameOf(CHANNEL_NAMES, f.channel, "zh")}` : null,
    f.riskGrade ? `风险：${nameOf(RISK_GRADE_NAMES, f.riskGrade, "zh")}` : null,
    f.deadlineColour ? `时限：${nameOf(WARNING_COLOUR_NAMES, f.deadlineColour, "zh")}` : null,
    f.level ? `登记层级：${LEVEL_NAMES[f.level].zh}` : null,
    f.q?.trim() ? `关键词：${f.q.trim()}` : null,
    f.registeredSince ? `登记不早于 ${f.registeredSince.toISOString()}` : null,
    f.mine === "registered" ? "本人登记" : f.mine === "mediating" ? "本人调解" : null,
    f.ownedHere ? "本级承办" : null,
    f.awaitingSignFor ? "待签收" : null,
    f.pendingSummons ? "召集待报到" : null,
    f.sessionOn ? `调解日期：${f.sessionOn}` : null,
  ].filter((x) => x !== null);
  return parts.length ? `，${parts.join("；")}` : "";
}

/**
 * Writes the ledger to `out` inside the caller's tenant transaction (RLS narrows every row);
 * returns the number of data rows. The unit must be the caller's or a descendant (NOT_FOUND).
 */
export async function writeLedger(
  tx: Tx,
  spec: LedgerSpec,
  out: Writable,
  batch = LEDGER_BATCH,
): Promise<{ rows: number; revealed: number }> {
  const unit = await figureUnit(tx, spec.unitCode);
  const period = resolvePeriod(spec);
  const inbox = isInboxLedger(spec);
  let rows = 0;
  const [start, end] = periodBounds(period);
  const names = async () =>
    new Map(
      (
        await tx.sql<{ code: string; name: string }[]>`select code, name from app.tenants
        where code >= ${unit.code} and code < ${`${unit.code}:`}`
      ).map((r) => [r.code, r.name]),
    );
  if (spec.kind === "cases") {
    const reveal = spec.reveal === true && spec.cipher !== undefined;
    const cipher = spec.cipher;
    const columns = caseLedgerColumns(reveal);
    const unitNames = await names();
    const categories = new Map(
      (
        await tx.sql<{ code: string; name: string }[]>`select code, name from ref.case_categories
          union all select code, name from app.case_categories`
      ).map((r) => [r.code, r.name]),
    );
    const category = spec.categoryCode ? `，${categories.get(spec.categoryCode) ?? spec.categoryCode}` : "";
    const filter = spec.filter ?? {};
    const sink = openLedgerSink(
      spec.format,
      out,
      `${unit.name} 案件台账（${inbox ? "全部登记时间" : `${period.from} 至 ${period.to}，按登记月份`}${category}${filterNote(filter)}）${reveal ? "  含当事人完整信息，注意保密" : ""}`,
      "案件台账",
      columns,
    );
    let revealed = 0;
    type LedgerRow = {
      code: string;
      registered_at: Date;
      scope_code: string;
      owner_code: string;
      category_code: string;
      channel: string;
      title: string;
      status: string;
      risk_grade: string;
      deadline_colour: string | null;
      people_count: number;
      amount_cents: string | null;
      group_dispute: boolean;
      name_masked: string | null;
      phone_masked: string | null;
      id_number_masked: string | null;
      name_enc: Buffer | null;
      phone_enc: Buffer | null;
      id_number_enc: Buffer | null;
      resolved_at: Date | null;
      closed_at: Date | null;
    };
    const ledger = tx.sql`select c.code, c.registered_at, c.scope_code, c.owner_code, c.category_code, c.channel, c.title, c.status,
        c.risk_grade, c.deadline_colour, c.people_count, c.amount_cents, c.group_dispute, p.name_masked, p.phone_masked,
        p.id_number_masked, ${reveal ? tx.sql`p.name_enc, p.phone_enc, p.id_number_enc` : tx.sql`null as name_enc, null as phone_enc, null as id_number_enc`},
        c.resolved_at, c.closed_at
      from app.cases c
      left join lateral (select * from app.case_parties p
        where p.case_id = c.id and p.role = 'applicant' order by p.created_at limit 1) p on true
      where ${
        inbox && unit.code === tx.ctx.scope
          ? tx.sql`(c.scope_code >= ${unit.code} and c.scope_code < ${`${unit.code}:`}
              or c.handler_code >= ${unit.code} and c.handler_code < ${`${unit.code}:`})`
          : tx.sql`c.scope_code >= ${unit.code} and c.scope_code < ${`${unit.code}:`}`
      }
        ${inbox ? tx.sql`` : tx.sql`and c.registered_at >= ${start}::timestamptz and c.registered_at < ${end}::timestamptz`}
        ${spec.categoryCode ? tx.sql`and c.category_code = ${spec.categoryCode}` : tx.sql``}
        ${caseConditions(tx, filter)}
        ${caseTextCondition(tx, filter.q)}
      order by c.registered_at desc, c.id desc`;
    await fetchInBatches<LedgerRow>(tx, ledger, batch, async (page) => {
      for (const r of page) {
        // Re-checked per case: the table decides by the caller's relation to the case's owner.
        const open = reveal && cipher && r.name_enc !== null && mayFor(tx, "personal.reveal", r.owner_code);
        const dec = (b: Buffer | null, column: string) =>
          b && cipher ? cipher.decrypt(b, fieldContext("case_parties", column, r.scope_code)) : null;
        if (open) revealed += 1;
        sink.row({
          code: r.code,
          registeredAt: r.registered_at,
          unit: unitNames.get(r.scope_code) ?? r.scope_code,
          owner: unitNames.get(r.owner_code) ?? r.owner_code,
          category: categories.get(r.category_code) ?? r.category_code,
          channel: nameOf(CHANNEL_NAMES, r.channel, "zh"),
          title: r.title,
          status: nameOf(CASE_STATE_NAMES, r.status, "zh"),
          risk: nameOf(RISK_GRADE_NAMES, r.risk_grade, "zh"),
          colour: r.deadline_colour ? nameOf(WARNING_COLOUR_NAMES, r.deadline_colour, "zh") : "",
          people: r.people_count,
          amount: r.amount_cents === null ? null : Number(r.amount_cents) / 100,
          group: r.group_dispute ? "是" : "否",
          applicant: open ? dec(r.name_enc, "name") : r.name_masked,
          phone: open ? dec(r.phone_enc, "phone") : r.phone_masked,
          idNumber: open ? dec(r.id_number_enc, "id_number") : r.id_number_masked,
          resolvedAt: r.resolved_at,
          closedAt: r.closed_at,
        });
        rows += 1;
      }
      // Backpressure: wait for a slow reader instead of buffering the ledger.
      await sink.drained();
    });
    await sink.end();
    if (reveal) {
      await recordAudit(tx, {
        kind: "personal_data.exported",
        detail: { object: `${unit.name} ${LEDGER_TITLES.cases}`, ...periodOf(spec), rows, revealed, result: "ok" },
      });
    }
    return { rows, revealed };
  }
  const child = CHILD_LEDGERS[spec.kind as keyof typeof CHILD_LEDGERS];
  if (child) {
    const unitNames = await names();
    const sink = openLedgerSink(
      spec.format,
      out,
      `${unit.name} ${LEDGER_TITLES[spec.kind]}（${period.from} 至 ${period.to}，按${child.by}${await categoryNote(tx, spec)}）`,
      LEDGER_TITLES[spec.kind],
      [
        { header: "案件编号", key: "caseCode", width: 26 },
        { header: "案件标题", key: "caseTitle", width: 30 },
        { header: "承办单位", key: "owner", width: 20 },
        ...child.columns,
      ],
    );
    const query = child.query(tx, { from: unit.code, to: `${unit.code}:`, start, end, category: spec.categoryCode });
    await fetchInBatches<Record<string, unknown>>(tx, query, batch, async (page) => {
      for (const r of page) {
        sink.row({ ...r, owner: unitNames.get(String(r.ownerCode)) ?? r.ownerCode, ...child.map(r) });
        rows += 1;
      }
      await sink.drained();
    });
    await sink.end();
    return { rows, revealed: 0 };
  }
  if (spec.kind === "ranking") {
    const r = await unitRanking(tx, {
      unitCode: unit.code,
      month: period.to,
      weights: spec.weights,
      categoryCode: spec.categoryCode,
    });
    const sink = openLedgerSink(
      spec.format,
      out,
      `${unit.name} 一月一考评（${r.month}${r.category ? `，${r.category.name}` : ""}）  ${r.formula.zh}`,
      "考评排名",
      [
        { header: "名次", key: "rank", width: 6 },
        { header: "单位", key: "unit", width: 22 },
        { header: "得分", key: "score", width: 8, numFmt: "0.0" },
        { header: "上月名次", key: "previousRank", width: 8 },
        { header: "环比", key: "change", width: 8, numFmt: "+0.0;-0.0;0.0" },
        { header: label("received"), key: "received", width: 8 },
        { header: label("resolutionRate"), key: "resolutionRate", width: 10, numFmt: "0.0%" },
        { header: label("closureRate"), key: "closureRate", width: 10, numFmt: "0.0%" },
        { header: label("onTimeRate"), key: "onTimeRate", width: 10, numFmt: "0.0%" },
        { header: label("satisfactionRate"), key: "satisfactionRate", width: 10, numFmt: "0.0%" },
        { header: label("localShare"), key: "localShare", width: 10, numFmt: "0.0%" },
        { header: label("reworks"), key: "reworks", width: 8 },
        { header: label("reworkFreeRate"), key: "reworkFreeRate", width: 10, numFmt: "0.0%" },
      ],
    );
    for (const row of r.rows) {
      sink.row({
        rank: row.rank,
        unit: row.unit.name,
        score: row.score,
        previousRank: row.previousRank,
        change: row.change,
        received: row.figures.received,
        resolutionRate: row.figures.resolutionRate,
        closureRate: row.figures.closureRate,
        onTimeRate: row.figures.onTimeRate,
        satisfactionRate: row.figures.satisfactionRate,
        localShare: row.figures.localShare,
        reworks: row.figures.reworks,
        reworkFreeRate: row.figures.reworkFreeRate,
      });
      rows += 1;
    }
    await sink.end();
    return { rows, revealed: 0 };
  }
  const f = await unitFigures(tx, {
    unitCode: unit.code,
    from: period.from,
    to: period.to,
    categoryCode: spec.categoryCode,
  });
  const columns: Column[] = [
    { header: "月份/单位", key: "name", width: 22 },
    { header: label("received"), key: "received", width: 8 },
    { header: label("accepted"), key: "accepted", width: 8 },
    { header: label("resolved"), key: "resolved", width: 8 },
    { header: label("closed"), key: "closed", width: 8 },
    { header: label("resolutionRate"), key: "resolutionRate", width: 10, numFmt: "0.0%" },
    { header: label("closureRate"), key: "closureRate", width: 10, numFmt: "0.0%" },
    { header: label("onTimeRate"), key: "onTimeRate", width: 10, numFmt: "0.0%" },
    { header: label("satisfactionRate"), key: "satisfactionRate", width: 10, numFmt: "0.0%" },
    { header: label("followUpRate"), key: "followUpRate", width: 10, numFmt: "0.0%" },
    { header: label("averageDaysToResolve"), key: "averageDaysToResolve", width: 10, numFmt: "0.0" },
    { header: label("medianDaysToResolve"), key: "medianDaysToResolve", width: 10, numFmt: "0.0" },
    { header: label("escalationRate"), key: "escalationRate", width: 10, numFmt: "0.0%" },
    { header: label("repeatClaims"), key: "repeatClaims", width: 8 },
    { header: label("groupDisputes"), key: "groupDisputes", width: 8 },
    { header: label("localShare"), key: "localShare", width: 10, numFmt: "0.0%" },
    { header: label("reworks"), key: "reworks", width: 8 },
    { header: label("reworksPerCase"), key: "reworksPerCase", width: 10, numFmt: "0.00" },
  ];
  const sink = openLedgerSink(
    spec.format,
    out,
    `${unit.name} 指标统计（${period.from} 至 ${period.to}${f.category ? `，${f.category.name}` : ""}）`,
    "指标统计",
    columns,
  );
  const put = (name: string, x: (typeof f)["figures"]) => {
    sink.row({ name, ...x });
    rows += 1;
  };
  put("合计", f.figures);
  put("去年同期", f.lastYear);
  for (const m of f.trend) put(m.month, m.figures);
  for (const c of f.children) put(c.unit.name, c.figures);
  await sink.end();
  return { rows, revealed: 0 };
}

const TIME = "yyyy-mm-dd hh:mm";

type Range = { from: string; to: string; start: string; end: string; category: string | undefined };
/** The ledgers of work on cases narrowed to the cases of one category. */
const ofCategory = (tx: Tx, r: Range) => (r.category ? tx.sql`and c.category_code = ${r.category}` : tx.sql``);
/** The ledgers of work on cases: rows of a case child table in the subtree, dated in the period. */
const CHILD_LEDGERS = {
  summons: {
    by: "召集时间",
    columns: [
      { header: "被召集部门", key: "department", width: 20 },
      { header: "召集时间", key: "summonedAt", width: 18, numFmt: TIME },
      { header: "报到时限", key: "dueAt", width: 18, numFmt: TIME },
      { header: "状态", key: "state", width: 8 },
      { header: "报到时间", key: "acknowledgedAt", width: 18, numFmt: TIME },
      { header: "异议理由", key: "objectionReason", width: 24 },
      { header: "处置措施", key: "action", width: 24 },
      { header: "反馈", key: "feedback", width: 30 },
      { header: "反馈时间", key: "feedbackAt", width: 18, numFmt: TIME },
    ],
    query: (
      tx: Tx,
      r: Range,
    ) => tx.sql`select c.code as "caseCode", c.title as "caseTitle", c.owner_code as "ownerCode",
        st.name as department, s.summoned_at as "summonedAt", s.due_at as "dueAt", s.status,
        s.acknowledged_at as "acknowledgedAt", s.objection_reason as "objectionReason", s.action, s.feedback,
        s.feedback_at as "feedbackAt"
      from app.case_summons s join app.cases c on c.id = s.case_id join app.stationings st on st.id = s.stationing_id
      where s.scope_code >= ${r.from} and s.scope_code < ${r.to}
        and s.summoned_at >= ${r.start}::timestamptz and s.summoned_at < ${r.end}::timestamptz
        ${ofCategory(tx, r)}
      order by s.summoned_at desc, s.id desc`,
    map: (r: Record<string, unknown>) => ({ state: nameOf(SUMMONS_STATE_NAMES, String(r.status), "zh") }),
  },
  sessions: {
    by: "调解时间",
    columns: [
      { header: "开始时间", key: "startsAt", width: 18, numFmt: TIME },
      { header: "结束时间", key: "endsAt", width: 18, numFmt: TIME },
      { header: "调解室", key: "room", width: 16 },
      { header: "参加人数", key: "attendees", width: 8 },
      { header: "结果", key: "result", width: 10 },
      { header: "调解记录", key: "notes", width: 40 },
    ],
    query: (
      tx: Tx,
      r: Range,
    ) => tx.sql`select c.code as "caseCode", c.title as "caseTitle", c.owner_code as "ownerCode",
        ms.starts_at as "startsAt", ms.ends_at as "endsAt", rm.name as room,
        jsonb_array_length(ms.attendance) as attendees, ms.outcome, ms.notes
      from app.mediation_sessions ms join app.cases c on c.id = ms.case_id
        left join app.bookings b on b.id = ms.booking_id left join app.mediation_rooms rm on rm.id = b.room_id
      where ms.scope_code >= ${r.from} and ms.scope_code < ${r.to}
        and ms.starts_at >= ${r.start}::timestamptz and ms.starts_at < ${r.end}::timestamptz
        ${ofCategory(tx, r)}
      order by ms.starts_at desc, ms.id desc`,
    map: (r: Record<string, unknown>) => ({
      result: r.outcome ? nameOf(SESSION_OUTCOME_NAMES, String(r.outcome), "zh") : "",
    }),
  },
  agreements: {
    by: "签订日期",
    columns: [
      { header: "签订日期", key: "signedOn", width: 12 },
      { header: "争议事项", key: "disputedMatters", width: 30 },
      { header: "协议内容", key: "terms", width: 40 },
      { header: "履行方式", key: "performanceManner", width: 16 },
      { header: "履行期限", key: "performanceDeadline", width: 12 },
      { header: "调解员", key: "mediators", width: 16 },
      { header: "履行情况", key: "performance", width: 10 },
    ],
    query: (
      tx: Tx,
      r: Range,
    ) => tx.sql`select c.code as "caseCode", c.title as "caseTitle", c.owner_code as "ownerCode",
        to_char(a.signed_on, 'YYYY-MM-DD') as "signedOn", a.disputed_matters as "disputedMatters", a.terms,
        a.performance_manner as "performanceManner", to_char(a.performance_deadline, 'YYYY-MM-DD') as "performanceDeadline",
        array_to_string(a.mediator_names, '、') as mediators, a.performance_status as "performanceStatus"
      from app.agreements a join app.cases c on c.id = a.case_id
      where a.scope_code >= ${r.from} and a.scope_code < ${r.to}
        and a.signed_on >= (${r.start}::timestamptz at time zone 'Asia/Shanghai')::date
        and a.signed_on < (${r.end}::timestamptz at time zone 'Asia/Shanghai')::date
        ${ofCategory(tx, r)}
      order by a.signed_on desc, a.id desc`,
    map: (r: Record<string, unknown>) => ({
      performance: nameOf(PERFORMANCE_NAMES, String(r.performanceStatus), "zh"),
    }),
  },
  follow_ups: {
    by: "回访时间",
    columns: [
      { header: "回访时间", key: "at", width: 18, numFmt: TIME },
      { header: "回访方式", key: "methodName", width: 10 },
      { header: "满意度", key: "satisfactionName", width: 10 },
      { header: "回访人", key: "byName", width: 12 },
      { header: "回访记录", key: "notes", width: 40 },
      { header: "不重办理由", key: "overrideReason", width: 24 },
    ],
    query: (
      tx: Tx,
      r: Range,
    ) => tx.sql`select c.code as "caseCode", c.title as "caseTitle", c.owner_code as "ownerCode",
        f.at, f.method, f.satisfaction, u.display_name as "byName", f.notes, f.override_reason as "overrideReason"
      from app.follow_ups f join app.cases c on c.id = f.case_id left join app.users u on u.id = f.by_user
      where f.scope_code >= ${r.from} and f.scope_code < ${r.to}
        and f.at >= ${r.start}::timestamptz and f.at < ${r.end}::timestamptz
        ${ofCategory(tx, r)}
      order by f.at desc, f.id desc`,
    map: (r: Record<string, unknown>) => ({
      methodName: nameOf(FOLLOW_UP_METHOD_NAMES, String(r.method), "zh"),
      satisfactionName: nameOf(SATISFACTION_NAMES, String(r.satisfaction), "zh"),
    }),
  },
  supervisions: {
    by: "督办时间",
    columns: [
      { header: "督办对象", key: "addressee", width: 20 },
      { header: "督办级别", key: "levelName", width: 10 },
      { header: "发起", key: "openedByName", width: 10 },
      { header: "督办时间", key: "createdAt", width: 18, numFmt: TIME },
      { header: "回复时限", key: "dueAt", width: 18, numFmt: TIME },
      { header: "督办要求", key: "instructions", width: 30 },
      { header: "状态", key: "state", width: 8 },
      { header: "回复", key: "answer", width: 30 },
      { header: "回复时间", key: "answeredAt", width: 18, numFmt: TIME },
    ],
    query: (
      tx: Tx,
      r: Range,
    ) => tx.sql`select c.code as "caseCode", c.title as "caseTitle", c.owner_code as "ownerCode",
        coalesce((select t.name from app.tenants t where t.code = sv.addressed_to), sv.addressed_to) as addressee,
        sv.level, sv.opened_by as "openedBy", sv.created_at as "createdAt", sv.due_at as "dueAt", sv.instructions,
        sv.status, sv.answer, sv.answered_at as "answeredAt"
      from app.supervisions sv join app.cases c on c.id = sv.case_id
      where sv.scope_code >= ${r.from} and sv.scope_code < ${r.to}
        and sv.created_at >= ${r.start}::timestamptz and sv.created_at < ${r.end}::timestamptz
        ${ofCategory(tx, r)}
      order by sv.created_at desc, sv.id desc`,
    map: (r: Record<string, unknown>) => ({
      levelName: nameOf(SUPERVISION_LEVEL_NAMES, String(r.level), "zh"),
      openedByName: r.openedBy === "system" ? "系统（超期）" : "领导",
      state: r.status === "answered" ? "已回复" : "待回复",
    }),
  },
} satisfies Partial<
  Record<
    LedgerKind,
    {
      by: string;
      columns: Column[];
      query: (tx: Tx, r: Range) => ReturnType<Tx["sql"]>;
      map: (r: Record<string, unknown>) => Record<string, unknown>;
    }
  >
>;
