import { createInfiniteQuery } from "@tanstack/solid-query";
import { For, Match, Show, Switch } from "solid-js";
import { trpc } from "../api.ts";
import { Forbidden, LoadError, Loading, PageHeader } from "../components/page.tsx";
import { useMe } from "../components/shell.tsx";
import { auditKindName, formatDateTime, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";

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
        <Switch fallback={<Loading />}>
          <Match when={audit.isError}>
            <LoadError error={audit.error} retry={() => audit.refetch()} />
          </Match>
          <Match when={audit.data && rows().length === 0}>
            <p class="muted">{t("common.none")}</p>
          </Match>
          <Match when={audit.data}>
            <table class="table table-dense">
              <caption class="sr-only">{t("audit.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("audit.at")}</th>
                  <th scope="col">{t("audit.kind")}</th>
                  <th scope="col">{t("audit.scope")}</th>
                  <th scope="col">{t("audit.actor")}</th>
                  <th scope="col">{t("audit.subject")}</th>
                  <th scope="col">{t("audit.ip")}</th>
                  <th scope="col">{t("audit.detail")}</th>
                </tr>
              </thead>
              <tbody>
                <For each={rows()}>
                  {(line) => (
                    <tr>
                      <td class="nowrap small">{formatDateTime(line.at)}</td>
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
                </For>
              </tbody>
            </table>
            <div class="table-foot">
              <Show when={audit.hasNextPage} fallback={<span class="muted small">{t("audit.end")}</span>}>
                <Button size="sm" disabled={audit.isFetchingNextPage} onClick={() => audit.fetchNextPage()}>
                  {audit.isFetchingNextPage ? t("app.loading") : t("common.older")}
                </Button>
              </Show>
            </div>
          </Match>
        </Switch>
      </section>
    </>
  );
}
