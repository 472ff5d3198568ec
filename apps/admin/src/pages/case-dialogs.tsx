import { createQuery } from "@tanstack/solid-query";
import * as schemas from "@zongzhi/api/schemas/cases";
import {
  FOLLOW_UP_METHOD_NAMES,
  PERFORMANCE_NAMES,
  PERFORMANCE_STATUSES,
  SATISFACTION_NAMES,
  SATISFACTIONS,
  SESSION_OUTCOME_NAMES,
  SESSION_OUTCOMES,
  type SessionOutcome,
  STAFF_FOLLOW_UP_METHODS,
} from "@zongzhi/domain/case-records";
import { EXCLUDED_MATTERS } from "@zongzhi/domain/judicial-confirmation";
import { Index, type JSX, Show } from "solid-js";
import type { z } from "zod";
import {
  type AgreementView,
  type CaseDetail,
  type ConfirmationView,
  type FollowUpView,
  type Me,
  type PerformanceStatus,
  type SessionView,
  trpc,
} from "../api.ts";
import { addDays, chinaToday, isoDay } from "../components/case-common.tsx";
import { CheckGroup, FieldError, InputField, RadioGroup, RemoveButton, TextArea } from "../components/case-fields.tsx";
import { wholeNumber } from "../components/centre.tsx";
import { createDialogForm, DialogForm, type DialogFormHandle } from "../components/dialog-form.tsx";
import { formatDateTime, formatDay, named, t } from "../i18n.ts";
import { mayOn } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { poolName, useCaseRefresh } from "./case-actions.tsx";

// Every dialog validates with the procedure's own input schema (@zongzhi/api/schemas/cases):
// the browser refuses what the server would, with the same bilingual message; `extra` holds
// only what the page alone knows (a choice not made yet).

/** Common props of the dialogs' bodies. */
interface FormProps {
  detail: CaseDetail;
  onClose: () => void;
}

/**
 * A dialog's form on the case page: the procedure's schema, `send` and the message when done;
 * it refreshes what shows the case and closes. `reload` is for the reload offered on a CONFLICT.
 */
function createCaseForm<D extends object, S extends z.ZodType, R>(
  props: FormProps,
  options: Omit<Parameters<typeof createDialogForm<D, S, R>>[0], "refresh" | "onClose">,
) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const form = createDialogForm({ ...options, refresh, onClose: () => props.onClose() });
  return Object.assign(form, { reload: () => void refresh() });
}

/** The body of a case dialog: its fields, the failed save's message (with a reload on CONFLICT), the buttons. */
function CaseDialogForm<I>(props: {
  form: DialogFormHandle<I> & { reload: () => void };
  submitLabel?: string;
  /** The fields that show their own problems, when not every field does. */
  inline?: string[];
  children: JSX.Element;
}) {
  return (
    <DialogForm form={props.form} submitLabel={props.submitLabel} inline={props.inline} onReload={props.form.reload}>
      {props.children}
    </DialogForm>
  );
}

/** The options of a vocabulary's values, named in the current language. */
function choices<T extends string>(values: readonly T[], names: Record<T, { zh: string; en: string }>) {
  return values.map((value) => ({ value, label: named(names, value) }));
}

/** 吹哨: summons stationed or on-call departments of the caller's centre, with hours allowed and instructions. */
export function SummonForm(props: FormProps) {
  const stationings = createQuery(() => ({
    queryKey: ["centre.stationings", "own"],
    queryFn: () => trpc.centre.stationings.query({}),
  }));
  const form = createCaseForm(props, {
    schema: schemas.summonInput,
    initial: { stationingIds: [] as string[], dueHours: "24", instructions: "" },
    toInput: (d) => ({
      caseId: props.detail.id,
      stationingIds: [...d.stationingIds],
      dueHours: wholeNumber(d.dueHours) ?? Number.NaN,
      instructions: d.instructions.trim() || null,
    }),
    send: (input) => trpc.cases.summon.mutate(input),
    done: (rows) => t("cases.summon.done", { n: rows.length }),
  });
  const active = () => (stationings.data ?? []).filter((s) => s.active);
  return (
    <CaseDialogForm form={form} submitLabel={t("cases.summon.submit")}>
      <p class="muted small">{t("cases.summon.intro")}</p>
      <CheckGroup
        legend={t("cases.summon.departments")}
        options={active().map((s) => ({
          value: s.id,
          label: s.name,
          description: t(`cases.residency.${s.residency}`),
        }))}
        value={form.draft.stationingIds}
        onChange={(ids) => form.set("stationingIds", ids)}
        empty={stationings.data && <p class="muted">{t("cases.summon.noDepartments")}</p>}
        error={form.error("stationingIds")}
      />
      <InputField
        type="number"
        label={t("cases.summon.dueHours")}
        {...form.text("dueHours")}
        min={1}
        max={720}
        step={1}
        description={t("cases.summon.dueHint")}
        required
      />
      <TextArea label={t("cases.summon.instructions")} {...form.text("instructions")} rows={3} />
    </CaseDialogForm>
  );
}

