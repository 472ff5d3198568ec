import { createMutation, createQuery } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { createStore } from "solid-js/store";
import {
  type AgreementView,
  type Attendee,
  type CaseDetail,
  type ConfirmationView,
  type FollowUpView,
  type Me,
  type PerformanceStatus,
  type SessionView,
  trpc,
} from "../api.ts";
import { addDays, chinaToday, formatDay, isoDay } from "../components/case-common.tsx";
import { InputField, RadioGroup, TextArea } from "../components/case-fields.tsx";
import { FormFooter } from "../components/config-page.tsx";
import { formatDateTime, t } from "../i18n.ts";
import { mayOn } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";
import { MutationError, poolName, problemOf, useCaseRefresh } from "./case-actions.tsx";

/** Common props of the dialogs' bodies. */
interface FormProps {
  detail: CaseDetail;
  onClose: () => void;
}

function Footer(props: { pending: boolean; submit: string; onClose: () => void }) {
  return <FormFooter onCancel={props.onClose} pending={props.pending} submitLabel={props.submit} />;
}

/** 吹哨: summons stationed or on-call departments of the caller's centre, with hours allowed and instructions. */
export function SummonForm(props: FormProps) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const stationings = createQuery(() => ({
    queryKey: ["centre.stationings", "own"],
    queryFn: () => trpc.centre.stationings.query({}),
  }));
  const [picked, setPicked] = createSignal<string[]>([]);
  const [hours, setHours] = createSignal("24");
  const [instructions, setInstructions] = createSignal("");
  const [submitted, setSubmitted] = createSignal(false);
  const summon = createMutation(() => ({
    mutationFn: () =>
      trpc.cases.summon.mutate({
        caseId: props.detail.id,
        stationingIds: picked(),
        dueHours: Number(hours()),
        instructions: instructions().trim() || null,
      }),
    onSuccess: async (rows) => {
      notify(t("cases.summon.done", { n: rows.length }));
      await refresh();
      props.onClose();
    },
  }));
  const hoursError = () => {
    const n = Number(hours());
    return !Number.isInteger(n) || n < 1 || n > 720
      ? t("cases.summon.hoursInvalid")
      : problemOf(summon.error, "dueHours");
  };
  const pickError = () => (submitted() && picked().length === 0 ? t("cases.summon.pickRequired") : undefined);
  const active = () => (stationings.data ?? []).filter((s) => s.active);
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (pickError() || hoursError()) return;
        summon.mutate();
      }}
    >
      <p class="muted small">{t("cases.summon.intro")}</p>
      <fieldset class="fieldset" aria-invalid={pickError() ? true : undefined}>
        <legend>{t("cases.summon.departments")}</legend>
        <Show when={stationings.data && active().length === 0}>
          <p class="muted">{t("cases.summon.noDepartments")}</p>
        </Show>
        <div class="check-grid">
          <For each={active()}>
            {(s) => (
              <Checkbox
                label={s.name}
                description={t(`cases.residency.${s.residency}`)}
                checked={picked().includes(s.id)}
                onChange={(on) =>
                  setPicked(on ? [...picked().filter((x) => x !== s.id), s.id] : picked().filter((x) => x !== s.id))
                }
              />
            )}
          </For>
        </div>
        <Show when={pickError()}>
          <p class="field-error">{pickError()}</p>
        </Show>
      </fieldset>
      <InputField
        type="number"
        label={t("cases.summon.dueHours")}
        value={hours()}
        onChange={setHours}
        min={1}
        max={720}
        step={1}
        inputMode="numeric"
        description={t("cases.summon.dueHint")}
        error={hoursError()}
        required
      />
      <TextArea label={t("cases.summon.instructions")} value={instructions()} onChange={setInstructions} rows={3} />
      <MutationError error={summon.error} fields={["dueHours"]} />
      <Footer pending={summon.isPending} submit={t("cases.summon.submit")} onClose={props.onClose} />
    </form>
  );
}

