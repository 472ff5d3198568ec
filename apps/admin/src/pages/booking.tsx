import { A } from "@solidjs/router";
import { createMutation, createQuery } from "@tanstack/solid-query";
import { zodIssues } from "@zongzhi/api/input";
import { bookingLookupInput, publicBookingInput } from "@zongzhi/api/schemas/booking";
import { APPOINTMENT_STATUS_NAMES, OFFER_KIND_NAMES } from "@zongzhi/domain/booking";
import { isoWeekday } from "@zongzhi/domain/dates";
import { createMemo, createSignal, For, Show } from "solid-js";
import { bookingCentres, bookingPage, bookSlot, type MyBooking, myBooking, type BookingPage as Page } from "../api.ts";
import { AuthLayout } from "../components/auth-layout.tsx";
import { errorText } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { formatDateTime, locale, named, pick, t } from "../i18n.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { InputField } from "../ui/input-field.tsx";
import { TextArea, TextField } from "../ui/text-field.tsx";
import "./booking.css";
import { Form } from "../components/save-form.tsx";
import { Section } from "../components/section.tsx";

const WEEKDAYS = {
  zh: ["", "周一", "周二", "周三", "周四", "周五", "周六", "周日"],
  en: ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
};
const dayLabel = (date: string) => `${date.slice(5)} ${WEEKDAYS[locale() === "en" ? "en" : "zh"][isoWeekday(date)]}`;

/**
 * /booking (public, no sign-in): 网上预约. A person finds a centre, picks what to book, a day and
 * a slot (from the centre's calendar, hours and roster), gives name, phone, category and matter,
 * and gets a booking code to look the booking up or cancel it. Built for a phone first.
 */
export function BookingPage() {
  const [centre, setCentre] = createSignal<string | null>(null);
  return (
    <AuthLayout title={t("booking.title")} footer={t("booking.footer")}>
      <p class="auth-subtitle">{t("booking.intro")}</p>
      <Show when={centre()} fallback={<CentrePicker onPick={setCentre} />}>
        {(code) => <CentreBooking code={code()} onChange={() => setCentre(null)} />}
      </Show>
      <MyBookingBox />
    </AuthLayout>
  );
}

function CentrePicker(props: { onPick: (code: string) => void }) {
  const [q, setQ] = createSignal("");
  const [search, setSearch] = createSignal("");
  const centres = createQuery(() => ({
    queryKey: ["public.booking.centres", search()],
    queryFn: () => bookingCentres(search()),
  }));
  return (
    <section aria-labelledby="booking-centres" class="booking-section">
      <search>
        <Form
          class="booking-search"
          onSubmit={() => {
            setSearch(q());
          }}
        >
          <TextField label={t("booking.search")} value={q()} onChange={setQ} type="search" maxLength={40} />
          <Button type="submit">{t("booking.searchButton")}</Button>
        </Form>
      </search>
      <h2 id="booking-centres" class="field-label">
        {t("booking.centres")}
      </h2>
      <QueryState query={centres} empty={t("booking.noCentres")}>
        {(list) => (
          <ul class="stack-list">
            <For each={list()}>
              {(c) => (
                <li>
                  <button type="button" class="booking-choice" onClick={() => props.onPick(c.code)}>
                    <span class="booking-choice-title">{c.name}</span>
                    <span class="mono muted small">{c.code}</span>
                  </button>
                </li>
              )}
            </For>
          </ul>
        )}
      </QueryState>
    </section>
  );
}

function CentreBooking(props: { code: string; onChange: () => void }) {
  const page = createQuery(() => ({
    queryKey: ["public.booking.page", props.code],
    queryFn: () => bookingPage(props.code),
  }));
  return (
    <QueryState query={page}>
      {(data) => <BookingForm page={data()} onChange={props.onChange} refresh={() => void page.refetch()} />}
    </QueryState>
  );
}

