import { once } from "node:events";
import type { Writable } from "node:stream";
import type { Tx } from "@zongzhi/db/client";
import { FIGURE_DEFINITIONS, monthsBetween, type RankingWeights } from "@zongzhi/domain";
import ExcelJS from "exceljs";
import { figureUnit, resolvePeriod, unitFigures, unitRanking } from "./figures.ts";

/**
 * Ledgers (台账) and exports (issue 10 §5): the case list of a unit's subtree and period, the
 * monthly ranking and the figure table, as Excel (exceljs' streaming WorkbookWriter: rows are
 * committed as they are read through a cursor, so 1 M rows never sit in memory) or CSV (UTF-8
 * with BOM, so Excel opens it in Chinese). Excel has the unit and the period in a title row and
 * a frozen header row. Personal data appears only masked (the stored masked forms); revealing
 * it in an export is not offered.
 */

export type LedgerKind = "cases" | "ranking" | "figures";
export type LedgerFormat = "xlsx" | "csv";

export interface LedgerSpec {
  kind: LedgerKind;
  format: LedgerFormat;
  unitCode?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  weights?: RankingWeights | undefined;
}

interface Column {
  header: string;
  key: string;
  width: number;
  numFmt?: string;
}

/** Writes rows to xlsx or csv with the same columns. */
interface Sink {
  row(values: Record<string, unknown>): void;
  end(): Promise<void>;
}

const csvCell = (v: unknown): string => {
  if (v === null || v === undefined) return "";
  const s = v instanceof Date ? v.toISOString() : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function openSink(format: LedgerFormat, out: Writable, title: string, sheet: string, columns: Column[]): Sink {
  if (format === "csv") {
    out.write(`\uFEFF${columns.map((c) => csvCell(c.header)).join(",")}\r\n`);
    return {
      row: (values) => {
        out.write(`${columns.map((c) => csvCell(values[c.key])).join(",")}\r\n`);
      },
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
    end: async () => {
      ws.commit();
      await wb.commit();
    },
  };
}

const STATE_NAMES: Record<string, string> = {
  registered: "已登记",
  returned: "已退回",
  accepted: "已受理",
  triaged: "已分流",
  in_mediation: "调解中",
  on_hold: "已中止",
  resolved: "已化解",
  not_resolved: "未化解",
  referred: "已移交",
  awaiting_follow_up: "待回访",
  reopened: "重新办理",
  closed: "已办结",
  archived: "已归档",
  cancelled: "已取消",
  duplicate: "重复",
};
const COLOUR_NAMES: Record<string, string> = { red: "红", yellow: "黄", blue: "蓝" };
const label = (k: keyof typeof FIGURE_DEFINITIONS) => FIGURE_DEFINITIONS[k].label.zh;

/** The file name of a ledger (unit, period, kind). */
export function ledgerFileName(unitName: string, spec: LedgerSpec, period: string): string {
  const kind = { cases: "案件台账", ranking: "考评排名", figures: "指标统计" }[spec.kind];
  return `${unitName}-${kind}-${period}.${spec.format}`;
}

/**
 * Writes the ledger to `out` inside the caller's tenant transaction (RLS narrows every row);
 * returns the number of data rows. The unit must be the caller's or a descendant (NOT_FOUND).
 */
export async function writeLedger(tx: Tx, spec: LedgerSpec, out: Writable): Promise<{ rows: number }> {
  const unit = await figureUnit(tx, spec.unitCode);
  const period = resolvePeriod(spec);
  let rows = 0;
  if (spec.kind === "cases") {
    const columns: Column[] = [
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
      { header: "申请人（脱敏）", key: "applicant", width: 14 },
      { header: "联系电话（脱敏）", key: "phone", width: 16 },
      { header: "化解时间", key: "resolvedAt", width: 20, numFmt: "yyyy-mm-dd hh:mm" },
      { header: "办结时间", key: "closedAt", width: 20, numFmt: "yyyy-mm-dd hh:mm" },
    ];
    const sink = openSink(
      spec.format,
      out,
      `${unit.name} 案件台账（${period.from} 至 ${period.to}，按登记月份）`,
      "案件台账",
      columns,
    );
    const start = `${period.from}-01 00:00:00+08`;
    const endMonth = monthsBetween(period.to, period.to)[0]!;
    const [y, m] = endMonth.split("-").map(Number) as [number, number];
    const end = `${m === 12 ? y + 1 : y}-${String(m === 12 ? 1 : m + 1).padStart(2, "0")}-01 00:00:00+08`;
    const names = new Map(
      (
        await tx.sql<{ code: string; name: string }[]>`select code, name from app.tenants
        where code >= ${unit.code} and code < ${`${unit.code}:`}`
      ).map((r) => [r.code, r.name]),
    );
    const categories = new Map(
      (
        await tx.sql<{ code: string; name: string }[]>`select code, name from ref.case_categories
          union all select code, name from app.case_categories`
      ).map((r) => [r.code, r.name]),
    );
    await tx.sql<
      {
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
        resolved_at: Date | null;
        closed_at: Date | null;
      }[]
    >`select c.code, c.registered_at, c.scope_code, c.owner_code, c.category_code, c.channel, c.title, c.status,
        c.risk_grade, c.deadline_colour, c.people_count, c.amount_cents, c.group_dispute, p.name_masked, p.phone_masked,
        c.resolved_at, c.closed_at
      from app.cases c
      left join lateral (select p.name_masked, p.phone_masked from app.case_parties p
        where p.case_id = c.id and p.role = 'applicant' order by p.created_at limit 1) p on true
      where c.scope_code >= ${unit.code} and c.scope_code < ${`${unit.code}:`}
        and c.registered_at >= ${start}::timestamptz and c.registered_at < ${end}::timestamptz
      order by c.registered_at desc, c.id desc`.cursor(2000, async (batch) => {
      for (const r of batch) {
        sink.row({
          code: r.code,
          registeredAt: r.registered_at,
          unit: names.get(r.scope_code) ?? r.scope_code,
          owner: names.get(r.owner_code) ?? r.owner_code,
          category: categories.get(r.category_code) ?? r.category_code,
          channel: r.channel,
          title: r.title,
          status: STATE_NAMES[r.status] ?? r.status,
          risk: COLOUR_NAMES[r.risk_grade] ?? "无",
          colour: r.deadline_colour ? COLOUR_NAMES[r.deadline_colour] : "",
          people: r.people_count,
          amount: r.amount_cents === null ? null : Number(r.amount_cents) / 100,
          group: r.group_dispute ? "是" : "否",
          applicant: r.name_masked,
          phone: r.phone_masked,
          resolvedAt: r.resolved_at,
          closedAt: r.closed_at,
        });
        rows += 1;
      }
      // Backpressure: wait for a slow reader instead of buffering the ledger.
      if (out.writableNeedDrain) await once(out, "drain");
    });
    await sink.end();
    return { rows };
  }
  if (spec.kind === "ranking") {
    const r = await unitRanking(tx, { unitCode: unit.code, month: period.to, weights: spec.weights });
    const sink = openSink(spec.format, out, `${unit.name} 一月一考评（${r.month}）  ${r.formula.zh}`, "考评排名", [
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
    ]);
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
      });
      rows += 1;
    }
    await sink.end();
    return { rows };
  }
  const f = await unitFigures(tx, { unitCode: unit.code, from: period.from, to: period.to });
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
  ];
  const sink = openSink(
    spec.format,
    out,
    `${unit.name} 指标统计（${period.from} 至 ${period.to}）`,
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
  return { rows };
}