/** A datetime-local value (China time) as an instant. */
function chinaInstant(local: string): Date {
  return new Date(`${local}:00+08:00`);
}

/** Books a room (and mediators) for a mediation session of the case. */
export function ScheduleForm(props: FormProps & { roomId: string | null }) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const tomorrow = addDays(chinaToday(), 1);
  const rooms = createQuery(() => ({ queryKey: ["centre.rooms", "own"], queryFn: () => trpc.centre.rooms.query({}) }));
  const suggestions = createQuery(() => ({
    queryKey: ["cases.suggestMediators", props.detail.id],
    queryFn: () => trpc.cases.suggestMediators.query({ caseId: props.detail.id }),
  }));
  const [roomId, setRoomId] = createSignal<string | null>(props.roomId);
  const [starts, setStarts] = createSignal(`${tomorrow}T09:00`);
  const [ends, setEnds] = createSignal(`${tomorrow}T11:00`);
  const [mediators, setMediators] = createSignal<string[]>([]);
  const [submitted, setSubmitted] = createSignal(false);
  const schedule = createMutation(() => ({
    mutationFn: () =>
      trpc.cases.scheduleSession.mutate({
        caseId: props.detail.id,
        roomId: roomId()!,
        startsAt: chinaInstant(starts()),
        endsAt: chinaInstant(ends()),
        mediatorIds: mediators(),
      }),
    onSuccess: async () => {
      notify(t("cases.session.done"));
      await refresh();
      props.onClose();
    },
  }));
  const roomError = () => (submitted() && !roomId() ? t("cases.session.roomRequired") : undefined);
  const timeError = () => {
    if (submitted() && (!starts() || !ends())) return t("cases.session.timeRequired");
    if (starts() && ends() && ends() <= starts()) return t("cases.session.endBeforeStart");
    return problemOf(schedule.error, "endsAt", "startsAt");
  };
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (roomError() || timeError()) return;
        schedule.mutate();
      }}
    >
      <div>
        <Select
          label={t("cases.session.room")}
          placeholder={t("cases.route.pickPlaceholder")}
          options={(rooms.data ?? []).filter((r) => r.active).map((r) => ({ value: r.id, label: r.name }))}
          value={roomId()}
          onChange={setRoomId}
        />
        <Show when={roomError()}>
          <p class="field-error">{roomError()}</p>
        </Show>
      </div>
      <div class="field-row">
        <InputField
          type="datetime-local"
          label={t("cases.session.starts")}
          value={starts()}
          onChange={setStarts}
          required
        />
        <InputField
          type="datetime-local"
          label={t("cases.session.ends")}
          value={ends()}
          onChange={setEnds}
          error={timeError()}
          required
        />
      </div>
      <fieldset class="fieldset">
        <legend>{t("cases.session.mediators")}</legend>
        <div class="check-grid">
          <For each={(suggestions.data ?? []).filter((s) => !s.conflict)}>
            {(s) => (
              <Checkbox
                label={s.name}
                description={poolName(s.poolName)}
                checked={mediators().includes(s.id)}
                onChange={(on) =>
                  setMediators(
                    on ? [...mediators().filter((x) => x !== s.id), s.id] : mediators().filter((x) => x !== s.id),
                  )
                }
              />
            )}
          </For>
        </div>
      </fieldset>
      <MutationError error={schedule.error} fields={["endsAt", "startsAt"]} />
      <Footer pending={schedule.isPending} submit={t("cases.session.submit")} onClose={props.onClose} />
    </form>
  );
}

