import { A } from "@solidjs/router";
import { SUMMONS_STATE_NAMES } from "@zongzhi/domain/case-records";
import { For, Show } from "solid-js";
import { DataTable, ListCard, labels } from "../../components/config-page.tsx";
import { formatDateTime, named, t } from "../../i18n.ts";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { may, open, type SectionProps } from "./section.tsx";

const SUMMONS_TONE: Record<string, BadgeTone> = {
  pending: "warning",
  acknowledged: "info",
  objected: "danger",
  done: "success",
};

const mayAct = (props: SectionProps) => may(props.me, props.detail, "case.summon") && open(props.detail);
/** Whether the section has something to show or offer (an empty section stays out of the tab). */
export const summonsShown = (props: SectionProps) => props.detail.summons.length > 0 || mayAct(props);

/** 吹哨报到: the departments summoned, their status, and their papers. */
export function Summons(props: SectionProps) {
  const c = () => props.detail;
  const now = Date.now();
  return (
    <Show when={summonsShown(props)}>
      <ListCard
        id="summons-title"
        title={t("cases.detail.summons")}
        actions={
          <Show when={mayAct(props)}>
            <Button size="sm" variant="primary" onClick={() => props.onDialog({ kind: "summon" })}>
              {t("cases.detail.summon")}
            </Button>
          </Show>
        }
      >
        <Show when={c().summons.length > 0} fallback={<p class="muted">{t("cases.detail.noSummons")}</p>}>
          <DataTable
            caption={t("cases.detail.summons")}
            columns={labels(
              "cases.detail.department cases.status cases.detail.summonedAt cases.detail.dueAt cases.detail.objectionDeadline cases.detail.papers",
            )}
            rows={c().summons}
          >
            {(s) => (
              <tr>
                <td>
                  <div>{s.departmentName}</div>
                  <div class="muted small">{t(`cases.residency.${s.residency}`)}</div>
                  <Show when={s.feedback}>
                    <div class="small">
                      {t("cases.detail.feedback")}：{s.action}；{s.feedback}
                    </div>
                  </Show>
                  <Show when={s.objectionReason}>
                    <div class="small">
                      {t("cases.detail.objection", { reason: s.objectionReason ?? "" })}
                      {s.objectionResponsible
                        ? t("cases.detail.objectionResponsible", { who: s.objectionResponsible })
                        : ""}
                    </div>
                  </Show>
                </td>
                <td>
                  <div class="badge-row">
                    <Badge tone={SUMMONS_TONE[s.status] ?? "neutral"}>{named(SUMMONS_STATE_NAMES, s.status)}</Badge>
                    <Show when={s.status !== "done" && s.status !== "objected" && new Date(s.dueAt).getTime() < now}>
                      <Badge tone="danger">{t("cases.detail.overdue")}</Badge>
                    </Show>
                  </div>
                </td>
                <td class="nowrap">{formatDateTime(s.summonedAt)}</td>
                <td class="nowrap">{formatDateTime(s.dueAt)}</td>
                <td class="nowrap">{formatDateTime(s.objectionDeadline)}</td>
                <td>
                  <div class="paper-links">
                    <For each={["contact", "entrust", "assign"] as const}>
                      {(kind) => (
                        <A
                          href={`/cases/${c().id}/papers/${kind}?summons=${s.id}`}
                          aria-label={t("cases.detail.paperFor", {
                            paper: t(`cases.paper.${kind}`),
                            department: s.departmentName,
                          })}
                        >
                          {t(`cases.paper.${kind}`)}
                        </A>
                      )}
                    </For>
                    <Show when={s.feedback}>
                      <A
                        href={`/cases/${c().id}/papers/reply?summons=${s.id}`}
                        aria-label={t("cases.detail.paperFor", {
                          paper: t("cases.paper.reply"),
                          department: s.departmentName,
                        })}
                      >
                        {t("cases.paper.reply")}
                      </A>
                    </Show>
                  </div>
                </td>
              </tr>
            )}
          </DataTable>
        </Show>
      </ListCard>
    </Show>
  );
}
