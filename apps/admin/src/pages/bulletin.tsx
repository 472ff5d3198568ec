import { useSearchParams } from "@solidjs/router";
import { createQuery } from "@tanstack/solid-query";
import { chinaMonth } from "@zongzhi/domain/dates";
import { For, type JSX, Show } from "solid-js";
import { type Outputs, trpc } from "../api.ts";
import { type BulletinLists, bulletinLists, bulletinListsCsv } from "../bulletin-lists.ts";
import { LoadError, Loading, usePageTitle } from "../components/page.tsx";
import { formatPaperDate } from "../i18n.ts";
import "./bulletin.css";
import { saveFile } from "../components/save-file.ts";

type Figures = Outputs["cockpit"]["figures"];
type Ranking = Outputs["cockpit"]["ranking"];
type Supervision = Outputs["cockpit"]["supervision"];

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const pct = (v: number | null) => (v === null ? "—" : `${(v * 100).toFixed(1)}%`);
const shift = (month: string, n: number) => {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const i = y * 12 + m - 1 + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
};

/** The bulletin's text, the same content as the printed page, to paste into the written notice. */
export function bulletinText(f: Figures, r: Ranking | undefined, month: string, s?: Supervision | undefined): string {
  const x = f.figures;
  const [y, m] = month.split("-");
  const lines = [
    `${f.unit.name}${y}年${Number(m)}月矛盾纠纷化解工作通报`,
    "",
    `一、总体情况。本月登记各类事件${x.received}件，受理${x.accepted}件，化解${x.resolved}件，办结${x.closed}件，化解率${pct(x.resolutionRate)}，办结率${pct(x.closureRate)}，按时办结率${pct(x.onTimeRate)}，群众满意率${pct(x.satisfactionRate)}，回访率${pct(x.followUpRate)}，退回重办${x.reworks}次（件均${x.reworksPerCase === null ? "—" : x.reworksPerCase.toFixed(2)}次）。去年同期登记${f.lastYear.received}件，化解率${pct(f.lastYear.resolutionRate)}。`,
    `二、分级化解。村（社区）级化解${x.tiers.village.resolved}件（${pct(x.tiers.village.share)}），乡镇（街道）级${x.tiers.township.resolved}件（${pct(x.tiers.township.share)}），县级${x.tiers.county.resolved}件（${pct(x.tiers.county.share)}），县以上${x.tiers.above.resolved}件（${pct(x.tiers.above.share)}）。`,
    `三、风险与超期。当前在办${f.current.open}件，其中超期（红色）${f.current.red}件、临期（黄色）${f.current.yellow}件；红色风险${f.current.riskRed}件。本月群体性纠纷${x.groupDisputes}件，涉及${x.groupPeople}人；重复诉求${x.repeatClaims}件。平安指数${f.safety.index.toFixed(1)}。${
      s
        ? `本月督办${s.opened}件（超期自动督办${s.openedBySystem}件、领导督办${s.openedByLeader}件），已回复${s.answered}件；当前待回复${s.openNow}件，其中逾期未回复${s.openOverdue}件。`
        : ""
    }`,
  ];
  if (r && r.rows.length > 0) {
    lines.push(`四、一月一考评（${r.formula.zh}）。`);
    for (const row of r.rows)
      lines.push(
        `  第${row.rank ?? "—"}名 ${row.unit.name}：${row.score === null ? "—" : row.score.toFixed(1)}分${row.change === null ? "" : `（环比${row.change >= 0 ? "+" : ""}${row.change.toFixed(1)}）`}`,
      );
  }
  const l = bulletinLists(f, r);
  const names = (xs: string[]) => (xs.length ? xs.join("、") : "无");
  lines.push(
    `五、通报名单。考评前列（表扬）：${names(l.top.map((u) => `${u.name}（第${u.rank}名）`))}；考评末位：${names(l.bottom.map((u) => `${u.name}（第${u.rank}名）`))}；有超期在办案件的单位：${names(l.overdue.map((u) => `${u.name}（${u.overdue}件）`))}；有重办案件的单位：${names(l.reworks.map((u) => `${u.name}（重办${u.reworks}次）`))}；平安指数预警（红色）单位：${names(l.redBand.map((u) => `${u.name}（${u.index.toFixed(1)}）`))}。`,
  );
  lines.push("", `${f.unit.name}综治中心`, formatPaperDate(new Date()));
  return lines.join("\n");
}

