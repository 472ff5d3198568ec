import { A } from "@solidjs/router";
import { createInfiniteQuery, createQuery } from "@tanstack/solid-query";
import {
  CASE_STATES,
  type CaseState,
  CHANNELS,
  type Channel,
  RISK_GRADES,
  type RiskGrade,
} from "@zongzhi/domain/case-workflow";
import { WARNING_COLOUR_NAMES, WARNING_COLOURS, type WarningColour } from "@zongzhi/domain/deadlines";
import { LEVELS, type Level } from "@zongzhi/domain/division";
import { createSignal, For, Show } from "solid-js";
import { type Me, trpc } from "../api.ts";
import {
  categoryName,
  channelName,
  createCategoryOptions,
  GroupBadge,
  isLiaisonOnly,
  RiskBadge,
  riskName,
  StatusBadge,
  stateName,
} from "../components/case-common.tsx";
import { DataTable, labels, SearchBox } from "../components/config-page.tsx";
import { DeadlineChip } from "../components/escalation/deadline-chip.tsx";
import { createLedgerDownload, ExportProgress } from "../components/ledger-download.tsx";
import { Forbidden, PageHeader } from "../components/page.tsx";
import { QueryState, TableFoot } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { formatDateTime, levelName, named, t } from "../i18n.ts";
import { can, readsCases } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";
import "./cases.css";
import { Form } from "../components/save-form.tsx";
import { Section } from "../components/section.tsx";

const PAGE_SIZE = 50;

/** The inbox's filters (what a saved view stores). */
export interface CaseFilters {
  status: CaseState[];
  categoryCode?: string | undefined;
  channel?: Channel | undefined;
  riskGrade?: RiskGrade | undefined;
  deadlineColour?: "blue" | "yellow" | "red" | undefined;
  level?: Level | undefined;
  unitCode?: string | undefined;
  q?: string | undefined;
}

/** A named filter set kept in this browser. */
interface SavedView {
  name: string;
  filters: CaseFilters;
}

const EMPTY: CaseFilters = { status: [] };
/** The "any" choice of a filter list (Kobalte shows no label for an empty value). */
const ANY = "*";

const viewsKey = (me: Me) => `zz.caseViews.${me.id}`;

function loadViews(me: Me): SavedView[] {
  try {
    const raw = JSON.parse(localStorage.getItem(viewsKey(me)) ?? "[]") as unknown;
    return Array.isArray(raw) ? (raw as SavedView[]).filter((v) => typeof v?.name === "string" && v.filters) : [];
  } catch {
    return [];
  }
}

function storeViews(me: Me, views: SavedView[]): void {
  try {
    localStorage.setItem(viewsKey(me), JSON.stringify(views));
  } catch {
    // Storage unavailable: views last for this page only.
  }
}

/** /cases: the inbox of the caller's subtree with filters, saved views and keyset paging. */
export function CaseInboxPage() {
  const me = useMe();
  return (
    <Show when={readsCases(me())} fallback={<Forbidden />}>
      <Show when={!isLiaisonOnly(me())} fallback={<LiaisonNotice />}>
        <Inbox me={me()} />
      </Show>
    </Show>
  );
}

function LiaisonNotice() {
  return (
    <>
      <PageHeader title={t("cases.inbox.title")} />
      <div class="card">
        <p>{t("cases.inbox.liaisonOnly")}</p>
        <A href="/liaison" class="btn btn-primary">
          {t("cases.inbox.toLiaison")}
        </A>
      </div>
    </>
  );
}

