import * as KTextField from "@kobalte/core/text-field";
import { chinaToday } from "@zongzhi/domain/dates";
import { createEffect, createSignal, createUniqueId, For, type JSX, on, Show } from "solid-js";
import { type DateKind, dateText, monthGrid, parseDateText, shiftMonth } from "../date-text.ts";
import { locale, t } from "../i18n.ts";
import { cx } from "./cx.ts";
import { FieldFrame, type FieldFrameProps } from "./text-field.tsx";

/** Props of {@link DateField}. */
export type DateFieldProps = FieldFrameProps & {
  kind: DateKind;
  /** Bounds of the calendar's days (YYYY-MM-DD). */
  min?: string | number | undefined;
  max?: string | number | undefined;
  inputClass?: string | undefined;
  onKeyDown?: JSX.EventHandler<HTMLInputElement, KeyboardEvent> | undefined;
};

/**
 * A date, date-and-time, time or month field that does not follow the browser's language:
 * typed as 2026-12-01 (and 09:30) in both languages, with a calendar of our own (weeks from
 * Monday, 年/月 headings) for days. It reports values as the native input of that type would
 * (`""` while incomplete), so forms treat it as one; a wrong entry is named once the field is
 * left or a whole value's length was typed.
 */
export function DateField(props: DateFieldProps) {
  const [text, setText] = createSignal(dateText(props.value));
  const [touched, setTouched] = createSignal(false);
  // A value set from outside (a reset, a jump) replaces what is shown, unless it is what was typed.
  createEffect(
    on(
      () => props.value,
      (value) => {
        if (parseDateText(props.kind, text()) !== value) setText(dateText(value));
      },
    ),
  );
  const type = (next: string) => {
    setText(next);
    props.onChange?.(parseDateText(props.kind, next));
  };
  const sample = () => t(`date.sample.${props.kind}`);
  // Named once the field is left, or as soon as as much was typed as a whole value takes.
  const formatError = () => {
    const typed = text().trim();
    const judged = touched() || typed.length >= sample().length;
    return judged && typed !== "" && parseDateText(props.kind, typed) === ""
      ? t("date.invalid", { sample: sample() })
      : undefined;
  };
  // What was typed is wrong before it is missing: the format first, then the form's own message.
  const error = () => formatError() ?? props.error;
  return (
    <FieldFrame {...props} value={text()} onChange={type} error={error()}>
      <div class="date-field-row">
        <KTextField.Input
          class={cx("input date-field-input", props.inputClass)}
          type="text"
          inputMode="numeric"
          autocomplete="off"
          spellcheck={false}
          placeholder={sample()}
          onBlur={() => setTouched(true)}
          onKeyDown={props.onKeyDown}
        />
        <Show when={props.kind === "date" || props.kind === "datetime-local"}>
          <CalendarButton
            label={props.label}
            value={parseDateText(props.kind, text()).slice(0, 10)}
            min={typeof props.min === "string" ? props.min : undefined}
            max={typeof props.max === "string" ? props.max : undefined}
            disabled={props.disabled}
            onPick={(day) => {
              const time = props.kind === "datetime-local" ? text().slice(11, 16) || "09:00" : "";
              type(time ? `${day} ${time}` : day);
            }}
          />
        </Show>
        <Show when={props.kind === "month"}>
          <MonthButton
            label={props.label}
            value={parseDateText("month", text())}
            min={typeof props.min === "string" ? props.min : undefined}
            max={typeof props.max === "string" ? props.max : undefined}
            disabled={props.disabled}
            onPick={type}
          />
        </Show>
      </div>
    </FieldFrame>
  );
}

/** The calendar button of a date field and the month grid it opens below the field (Escape closes it). */
function CalendarButton(props: {
  label: string;
  value: string;
  min?: string | undefined;
  max?: string | undefined;
  disabled?: boolean | undefined;
  onPick: (day: string) => void;
}) {
  const [month, setMonth] = createSignal((props.value || chinaToday()).slice(0, 7));
  const today = chinaToday();
  const monthName = () =>
    t("date.month", { year: month().slice(0, 4), month: Number(month().slice(5)), mm: month().slice(5) });
  const outside = (day: string) => Boolean((props.min && day < props.min) || (props.max && day > props.max));
  return (
    <PickerPopover
      openLabel={t("date.open")}
      panelLabel={t("date.calendar", { label: props.label })}
      disabled={props.disabled}
      onOpen={() => setMonth((props.value || chinaToday()).slice(0, 7))}
      title={monthName()}
      previousLabel={t("date.previous")}
      nextLabel={t("date.next")}
      onPrevious={() => setMonth(shiftMonth(month(), -1))}
      onNext={() => setMonth(shiftMonth(month(), 1))}
    >
      {(close) => (
        <>
          <fieldset class="date-calendar-grid" aria-label={monthName()}>
            <For each={[1, 2, 3, 4, 5, 6, 7]}>
              {(d) => (
                <span class="date-calendar-weekday" aria-hidden="true">
                  {t(`date.weekday.${d}` as "date.weekday.1")}
                </span>
              )}
            </For>
            <For each={monthGrid(month())}>
              {(day) => (
                <Show when={day} fallback={<span />}>
                  {(d) => (
                    <button
                      type="button"
                      class={cx("date-calendar-day", d() === props.value && "is-selected", d() === today && "is-today")}
                      aria-label={d()}
                      aria-pressed={d() === props.value}
                      disabled={outside(d())}
                      onClick={() => {
                        props.onPick(d());
                        close();
                      }}
                    >
                      {Number(d().slice(8))}
                    </button>
                  )}
                </Show>
              )}
            </For>
          </fieldset>
          <div class="date-calendar-foot">
            <button
              type="button"
              class="btn btn-sm"
              disabled={outside(today)}
              onClick={() => {
                props.onPick(today);
                close();
              }}
            >
              {t("date.today")}
            </button>
          </div>
        </>
      )}
    </PickerPopover>
  );
}

