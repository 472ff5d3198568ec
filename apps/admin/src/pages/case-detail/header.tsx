import { A } from "@solidjs/router";
import { For, Show } from "solid-js";
import type { CaseDetail } from "../../api.ts";
import {
  actionName,
  categoryName,
  channelName,
  formatAmount,
  GroupBadge,
  RiskBadge,
  StatusBadge,
  stateName,
} from "../../components/case-common.tsx";
import { DeadlineChips } from "../../components/escalation/deadline-chip.tsx";
import { createHopRights, EscalationActions } from "../../components/escalation/escalation-actions.tsx";
import { PageHeader } from "../../components/page.tsx";
import { Section } from "../../components/section.tsx";
import { formatDateTime, formatDay, t } from "../../i18n.ts";
import { worksOnCases } from "../../session.ts";
import { Button } from "../../ui/button.tsx";
import { Fact, type SectionProps } from "./section.tsx";

/** The page title, where the case stands (status, risk, open clocks) and the workflow actions the caller may take. */
export function Header(props: SectionProps) {
  const c = () => props.detail;
  const hop = createHopRights(c, () => props.me);
  return (
    <>
      <PageHeader
        title={c().title}
        actions={
          <A href={`/cases/${c().id}/receipt`} class="btn btn-secondary">
            {t("cases.detail.receipt")}
          </A>
        }
      />
      <Section id="overview-title" title={t("cases.detail.overview")} class="card case-header" hiddenTitle>
        <div class="case-badges">
          <span class="case-code mono">{c().code}</span>
          <StatusBadge state={c().status} />
          <RiskBadge grade={c().riskGrade} showNone />
          <Show when={c().groupDispute}>
            <GroupBadge />
          </Show>
          <DeadlineChips deadlines={c().deadlines ?? []} />
        </div>
        <Show when={worksOnCases(props.me)}>
          <fieldset class="case-actions">
            <legend class="sr-only">{t("cases.detail.actions")}</legend>
            <For each={hop.canWork() ? c().actions : []}>
              {(action) => (
                <Button
                  size="sm"
                  variant={action === "cancel" || action === "mark_duplicate" ? "ghost" : "primary"}
                  class={action === "cancel" ? "btn-danger-text" : undefined}
                  onClick={() => props.onDialog({ kind: "transition", action })}
                >
                  {actionName(action)}
                </Button>
              )}
            </For>
            <EscalationActions case={c()} me={props.me} />
            <Show when={c().actions.length === 0}>
              <span class="muted small">{t("cases.detail.noActions")}</span>
            </Show>
          </fieldset>
        </Show>
      </Section>
    </>
  );
}

/** 概况: the facts of the case and its description. */
export function Overview(props: { detail: CaseDetail }) {
  const c = () => props.detail;
  const route = () => {
    const r = c().route;
    if (!r) return null;
    const place = [c().roomName, c().mediatorName].filter(Boolean).join(" · ");
    return `${t(`cases.route.${r.kind}`)}${place ? `（${place}）` : ""}`;
  };
  return (
    <Section id="facts-title" title={t("cases.tab.overview")} class="card" hiddenTitle>
      <dl class="case-facts">
        <Fact label={t("cases.code")} value={c().code} mono />
        <Fact label={t("cases.status")} value={stateName(c().status)} />
        <Fact label={t("cases.category")} value={categoryName(c().categoryCode, c().categoryName)} />
        <Fact label={t("cases.channel")} value={channelName(c().channel)} />
        <Fact label={t("cases.unit")} value={c().unitName} />
        <Fact
          label={t("cases.location")}
          value={[c().locationName ?? c().locationCode, c().address].filter(Boolean).join(" ")}
        />
        <Show when={c().position}>
          {(p) => (
            <Fact
              label={t("cases.position")}
              value={t(`cases.position.${p().source}`, { lat: p().lat.toFixed(5), lng: p().lng.toFixed(5) })}
            />
          )}
        </Show>
        <Fact label={t("cases.peopleCount")} value={t("cases.peopleUnit", { n: c().peopleCount })} />
        <Fact label={t("cases.amount")} value={formatAmount(c().amountCents)} />
        <Fact label={t("cases.difficulty")} value={t(`cases.difficulty.${c().difficulty}`)} />
        <Fact label={t("cases.registeredAt")} value={formatDateTime(c().registeredAt)} />
        <Show when={c().acceptedAt}>
          {(at) => <Fact label={t("cases.detail.acceptedAt")} value={formatDateTime(at())} />}
        </Show>
        <Show when={route()}>{(r) => <Fact label={t("cases.detail.route")} value={r()} />}</Show>
        <Show when={c().holdUntil}>
          {(until) => <Fact label={t("cases.detail.holdUntil")} value={formatDay(until())} />}
        </Show>
        <Show when={c().closedAt}>
          {(at) => <Fact label={t("cases.detail.closedAt")} value={formatDateTime(at())} />}
        </Show>
      </dl>
      <h3 class="field-label">{t("cases.detail.description")}</h3>
      <p class="case-description">{c().description}</p>
    </Section>
  );
}
