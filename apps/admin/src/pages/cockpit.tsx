import * as KTooltip from "@kobalte/core/tooltip";
import { useSearchParams } from "@solidjs/router";
import { createQuery, useQueryClient } from "@tanstack/solid-query";
import { chinaMonth } from "@zongzhi/domain/dates";
import { FIGURE_DEFINITIONS, type FigureKey, RESOLUTION_TIERS } from "@zongzhi/domain/figures";
import { createEffect, createSignal, For, type JSX, Match, onCleanup, onMount, Show, Switch } from "solid-js";
import { type Outputs, trpc } from "../api.ts";
import { createCategoryOptions } from "../components/case-common.tsx";
import { CHART_HEIGHT, type ChartOption, EChart } from "../components/cockpit/chart.tsx";
import { LedgerExports } from "../components/cockpit/exports.tsx";
import { SafetyDialog } from "../components/cockpit/safety-dialog.tsx";
import { WeightsDialog } from "../components/cockpit/weights-dialog.tsx";
import { LoadError, PageHeader } from "../components/page.tsx";
import { useMe } from "../components/shell.tsx";
import { locale, type MessageKey, pick, t } from "../i18n.ts";
import { mayOn } from "../session.ts";
import { Button } from "../ui/button.tsx";
import { DateField } from "../ui/date-field.tsx";
import { Select } from "../ui/select.tsx";
import "./cockpit.css";

type Figures = Outputs["cockpit"]["figures"];
type Ranking = Outputs["cockpit"]["ranking"];

const thisMonth = () => chinaMonth();
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const CATEGORY = /^[a-z][a-z0-9_]{1,39}$/;
/** The "every category" choice (Kobalte shows no label for an empty value). */
const ANY = "*";

const pct = (v: number | null) => (v === null ? t("cockpit.none") : `${(v * 100).toFixed(1)}%`);
const num = (v: number | null, digits = 0) =>
  v === null
    ? t("cockpit.none")
    : v.toLocaleString(locale() === "en" ? "en" : "zh-CN", { maximumFractionDigits: digits });

const BAND_COLOUR = { blue: "#2f6fde", yellow: "#e0a100", red: "#d3352f" } as const;

/**
 * 领导驾驶舱 (issue 10): the figures of the user's subtree, or of a descendant chosen by
 * drilling down (`?unit=`), for a range of months (`?from=&to=`). The home of leaders and
 * centre administrators. Live: refetches when the SSE stream says a case of the subtree arrived or
 * changed state, on the unit's notifications, and every 30 s.
 */