/** Records attendance, notes and outcome of a session. */
export function RecordSessionForm(props: FormProps & { session: SessionView }) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const [people, setPeople] = createStore<(Attendee & { key: number })[]>(
    (props.session.attendance?.length ? props.session.attendance : [{ name: "", role: "", present: true }]).map(
      (a, i) => ({ ...a, key: i }),
    ),
  );
  let nextKey = people.length;
  const [notes, setNotes] = createSignal(props.session.notes ?? "");
  const [outcome, setOutcome] = createSignal<"continued" | "agreement" | "failed">("continued");
  const [submitted, setSubmitted] = createSignal(false);
  const record = createMutation(() => ({
    mutationFn: () =>
      trpc.cases.recordSession.mutate({
        id: props.session.id,
        version: props.session.version,
        attendance: people.map((p) => ({ name: p.name.trim(), role: p.role.trim(), present: p.present })),
        notes: notes(),
        outcome: outcome(),
      }),
    onSuccess: async () => {
      notify(t("cases.record.done"));
      await refresh();
      props.onClose();
    },
  }));
  const attendanceError = () =>
    submitted() && people.some((p) => !p.name.trim() || !p.role.trim()) ? t("cases.record.nameRequired") : undefined;
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (attendanceError()) return;
        record.mutate();
      }}
    >
      <div class="attendee-list">
        <For each={people}>
          {(person, i) => (
            <fieldset class="fieldset attendee">
              <legend>{t("cases.record.attendee", { n: i() + 1 })}</legend>
              <div class="attendee-row">
                <TextField
                  label={t("cases.record.attendeeName")}
                  value={person.name}
                  onChange={(v) => setPeople(i(), "name", v)}
                  autocomplete="off"
                />
                <TextField
                  label={t("cases.record.attendeeRole")}
                  value={person.role}
                  onChange={(v) => setPeople(i(), "role", v)}
                  placeholder={t("cases.record.attendeeRoleHint")}
                  autocomplete="off"
                />
                <Checkbox
                  label={t("cases.record.present")}
                  checked={person.present}
                  onChange={(on) => setPeople(i(), "present", on)}
                />
                <Show when={people.length > 1}>
                  <Button
                    size="sm"
                    variant="ghost"
                    class="btn-danger-text"
                    aria-label={t("cases.record.removeAttendee", { n: i() + 1 })}
                    onClick={() => setPeople((list) => list.filter((p) => p.key !== person.key))}
                  >
                    ×
                  </Button>
                </Show>
              </div>
            </fieldset>
          )}
        </For>
        <div>
          <Button
            size="sm"
            onClick={() => setPeople(people.length, { name: "", role: "", present: true, key: nextKey++ })}
          >
            {t("cases.record.addAttendee")}
          </Button>
        </div>
        <Show when={attendanceError()}>
          <p class="field-error">{attendanceError()}</p>
        </Show>
      </div>
      <TextArea label={t("cases.record.notes")} value={notes()} onChange={setNotes} rows={5} maxLength={10000} />
      <RadioGroup
        legend={t("cases.record.outcome")}
        name="sessionOutcome"
        options={(["continued", "agreement", "failed"] as const).map((o) => ({
          value: o,
          label: t(`cases.outcome.${o}`),
        }))}
        value={outcome()}
        onChange={setOutcome}
      />
      <MutationError error={record.error} onReload={() => void refresh()} />
      <Footer pending={record.isPending} submit={t("common.save")} onClose={props.onClose} />
    </form>
  );
}