/** A datetime-local value (China time) as an instant. */
function chinaInstant(local: string): Date {
  return new Date(`${local}:00+08:00`);
}

/** Books a room (and mediators) for a mediation session of the case. */
export function ScheduleForm(props: FormProps & { roomId: string | null }) {
  const tomorrow = addDays(chinaToday(), 1);
  const rooms = createQuery(() => ({ queryKey: ["centre.rooms", "own"], queryFn: () => trpc.centre.rooms.query({}) }));
  const suggestions = createQuery(() => ({
    queryKey: ["cases.suggestMediators", props.detail.id],
    queryFn: () => trpc.cases.suggestMediators.query({ caseId: props.detail.id }),
  }));
  const form = createCaseForm(props, {
    schema: schemas.sessionInput,
    initial: {
      roomId: props.roomId ?? "",
      startsAt: `${tomorrow}T09:00`,
      endsAt: `${tomorrow}T11:00`,
      mediatorIds: [] as string[],
    },
    toInput: (d) => ({
      caseId: props.detail.id,
      roomId: d.roomId,
      startsAt: chinaInstant(d.startsAt),
      endsAt: chinaInstant(d.endsAt),
      mediatorIds: [...d.mediatorIds],
    }),
    extra: (d) => ({ roomId: d.roomId ? undefined : t("cases.session.roomRequired") }),
    send: (input) => trpc.cases.scheduleSession.mutate(input),
    done: () => t("cases.session.done"),
  });
  return (
    <CaseDialogForm form={form} submitLabel={t("cases.session.submit")}>
      <div>
        <Select
          label={t("cases.session.room")}
          placeholder={t("cases.route.pickPlaceholder")}
          options={(rooms.data ?? []).filter((r) => r.active).map((r) => ({ value: r.id, label: r.name }))}
          value={form.draft.roomId || null}
          onChange={(v) => form.set("roomId", v ?? "")}
        />
        <FieldError error={form.error("roomId")} />
      </div>
      <div class="field-row">
        <InputField type="datetime-local" label={t("cases.session.starts")} {...form.text("startsAt")} required />
        <InputField type="datetime-local" label={t("cases.session.ends")} {...form.text("endsAt")} required />
      </div>
      <CheckGroup
        legend={t("cases.session.mediators")}
        options={(suggestions.data ?? [])
          .filter((s) => !s.conflict)
          .map((s) => ({ value: s.id, label: s.name, description: poolName(s.poolName) }))}
        value={form.draft.mediatorIds}
        onChange={(ids) => form.set("mediatorIds", ids)}
      />
    </CaseDialogForm>
  );
}

/** Records attendance, notes and outcome of a session. */
export function RecordSessionForm(props: FormProps & { session: SessionView }) {
  const blank = () => ({ name: "", role: "", present: true });
  const form = createCaseForm(props, {
    schema: schemas.sessionRecordInput,
    initial: {
      attendance: props.session.attendance?.length ? props.session.attendance.map((a) => ({ ...a })) : [blank()],
      notes: props.session.notes ?? "",
      outcome: "continued" as SessionOutcome,
    },
    toInput: (d) => ({
      id: props.session.id,
      version: props.session.version,
      attendance: d.attendance.map((p) => ({ name: p.name, role: p.role, present: p.present })),
      notes: d.notes,
      outcome: d.outcome,
    }),
    send: (input) => trpc.cases.recordSession.mutate(input),
    done: () => t("cases.record.done"),
  });
  const people = () => form.draft.attendance;
  return (
    <CaseDialogForm form={form} submitLabel={t("common.save")}>
      <div class="attendee-list">
        <Index each={people()}>
          {(person, i) => (
            <fieldset class="fieldset attendee">
              <legend>{t("cases.record.attendee", { n: i + 1 })}</legend>
              <div class="attendee-row">
                <TextField label={t("cases.record.attendeeName")} {...form.text(`attendance.${i}.name`)} />
                <TextField
                  label={t("cases.record.attendeeRole")}
                  {...form.text(`attendance.${i}.role`)}
                  placeholder={t("cases.record.attendeeRoleHint")}
                />
                <Checkbox
                  label={t("cases.record.present")}
                  checked={person().present}
                  onChange={(on) => form.setAt(`attendance.${i}.present`, on)}
                />
                <Show when={people().length > 1}>
                  <RemoveButton
                    label={t("cases.record.removeAttendee", { n: i + 1 })}
                    onClick={() =>
                      form.set(
                        "attendance",
                        people().filter((_, j) => j !== i),
                      )
                    }
                  />
                </Show>
              </div>
            </fieldset>
          )}
        </Index>
        <div>
          <Button size="sm" onClick={() => form.set("attendance", [...people(), blank()])}>
            {t("cases.record.addAttendee")}
          </Button>
        </div>
      </div>
      <TextArea label={t("cases.record.notes")} {...form.text("notes")} rows={5} maxLength={10000} />
      <RadioGroup
        legend={t("cases.record.outcome")}
        name="sessionOutcome"
        options={choices(SESSION_OUTCOMES, SESSION_OUTCOME_NAMES)}
        {...form.choice("outcome")}
      />
    </CaseDialogForm>
  );
}