export function Cockpit() {
  const [params, setParams] = useSearchParams<{ unit?: string; from?: string; to?: string; category?: string }>();
  const to = () => (params.to && MONTH.test(params.to) ? params.to : thisMonth());
  const from = () => (params.from && MONTH.test(params.from) ? params.from : `${to().slice(0, 4)}-01`);
  const unit = () => (params.unit && /^\d{2,12}$/.test(params.unit) ? params.unit : undefined);
  const category = () => (params.category && CATEGORY.test(params.category) ? params.category : undefined);
  const categories = createCategoryOptions();
  const [fullscreen, setFullscreen] = createSignal(false);
  const [weightsOpen, setWeightsOpen] = createSignal(false);
  const [safetyOpen, setSafetyOpen] = createSignal(false);
  const me = useMe();
  const ownCode = () => me().tenant?.code ?? "";
  // A unit sets the weights its own children are ranked by: shown on its own cockpit only.
  const mayConfigure = () =>
    (unit() === undefined || unit() === ownCode()) && mayOn(me(), "cockpit.configure", ownCode());
  let root!: HTMLDivElement;

  const figures = createQuery(() => ({
    queryKey: ["cockpit.figures", unit(), from(), to(), category()],
    queryFn: () => trpc.cockpit.figures.query({ unitCode: unit(), from: from(), to: to(), categoryCode: category() }),
    refetchInterval: 30_000,
    placeholderData: (prev: Figures | undefined) => prev,
  }));
  const ranking = createQuery(() => ({
    queryKey: ["cockpit.ranking", unit(), to(), category()],
    queryFn: () => trpc.cockpit.ranking.query({ unitCode: unit(), month: to(), categoryCode: category() }),
    refetchInterval: 30_000,
  }));
  useLiveFigures();

  const drill = (code: string) => setParams({ unit: code });
  const toggleFullscreen = async () => {
    if (document.fullscreenElement) await document.exitFullscreen();
    else await root.requestFullscreen?.().catch(() => undefined);
  };
  onMount(() => {
    const onChange = () => setFullscreen(document.fullscreenElement === root);
    document.addEventListener("fullscreenchange", onChange);
    onCleanup(() => document.removeEventListener("fullscreenchange", onChange));
  });

  return (
    <div ref={root} class="cockpit" classList={{ "cockpit-full": fullscreen() }} data-testid="cockpit">
      <PageHeader
        title={t("cockpit.title")}
        intro={
          t("cockpit.intro", { unit: figures.data?.unit.name ?? "…", from: from(), to: to() }) +
          (figures.data?.category ? t("cockpit.ofCategory", { category: figures.data.category.name }) : "")
        }
        actions={
          <>
            <PeriodForm from={from()} to={to()} onApply={(f, tt) => setParams({ from: f, to: tt })} />
            <div class="cockpit-category" data-testid="cockpit-category">
              <Select
                label={t("cockpit.category")}
                options={[{ value: ANY, label: t("cockpit.allCategories") }, ...categories()]}
                value={category() ?? ANY}
                onChange={(v) => setParams({ category: v && v !== ANY ? v : undefined })}
              />
            </div>
            <a class="btn btn-secondary" href={`/bulletin?month=${to()}${unit() ? `&unit=${unit()}` : ""}`}>
              {t("cockpit.bulletin")}
            </a>
            <Show when={mayConfigure()}>
              <Button variant="secondary" onClick={() => setWeightsOpen(true)} data-testid="open-weights">
                {t("cockpit.weights.open")}
              </Button>
              <Button variant="secondary" onClick={() => setSafetyOpen(true)} data-testid="open-safety">
                {t("cockpit.safety.open")}
              </Button>
            </Show>
            <Button variant="secondary" onClick={() => void toggleFullscreen()}>
              {fullscreen() ? t("cockpit.exitFullscreen") : t("cockpit.fullscreen")}
            </Button>
          </>
        }
      />
      {/* Drawn before the figures arrive (empty), so the board below does not move down. */}
      <nav class="cockpit-path" aria-label={t("cockpit.children")}>
        <Show when={figures.data} fallback={<span aria-hidden="true">{NBSP}</span>}>
          {(f) => (
            <For each={f().path}>
              {(p, i) => (
                <>
                  <Show when={i() > 0}>
                    <span aria-hidden="true"> › </span>
                  </Show>
                  <Show when={p.code !== f().unit.code} fallback={<strong>{p.name}</strong>}>
                    <button type="button" class="link-button" onClick={() => drill(p.code)}>
                      {p.name}
                    </button>
                  </Show>
                </>
              )}
            </For>
          )}
        </Show>
        <span class="cockpit-live" title={t("cockpit.live")}>
          ● {t("cockpit.live")}
        </span>
      </nav>
      <Switch>
        <Match when={figures.isError && !figures.data}>
          <LoadError error={figures.error} retry={() => figures.refetch()} />
        </Match>
        <Match when={figures.data}>
          {(f) => (
            <>
              <Board f={f()} ranking={ranking.data} onDrill={drill} />
              <LedgerExports unit={unit()} from={from()} to={to()} category={f().category} />
            </>
          )}
        </Match>
        <Match when={true}>
          <Skeleton />
        </Match>
      </Switch>
      <WeightsDialog open={weightsOpen()} onOpenChange={setWeightsOpen} />
      <SafetyDialog open={safetyOpen()} onOpenChange={setSafetyOpen} shares={figures.data?.safety.components} />
    </div>
  );
}

/**
 * Reads the figures again when the stream says they moved: a case of the subtree arrived or
 * changed state (`figures`, migration 0160) or the unit was notified of something. A burst (a
 * province's many units at once) is one refetch a second at most.
 */
