import { FOLLOW_UP_METHOD_NAMES, SATISFACTION_NAMES } from "@zongzhi/domain/case-records";
import { FOLLOW_UP_STATES } from "@zongzhi/domain/case-workflow";
import { For, Show } from "solid-js";
import { ListCard } from "../../components/config-page.tsx";
import { formatDateTime, named, t } from "../../i18n.ts";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { may, type SectionProps } from "./section.tsx";

const mayAdd = (props: SectionProps) =>
  may(props.me, props.detail, "case.follow_up") && FOLLOW_UP_STATES.includes(props.detail.status);
/** Whether the section has something to show or offer. */
export const followUpsShown = (props: SectionProps) => props.detail.followUps.length > 0 || mayAdd(props);

/** 回访: the follow-up visits and their satisfaction. */
export function FollowUps(props: SectionProps) {
  const c = () => props.detail;
  return (
    <Show when={followUpsShown(props)}>
      <ListCard
        id="followups-title"
        title={t("cases.detail.followUps")}
        actions={
          <Show when={mayAdd(props)}>
            <Button size="sm" variant="primary" onClick={() => props.onDialog({ kind: "followUp" })}>
              {t("cases.detail.addFollowUp")}
            </Button>
          </Show>
        }
      >
        <Show when={c().followUps.length > 0} fallback={<p class="muted">{t("cases.detail.noFollowUps")}</p>}>
          <ul class="case-list">
            <For each={c().followUps}>
              {(f) => (
                <li>
                  <div class="session-head">
                    <strong>{formatDateTime(f.at)}</strong>
                    <span>{named(FOLLOW_UP_METHOD_NAMES, f.method)}</span>
                    <Badge tone={f.satisfaction === "unsatisfied" ? "danger" : "success"}>
                      {named(SATISFACTION_NAMES, f.satisfaction)}
                    </Badge>
                    <span class="muted small">
                      {t("cases.detail.followUpBy")}：{f.byName ?? "—"}
                    </span>
                  </div>
                  <Show when={f.notes}>
                    <p class="small">{f.notes}</p>
                  </Show>
                  <Show when={f.overrideReason}>
                    <p class="small">{t("cases.detail.override", { reason: f.overrideReason ?? "" })}</p>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </ListCard>
    </Show>
  );
}
