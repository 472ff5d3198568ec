import { FOLLOW_UP_METHOD_NAMES, SATISFACTION_NAMES } from "@zongzhi/domain/case-records";
import { FOLLOW_UP_STATES } from "@zongzhi/domain/case-workflow";
import { Show } from "solid-js";
import { formatDateTime, named, t } from "../../i18n.ts";
import { Badge } from "../../ui/badge.tsx";
import { addingIn, RecordsCard, records, type SectionProps } from "./section.tsx";

const FOLLOW_UPS = records("followUps", addingIn("case.follow_up", FOLLOW_UP_STATES));
/** Whether the section has something to show or offer. */
export const followUpsShown = FOLLOW_UPS.shown;

/** 回访: the follow-up visits and their satisfaction. */
export function FollowUps(props: SectionProps) {
  return (
    <RecordsCard of={FOLLOW_UPS} section={props} add="cases.detail.addFollowUp" dialog={{ kind: "followUp" }} list>
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
    </RecordsCard>
  );
}
