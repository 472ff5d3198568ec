import { useSearchParams } from "@solidjs/router";
import { createQuery, keepPreviousData } from "@tanstack/solid-query";
import { addDays, chinaToday, isIsoDate, mondayOf } from "@zongzhi/domain/dates";
import { createSignal, For, type JSX, Show } from "solid-js";
import { trpc } from "../api.ts";
import {
  CentreHeader,
  centrePage,
  type DayRoster,
  dayLabel,
  durationText,
  fullDate,
  holidayName,
  useCentre,
} from "../components/centre.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { t } from "../i18n.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { InputField } from "../ui/input-field.tsx";

/** The duty roster as a week calendar (Mon–Sun), on the official calendar with holidays and 调休. */
export const CentreRosterPage = centrePage("centre.read", RosterView);

function RosterView() {
  const me = useMe();
  const centre = useCentre(me);
  // The week lives in the address (?week=YYYY-MM-DD), so that a week can be linked and reloaded.
  const [params, setParams] = useSearchParams<{ week?: string }>();
  const today = chinaToday();
  const week = () => {
    const w = params.week;
    return w && isIsoDate(w) ? mondayOf(w) : mondayOf(today);
  };
  const goTo = (date: string) => setParams({ week: mondayOf(date) === mondayOf(today) ? undefined : mondayOf(date) });
  const [jump, setJump] = createSignal("");

  const roster = createQuery(() => ({
    queryKey: ["centre.roster", centre.current()?.id, week()],
    queryFn: () => trpc.centre.roster.query({ tenantId: centre.tenantId(), start: week() }),
    placeholderData: keepPreviousData,
  }));

  return (
    <>
      <CentreHeader centre={centre} words="centre.roster" />
      <section class="card" aria-labelledby="roster-week">
        <div class="card-head roster-head">
          <h2 id="roster-week" class="card-title">
            {t("centre.roster.week", { from: fullDate(week()), to: fullDate(addDays(week(), 6)) })}
          </h2>
          <div class="toolbar">
            <Button size="sm" onClick={() => goTo(addDays(week(), -7))}>
              ‹ {t("centre.roster.prevWeek")}
            </Button>
            <Button size="sm" onClick={() => goTo(today)} disabled={week() === mondayOf(today)}>
              {t("centre.roster.thisWeek")}
            </Button>
            <Button size="sm" onClick={() => goTo(addDays(week(), 7))}>
              {t("centre.roster.nextWeek")} ›
            </Button>
            <form
              class="inline-search"
              onSubmit={(e) => {
                e.preventDefault();
                if (isIsoDate(jump())) goTo(jump());
              }}
            >
              <InputField
                type="date"
                label={t("centre.roster.goTo")}
                hideLabel
                value={jump()}
                onChange={setJump}
                inputClass="input-sm"
              />
              <Button type="submit" size="sm">
                {t("centre.roster.go")}
              </Button>
            </form>
          </div>
        </div>
        <QueryState query={roster}>
          {(days) => (
            <ol class="roster-week" aria-label={t("centre.roster.weekLabel")} aria-busy={roster.isFetching}>
              <For each={days()}>{(day) => <RosterDay day={day} today={day.date === today} />}</For>
            </ol>
          )}
        </QueryState>
      </section>
    </>
  );
}

/** One day: its calendar status, then permanent, rotating (with staff) and on-call departments. */
function RosterDay(props: { day: DayRoster; today: boolean }) {
  const headingId = () => `roster-${props.day.date}`;
  const closed = () => !props.day.workday;
  return (
    <li
      class="roster-day"
      classList={{ "is-today": props.today, "is-closed": closed(), "is-makeup": props.day.makeUpWorkday }}
      aria-current={props.today ? "date" : undefined}
    >
      <section aria-labelledby={headingId()}>
        <header class="roster-day-head">
          <h3 id={headingId()} class="roster-day-title">
            {dayLabel(props.day.date)}
          </h3>
          <div class="badge-row">
            <Show when={props.today}>
              <Badge tone="info">{t("centre.roster.today")}</Badge>
            </Show>
            <Show when={props.day.holiday}>{(name) => <Badge tone="danger">{holidayName(name())}</Badge>}</Show>
            <Show when={props.day.makeUpWorkday}>
              <Badge tone="warning">{t("centre.roster.makeUp")}</Badge>
            </Show>
            <Show when={closed() && !props.day.holiday}>
              <Badge tone="neutral">{t("centre.roster.rest")}</Badge>
            </Show>
          </div>
        </header>
        <Show when={!closed()} fallback={<p class="muted small">{t("centre.roster.closed")}</p>}>
          <RosterGroup title={t("centre.roster.permanent")} count={props.day.permanent.length}>
            <For each={props.day.permanent}>{(s) => <li>{s.name}</li>}</For>
          </RosterGroup>
          <RosterGroup title={t("centre.roster.rotating")} count={props.day.rotating.length}>
            <For each={props.day.rotating}>
              {(r) => (
                <li>
                  <span>{r.stationing.name}</span>
                  <For each={r.staff}>
                    {(staff) => (
                      <span class="roster-staff">
                        {staff.name}
                        <Show when={staff.phone}>
                          {" "}
                          <span class="mono muted">{staff.phone}</span>
                        </Show>
                      </span>
                    )}
                  </For>
                </li>
              )}
            </For>
          </RosterGroup>
        </Show>
        <RosterGroup title={t("centre.roster.onCall")} count={props.day.onCall.length}>
          <For each={props.day.onCall}>
            {(s) => (
              <li>
                <span>{s.name}</span>
                <Show when={s.responseMinutes}>
                  {(minutes) => (
                    <span class="muted small roster-response">
                      {t("centre.roster.response", { time: durationText(minutes()) })}
                    </span>
                  )}
                </Show>
              </li>
            )}
          </For>
        </RosterGroup>
      </section>
    </li>
  );
}

function RosterGroup(props: { title: string; count: number; children: JSX.Element }) {
  return (
    <div class="roster-group">
      <h4 class="roster-group-title">
        {props.title} <span class="muted">{props.count}</span>
      </h4>
      <Show when={props.count > 0} fallback={<p class="muted small roster-none">{t("centre.roster.nobody")}</p>}>
        <ul class="roster-list">{props.children}</ul>
      </Show>
    </div>
  );
}