/** 一月一通报: a print-styled A4 page of a unit's month (the browser prints it to PDF) and its plain text. */
export function BulletinPage() {
  const [params] = useSearchParams<{ unit?: string; month?: string }>();
  const month = () => (params.month && MONTH.test(params.month) ? params.month : shift(chinaMonth(), -1));
  const unit = () => (params.unit && /^\d{2,12}$/.test(params.unit) ? params.unit : undefined);
  const figures = createQuery(() => ({
    queryKey: ["cockpit.figures", unit(), month(), month()],
    queryFn: () => trpc.cockpit.figures.query({ unitCode: unit(), from: month(), to: month() }),
  }));
  const trend = createQuery(() => ({
    queryKey: ["cockpit.figures", unit(), shift(month(), -5), month()],
    queryFn: () => trpc.cockpit.figures.query({ unitCode: unit(), from: shift(month(), -5), to: month() }),
  }));
  const ranking = createQuery(() => ({
    queryKey: ["cockpit.ranking", unit(), month()],
    queryFn: () => trpc.cockpit.ranking.query({ unitCode: unit(), month: month() }),
  }));
  const supervision = createQuery(() => ({
    queryKey: ["cockpit.supervision", unit(), month()],
    queryFn: () => trpc.cockpit.supervision.query({ unitCode: unit(), month: month() }),
  }));
  usePageTitle(() => `一月一通报 ${month()}`);
  return (
    <Show
      when={figures.data}
      fallback={
        <Show when={figures.isError} fallback={<Loading />}>
          <LoadError error={figures.error} retry={() => figures.refetch()} />
        </Show>
      }
    >
      {(f) => (
        <div class="bulletin-wrap">
          <div class="bulletin-actions no-print">
            <button type="button" class="btn btn-primary" onClick={() => window.print()}>
              打印 / 存为 PDF
            </button>
            <button
              type="button"
              class="btn btn-secondary"
              onClick={() =>
                void navigator.clipboard?.writeText(bulletinText(f(), ranking.data, month(), supervision.data))
              }
            >
              复制通报文本
            </button>
            <button
              type="button"
              class="btn btn-secondary"
              data-testid="bulletin-lists-csv"
              onClick={() =>
                downloadText(
                  bulletinListsCsv(bulletinLists(f(), ranking.data)),
                  `${f().unit.name}-通报名单-${month()}.csv`,
                  "text/csv;charset=utf-8",
                )
              }
            >
              导出名单 CSV
            </button>
          </div>
          <article class="bulletin" data-testid="bulletin">
            <h1>
              {f().unit.name}
              {month().slice(0, 4)}年{Number(month().slice(5))}月矛盾纠纷化解工作通报
            </h1>
            <p class="bulletin-date">
              {f().unit.name}综治中心 · {formatPaperDate(new Date())}
            </p>
            <h2>一、主要指标</h2>
            <table>
              <tbody>
                <tr>
                  <th>登记</th>
                  <td>{f().figures.received}</td>
                  <th>受理</th>
                  <td>{f().figures.accepted}</td>
                  <th>化解</th>
                  <td>{f().figures.resolved}</td>
                  <th>办结</th>
                  <td>{f().figures.closed}</td>
                </tr>
                <tr>
                  <th>化解率</th>
                  <td>{pct(f().figures.resolutionRate)}</td>
                  <th>办结率</th>
                  <td>{pct(f().figures.closureRate)}</td>
                  <th>按时办结率</th>
                  <td>{pct(f().figures.onTimeRate)}</td>
                  <th>满意率</th>
                  <td>{pct(f().figures.satisfactionRate)}</td>
                </tr>
                <tr>
                  <th>就地化解率</th>
                  <td>{pct(f().figures.localShare)}</td>
                  <th>超期在办</th>
                  <td>{f().current.red}</td>
                  <th>红色风险</th>
                  <td>{f().current.riskRed}</td>
                  <th>平安指数</th>
                  <td>{f().safety.index.toFixed(1)}</td>
                </tr>
                <tr data-testid="bulletin-reworks-row">
                  <th>重办</th>
                  <td>{f().figures.reworks}</td>
                  <th>件均重办</th>
                  <td>{f().figures.reworksPerCase === null ? "—" : f().figures.reworksPerCase?.toFixed(2)}</td>
                  <th>重复诉求</th>
                  <td>{f().figures.repeatClaims}</td>
                  <th>群体性纠纷</th>
                  <td>{f().figures.groupDisputes}</td>
                </tr>
                <Show when={supervision.data}>
                  {(s) => (
                    <tr data-testid="bulletin-supervision">
                      <th>本月督办</th>
                      <td>{s().opened}</td>
                      <th>已回复</th>
                      <td>{s().answered}</td>
                      <th>待回复</th>
                      <td>{s().openNow}</td>
                      <th>逾期未回复</th>
                      <td>{s().openOverdue}</td>
                    </tr>
                  )}
                </Show>
              </tbody>
            </table>
            <Show when={trend.data}>
              {(tr) => (
                <>
                  <h2>二、近六个月趋势</h2>
                  <table>
                    <thead>
                      <tr>
                        <th>月份</th>
                        <th>登记</th>
                        <th>化解</th>
                        <th>办结</th>
                        <th>化解率</th>
                        <th>重办</th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={tr().trend}>
                        {(m) => (
                          <tr>
                            <td>{m.month}</td>
                            <td>{m.figures.received}</td>
                            <td>{m.figures.resolved}</td>
                            <td>{m.figures.closed}</td>
                            <td>{pct(m.figures.resolutionRate)}</td>
                            <td>{m.figures.reworks}</td>
                          </tr>
                        )}
                      </For>
                    </tbody>
                  </table>
                </>
              )}
            </Show>
            <Show when={ranking.data && ranking.data.rows.length > 0}>
              <h2>三、一月一考评</h2>
              <p class="small">{ranking.data?.formula.zh}</p>
              <table data-testid="bulletin-ranking">
                <thead>
                  <tr>
                    <th>名次</th>
                    <th>单位</th>
                    <th>得分</th>
                    <th>环比</th>
                    <th>登记</th>
                    <th>化解率</th>
                    <th>重办</th>
                    <th>无重办率</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={ranking.data?.rows ?? []}>
                    {(row) => (
                      <tr>
                        <td>{row.rank ?? "—"}</td>
                        <td>{row.unit.name}</td>
                        <td>{row.score === null ? "—" : row.score.toFixed(1)}</td>
                        <td>{row.change === null ? "—" : row.change.toFixed(1)}</td>
                        <td>{row.figures.received}</td>
                        <td>{pct(row.figures.resolutionRate)}</td>
                        <td>{row.figures.reworks}</td>
                        <td>{pct(row.figures.reworkFreeRate)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </Show>
            <ListsSection lists={bulletinLists(f(), ranking.data)} />
          </article>
          <h2 class="no-print">通报文本</h2>
          <pre class="bulletin-text no-print" data-testid="bulletin-text">
            {bulletinText(f(), ranking.data, month(), supervision.data)}
          </pre>
        </div>
      )}
    </Show>
  );
}

/** Saves a text the page built (the lists' CSV) under a name. */
function downloadText(text: string, name: string, type: string): void {
  saveFile(new Blob([text], { type }), name);
}

/** 四、通报名单: the ranking's first and last, units with overdue cases, with reworks, in the red band. */
function ListsSection(props: { lists: BulletinLists }) {
  const ranked = (units: BulletinLists["top"]) =>
    units.map((u) => `第${u.rank}名 ${u.name}（${u.score.toFixed(1)}分）`).join("；");
  return (
    <section data-testid="bulletin-lists">
      <h2>四、通报名单</h2>
      <Listed title="考评前列（表扬）" rows={props.lists.top}>
        <p data-testid="bulletin-top">{ranked(props.lists.top)}</p>
      </Listed>
      <Listed title="考评末位" rows={props.lists.bottom}>
        <p data-testid="bulletin-bottom">{ranked(props.lists.bottom)}</p>
      </Listed>
      <Listed title="有超期在办案件的单位" rows={props.lists.overdue}>
        <UnitTable
          testId="bulletin-overdue"
          rows={props.lists.overdue}
          columns={[
            ["超期在办", (u) => u.overdue],
            ["红色风险", (u) => u.riskRed],
          ]}
        />
      </Listed>
      <Listed title="有重办案件的单位" rows={props.lists.reworks}>
        <UnitTable
          testId="bulletin-reworks"
          rows={props.lists.reworks}
          columns={[
            ["重办次数", (u) => u.reworks],
            ["件均重办", (u) => (u.perCase === null ? "—" : u.perCase.toFixed(2))],
          ]}
        />
      </Listed>
      <Listed title="平安指数预警（红色）单位" rows={props.lists.redBand}>
        <p>{props.lists.redBand.map((u) => `${u.name}（${u.index.toFixed(1)}）`).join("、")}</p>
      </Listed>
    </section>
  );
}

/** One list of the bulletin under its heading, or 无 when it names nobody. */
function Listed(props: { title: string; rows: readonly unknown[]; children: JSX.Element }) {
  return (
    <>
      <h3>{props.title}</h3>
      <Show when={props.rows.length > 0} fallback={<p class="small">无</p>}>
        {props.children}
      </Show>
    </>
  );
}

/** The units of a list with their figures, a column each (单位 first). */
function UnitTable<T extends { name: string }>(props: {
  testId: string;
  rows: readonly T[];
  columns: [string, (unit: T) => string | number][];
}) {
  return (
    <table data-testid={props.testId}>
      <thead>
        <tr>
          <th>单位</th>
          <For each={props.columns}>{([head]) => <th>{head}</th>}</For>
        </tr>
      </thead>
      <tbody>
        <For each={props.rows}>
          {(u) => (
            <tr>
              <td>{u.name}</td>
              <For each={props.columns}>{([, cell]) => <td>{cell(u)}</td>}</For>
            </tr>
          )}
        </For>
      </tbody>
    </table>
  );
}
