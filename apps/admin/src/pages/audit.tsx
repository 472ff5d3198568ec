import { createInfiniteQuery } from "@tanstack/solid-query";
import { Show } from "solid-js";
import { trpc } from "../api.ts";
import { DataTable, labels } from "../components/config-page.tsx";
import { Forbidden, PageHeader } from "../components/page.tsx";
import { QueryState, TableFoot } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { auditKindName, formatDateTime, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";

const PAGE_SIZE = 50;

/** Shortens a UUID for display; the full value stays in the title. */
function shortId(id: string | null): string {
  return id ? id.slice(0, 8) : "";
}

function detailText(detail: unknown): string {
  if (!detail || (typeof detail === "object" && Object.keys(detail).length === 0)) return "";
  return JSON.stringify(detail);
}

/** The security audit of my subtree, newest first, paged backwards with "older entries". */
export function AuditPage() {
  const me = useMe();
  return (
    <Show when={can(me(), "audit.read")} fallback={<Forbidden />}>
      <AuditList />
    </Show>
  );
}

function AuditList() {
  const audit = createInfiniteQuery(() => ({
    queryKey: ["audit.list"],
    queryFn: ({ pageParam }) => trpc.audit.list.query({ before: pageParam, limit: PAGE_SIZE }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => (last.length === PAGE_SIZE ? last.at(-1)?.id : undefined),
  }));
  const rows = () => audit.data?.pages.flat() ?? [];
  return (
    <>
      <PageHeader title={t("audit.title")} intro={t("audit.intro")} />
      <section class="card">
        <QueryState query={audit} empty={t("common.none")} isEmpty={() => rows().length === 0}>
          <DataTable
            class="table-dense"
            caption={t("audit.title")}
            columns={labels("audit.at audit.kind audit.scope audit.actor audit.subject audit.ip audit.detail")}
            rows={rows()}
          >
            {(line) => (
              <tr>
                <td class="nowrap small">{formatDateTime(line.at, { seconds: true })}</td>
                <td>
                  <Badge
                    tone={
                      line.kind === "auth.locked" || line.kind === "auth.login_failed"
                        ? "warning"
                        : line.kind.endsWith("suspended") || line.kind.endsWith("disabled")
                          ? "danger"
                          : "neutral"
                    }
                    title={line.kind}
                  >
                    {auditKindName(line.kind)}
                  </Badge>
                </td>
                <td class="mono small">{line.scopeCode === "!" ? t("audit.system") : line.scopeCode}</td>
                <td class="small" title={line.actorId ?? undefined}>
                  {line.actorName ? `${line.actorName}（${line.actorUsername}）` : shortId(line.actorId)}
                </td>
                <td class="mono small" title={line.subjectId ?? undefined}>
                  {line.subjectId && line.subjectId.length > 24 ? shortId(line.subjectId) : line.subjectId}
                </td>
                <td class="mono small">{line.ip}</td>
                <td class="mono small detail-cell">{detailText(line.detail)}</td>
              </tr>
            )}
          </DataTable>
          <TableFoot query={audit} older end={t("audit.end")} />
        </QueryState>
      </section>
    </>
  );
}
