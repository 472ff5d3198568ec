import { Show } from "solid-js";
import type { CaseDetail } from "../../api.ts";
import { DeadlineBadge } from "../../components/case-common.tsx";
import { labels } from "../../components/config-page.tsx";
import { formatDateTime, t } from "../../i18n.ts";
import { Badge } from "../../ui/badge.tsx";
import { TableCard } from "./section.tsx";

/** 办理时限: the clocks of the case and their colours. */
export function Deadlines(props: { detail: CaseDetail }) {
  return (
    <TableCard
      id="deadlines-title"
      title={t("cases.deadline.title")}
      columns={labels(
        "cases.deadline.stage cases.deadline.startedAt cases.deadline.dueAt cases.deadline.completedAt cases.deadline",
      )}
      rows={props.detail.deadlines ?? []}
    >
      {(d) => (
        <tr>
          <td>{t(`cases.deadline.stage.${d.stage}`)}</td>
          <td class="nowrap">{formatDateTime(d.startedAt)}</td>
          <td class="nowrap">{formatDateTime(d.dueAt)}</td>
          <td class="nowrap">{d.completedAt ? formatDateTime(d.completedAt) : "—"}</td>
          <td>
            <div class="badge-row">
              <DeadlineBadge colour={d.colour} />
              <Show when={d.paused}>
                <Badge tone="neutral">{t("cases.deadline.paused")}</Badge>
              </Show>
              {/* A working-day clock reaching a year with no calendar data: holidays counted as working days. */}
              <Show when={d.calendarGap}>
                {(gap) => <Badge tone="warning">{t("deadline.calendarGap", { date: gap() })}</Badge>}
              </Show>
            </div>
          </td>
        </tr>
      )}
    </TableCard>
  );
}
