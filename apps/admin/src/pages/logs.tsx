import { useParams } from "@solidjs/router";
import { createInfiniteQuery } from "@tanstack/solid-query";
import { OPERATION_NAMES, operationKind, operationName } from "@zongzhi/domain/operations";
import { createSignal, Show } from "solid-js";
import { trpc } from "../api.ts";
import { DataTable, labels } from "../components/config-page.tsx";
import { Forbidden, PageHeader } from "../components/page.tsx";
import { QueryState, TableFoot } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { auditKindName, formatDateTime, pick, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type Log = "operations" | "sign_in";
type Line = Awaited<ReturnType<typeof trpc.audit.search.query>>["items"][number];
type Filters = { actor: string; unitCode: string; kind: string | null; object: string; from: string; to: string };
const EMPTY: Filters = { actor: "", unitCode: "", kind: null, object: "", from: "", to: "" };
const PAGE_SIZE = 50;
const EXPORT_LIMIT = 10_000;

/** The name of a logged kind in the current language: an operation (with its action), a sign-in event. */
export function logKindName(line: { kind: string; detail: unknown }): string {
  if (line.kind.startsWith("auth.")) return auditKindName(line.kind);
  return pick(operationName(line.kind, line.detail as { action?: unknown }));
}

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

/** One CSV field (RFC 4180 quoting; a leading =, +, - or @ is neutralised against spreadsheet formulas). */
function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** /logs/operations and /logs/sign-in: the two logs of my subtree with filters and CSV export. */
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
  const [exporting, setExporting] = createSignal(false);
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
          { value: "personal_data.revealed", label: logKindName({ kind: "personal_data.revealed", detail: null }) },
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

  const exportCsv = async () => {
    setExporting(true);
    try {
      const all: Line[] = [];
      let before: number | undefined;
      while (all.length < EXPORT_LIMIT) {
        const page = await trpc.audit.search.query({ ...query(filters()), before, limit: 500 });
        all.push(...page.items);
        if (page.next === null) break;
        before = page.next;
      }
      const head = [
        t("audit.at"),
        t("audit.actor"),
        t("logs.unit"),
        t("audit.kind"),
        t("audit.subject"),
        t("logs.result"),
        t("audit.ip"),
        t("logs.requestId"),
      ];
      const body = all.map((l) => [
        formatDateTime(l.at, { seconds: true }),
        actorOf(l),
        unitOf(l),
        logKindName(l),
        objectOf(l),
        resultName(resultOf(l)),
        l.ip ?? "",
        l.requestId ?? "",
      ]);
      // A byte-order mark so that Excel reads the file as UTF-8.
      const csv = `\ufeff${[head, ...body].map((r) => r.map(csvField).join(",")).join("\r\n")}\r\n`;
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
      link.download = `${props.log === "operations" ? "operation-log" : "sign-in-log"}-${new Date().toISOString().slice(0, 10)}.csv`;
      link.click();
      URL.revokeObjectURL(link.href);
      notify(t("logs.exported", { n: all.length }));
    } catch {
      notify(t("app.networkError"), "error");
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <PageHeader
        title={title()}
        intro={t("logs.intro")}
        actions={
          <Button onClick={exportCsv} disabled={exporting()}>
            {exporting() ? t("app.loading") : t("logs.export")}
          </Button>
        }
      />
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
            columns={[
              ...labels("audit.at audit.actor logs.unit audit.kind audit.subject logs.result audit.ip logs.requestId"),
            ]}
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
                    {logKindName(line)}
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