/** The agreement with every item the People's Mediation Law requires. */
export function AgreementForm(props: FormProps) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const today = chinaToday();
  const [signedOn, setSignedOn] = createSignal(today);
  const [facts, setFacts] = createSignal("");
  const [matters, setMatters] = createSignal("");
  const [terms, setTerms] = createSignal("");
  const [manner, setManner] = createSignal("");
  const [place, setPlace] = createSignal("");
  const [deadline, setDeadline] = createSignal(addDays(today, 30));
  const [mediatorNames, setMediatorNames] = createSignal(props.detail.mediatorName ?? "");
  const [submitted, setSubmitted] = createSignal(false);
  const names = () =>
    mediatorNames()
      .split(/[、,，;；\s]+/)
      .map((n) => n.trim())
      .filter(Boolean);
  const save = createMutation(() => ({
    mutationFn: () =>
      trpc.cases.recordAgreement.mutate({
        caseId: props.detail.id,
        signedOn: signedOn(),
        facts: facts().trim(),
        disputedMatters: matters().trim(),
        terms: terms().trim(),
        performanceManner: manner().trim(),
        performancePlace: place().trim(),
        performanceDeadline: deadline(),
        mediatorNames: names(),
      }),
    onSuccess: async () => {
      notify(t("cases.agreement.done"));
      await refresh();
      props.onClose();
    },
  }));
  const required = (value: string, path: string) =>
    submitted() && !value.trim() ? t("cases.agreement.required") : problemOf(save.error, path);
  const deadlineError = () =>
    deadline() && signedOn() && deadline() < signedOn()
      ? t("cases.agreement.deadlineBefore")
      : required(deadline(), "performanceDeadline");
  const fields: [() => string, string][] = [
    [signedOn, "signedOn"],
    [facts, "facts"],
    [matters, "disputedMatters"],
    [terms, "terms"],
    [manner, "performanceManner"],
    [place, "performancePlace"],
    [deadline, "performanceDeadline"],
  ];
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (fields.some(([v]) => !v().trim()) || names().length === 0 || deadlineError()) return;
        save.mutate();
      }}
    >
      <p class="muted small">{t("cases.agreement.intro")}</p>
      <InputField
        type="date"
        label={t("cases.agreement.signedOn")}
        value={signedOn()}
        max={today}
        onChange={setSignedOn}
        error={required(signedOn(), "signedOn")}
        required
      />
      <TextArea
        label={t("cases.agreement.facts")}
        value={facts()}
        onChange={setFacts}
        error={required(facts(), "facts")}
        required
      />
      <TextArea
        label={t("cases.agreement.disputedMatters")}
        value={matters()}
        onChange={setMatters}
        error={required(matters(), "disputedMatters")}
        rows={2}
        required
      />
      <TextArea
        label={t("cases.agreement.terms")}
        value={terms()}
        onChange={setTerms}
        error={required(terms(), "terms")}
        rows={4}
        required
      />
      <div class="field-row">
        <TextField
          label={t("cases.agreement.manner")}
          value={manner()}
          onChange={setManner}
          error={required(manner(), "performanceManner")}
          required
        />
        <TextField
          label={t("cases.agreement.place")}
          value={place()}
          onChange={setPlace}
          error={required(place(), "performancePlace")}
          required
        />
      </div>
      <div class="field-row">
        <InputField
          type="date"
          label={t("cases.agreement.deadline")}
          value={deadline()}
          onChange={setDeadline}
          min={signedOn()}
          error={deadlineError()}
          required
        />
        <TextField
          label={t("cases.agreement.mediators")}
          value={mediatorNames()}
          onChange={setMediatorNames}
          error={
            submitted() && names().length === 0 ? t("cases.agreement.required") : problemOf(save.error, "mediatorNames")
          }
          required
        />
      </div>
      <MutationError
        error={save.error}
        fields={fields.map(([, p]) => p).concat("mediatorNames")}
        onReload={() => void refresh()}
      />
      <Footer pending={save.isPending} submit={t("cases.agreement.submit")} onClose={props.onClose} />
    </form>
  );
}

/** Tracks whether an agreement was performed. */
export function PerformanceForm(props: FormProps & { agreement: AgreementView }) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const [status, setStatus] = createSignal<PerformanceStatus>(props.agreement.performanceStatus);
  const [note, setNote] = createSignal(props.agreement.performanceNote ?? "");
  const save = createMutation(() => ({
    mutationFn: () =>
      trpc.cases.updatePerformance.mutate({
        id: props.agreement.id,
        version: props.agreement.version,
        status: status(),
        note: note().trim() || null,
      }),
    onSuccess: async () => {
      notify(t("common.saved"));
      await refresh();
      props.onClose();
    },
  }));
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <RadioGroup
        legend={t("cases.perf.status")}
        name="performance"
        options={(["pending", "partly", "performed", "breached"] as const).map((s) => ({
          value: s,
          label: t(`cases.perf.${s}`),
        }))}
        value={status()}
        onChange={setStatus}
      />
      <TextArea label={t("cases.perf.note")} value={note()} onChange={setNote} rows={2} />
      <MutationError error={save.error} onReload={() => void refresh()} />
      <Footer pending={save.isPending} submit={t("common.save")} onClose={props.onClose} />
    </form>
  );
}

