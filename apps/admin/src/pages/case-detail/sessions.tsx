import { SESSION_OUTCOME_NAMES } from "@zongzhi/domain/case-records";
import { SCHEDULING_STATES } from "@zongzhi/domain/case-workflow";
import { Show } from "solid-js";
import { chinaToday } from "../../components/case-common.tsx";
import { RowAction } from "../../components/config-page.tsx";
import { named, t } from "../../i18n.ts";
import { Badge } from "../../ui/badge.tsx";
import { sessionLabel } from "../case-dialogs.tsx";
import { addingIn, may, RecordsCard, records, type SectionProps } from "./section.tsx";

const SESSIONS = records("sessions", addingIn("case.session", SCHEDULING_STATES));
/** Whether the section has something to show or offer. */
export const sessionsShown = SESSIONS.shown;

/** 调解记录: scheduled and recorded mediation sessions. */
export function Sessions(props: SectionProps) {
  const c = () => props.detail;
  const manage = () => may(props.me, c(), "case.session");
  return (
    <RecordsCard of={SESSIONS} section={props} add="cases.detail.schedule" dialog={{ kind: "schedule" }} list>
      {(s) => (
        <li class="session">
          <div class="session-head">
            <strong>{sessionLabel(s)}</strong>
            <span class="muted">{s.roomName}</span>
            <Show when={s.outcome}>{(o) => <Badge tone="info">{named(SESSION_OUTCOME_NAMES, o())}</Badge>}</Show>
            <Show when={manage() && !s.outcome}>
              {/* What happened is recorded from the session's day on (the API refuses earlier). */}
              <Show
                when={chinaToday(new Date(s.startsAt)) <= chinaToday()}
                fallback={<span class="muted small">{t("cases.detail.sessionAhead")}</span>}
              >
                <RowAction
                  label={t("cases.detail.recordSession")}
                  ariaLabel={t("cases.detail.recordSessionFor", { time: sessionLabel(s) })}
                  onClick={() => props.onDialog({ kind: "record", session: s })}
                  variant="secondary"
                />
              </Show>
            </Show>
          </div>
          <Show when={s.attendance?.length}>
            <p class="small">
              {t("cases.detail.attendance")}：
              {(s.attendance ?? [])
                .map((a) => `${a.name}（${a.role}${a.present ? "" : `，${t("cases.record.absent")}`}）`)
                .join("、")}
            </p>
          </Show>
          <Show when={s.notes}>
            <p class="small pre-line">{s.notes}</p>
          </Show>
        </li>
      )}
    </RecordsCard>
  );
}