function Inbox(props: { me: Me }) {
  const [filters, setFilters] = createSignal<CaseFilters>(EMPTY);
  const set = (patch: Partial<CaseFilters>) => setFilters({ ...filters(), ...patch });
  const apply = (next: CaseFilters) => {
    setFilters(next);
  };

  const cases = createInfiniteQuery(() => ({
    queryKey: ["cases.list", filters()],
    queryFn: ({ pageParam }) =>
      trpc.cases.list.query({
        status: filters().status.length ? filters().status : undefined,
        categoryCode: filters().categoryCode,
        channel: filters().channel,
        riskGrade: filters().riskGrade,
        deadlineColour: filters().deadlineColour,
        level: filters().level,
        unitCode: filters().unitCode,
        q: filters().q,
        before: pageParam,
        limit: PAGE_SIZE,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  }));
  const rows = () => cases.data?.pages.flatMap((p) => p.items) ?? [];

  const ownLevel = () => props.me.tenant?.level;
  const levels = () => {
    const own = ownLevel();
    return own ? LEVELS.slice(LEVELS.indexOf(own)) : [];
  };
  const units = createQuery(() => ({
    queryKey: ["tenants.units", props.me.tenant?.code, "onboarded"],
    queryFn: () => trpc.tenants.units.query({ parentCode: props.me.tenant!.code, onboardedOnly: true, limit: 200 }),
    enabled: Boolean(props.me.tenant) && ownLevel() !== "village" && can(props.me, "tenant.read"),
  }));
  const any = { value: ANY, label: t("cases.all") };
  const categories = createCategoryOptions();
  const opt = (v: string | null) => (v === ANY || v === null ? undefined : v);

  return (
    <>
      <PageHeader
        title={t("cases.inbox.title")}
        intro={t("cases.inbox.intro")}
        actions={
          <Show when={can(props.me, "case.register")}>
            <A href="/cases/new" class="btn btn-primary">
              {t("cases.inbox.new")}
            </A>
          </Show>
        }
      />
      <Section id="filters-title" title={t("cases.inbox.filters")} class="card case-filters" hiddenTitle search>
        <div class="filter-grid">
          <div class="field">
            <span class="field-label" aria-hidden="true">
              {t("cases.inbox.statusFilter")}
            </span>
            <details class="filter-menu">
              <summary class="input select-trigger">
                {filters().status.length
                  ? t("cases.inbox.statusSummary", { n: filters().status.map(stateName).join("、") })
                  : t("cases.inbox.statusAny")}
              </summary>
              <fieldset class="fieldset filter-menu-list">
                <legend>{t("cases.inbox.statusFilter")}</legend>
                <For each={CASE_STATES}>
                  {(state) => (
                    <Checkbox
                      label={stateName(state)}
                      checked={filters().status.includes(state)}
                      onChange={(on) =>
                        set({
                          status: on
                            ? [...filters().status.filter((s) => s !== state), state]
                            : filters().status.filter((s) => s !== state),
                        })
                      }
                    />
                  )}
                </For>
              </fieldset>
            </details>
          </div>
          <Select
            label={t("cases.category")}
            options={[any, ...categories()]}
            value={filters().categoryCode ?? ANY}
            onChange={(v) => set({ categoryCode: opt(v) })}
          />
          <Select
            label={t("cases.channel")}
            options={[any, ...CHANNELS.map((c) => ({ value: c, label: channelName(c) }))]}
            value={filters().channel ?? ANY}
            onChange={(v) => set({ channel: opt(v) as Channel | undefined })}
          />
          <Select
            label={t("cases.risk")}
            options={[any, ...RISK_GRADES.map((g) => ({ value: g, label: riskName(g) }))]}
            value={filters().riskGrade ?? ANY}
            onChange={(v) => set({ riskGrade: opt(v) as RiskGrade | undefined })}
          />
          <Select
            label={t("cases.deadline")}
            options={[any, ...WARNING_COLOURS.map((c) => ({ value: c, label: named(WARNING_COLOUR_NAMES, c) }))]}
            value={filters().deadlineColour ?? ANY}
            onChange={(v) => set({ deadlineColour: opt(v) as WarningColour | undefined })}
          />
          <Select
            label={t("cases.inbox.levelFilter")}
            options={[any, ...levels().map((l) => ({ value: l, label: levelName(l) }))]}
            value={filters().level ?? ANY}
            onChange={(v) => set({ level: opt(v) as Level | undefined })}
          />
          <Show when={(units.data?.items.length ?? 0) > 0}>
            <Select
              label={t("cases.inbox.unitFilter")}
              options={[
                any,
                ...(units.data?.items ?? []).map((u) => ({ value: u.code, label: `${u.name}（${u.code}）` })),
              ]}
              value={filters().unitCode ?? ANY}
              onChange={(v) => set({ unitCode: opt(v) })}
            />
          </Show>
          <SearchBox
            class="inline-search filter-search"
            label={t("cases.inbox.search")}
            placeholder={t("cases.inbox.searchPlaceholder")}
            value={filters().q ?? ""}
            onSearch={(q) => set({ q: q || undefined })}
          />
        </div>
        <div class="filter-foot">
          <Button size="sm" variant="ghost" onClick={() => apply(EMPTY)}>
            {t("cases.inbox.reset")}
          </Button>
          <InboxExport filters={filters()} />
        </div>
        <SavedViews me={props.me} current={filters()} onApply={apply} />
      </Section>

      <Section id="cases-title" title={t("cases.inbox.table")} class="card" hiddenTitle>
        <QueryState query={cases} empty={t("cases.inbox.empty")} isEmpty={() => rows().length === 0}>
          <div class="table-scroll">
            <DataTable
              class="case-table"
              caption={t("cases.inbox.table")}
              columns={[
                ...labels("cases.code cases.title cases.category cases.status cases.risk cases.deadline"),
                { label: t("cases.peopleCount"), class: "num" },
                ...labels("cases.unit cases.registeredAt"),
              ]}
              rows={rows()}
            >
              {(row) => (
                <tr>
                  <td class="mono nowrap">
                    <A href={`/cases/${row.id}`}>{row.code}</A>
                  </td>
                  <td class="case-title-cell">{row.title}</td>
                  <td>{categoryName(row.categoryCode, row.categoryName)}</td>
                  <td>
                    <StatusBadge state={row.status} />
                  </td>
                  <td>
                    <div class="badge-row">
                      <RiskBadge grade={row.riskGrade} />
                      <Show when={row.groupDispute}>
                        <GroupBadge />
                      </Show>
                    </div>
                  </td>
                  <td>
                    <DeadlineChip colour={row.deadlineColour} dueAt={row.nextDueAt} />
                  </td>
                  <td class="num">{row.peopleCount}</td>
                  <td>{row.unitName}</td>
                  <td class="nowrap">{formatDateTime(row.registeredAt)}</td>
                </tr>
              )}
            </DataTable>
          </div>
          <TableFoot query={cases} count={t("cases.inbox.count", { n: rows().length })} />
        </QueryState>
      </Section>
    </>
  );
}

/** The query string of the case ledger (/exports/cases) for the inbox's filters: every month. */
function inboxLedgerQuery(f: CaseFilters, format: "xlsx" | "csv"): URLSearchParams {
  const q = new URLSearchParams({ format });
  if (f.status.length) q.set("status", f.status.join(","));
  for (const k of ["categoryCode", "channel", "riskGrade", "deadlineColour", "level", "unitCode", "q"] as const) {
    const v = f[k];
    if (v) q.set(k, v);
  }
  return q;
}

/** 导出台账: the case ledger of exactly what the inbox's filters show, streamed with its progress. */
function InboxExport(props: { filters: CaseFilters }) {
  const { job, busy, download } = createLedgerDownload();
  const start = (format: "xlsx" | "csv") =>
    void download(`/exports/cases?${inboxLedgerQuery(props.filters, format)}`, t("cases.inbox.ledger"), format);
  return (
    <div class="inbox-export" data-testid="inbox-export">
      <span class="muted small">{t("cases.inbox.exportHint")}</span>
      <Button size="sm" variant="secondary" disabled={busy()} onClick={() => start("xlsx")}>
        {t("cases.inbox.exportExcel")}
      </Button>
      <Button size="sm" variant="secondary" disabled={busy()} onClick={() => start("csv")}>
        {t("cases.inbox.exportCsv")}
      </Button>
      <ExportProgress job={job()} />
    </div>
  );
}

/** Named filter sets in localStorage (per user): save the current one, apply or delete one. */
function SavedViews(props: { me: Me; current: CaseFilters; onApply: (f: CaseFilters) => void }) {
  const [views, setViews] = createSignal<SavedView[]>(loadViews(props.me));
  const [name, setName] = createSignal("");
  const [error, setError] = createSignal<string | undefined>();
  const save = () => {
    const n = name().trim();
    if (!n) {
      setError(t("cases.inbox.viewNameRequired"));
      return;
    }
    setError(undefined);
    const next = [...views().filter((v) => v.name !== n), { name: n, filters: props.current }];
    setViews(next);
    storeViews(props.me, next);
    setName("");
    notify(t("cases.inbox.viewSaved", { name: n }));
  };
  const remove = (n: string) => {
    const next = views().filter((v) => v.name !== n);
    setViews(next);
    storeViews(props.me, next);
  };
  return (
    <section class="saved-views" aria-labelledby="views-title">
      <h3 id="views-title" class="field-label">
        {t("cases.inbox.views")}
      </h3>
      <Show when={views().length > 0} fallback={<p class="muted small">{t("cases.inbox.noViews")}</p>}>
        <ul class="chip-list">
          <For each={views()}>
            {(view) => (
              <li class="chip view-chip">
                <button
                  type="button"
                  class="link-button"
                  aria-label={t("cases.inbox.applyView", { name: view.name })}
                  onClick={() => props.onApply({ ...EMPTY, ...view.filters })}
                >
                  {view.name}
                </button>
                <button
                  type="button"
                  class="chip-remove"
                  aria-label={t("cases.inbox.deleteView", { name: view.name })}
                  onClick={() => remove(view.name)}
                >
                  ×
                </button>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Form class="inline-search" onSubmit={save}>
        <TextField
          label={t("cases.inbox.viewName")}
          hideLabel
          value={name()}
          onChange={setName}
          placeholder={t("cases.inbox.viewName")}
        />
        <Button type="submit" size="sm">
          {t("cases.inbox.saveView")}
        </Button>
      </Form>
      <Show when={error()}>
        <Alert tone="warning">{error()}</Alert>
      </Show>
    </section>
  );
}