function useLiveFigures() {
  const queryClient = useQueryClient();
  onMount(() => {
    if (typeof EventSource === "undefined") return;
    const source = new EventSource("/events");
    let pending: ReturnType<typeof setTimeout> | undefined;
    const refetch = () => {
      pending = undefined;
      void queryClient.invalidateQueries({ queryKey: ["cockpit.figures"] });
      void queryClient.invalidateQueries({ queryKey: ["cockpit.ranking"] });
    };
    const soon = () => {
      pending ??= setTimeout(refetch, 1000);
    };
    source.addEventListener("figures", soon);
    source.addEventListener("notification", soon);
    onCleanup(() => {
      source.close();
      clearTimeout(pending);
    });
  });
}

/** The period (from, to: months) typed or picked in our own month fields; applied when both are whole and in order. */
function PeriodForm(props: { from: string; to: string; onApply: (from: string, to: string) => void }) {
  const [from, setFrom] = createSignal(props.from);
  const [to, setTo] = createSignal(props.to);
  const [submitted, setSubmitted] = createSignal(false);
  // The address changed by other means (back, a link): the fields follow.
  createEffect(() => {
    setFrom(props.from);
    setTo(props.to);
  });
  const missing = (v: string) => (submitted() && !MONTH.test(v) ? t("cockpit.monthRequired") : undefined);
  const order = () => (MONTH.test(from()) && MONTH.test(to()) && from() > to() ? t("cockpit.monthOrder") : undefined);
  return (
    <form
      class="cockpit-period"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (MONTH.test(from()) && MONTH.test(to()) && from() <= to()) props.onApply(from(), to());
      }}
    >
      <DateField kind="month" label={t("cockpit.from")} value={from()} onChange={setFrom} error={missing(from())} />
      <DateField kind="month" label={t("cockpit.to")} value={to()} onChange={setTo} error={missing(to()) ?? order()} />
      <Button type="submit" variant="secondary">
        {t("cockpit.apply")}
      </Button>
    </form>
  );
}

/** A figure's name with its definition as a tooltip (Kobalte). */
function Term(props: { figure: FigureKey }) {
  const def = () => FIGURE_DEFINITIONS[props.figure];
  return (
    <KTooltip.Root openDelay={200}>
      <KTooltip.Trigger as="span" class="term" tabIndex={0} data-figure={props.figure}>
        {pick(def().label)}
        <span class="term-mark" aria-hidden="true">
          ⓘ
        </span>
      </KTooltip.Trigger>
      <KTooltip.Portal>
        <KTooltip.Content class="tooltip">
          <KTooltip.Arrow />
          {pick(def().definition)}
        </KTooltip.Content>
      </KTooltip.Portal>
    </KTooltip.Root>
  );
}

function Kpi(props: { figure: FigureKey; value: string; lastYear?: string }) {
  return (
    <div class="kpi" data-kpi={props.figure}>
      <div class="kpi-label">
        <Term figure={props.figure} />
      </div>
      <div class="kpi-value">{props.value}</div>
      <Show when={props.lastYear !== undefined}>
        <div class="kpi-sub">{t("cockpit.lastYear", { value: props.lastYear ?? "" })}</div>
      </Show>
    </div>
  );
}

/**
 * The headline figures in the order shown, each with its value (and the same period last year
 * where that compares). The skeleton draws one box for each, so nothing jumps when they arrive.
 */
