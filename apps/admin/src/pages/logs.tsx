import { useParams } from "@solidjs/router";
import { createInfiniteQuery } from "@tanstack/solid-query";
import { logKindName, OPERATION_NAMES, operationKind } from "@zongzhi/domain/operations";
import { createSignal, Show } from "solid-js";
import { trpc } from "../api.ts";
import { DataTable, labels } from "../components/config-page.tsx";
import { createLedgerDownload, ExportProgress } from "../components/ledger-download.tsx";
import { Forbidden, PageHeader } from "../components/page.tsx";
import { QueryState, TableFoot } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { auditKindName, formatDateTime, pick, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";

type Log = "operations" | "sign_in";
type Line = Awaited<ReturnType<typeof trpc.audit.search.query>>["items"][number];
type Filters = { actor: string; unitCode: string; kind: string | null; object: string; from: string; to: string };
const EMPTY: Filters = { actor: "", unitCode: "", kind: null, object: "", from: "", to: "" };
const PAGE_SIZE = 50;

/** The name of a logged kind in the current language: an operation (with its action), a sign-in event. */
const kindName = (line: { kind: string; detail: unknown }) =>
  pick(logKindName(line.kind, line.detail as { action?: unknown }));

function resultOf(line: Line): string | null {
  const r = (line.detail as { result?: unknown } | null)?.result;
  return typeof r === "string" ? r : null;
}
function resultName(result: string | null): string {
  if (result === null) return "";
  return result === "ok" ? t("logs.result.ok") : `${t("logs.result.refused")}（${result}）`;
}
function objectOf(line: Line): string {
  const o = (line.detail as { object?: unknown } | null)?.object;
  return typeof o === "string" ? o : (line.subjectId ?? "");
}
function actorOf(line: Line): string {
  return line.actorName
    ? `${line.actorName}（${line.actorUsername}）`
    : line.actorId
      ? line.actorId
      : t("audit.system");
}
function unitOf(line: Line): string {
  return line.scopeCode === "!" ? t("audit.system") : (line.unitName ?? line.scopeCode);
}
/** A China-time day as the start instant (YYYY-MM-DD; `next` for the day after). */
function day(value: string, next = false): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const d = new Date(`${value}T00:00:00+08:00`);
  return next ? new Date(d.getTime() + 86_400_000) : d;
}

/** /logs/operations and /logs/sign-in: the two logs of my subtree with filters and an Excel or CSV export. */
export function LogsPage() {
  const me = useMe();
  const params = useParams();
  const log = (): Log => (params.log === "sign-in" ? "sign_in" : "operations");
  return (
    <Show when={can(me(), "audit.read")} fallback={<Forbidden />}>
      <Show when={log()} keyed>
        {(l) => <LogList log={l} />}
      </Show>
    </Show>
  );
}

