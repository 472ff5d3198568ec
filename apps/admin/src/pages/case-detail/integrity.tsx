import { createQuery } from "@tanstack/solid-query";
import { Show } from "solid-js";
import { trpc } from "../../api.ts";
import { DataTable, ListCard, labels } from "../../components/config-page.tsx";
import { QueryState } from "../../components/query-state.tsx";
import { formatDateTime, t } from "../../i18n.ts";
import { Alert } from "../../ui/alert.tsx";
import { Badge } from "../../ui/badge.tsx";
import { eventTitle } from "./timeline.tsx";

const short = (hex: string | null) => (hex ? `${hex.slice(0, 16)}…` : "—");

/**
 * 完整性校验: the timeline's hash chain as the server recomputes it (cases.integrity, which only
 * auditors may call; cases.get carries no digests). Loaded when the tab is opened.
 */
export function Integrity(props: { id: string }) {
  const integrity = createQuery(() => ({
    queryKey: ["cases.integrity", props.id],
    queryFn: async () => await trpc.cases.integrity.query({ id: props.id }),
  }));
  return (
    <ListCard id="integrity-title" title={t("cases.integrity.title")}>
      <p class="muted small">{t("cases.integrity.intro")}</p>
      <QueryState query={integrity}>
        {(v) => (
          <>
            <Show when={v().intact} fallback={<Alert>{t("cases.integrity.broken")}</Alert>}>
              <p class="integrity-ok" role="status">
                <Badge tone="success">{t("cases.integrity.intact", { n: v().links.length })}</Badge>
              </p>
            </Show>
            <p class="small">
              {t("cases.integrity.head")}：
              <span class="mono" title={v().head ?? ""}>
                {short(v().head)}
              </span>
              <Show when={!v().headMatches}>
                {" "}
                <Badge tone="danger">{t("cases.integrity.headMismatch")}</Badge>
              </Show>
            </p>
            <DataTable
              class="table-dense"
              caption={t("cases.integrity.title")}
              scroll
              columns={labels(
                "cases.integrity.seq cases.integrity.event cases.integrity.at cases.integrity.actor cases.integrity.prev cases.integrity.hash cases.integrity.result",
              )}
              rows={v().links}
            >
              {(l) => (
                <tr>
                  <td class="num">{l.seq}</td>
                  <td>{eventTitle({ ...l, actorId: null })}</td>
                  <td class="nowrap">{formatDateTime(l.at)}</td>
                  <td>{l.actorName ?? t("cases.detail.system")}</td>
                  <td class="mono small" title={l.prevHash ?? ""}>
                    {short(l.prevHash)}
                  </td>
                  <td class="mono small" title={l.hash}>
                    {short(l.hash)}
                  </td>
                  <td>
                    <Show when={l.problem} fallback={<Badge tone="success">{t("cases.integrity.ok")}</Badge>}>
                      {(p) => <Badge tone="danger">{t(`cases.integrity.problem.${p()}`)}</Badge>}
                    </Show>
                  </td>
                </tr>
              )}
            </DataTable>
          </>
        )}
      </QueryState>
    </ListCard>
  );
}