const KPIS: { figure: FigureKey; value: (b: Figures) => string; lastYear?: (b: Figures) => string }[] = [
  { figure: "received", value: (b) => num(b.figures.received), lastYear: (b) => num(b.lastYear.received) },
  { figure: "accepted", value: (b) => num(b.figures.accepted), lastYear: (b) => num(b.lastYear.accepted) },
  { figure: "resolved", value: (b) => num(b.figures.resolved), lastYear: (b) => num(b.lastYear.resolved) },
  { figure: "closed", value: (b) => num(b.figures.closed), lastYear: (b) => num(b.lastYear.closed) },
  {
    figure: "resolutionRate",
    value: (b) => pct(b.figures.resolutionRate),
    lastYear: (b) => pct(b.lastYear.resolutionRate),
  },
  { figure: "closureRate", value: (b) => pct(b.figures.closureRate), lastYear: (b) => pct(b.lastYear.closureRate) },
  { figure: "onTimeRate", value: (b) => pct(b.figures.onTimeRate), lastYear: (b) => pct(b.lastYear.onTimeRate) },
  {
    figure: "satisfactionRate",
    value: (b) => pct(b.figures.satisfactionRate),
    lastYear: (b) => pct(b.lastYear.satisfactionRate),
  },
  { figure: "followUpRate", value: (b) => pct(b.figures.followUpRate), lastYear: (b) => pct(b.lastYear.followUpRate) },
  { figure: "localShare", value: (b) => pct(b.figures.localShare), lastYear: (b) => pct(b.lastYear.localShare) },
  { figure: "averageDaysToResolve", value: (b) => num(b.figures.averageDaysToResolve, 1) },
  { figure: "medianDaysToResolve", value: (b) => num(b.figures.medianDaysToResolve, 1) },
  { figure: "escalationRate", value: (b) => pct(b.figures.escalationRate) },
  { figure: "returnsPerCase", value: (b) => num(b.figures.returnsPerCase, 2) },
  { figure: "reworks", value: (b) => num(b.reworks.count), lastYear: (b) => num(b.reworks.lastYear) },
  { figure: "reworksPerCase", value: (b) => num(b.figures.reworksPerCase, 2) },
  { figure: "repeatClaims", value: (b) => num(b.figures.repeatClaims) },
  { figure: "groupDisputes", value: (b) => num(b.figures.groupDisputes) },
  { figure: "groupPeople", value: (b) => num(b.figures.groupPeople) },
  { figure: "people", value: (b) => num(b.figures.people) },
  { figure: "amountYuan", value: (b) => num(b.figures.amountYuan) },
];