/** The agreement with every item the People's Mediation Law requires. */
export function AgreementForm(props: FormProps) {
  const today = chinaToday();
  const form = createCaseForm(props, {
    schema: schemas.agreementInput,
    initial: {
      signedOn: today,
      facts: "",
      disputedMatters: "",
      terms: "",
      performanceManner: "",
      performancePlace: "",
      performanceDeadline: addDays(today, 30),
      mediatorNames: props.detail.mediatorName ?? "",
    },
    toInput: (d) => ({
      ...d,
      caseId: props.detail.id,
      mediatorNames: d.mediatorNames.split(/[、,，;；\s]+/).filter(Boolean),
    }),
    send: (input) => trpc.cases.recordAgreement.mutate(input),
    done: () => t("cases.agreement.done"),
  });
  return (
    <CaseDialogForm form={form} submitLabel={t("cases.agreement.submit")}>
      <p class="muted small">{t("cases.agreement.intro")}</p>
      <InputField type="date" label={t("cases.agreement.signedOn")} {...form.text("signedOn")} max={today} required />
      <TextArea label={t("cases.agreement.facts")} {...form.text("facts")} required />
      <TextArea label={t("cases.agreement.disputedMatters")} {...form.text("disputedMatters")} rows={2} required />
      <TextArea label={t("cases.agreement.terms")} {...form.text("terms")} rows={4} required />
      <div class="field-row">
        <TextField label={t("cases.agreement.manner")} {...form.text("performanceManner")} required />
        <TextField label={t("cases.agreement.place")} {...form.text("performancePlace")} required />
      </div>
      <div class="field-row">
        <InputField
          type="date"
          label={t("cases.agreement.deadline")}
          {...form.text("performanceDeadline")}
          min={form.draft.signedOn}
          required
        />
        <TextField label={t("cases.agreement.mediators")} {...form.text("mediatorNames")} required />
      </div>
    </CaseDialogForm>
  );
}

/** Tracks whether an agreement was performed. */
export function PerformanceForm(props: FormProps & { agreement: AgreementView }) {
  const form = createCaseForm(props, {
    schema: schemas.performanceInput,
    initial: {
      status: props.agreement.performanceStatus as PerformanceStatus,
      note: props.agreement.performanceNote ?? "",
    },
    toInput: (d) => ({ ...versionOf(props.agreement), status: d.status, note: d.note.trim() || null }),
    send: (input) => trpc.cases.updatePerformance.mutate(input),
    done: () => t("common.saved"),
  });
  return (
    <CaseDialogForm form={form} submitLabel={t("common.save")}>
      <RadioGroup
        legend={t("cases.perf.status")}
        name="performance"
        options={choices(PERFORMANCE_STATUSES, PERFORMANCE_NAMES)}
        {...form.choice("status")}
      />
      <TextArea label={t("cases.perf.note")} {...form.text("note")} rows={2} />
    </CaseDialogForm>
  );
}

/** The id and version of a row, as a version-checked procedure takes them. */
function versionOf(row: { id: string; version: number }) {
  return { id: row.id, version: row.version };
}