function BookingForm(props: { page: Page; onChange: () => void; refresh: () => void }) {
  const [offerId, setOfferId] = createSignal(props.page.offers[0]?.id ?? "");
  const offer = () => props.page.offers.find((o) => o.id === offerId());
  const days = () => props.page.days;
  const firstOpen = () => days().find((d) => d.slots.some((s) => s.offerId === offerId() && s.left > 0))?.date;
  const [date, setDate] = createSignal<string | undefined>(undefined);
  const day = () => days().find((d) => d.date === (date() ?? firstOpen() ?? days()[0]?.date));
  const slots = () => day()?.slots.filter((s) => s.offerId === offerId()) ?? [];
  const [startsAt, setStartsAt] = createSignal<string | null>(null);
  const [name, setName] = createSignal("");
  const [phone, setPhone] = createSignal("");
  const [categoryCode, setCategoryCode] = createSignal(props.page.categories[0]?.code ?? "");
  const [matter, setMatter] = createSignal("");
  const [tried, setTried] = createSignal(false);
  // One key per booking attempt: a retry after a lost answer sends the same key (and gets the first
  // booking back); any change of the form starts a new attempt.
  const draft = createMemo(() => ({
    centreCode: props.page.code,
    offerId: offerId(),
    startsAt: startsAt() ?? "",
    name: name(),
    phone: phone(),
    matter: matter(),
    categoryCode: categoryCode(),
  }));
  const key = createMemo(() => {
    draft();
    return crypto.randomUUID();
  });
  const issues = createMemo(() => {
    const parsed = publicBookingInput.safeParse(draft());
    return parsed.success ? [] : zodIssues(parsed.error);
  });
  const issue = (path: string) => {
    if (!tried()) return undefined;
    const found = issues().find((i) => i.path === path);
    return found ? pick(found) : undefined;
  };
  const book = createMutation(() => ({
    mutationFn: () => bookSlot(draft(), key()),
    onSettled: () => props.refresh(),
  }));
  return (
    <Show when={!book.data} fallback={<Booked booking={book.data!} />}>
      <section class="booking-section" aria-labelledby="booking-centre-name">
        <div class="booking-head">
          <h2 id="booking-centre-name" class="card-title">
            {props.page.name}
          </h2>
          <Button size="sm" onClick={props.onChange}>
            {t("booking.change")}
          </Button>
        </div>
        <fieldset class="fieldset">
          <legend>{t("booking.offer")}</legend>
          <div class="stack-list">
            <For each={props.page.offers}>
              {(o) => (
                <label class="booking-choice">
                  <input
                    type="radio"
                    name="offer"
                    checked={offerId() === o.id}
                    onChange={() => {
                      setOfferId(o.id);
                      setStartsAt(null);
                      setDate(undefined);
                    }}
                  />
                  <span class="booking-choice-title">
                    {o.title}（{named(OFFER_KIND_NAMES, o.kind)}）
                  </span>
                  <span class="muted small">
                    {o.resourceName} · {t("booking.hours", { from: o.opensAt, to: o.closesAt, minutes: o.slotMinutes })}
                    <Show when={o.breakFrom}>
                      {" · "}
                      {t("booking.breakHours", { from: o.breakFrom!, to: o.breakTo! })}
                    </Show>
                  </span>
                  <Show when={o.services.length > 0}>
                    <span class="muted small">{o.services.join("、")}</span>
                  </Show>
                </label>
              )}
            </For>
          </div>
        </fieldset>
        <fieldset class="fieldset">
          <legend>{t("booking.day")}</legend>
          <div class="booking-days">
            <For each={days()}>
              {(d) => (
                <button
                  type="button"
                  class="booking-day"
                  aria-pressed={day()?.date === d.date}
                  onClick={() => {
                    setDate(d.date);
                    setStartsAt(null);
                  }}
                >
                  <span>{dayLabel(d.date)}</span>
                  <span class="small muted">
                    {d.workday ? (d.makeUpWorkday ? t("booking.makeUp") : "") : (d.holiday ?? t("booking.closed"))}
                  </span>
                </button>
              )}
            </For>
          </div>
        </fieldset>
        <Show when={day()}>
          {(d) => (
            <>
              <div class="booking-duty">
                <span class="field-label">{t("booking.onDuty")}</span>
                <Show
                  when={d().onDuty.permanent.length + d().onDuty.rotating.length > 0}
                  fallback={<p class="muted small">{t("booking.onDutyNone")}</p>}
                >
                  <p class="small">{[...d().onDuty.permanent, ...d().onDuty.rotating].join("、")}</p>
                </Show>
                <Show when={d().onDuty.onCall.length > 0}>
                  <p class="muted small">{t("booking.onCall", { names: d().onDuty.onCall.join("、") })}</p>
                </Show>
              </div>
              <fieldset class="fieldset">
                <legend>{t("booking.slots")}</legend>
                <Show when={slots().length > 0} fallback={<p class="muted small">{t("booking.noSlots")}</p>}>
                  <div class="booking-slots">
                    <For each={slots()}>
                      {(s) => (
                        <button
                          type="button"
                          class="booking-slot"
                          aria-pressed={startsAt() === s.startsAt}
                          disabled={s.left === 0}
                          onClick={() => setStartsAt(s.startsAt)}
                        >
                          <span class="mono">{s.time}</span>
                          <span class="small muted">
                            {s.left > 0 ? t("booking.left", { n: s.left }) : t("booking.full")}
                          </span>
                        </button>
                      )}
                    </For>
                  </div>
                </Show>
              </fieldset>
            </>
          )}
        </Show>
        <Form
          noValidate
          onSubmit={() => {
            setTried(true);
            if (issues().length === 0) book.mutate();
          }}
        >
          <h3 class="field-label">{t("booking.you")}</h3>
          <TextField label={t("booking.name")} value={name()} onChange={setName} error={issue("name")} required />
          <InputField
            type="tel"
            label={t("booking.phone")}
            value={phone()}
            onChange={setPhone}
            inputMode="numeric"
            error={issue("phone")}
            required
          />
          <label class="field">
            <span class="field-label">{t("booking.category")}</span>
            <select
              class="input"
              value={categoryCode()}
              onChange={(e) => setCategoryCode(e.currentTarget.value)}
              aria-invalid={issue("categoryCode") ? true : undefined}
            >
              <For each={props.page.categories}>{(c) => <option value={c.code}>{c.name}</option>}</For>
            </select>
          </label>
          <TextArea
            label={t("booking.matter")}
            value={matter()}
            onChange={setMatter}
            error={issue("matter")}
            rows={3}
            maxLength={500}
            required
          />
          <Show when={tried() && !startsAt()}>
            <Alert>{t("booking.chooseSlot")}</Alert>
          </Show>
          <Show when={book.error}>
            <Alert>{errorText(book.error)}</Alert>
          </Show>
          <Button type="submit" variant="primary" class="btn-block booking-submit" disabled={book.isPending}>
            {t("booking.submit")}
          </Button>
          <Show when={offer()}>{(o) => <p class="muted small">{o().resourceName}</p>}</Show>
        </Form>
      </section>
    </Show>
  );
}