function LogList(props: { log: Log }) {
  const [draft, setDraft] = createSignal<Filters>(EMPTY);
  const [filters, setFilters] = createSignal<Filters>(EMPTY);
  const set = (patch: Partial<Filters>) => setDraft({ ...draft(), ...patch });
  const query = (f: Filters) => ({
    log: props.log,
    actor: f.actor.trim() || undefined,
    unitCode: /^\d{2,12}$/.test(f.unitCode.trim()) ? f.unitCode.trim() : undefined,
    kind: f.kind ?? undefined,
    object: f.object.trim() || undefined,
    from: day(f.from),
    to: day(f.to, true),
  });
  const lines = createInfiniteQuery(() => ({
    queryKey: ["audit.search", props.log, filters()],
    queryFn: ({ pageParam }) => trpc.audit.search.query({ ...query(filters()), before: pageParam, limit: PAGE_SIZE }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  }));
  const rows = () => lines.data?.pages.flatMap((p) => p.items) ?? [];
  const kinds = () =>
    props.log === "operations"
      ? [
          ...Object.entries(OPERATION_NAMES).map(([path, name]) => ({ value: operationKind(path), label: pick(name) })),
          { value: "personal_data.revealed", label: kindName({ kind: "personal_data.revealed", detail: null }) },
        ]
      : [
          "auth.login",
          "auth.login_failed",
          "auth.locked",
          "auth.login_refused",
          "auth.logout",
          "auth.forced_logout",
          "auth.password_changed",
        ].map((k) => ({ value: k, label: auditKindName(k) }));
  const title = () => (props.log === "operations" ? t("logs.operations") : t("logs.signIn"));

  // The server streams the export (Excel or CSV) of exactly what the filters select, however long.
  const { job, busy, download } = createLedgerDownload();
  const exportLog = (format: "xlsx" | "csv") => {
    const f = filters();
    const q = new URLSearchParams({ format });
    if (f.actor.trim()) q.set("actor", f.actor.trim());
    if (/^\d{2,12}$/.test(f.unitCode.trim())) q.set("unitCode", f.unitCode.trim());
    if (f.kind) q.set("kind", f.kind);
    if (f.object.trim()) q.set("object", f.object.trim());
    if (day(f.from)) q.set("from", f.from);
    if (day(f.to)) q.set("to", f.to);
    void download(`/exports/logs/${props.log === "operations" ? "operations" : "sign-in"}?${q}`, title(), format);
  };

  return (
    <>
      <PageHeader
        title={title()}
        intro={t("logs.intro")}
        actions={
          <>
            <Button onClick={() => exportLog("xlsx")} disabled={busy()}>
              {t("logs.exportExcel")}
            </Button>
            <Button onClick={() => exportLog("csv")} disabled={busy()}>
              {t("logs.exportCsv")}
            </Button>
          </>
        }
      />
      <ExportProgress job={job()} />
      <form
        class="card filter-bar"
        aria-label={t("logs.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(draft());
        }}
      >
        <TextField label={t("logs.actor")} value={draft().actor} onChange={(v) => set({ actor: v })} maxLength={50} />
        <TextField
          label={t("logs.unitCode")}
          value={draft().unitCode}
          onChange={(v) => set({ unitCode: v })}
          maxLength={12}
          inputMode="numeric"
        />
        <Select
          label={t("audit.kind")}
          options={kinds()}
          value={draft().kind}
          onChange={(v) => set({ kind: v })}
          placeholder={t("logs.anyKind")}
        />
        <TextField
          label={t("audit.subject")}
          value={draft().object}
          onChange={(v) => set({ object: v })}
          maxLength={60}
        />
        <TextField
          label={t("logs.from")}
          placeholder="YYYY-MM-DD"
          maxLength={10}
          value={draft().from}
          onChange={(v) => set({ from: v })}
        />
        <TextField
          label={t("logs.to")}
          placeholder="YYYY-MM-DD"
          maxLength={10}
          value={draft().to}
          onChange={(v) => set({ to: v })}
        />
        <div class="filter-actions">
          <Button type="submit" variant="primary">
            {t("logs.search")}
          </Button>
          <Button
            onClick={() => {
              setDraft(EMPTY);
              setFilters(EMPTY);
            }}
          >
            {t("logs.reset")}
          </Button>
        </div>
      </form>
      <section class="card">
        <QueryState query={lines} empty={t("common.none")} isEmpty={() => rows().length === 0}>
          <DataTable
            class="table-dense"
            caption={title()}
            columns={labels(
              "audit.at audit.actor logs.unit audit.kind audit.subject logs.result audit.ip logs.requestId",
            )}
            rows={rows()}
          >
            {(line) => (
              <tr>
                <td class="nowrap small">{formatDateTime(line.at, { seconds: true })}</td>
                <td class="small">{actorOf(line)}</td>
                <td class="small" title={line.scopeCode}>
                  {unitOf(line)}
                </td>
                <td>
                  <Badge tone="neutral" title={line.kind}>
                    {kindName(line)}
                  </Badge>
                </td>
                <td class="small">
                  <Show
                    when={line.kind.startsWith("op.cases") || line.kind === "personal_data.revealed"}
                    fallback={objectOf(line)}
                  >
                    <Show when={line.subjectId} fallback={objectOf(line)}>
                      {(sid) => <a href={`/cases/${sid()}`}>{objectOf(line)}</a>}
                    </Show>
                  </Show>
                </td>
                <td class="small">
                  <Show when={resultOf(line)}>
                    {(r) => <Badge tone={r() === "ok" ? "success" : "warning"}>{resultName(r())}</Badge>}
                  </Show>
                </td>
                <td class="mono small">{line.ip}</td>
                <td class="mono small" title={line.requestId ?? undefined}>
                  {line.requestId?.slice(0, 8)}
                </td>
              </tr>
            )}
          </DataTable>
          <TableFoot query={lines} older end={t("audit.end")} />
        </QueryState>
      </section>
    </>
  );
}
