import { PERFORMANCE_NAMES } from "@zongzhi/domain/case-records";
import { AGREEMENT_STATES, TERMINAL_STATES } from "@zongzhi/domain/case-workflow";
import { Show } from "solid-js";
import { formatDay, named, t } from "../../i18n.ts";
import { Badge } from "../../ui/badge.tsx";
import { Button } from "../../ui/button.tsx";
import { addingIn, Fact, may, RecordsCard, records, type SectionProps } from "./section.tsx";

const AGREEMENTS = records("agreements", addingIn("case.agreement", AGREEMENT_STATES));
/** Whether the section has something to show or offer. */
export const agreementsShown = AGREEMENTS.shown;

/** 调解协议: the agreements with their statutory content and performance. */
export function Agreements(props: SectionProps) {
  const c = () => props.detail;
  const manage = () => may(props.me, c(), "case.agreement");
  return (
    <RecordsCard of={AGREEMENTS} section={props} add="cases.detail.addAgreement" dialog={{ kind: "agreement" }}>
      {(a) => (
        <article class="agreement">
          <div class="session-head">
            <strong>
              {t("cases.detail.signedOn")} {formatDay(a.signedOn)}
            </strong>
            <Badge
              tone={
                a.performanceStatus === "performed"
                  ? "success"
                  : a.performanceStatus === "breached"
                    ? "danger"
                    : "warning"
              }
            >
              {named(PERFORMANCE_NAMES, a.performanceStatus)}
            </Badge>
            <Show when={manage() && !TERMINAL_STATES.includes(c().status)}>
              <Button size="sm" onClick={() => props.onDialog({ kind: "performance", agreement: a })}>
                {t("cases.detail.updatePerformance")}
              </Button>
            </Show>
          </div>
          <dl class="case-facts wide">
            <Fact label={t("cases.detail.facts")} value={a.facts} />
            <Fact label={t("cases.detail.disputedMatters")} value={a.disputedMatters} />
            <Fact label={t("cases.detail.terms")} value={a.terms} />
            <Fact
              label={t("cases.detail.performance")}
              value={`${a.performanceManner}；${a.performancePlace}；${formatDay(a.performanceDeadline)}`}
            />
            <Fact label={t("cases.detail.mediatorNames")} value={a.mediatorNames.join("、")} />
            <Show when={a.performanceNote}>{(n) => <Fact label={t("cases.perf.note")} value={n()} />}</Show>
          </dl>
        </article>
      )}
    </RecordsCard>
  );
}