function Board(props: { f: Figures; ranking: Ranking | undefined; onDrill: (code: string) => void }) {
  const f = () => props.f.figures;
  const trendOption = (): ChartOption => ({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 40, top: 30, bottom: 24 },
    xAxis: { type: "category", data: props.f.trend.map((m) => m.month) },
    yAxis: [{ type: "value" }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: t("cockpit.series.received"), type: "bar", data: props.f.trend.map((m) => m.figures.received) },
      { name: t("cockpit.series.resolved"), type: "bar", data: props.f.trend.map((m) => m.figures.resolved) },
      { name: t("cockpit.series.closed"), type: "line", data: props.f.trend.map((m) => m.figures.closed) },
      { name: t("cockpit.series.reworks"), type: "line", data: props.f.trend.map((m) => m.figures.reworks) },
      {
        name: t("cockpit.series.rate"),
        type: "line",
        yAxisIndex: 1,
        data: props.f.trend.map((m) =>
          m.figures.resolutionRate === null ? null : +(m.figures.resolutionRate * 100).toFixed(1),
        ),
      },
    ],
  });
  const categoryOption = (): ChartOption => ({
    tooltip: { trigger: "axis" },
    grid: { left: 100, right: 16, top: 10, bottom: 24 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: props.f.byCategory.map((c) => c.name).reverse() },
    series: [
      { name: t("cockpit.series.received"), type: "bar", data: props.f.byCategory.map((c) => c.cases).reverse() },
      { name: t("cockpit.series.resolved"), type: "bar", data: props.f.byCategory.map((c) => c.resolved).reverse() },
    ],
  });
  /** The period's cases by channel (bars) and by risk grade at registration (a ring). */
  const channelOption = (): ChartOption => ({
    tooltip: { trigger: "item" },
    grid: { left: 90, right: "45%", top: 10, bottom: 24 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: props.f.byChannel.map((c) => c.name).reverse() },
    series: [
      { name: t("cockpit.series.received"), type: "bar", data: props.f.byChannel.map((c) => c.cases).reverse() },
      {
        type: "pie",
        radius: ["30%", "55%"],
        center: ["78%", "50%"],
        label: { formatter: "{b} {c}" },
        data: props.f.byRisk.map((r) => ({ name: r.name, value: r.cases })),
      },
    ],
  });
  const tierOption = (): ChartOption => ({
    tooltip: { trigger: "item", formatter: "{b}: {c}%" },
    series: [
      {
        type: "funnel",
        sort: "none",
        left: 10,
        right: 10,
        label: { formatter: "{b} {c}%" },
        data: RESOLUTION_TIERS.map((tier) => ({
          name: t(`cockpit.tier.${tier}` as MessageKey),
          value: +((f().tiers[tier].share ?? 0) * 100).toFixed(1),
        })),
      },
    ],
  });
  const treemapOption = (): ChartOption => ({
    tooltip: {
      formatter: (p: { data: { name: string; value: number; safety: number } }) =>
        `${p.data.name}<br/>${t("cockpit.series.received")} ${p.data.value}<br/>${t("cockpit.safety")} ${p.data.safety.toFixed(1)}`,
    },
    series: [
      {
        type: "treemap",
        roam: false,
        nodeClick: false,
        breadcrumb: { show: false },
        label: { formatter: "{b}" },
        data: props.f.children.map((c) => ({
          name: c.unit.name,
          code: c.unit.code,
          value: Math.max(c.figures.received, 0.5),
          safety: c.safety.index,
          itemStyle: { color: BAND_COLOUR[c.safety.band] },
        })),
      },
    ],
  });
  const current = () => props.f.current;
  return (
    <div class="cockpit-board">
      <section class="kpis" aria-label={t("cockpit.title")}>
        <For each={KPIS}>
          {(k) => <Kpi figure={k.figure} value={k.value(props.f)} lastYear={k.lastYear?.(props.f)} />}
        </For>
      </section>
      <section class="card cockpit-current" aria-label={t("cockpit.current")}>
        <h2 class="card-title">
          <Term figure="open" /> {num(current().open)}
        </h2>
        <div class="counts">
          <Count tone="red" label="cockpit.colour.red" n={current().red} />
          <Count tone="yellow" label="cockpit.colour.yellow" n={current().yellow} />
          <Count tone="blue" label="cockpit.colour.blue" n={current().blue} />
          <Count tone="red" label="cockpit.risk.red" n={current().riskRed} />
          <Count tone="yellow" label="cockpit.risk.yellow" n={current().riskYellow} />
          <Count tone="blue" label="cockpit.risk.blue" n={current().riskBlue} />
          <div class={`count count-${props.f.safety.band}`} data-testid="safety-index">
            <span>{t("cockpit.safety")}</span>
            <strong>{props.f.safety.index.toFixed(1)}</strong>
            <span>{t(`cockpit.band.${props.f.safety.band}` as MessageKey)}</span>
          </div>
        </div>
      </section>
      <Panel title={t("cockpit.trend")} wide>
        <EChart option={trendOption()} label={t("cockpit.trend")} testId="chart-trend" />
      </Panel>
      <Panel title={t("cockpit.categories")}>
        <EChart option={categoryOption()} label={t("cockpit.categories")} />
      </Panel>
      <Panel title={t("cockpit.tiers")} term="tiers">
        <EChart option={tierOption()} label={t("cockpit.tiers")} />
      </Panel>
      <Panel title={t("cockpit.channels")}>
        <EChart option={channelOption()} label={t("cockpit.channels")} testId="chart-channels" />
      </Panel>
      <Panel title={t("cockpit.treemap")} wide>
        <Show when={props.f.children.length > 0} fallback={<p class="muted">{t("cockpit.noChildren")}</p>}>
          <EChart
            option={treemapOption()}
            label={t("cockpit.treemap")}
            testId="chart-treemap"
            onClick={(d) => {
              const code = (d as { code?: string } | undefined)?.code;
              if (code) props.onDrill(code);
            }}
          />
        </Show>
      </Panel>
      <Panel title={t("cockpit.ranking", { month: props.ranking?.month ?? "" })} wide>
        <Show when={props.ranking}>
          {(r) => (
            <>
              <p class="muted small" data-testid="ranking-formula">
                {pick(r().formula)}
              </p>
              <RankingTable ranking={r()} children={props.f.children} onDrill={props.onDrill} />
            </>
          )}
        </Show>
      </Panel>
    </div>
  );
}