/** Applies for judicial confirmation; the court's refusal of excluded matters comes back with its reason. */
export function ConfirmationForm(props: FormProps & { agreements: AgreementView[] }) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const [agreementId, setAgreementId] = createSignal<string | null>(props.agreements[0]?.id ?? null);
  const [court, setCourt] = createSignal("");
  const [appliedOn, setAppliedOn] = createSignal(chinaToday());
  const [matters, setMatters] = createSignal<("identity" | "adoption" | "marriage_status")[]>([]);
  const [submitted, setSubmitted] = createSignal(false);
  const apply = createMutation(() => ({
    mutationFn: () =>
      trpc.cases.applyForConfirmation.mutate({
        agreementId: agreementId()!,
        courtName: court().trim(),
        appliedOn: appliedOn(),
        matters: matters(),
      }),
    onSuccess: async (r) => {
      notify(t("cases.conf.done", { date: formatDay(r.acceptDue) }));
      await refresh();
      props.onClose();
    },
  }));
  const courtError = () =>
    submitted() && !court().trim() ? t("cases.conf.courtRequired") : problemOf(apply.error, "courtName");
  const mattersError = () => problemOf(apply.error, "matters");
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (!court().trim() || !agreementId() || !appliedOn()) return;
        apply.mutate();
      }}
    >
      <p class="muted small">{t("cases.conf.intro")}</p>
      <Show when={props.agreements.length > 1}>
        <Select
          label={t("cases.conf.agreement")}
          options={props.agreements.map((a) => ({
            value: a.id,
            label: t("cases.conf.agreementOption", { date: formatDay(a.signedOn) }),
          }))}
          value={agreementId()}
          onChange={setAgreementId}
        />
      </Show>
      <TextField label={t("cases.conf.court")} value={court()} onChange={setCourt} error={courtError()} required />
      <InputField
        type="date"
        label={t("cases.conf.appliedOn")}
        value={appliedOn()}
        onChange={setAppliedOn}
        error={problemOf(apply.error, "appliedOn")}
        required
      />
      <fieldset class="fieldset" aria-invalid={mattersError() ? true : undefined}>
        <legend>{t("cases.conf.matters")}</legend>
        <p class="field-hint">{t("cases.conf.mattersHint")}</p>
        <div class="check-grid">
          <For each={["identity", "adoption", "marriage_status"] as const}>
            {(m) => (
              <Checkbox
                label={t(`cases.conf.${m}`)}
                checked={matters().includes(m)}
                onChange={(on) =>
                  setMatters(on ? [...matters().filter((x) => x !== m), m] : matters().filter((x) => x !== m))
                }
              />
            )}
          </For>
        </div>
      </fieldset>
      <MutationError error={apply.error} fields={["courtName"]} onReload={() => void refresh()} />
      <Footer pending={apply.isPending} submit={t("cases.conf.submit")} onClose={props.onClose} />
    </form>
  );
}

/** One of the court's steps. */
export type ConfirmationStep = "accepted" | "not_accepted" | "extended" | "confirmed" | "rejected";

/** The steps the court may take next, from the application's state. */
export function nextSteps(c: ConfirmationView): ConfirmationStep[] {
  if (c.result === "pending") return ["accepted", "not_accepted"];
  if (c.result === "accepted") return c.extended ? ["confirmed", "rejected"] : ["confirmed", "rejected", "extended"];
  return [];
}