function BookingFacts(props: { booking: MyBooking }) {
  return (
    <dl class="case-facts">
      <div class="case-fact">
        <dt>{t("booking.code")}</dt>
        <dd class="mono booking-code">{props.booking.code}</dd>
      </div>
      <div class="case-fact">
        <dt>{t("booking.when")}</dt>
        <dd>{formatDateTime(props.booking.startsAt)}</dd>
      </div>
      <div class="case-fact">
        <dt>{t("booking.where")}</dt>
        <dd>
          {props.booking.centreName} · {props.booking.resourceName}
        </dd>
      </div>
      <div class="case-fact">
        <dt>{t("booking.status")}</dt>
        <dd>{named(APPOINTMENT_STATUS_NAMES, props.booking.status)}</dd>
      </div>
      <Show when={props.booking.caseCode}>
        {(code) => (
          <div class="case-fact">
            <dt>{t("booking.case")}</dt>
            <dd class="mono">
              <A href={`/lookup?code=${encodeURIComponent(code())}`}>{code()}</A>
            </dd>
          </div>
        )}
      </Show>
    </dl>
  );
}

function Booked(props: { booking: MyBooking }) {
  return (
    <Section id="booking-done" title={t("booking.done")} class="booking-section lookup-result" role="status">
      <BookingFacts booking={props.booking} />
      <p class="muted small">{t("booking.keepCode")}</p>
    </Section>
  );
}

function MyBookingBox() {
  const [code, setCode] = createSignal("");
  const [digits, setDigits] = createSignal("");
  const [tried, setTried] = createSignal(false);
  const input = () => ({ code: code().trim(), phoneLast4: digits().trim() });
  const issues = createMemo(() => {
    const parsed = bookingLookupInput.safeParse(input());
    return parsed.success ? [] : zodIssues(parsed.error);
  });
  const issue = (path: string) => {
    const found = tried() ? issues().find((i) => i.path === path) : undefined;
    return found ? pick(found) : undefined;
  };
  const act = createMutation(() => ({
    mutationFn: (action: "lookup" | "cancel") => myBooking(action, input()),
  }));
  return (
    <Section id="booking-mine" title={t("booking.lookupTitle")} class="booking-section">
      <Form
        noValidate
        onSubmit={() => {
          setTried(true);
          if (issues().length === 0) act.mutate("lookup");
        }}
      >
        <TextField
          label={t("booking.lookupCode")}
          value={code()}
          onChange={setCode}
          description={t("booking.lookupCodeHint")}
          error={issue("code")}
          inputClass="mono"
        />
        <InputField
          type="text"
          label={t("booking.lookupPhone")}
          value={digits()}
          onChange={setDigits}
          inputMode="numeric"
          error={issue("phoneLast4")}
          inputClass="mono"
        />
        <Show when={act.error}>
          <Alert>{errorText(act.error)}</Alert>
        </Show>
        <Button type="submit" class="btn-block" disabled={act.isPending}>
          {t("booking.lookup")}
        </Button>
      </Form>
      <Show when={act.data}>
        {(found) => (
          <div class="lookup-result">
            <BookingFacts booking={found()} />
            <Show when={found().status === "cancelled"}>
              <p role="status">{t("booking.cancelled")}</p>
            </Show>
            <Show when={found().cancellable}>
              <Button variant="danger" class="btn-block" disabled={act.isPending} onClick={() => act.mutate("cancel")}>
                {t("booking.cancel")}
              </Button>
            </Show>
          </div>
        )}
      </Show>
    </Section>
  );
}
