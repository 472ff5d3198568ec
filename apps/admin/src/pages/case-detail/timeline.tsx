import { SATISFACTION_NAMES, SESSION_OUTCOME_NAMES } from "@zongzhi/domain/case-records";
import { type CaseAction, ROUTE_KINDS, type RouteKind, TRANSITIONS } from "@zongzhi/domain/case-workflow";
import { For } from "solid-js";
import type { CaseEvent } from "../../api.ts";
import { actionName } from "../../components/case-common.tsx";
import { escalationEventTitle } from "../../components/escalation/escalation-common.tsx";
import { Section } from "../../components/section.tsx";
import { casesZh } from "../../i18n/cases.ts";
import { formatDateTime, type MessageKey, named, t } from "../../i18n.ts";

/** A readable line for a timeline event (the raw kind when it is one this page does not know). */
export function eventTitle(e: CaseEvent): string {
  const str = (k: string) => (typeof e.payload[k] === "string" ? (e.payload[k] as string) : "");
  const action = e.kind.startsWith("case.") ? e.kind.slice(5) : "";
  if (action in TRANSITIONS) return actionName(action as CaseAction);
  const key = `cases.event.${e.kind}`;
  if (!(key in casesZh)) return escalationEventTitle(e.kind) ?? e.kind;
  return t(key as MessageKey, { department: str("department"), room: str("room"), court: str("court") });
}

function eventDetails(e: CaseEvent): string[] {
  const p = e.payload;
  const out: string[] = [];
  const text = (k: string) => (typeof p[k] === "string" && p[k] ? (p[k] as string) : null);
  if (text("reason")) out.push(t("cases.event.detail.reason", { text: text("reason")! }));
  if (e.kind !== "mediation.recorded" && text("outcome"))
    out.push(t("cases.event.detail.outcome", { text: text("outcome")! }));
  if (e.kind === "case.triage" && text("route")) {
    const r = text("route")!;
    out.push(
      t("cases.event.detail.route", {
        text: (ROUTE_KINDS as readonly string[]).includes(r) ? t(`cases.route.${r as RouteKind}`) : r,
      }),
    );
  }
  if (text("holdUntil")) out.push(t("cases.event.detail.holdUntil", { text: text("holdUntil")! }));
  const referral = p.referral as { kind?: string; receivingBody?: string } | undefined;
  if (referral?.receivingBody) out.push(t("cases.event.detail.referral", { text: referral.receivingBody }));
  if (typeof p.dueHours === "number") out.push(t("cases.event.detail.dueHours", { text: p.dueHours }));
  const sat = text("satisfaction");
  if (sat === "satisfied" || sat === "basically_satisfied" || sat === "unsatisfied") {
    out.push(t("cases.event.detail.satisfaction", { text: named(SATISFACTION_NAMES, sat) }));
  }
  const outcome = text("outcome");
  if (e.kind === "mediation.recorded" && (outcome === "continued" || outcome === "agreement" || outcome === "failed")) {
    out.push(t("cases.event.detail.outcomeKind", { text: named(SESSION_OUTCOME_NAMES, outcome) }));
  }
  return out;
}

/** The timeline of the case (its digests are in the auditors' integrity view). */
export function Timeline(props: { events: CaseEvent[] }) {
  return (
    <Section id="timeline-title" title={t("cases.detail.timeline")} class="card case-timeline">
      <p class="muted small">{t("cases.detail.timelineIntro")}</p>
      <ol class="case-events" aria-labelledby="timeline-title">
        <For each={props.events}>
          {(e) => (
            <li class="case-event">
              <div class="case-event-title">{eventTitle(e)}</div>
              <For each={eventDetails(e)}>{(line) => <div class="small">{line}</div>}</For>
              <div class="muted small">
                <time datetime={new Date(e.at).toISOString()}>{formatDateTime(e.at)}</time> ·{" "}
                {e.actorName ?? t("cases.detail.system")}
              </div>
            </li>
          )}
        </For>
      </ol>
    </Section>
  );
}
