import { SESSION_OUTCOME_NAMES } from "@zongzhi/domain/case-records";
import { SCHEDULING_STATES } from "@zongzhi/domain/case-workflow";
import { Show } from "solid-js";
import { chinaToday } from "../../components/case-common.tsx";
import { RowAction } from "../../components/config-page.tsx";
import { named, t } from "../../i18n.ts";
import { Badge } from "../../ui/badge.tsx";
import { sessionLabel } from "../case-dialogs.tsx";
import { may, RecordsCard, type SectionProps } from "./section.tsx";

const mayAdd = (props: SectionProps) =>
  may(props.me, props.detail, "case.session") && SCHEDULING_STATES.includes(props.detail.status);
/** Whether the section has something to show or offer. */
export const sessionsShown = (props: SectionProps) => props.detail.sessions.length > 0 || mayAdd(props);

/** 调解记录: scheduled and recorded mediation sessions. */
export function Sessions(props: SectionProps) {
  const c = () => props.detail;
  const manage = () => may(props.me, c(), "case.session");
  return (
    <RecordsCard
      id="sessions-title"
      title={t("cases.detail.sessions")}
      shown={sessionsShown(props)}
      add={{
        when: mayAdd(props),
        label: t("cases.detail.schedule"),
        onClick: () => props.onDialog({ kind: "schedule" }),
      }}
      rows={c().sessions}
      empty={t("cases.detail.noSessions")}
      list
    >
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
