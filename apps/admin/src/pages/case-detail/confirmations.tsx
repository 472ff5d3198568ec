import { For, Show } from "solid-js";
import type { ConfirmationView } from "../../api.ts";
import { formatDay, t } from "../../i18n.ts";
import { Badge, type BadgeTone } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { nextSteps } from "../case-dialogs.tsx";
import { Fact, may, RecordsCard, records, type SectionProps } from "./section.tsx";

const CONF_TONE: Record<ConfirmationView["result"], BadgeTone> = {
  pending: "warning",
  accepted: "info",
  not_accepted: "danger",
  confirmed: "success",
  rejected: "danger",
};

const mayApply = (props: SectionProps) => {
  const c = props.detail;
  return (
    may(props.me, c, "case.agreement") &&
    c.agreements.some((a) => !c.confirmations.some((x) => x.agreementId === a.id && x.result !== "not_accepted"))
  );
};
const CONFIRMATIONS = records("confirmations", mayApply);
/** Whether the section has something to show or offer. */
export const confirmationsShown = CONFIRMATIONS.shown;

/** 司法确认: the judicial confirmations with their deadlines and next steps. */
export function Confirmations(props: SectionProps) {
  const c = () => props.detail;
  const manage = () => may(props.me, c(), "case.agreement");
  return (
    <RecordsCard of={CONFIRMATIONS} section={props} add="cases.detail.applyConfirmation" dialog={{ kind: "confirm" }}>
      {(j) => (
        <article class="confirmation">
          <div class="session-head">
            <strong>{j.courtName}</strong>
            <Badge tone={CONF_TONE[j.result]}>{t(`cases.confResult.${j.result}`)}</Badge>
            <Show when={j.extended}>
              <Badge tone="neutral">{t("cases.detail.extended")}</Badge>
            </Show>
          </div>
          <dl class="case-facts">
            <Fact label={t("cases.detail.appliedOn")} value={formatDay(j.appliedOn)} />
            <Fact label={t("cases.detail.acceptDue")} value={formatDay(j.acceptDue)} />
            <Fact label={t("cases.detail.acceptedOn")} value={formatDay(j.acceptedOn)} />
            <Fact label={t("cases.detail.ruleDue")} value={formatDay(j.ruleDue)} />
            <Fact label={t("cases.detail.ruledOn")} value={formatDay(j.ruledOn)} />
          </dl>
          <Show when={manage() && nextSteps(j).length > 0}>
            <div class="toolbar">
              <For each={nextSteps(j)}>
                {(step) => (
                  <Button size="sm" onClick={() => props.onDialog({ kind: "step", confirmation: j, step })}>
                    {t("cases.detail.recordStep", { step: t(`cases.step.${step}`) })}
                  </Button>
                )}
              </For>
            </div>
          </Show>
        </article>
      )}
    </RecordsCard>
  );
}