/** A month's short name in the UI's language (1月 / Jan), whatever the browser's. */
function monthShort(month: number): string {
  return new Intl.DateTimeFormat(locale() === "en" ? "en" : "zh-CN", { month: "short", timeZone: "UTC" }).format(
    Date.UTC(2000, month - 1, 1),
  );
}

/** The picker button of a month field: a year with its twelve months below the field (Escape closes it). */
function MonthButton(props: {
  label: string;
  value: string;
  min?: string | undefined;
  max?: string | undefined;
  disabled?: boolean | undefined;
  onPick: (month: string) => void;
}) {
  const thisMonth = () => chinaToday().slice(0, 7);
  const [year, setYear] = createSignal(Number((props.value || thisMonth()).slice(0, 4)));
  const monthOf = (m: number) => `${year()}-${String(m).padStart(2, "0")}`;
  const outside = (month: string) => Boolean((props.min && month < props.min) || (props.max && month > props.max));
  return (
    <PickerPopover
      openLabel={t("date.openMonths")}
      panelLabel={t("date.months", { label: props.label })}
      disabled={props.disabled}
      onOpen={() => setYear(Number((props.value || thisMonth()).slice(0, 4)))}
      title={t("date.year", { year: year() })}
      previousLabel={t("date.previousYear")}
      nextLabel={t("date.nextYear")}
      onPrevious={() => setYear(year() - 1)}
      onNext={() => setYear(year() + 1)}
    >
      {(close) => (
        <fieldset class="date-calendar-grid date-calendar-months" aria-label={t("date.year", { year: year() })}>
          <For each={[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}>
            {(m) => (
              <button
                type="button"
                class={cx(
                  "date-calendar-day",
                  monthOf(m) === props.value && "is-selected",
                  monthOf(m) === thisMonth() && "is-today",
                )}
                aria-label={monthOf(m)}
                aria-pressed={monthOf(m) === props.value}
                disabled={outside(monthOf(m))}
                onClick={() => {
                  props.onPick(monthOf(m));
                  close();
                }}
              >
                {monthShort(m)}
              </button>
            )}
          </For>
        </fieldset>
      )}
    </PickerPopover>
  );
}

/**
 * The picker button beside a field and the panel it opens below it, shared by the day and month
 * pickers: the panel's head steps back and forward (‹ ›) around its title; Escape closes it.
 * `onOpen` runs as the panel opens (to show the field's own month or year); `children` gets the
 * function that closes the panel after a pick.
 */
function PickerPopover(props: {
  openLabel: string;
  panelLabel: string;
  disabled?: boolean | undefined;
  onOpen: () => void;
  title: string;
  previousLabel: string;
  nextLabel: string;
  onPrevious: () => void;
  onNext: () => void;
  children: (close: () => void) => JSX.Element;
}) {
  const [open, setOpen] = createSignal(false);
  const panelId = createUniqueId();
  const close = () => setOpen(false);
  return (
    <>
      <button
        type="button"
        class="btn btn-secondary date-field-button"
        aria-label={props.openLabel}
        aria-expanded={open()}
        aria-controls={panelId}
        disabled={props.disabled}
        onClick={() => {
          if (!open()) props.onOpen();
          setOpen(!open());
        }}
      >
        <CalendarIcon />
      </button>
      <Show when={open()}>
        <section
          id={panelId}
          class="date-calendar"
          aria-label={props.panelLabel}
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              close();
            }
          }}
        >
          <div class="date-calendar-head">
            <button
              type="button"
              class="btn btn-sm"
              aria-label={props.previousLabel}
              onClick={() => props.onPrevious()}
            >
              ‹
            </button>
            <span class="date-calendar-title" aria-live="polite">
              {props.title}
            </span>
            <button type="button" class="btn btn-sm" aria-label={props.nextLabel} onClick={() => props.onNext()}>
              ›
            </button>
          </div>
          {props.children(close)}
        </section>
      </Show>
    </>
  );
}

/** A calendar drawn in SVG (an emoji depends on the system's fonts, and servers often lack one). */
function CalendarIcon() {
  return (
    <svg class="date-field-icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <rect x="1.5" y="3" width="13" height="11.5" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.3" />
      <path
        d="M1.5 6.5h13M5 1.5v3M11 1.5v3"
        fill="none"
        stroke="currentColor"
        stroke-width="1.3"
        stroke-linecap="round"
      />
      <path d="M4.5 9h2M9.5 9h2M4.5 11.5h2" stroke="currentColor" stroke-width="1.3" />
    </svg>
  );
}