/** Records a step of the court (acceptance sets the ruling deadline; an extension adds 10 days once). */
export function ConfirmationStepForm(props: FormProps & { confirmation: ConfirmationView; step: ConfirmationStep }) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const [on, setOn] = createSignal(chinaToday());
  const [note, setNote] = createSignal("");
  const save = createMutation(() => ({
    mutationFn: () =>
      trpc.cases.recordConfirmationStep.mutate({
        id: props.confirmation.id,
        version: props.confirmation.version,
        step: props.step,
        on: on(),
        note: note().trim() || null,
      }),
    onSuccess: async () => {
      notify(t("cases.step.done", { step: t(`cases.step.${props.step}`) }));
      await refresh();
      props.onClose();
    },
  }));
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!on()) return;
        save.mutate();
      }}
    >
      <p class="muted small">
        {props.confirmation.courtName} · {t("cases.detail.appliedOn")} {formatDay(props.confirmation.appliedOn)}
      </p>
      <InputField
        type="date"
        label={t("cases.step.on")}
        value={on()}
        onChange={setOn}
        min={isoDay(props.confirmation.appliedOn)}
        error={problemOf(save.error, "on")}
        required
      />
      <TextArea label={t("cases.step.note")} value={note()} onChange={setNote} rows={2} />
      <MutationError error={save.error} fields={["on"]} onReload={() => void refresh()} />
      <Footer pending={save.isPending} submit={t(`cases.step.${props.step}`)} onClose={props.onClose} />
    </form>
  );
}

/** A follow-up visit; an unsatisfied party reopens the case unless a leader or admin records why not. */
export function FollowUpForm(props: FormProps & { me: Me }) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const [method, setMethod] = createSignal<FollowUpView["method"]>("phone");
  const [satisfaction, setSatisfaction] = createSignal<FollowUpView["satisfaction"] | null>(null);
  const [notes, setNotes] = createSignal("");
  const [override, setOverride] = createSignal("");
  const [submitted, setSubmitted] = createSignal(false);
  const supervisor = () => mayOn(props.me, "case.follow_up_override", props.detail.ownerCode);
  const save = createMutation(() => ({
    mutationFn: () =>
      trpc.cases.recordFollowUp.mutate({
        caseId: props.detail.id,
        method: method(),
        satisfaction: satisfaction()!,
        notes: notes().trim() || null,
        overrideReason: satisfaction() === "unsatisfied" && supervisor() ? override().trim() || null : null,
      }),
    onSuccess: async (r) => {
      notify(r.reopened ? t("cases.follow.reopened") : t("cases.follow.done"));
      await refresh();
      props.onClose();
    },
  }));
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (!satisfaction()) return;
        save.mutate();
      }}
    >
      <RadioGroup
        legend={t("cases.follow.method")}
        name="followMethod"
        options={(["phone", "visit", "on_site"] as const).map((m) => ({ value: m, label: t(`cases.method.${m}`) }))}
        value={method()}
        onChange={setMethod}
      />
      <RadioGroup
        legend={t("cases.follow.satisfaction")}
        name="satisfaction"
        options={(["satisfied", "basically_satisfied", "unsatisfied"] as const).map((s) => ({
          value: s,
          label: t(`cases.satisfaction.${s}`),
        }))}
        value={satisfaction()}
        onChange={setSatisfaction}
        error={submitted() && !satisfaction() ? t("cases.follow.satisfactionRequired") : undefined}
      />
      <TextArea label={t("cases.follow.notes")} value={notes()} onChange={setNotes} rows={3} />
      <Show when={satisfaction() === "unsatisfied"}>
        <Show when={supervisor()} fallback={<Alert tone="warning">{t("cases.follow.reopenWarning")}</Alert>}>
          <TextArea
            label={t("cases.follow.override")}
            value={override()}
            onChange={setOverride}
            description={t("cases.follow.overrideHint")}
            rows={2}
          />
          <Show when={!override().trim()}>
            <Alert tone="warning">{t("cases.follow.reopenWarning")}</Alert>
          </Show>
        </Show>
      </Show>
      <MutationError error={save.error} onReload={() => void refresh()} />
      <Footer pending={save.isPending} submit={t("common.save")} onClose={props.onClose} />
    </form>
  );
}

/** When a session took place, for headings. */
export function sessionLabel(s: SessionView): string {
  return `${formatDateTime(s.startsAt)} – ${formatDateTime(s.endsAt).split(" ").at(-1) ?? ""}`;
}