/** Applies for judicial confirmation; the court's refusal of excluded matters comes back with its reason. */
export function ConfirmationForm(props: FormProps & { agreements: AgreementView[] }) {
  const form = createCaseForm(props, {
    schema: schemas.confirmationInput,
    initial: {
      agreementId: props.agreements[0]?.id ?? "",
      courtName: "",
      appliedOn: chinaToday(),
      matters: [] as (typeof EXCLUDED_MATTERS)[number][],
    },
    toInput: (d) => ({ ...d, matters: [...d.matters] }),
    send: (input) => trpc.cases.applyForConfirmation.mutate(input),
    done: (r) => t("cases.conf.done", { date: formatDay(r.acceptDue) }),
  });
  return (
    // The court's refusal of an excluded matter is the form's message, not one box's.
    <CaseDialogForm form={form} submitLabel={t("cases.conf.submit")} inline={["courtName", "appliedOn"]}>
      <p class="muted small">{t("cases.conf.intro")}</p>
      <Show when={props.agreements.length > 1}>
        <Select
          label={t("cases.conf.agreement")}
          options={props.agreements.map((a) => ({
            value: a.id,
            label: t("cases.conf.agreementOption", { date: formatDay(a.signedOn) }),
          }))}
          {...form.choice("agreementId")}
        />
      </Show>
      <TextField label={t("cases.conf.court")} {...form.text("courtName")} required />
      <InputField type="date" label={t("cases.conf.appliedOn")} {...form.text("appliedOn")} required />
      <CheckGroup
        legend={t("cases.conf.matters")}
        description={t("cases.conf.mattersHint")}
        options={EXCLUDED_MATTERS.map((m) => ({ value: m, label: t(`cases.conf.${m}`) }))}
        value={form.draft.matters}
        onChange={(m) => form.set("matters", m)}
      />
    </CaseDialogForm>
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
  const form = createCaseForm(props, {
    schema: schemas.confirmationStepInput,
    initial: { on: chinaToday(), note: "" },
    toInput: (d) => ({ ...versionOf(props.confirmation), step: props.step, on: d.on, note: d.note.trim() || null }),
    send: (input) => trpc.cases.recordConfirmationStep.mutate(input),
    done: () => t("cases.step.done", { step: t(`cases.step.${props.step}`) }),
  });
  return (
    <CaseDialogForm form={form} submitLabel={t(`cases.step.${props.step}`)}>
      <p class="muted small">
        {props.confirmation.courtName} · {t("cases.detail.appliedOn")} {formatDay(props.confirmation.appliedOn)}
      </p>
      <InputField
        type="date"
        label={t("cases.step.on")}
        {...form.text("on")}
        min={isoDay(props.confirmation.appliedOn)}
        required
      />
      <TextArea label={t("cases.step.note")} {...form.text("note")} rows={2} />
    </CaseDialogForm>
  );
}

/** A follow-up visit; an unsatisfied party reopens the case unless a leader or admin records why not. */
export function FollowUpForm(props: FormProps & { me: Me }) {
  const supervisor = () => mayOn(props.me, "case.follow_up_override", props.detail.ownerCode);
  const form = createCaseForm(props, {
    schema: schemas.followUpInput,
    initial: {
      method: "phone" as z.input<typeof schemas.followUpInput>["method"],
      satisfaction: null as FollowUpView["satisfaction"] | null,
      notes: "",
      overrideReason: "",
    },
    toInput: (d) => ({
      caseId: props.detail.id,
      method: d.method,
      // Not chosen yet: the schema refuses it, and `extra` says so in the page's words.
      satisfaction: d.satisfaction as FollowUpView["satisfaction"],
      notes: d.notes.trim() || null,
      overrideReason: d.satisfaction === "unsatisfied" && supervisor() ? d.overrideReason.trim() || null : null,
    }),
    extra: (d) => ({ satisfaction: d.satisfaction ? undefined : t("cases.follow.satisfactionRequired") }),
    send: (input) => trpc.cases.recordFollowUp.mutate(input),
    done: (r) => (r.reopened ? t("cases.follow.reopened") : t("cases.follow.done")),
  });
  return (
    <CaseDialogForm form={form} submitLabel={t("common.save")}>
      <RadioGroup
        legend={t("cases.follow.method")}
        name="followMethod"
        options={choices(STAFF_FOLLOW_UP_METHODS, FOLLOW_UP_METHOD_NAMES)}
        {...form.choice("method")}
      />
      <RadioGroup
        legend={t("cases.follow.satisfaction")}
        name="satisfaction"
        options={choices(SATISFACTIONS, SATISFACTION_NAMES)}
        {...form.choice("satisfaction")}
        error={form.error("satisfaction")}
      />
      <TextArea label={t("cases.follow.notes")} {...form.text("notes")} rows={3} />
      <Show when={form.draft.satisfaction === "unsatisfied"}>
        <Show when={supervisor()} fallback={<Alert tone="warning">{t("cases.follow.reopenWarning")}</Alert>}>
          <TextArea
            label={t("cases.follow.override")}
            {...form.text("overrideReason")}
            description={t("cases.follow.overrideHint")}
            rows={2}
          />
          <Show when={!form.draft.overrideReason.trim()}>
            <Alert tone="warning">{t("cases.follow.reopenWarning")}</Alert>
          </Show>
        </Show>
      </Show>
    </CaseDialogForm>
  );
}

/** When a session took place, for headings. */
export function sessionLabel(s: SessionView): string {
  return `${formatDateTime(s.startsAt)} – ${formatDateTime(s.endsAt).split(" ").at(-1) ?? ""}`;
}
