import { WARNING_COLOUR_NAMES } from "@zongzhi/domain/deadlines";
import { For, Show } from "solid-js";
import { formatDateTime, named, t } from "../../i18n.ts";
import { cx } from "../../ui/cx.ts";
import { type Colour, stageName, timeLeftText, useNow } from "./escalation-common.tsx";
import "./escalation.css";

/**
 * A deadline warning (红黄蓝三色预警) with the time left: the colour comes from the server
 * (which knows the policy's yellow share); past the due time it is red whatever the last
 * answer said. Square-cornered and labelled "预警" so that it is never read as a risk grade.
 */
export function DeadlineChip(props: {
  colour: Colour | null;
  dueAt: Date | string | null;
  stage?: string;
  paused?: boolean;
  /** The first date the clock reaches without calendar data (its holidays counted as working days). */
  calendarGap?: string | null | undefined;
  class?: string;
}) {
  const now = useNow();
  const due = () => (props.dueAt ? new Date(props.dueAt) : null);
  const colour = (): Colour | null => {
    const d = due();
    if (!props.colour || !d) return props.colour;
    return !props.paused && d.getTime() < now() ? "red" : props.colour;
  };
  return (
    <Show when={colour()}>
      {(c) => (
        <span
          class={cx("deadline-chip", `deadline-chip-${c()}`, props.class)}
          title={due() ? t("escalation.deadline.dueAt", { time: formatDateTime(due()!) }) : undefined}
          data-colour={c()}
        >
          <span class="deadline-chip-mark" aria-hidden="true" />
          <span class="sr-only">{named(WARNING_COLOUR_NAMES, c())}：</span>
          <Show when={props.stage}>{(stage) => <span class="deadline-chip-stage">{stageName(stage())}</span>}</Show>
          <span class="deadline-chip-left">
            <Show when={props.paused} fallback={due() ? timeLeftText(due()!, now()) : named(WARNING_COLOUR_NAMES, c())}>
              {t("escalation.deadline.paused")}
            </Show>
          </span>
          <Show when={props.calendarGap}>
            {(gap) => (
              <span class="deadline-chip-gap" title={t("deadline.calendarGap", { date: gap() })}>
                <span aria-hidden="true">⚠</span>
                <span class="sr-only">{t("deadline.calendarGap", { date: gap() })}</span>
              </span>
            )}
          </Show>
        </span>
      )}
    </Show>
  );
}

/** The open clocks of a case as chips, most urgent first (the case header). */
export function DeadlineChips(props: {
  deadlines: readonly {
    stage: string;
    dueAt: Date;
    completedAt: Date | null;
    paused: boolean;
    colour: Colour | null;
    calendarGap?: string | null;
  }[];
}) {
  const open = () =>
    props.deadlines
      .filter((d) => !d.completedAt && d.colour)
      .slice()
      .sort((a, b) => new Date(a.dueAt).getTime() - new Date(b.dueAt).getTime());
  return (
    <Show when={open().length > 0}>
      <ul class="deadline-chips" aria-label={t("escalation.deadline.open")}>
        <For each={open()}>
          {(d) => (
            <li>
              <DeadlineChip
                colour={d.colour}
                dueAt={d.dueAt}
                stage={d.stage}
                paused={d.paused}
                calendarGap={d.calendarGap}
              />
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}
