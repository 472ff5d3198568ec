import { createQuery } from "@tanstack/solid-query";
import { WARNING_COLOUR_NAMES, WARNING_COLOURS } from "@zongzhi/domain/deadlines";
import { For, Show } from "solid-js";
import { trpc } from "../../api.ts";
import { named, t } from "../../i18n.ts";
import { cx } from "../../ui/cx.ts";
import { QueryState } from "../query-state.tsx";
import "./escalation.css";

/**
 * The dashboard's deadline block (红黄蓝三色预警): open clocks by colour in the caller's
 * subtree, then per unit, the ten units with the most red first (counted and ranked by the server).
 */
export function DeadlineSummary() {
  const counts = createQuery(() => ({
    queryKey: ["escalation.deadlineCounts"],
    queryFn: () => trpc.escalation.deadlineCounts.query(),
    refetchInterval: 60_000,
  }));
  return (
    <section class="card deadline-summary" aria-labelledby="deadline-summary-title">
      <div class="card-head">
        <h2 id="deadline-summary-title" class="card-title">
          {t("escalation.summary.title")}
        </h2>
        <span class="muted small">{t("escalation.summary.hint")}</span>
      </div>
      <QueryState query={counts}>
        {(data) => (
          <>
            <dl class="deadline-totals">
              <For each={WARNING_COLOURS}>
                {(c) => (
                  <div class={cx("deadline-total", `deadline-total-${c}`)}>
                    <dt>
                      <span class="deadline-chip-mark" aria-hidden="true" />
                      {named(WARNING_COLOUR_NAMES, c)}
                    </dt>
                    <dd>{data().totals[c].toLocaleString()}</dd>
                  </div>
                )}
              </For>
            </dl>
            <Show when={data().units.length > 0} fallback={<p class="muted small">{t("escalation.summary.none")}</p>}>
              <table class="table table-dense">
                <caption class="sr-only">{t("escalation.summary.byUnit")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("escalation.summary.unit")}</th>
                    <For each={WARNING_COLOURS}>
                      {(c) => (
                        <th scope="col" class="num">
                          {named(WARNING_COLOUR_NAMES, c)}
                        </th>
                      )}
                    </For>
                  </tr>
                </thead>
                <tbody>
                  <For each={data().units}>
                    {(row) => (
                      <tr>
                        <td>
                          {row.unitName ?? row.unitCode} <span class="mono muted small">{row.unitCode}</span>
                        </td>
                        <For each={WARNING_COLOURS}>
                          {(c) => (
                            <td class={cx("num", row[c] > 0 && `deadline-count-${c}`)}>{row[c].toLocaleString()}</td>
                          )}
                        </For>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
              <Show when={data().unitCount > data().units.length}>
                <p class="muted small">{t("escalation.summary.more", { n: data().unitCount - data().units.length })}</p>
              </Show>
            </Show>
          </>
        )}
      </QueryState>
    </section>
  );
}