function RankingTable(props: { ranking: Ranking; children: Figures["children"]; onDrill: (code: string) => void }) {
  const safetyOf = (code: string) => props.children.find((c) => c.unit.code === code)?.safety;
  return (
    <Show when={props.ranking.rows.length > 0} fallback={<p class="muted">{t("cockpit.noChildren")}</p>}>
      <table class="table" data-testid="ranking">
        <thead>
          <tr>
            <th>{t("cockpit.rank")}</th>
            <th>{t("cockpit.unit")}</th>
            <th>{t("cockpit.score")}</th>
            <th>{t("cockpit.change")}</th>
            <th>
              <Term figure="received" />
            </th>
            <th>
              <Term figure="resolutionRate" />
            </th>
            <th>
              <Term figure="onTimeRate" />
            </th>
            <th>
              <Term figure="satisfactionRate" />
            </th>
            <th>
              <Term figure="reworks" />
            </th>
            <th>
              <Term figure="reworkFreeRate" />
            </th>
            <th>{t("cockpit.safety")}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          <For each={props.ranking.rows}>
            {(row) => (
              <tr data-unit={row.unit.code}>
                <td>{row.rank ?? t("cockpit.none")}</td>
                <td>{row.unit.name}</td>
                <td>{num(row.score, 1)}</td>
                <td classList={{ up: (row.change ?? 0) > 0, down: (row.change ?? 0) < 0 }}>
                  {row.change === null ? t("cockpit.none") : `${row.change > 0 ? "+" : ""}${row.change.toFixed(1)}`}
                </td>
                <td>{num(row.figures.received)}</td>
                <td>{pct(row.figures.resolutionRate)}</td>
                <td>{pct(row.figures.onTimeRate)}</td>
                <td>{pct(row.figures.satisfactionRate)}</td>
                <td data-figure="reworks">{num(row.figures.reworks)}</td>
                <td data-figure="reworkFreeRate">{pct(row.figures.reworkFreeRate)}</td>
                <td>
                  <Show when={safetyOf(row.unit.code)}>
                    {(s) => <span class={`band band-${s().band}`}>{s().index.toFixed(1)}</span>}
                  </Show>
                </td>
                <td>
                  <button type="button" class="link-button" onClick={() => props.onDrill(row.unit.code)}>
                    {t("cockpit.drill")}
                  </button>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Show>
  );
}

function Count(props: { tone: "red" | "yellow" | "blue"; label: MessageKey; n: number }) {
  return (
    <div class={`count count-${props.tone}`}>
      <span>{t(props.label)}</span>
      <strong>{num(props.n)}</strong>
    </div>
  );
}

function Panel(props: { title: string; wide?: boolean; term?: FigureKey; children: JSX.Element }) {
  return (
    <section class="card panel" classList={{ "panel-wide": props.wide ?? false }}>
      <h2 class="card-title">
        {props.title}
        <Show when={props.term}>{(term) => <Term figure={term()} />}</Show>
      </h2>
      {props.children}
    </section>
  );
}

/** A line of the board's text, empty: the skeleton's boxes hold the lines the board will show. */
const NBSP = "\u00a0";

/**
 * The board's boxes with its lines empty (a headline figure with or without last year's line,
 * the open counts, the charts' panels), so nothing jumps when the figures arrive.
 */
function Skeleton() {
  const count = (band = false) => (
    <div class="count">
      <span>{NBSP}</span>
      <strong>{NBSP}</strong>
      <Show when={band}>
        <span>{NBSP}</span>
      </Show>
    </div>
  );
  const panel = (wide = false) => (
    <section class="card panel skeleton" classList={{ "panel-wide": wide }}>
      <h2 class="card-title">{NBSP}</h2>
      <div class="chart" style={{ height: `${CHART_HEIGHT}px` }} />
    </section>
  );
  return (
    <div class="cockpit-board" aria-busy="true" data-testid="cockpit-skeleton">
      <section class="kpis">
        <For each={KPIS}>
          {(k) => (
            <div class="kpi skeleton">
              <div class="kpi-label">{NBSP}</div>
              <div class="kpi-value">{NBSP}</div>
              <Show when={k.lastYear}>
                <div class="kpi-sub">{NBSP}</div>
              </Show>
            </div>
          )}
        </For>
      </section>
      <section class="card cockpit-current skeleton">
        <h2 class="card-title">{NBSP}</h2>
        <div class="counts">
          <For each={Array.from({ length: 6 })}>{() => count()}</For>
          {count(true)}
        </div>
      </section>
      {panel(true)}
      {panel()}
      {panel()}
    </div>
  );
}
