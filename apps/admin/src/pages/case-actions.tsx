import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { transitionDataInput } from "@zongzhi/api/schemas/cases";
import { REFERRAL_KINDS, type ReferralKind } from "@zongzhi/domain/case-records";
import { holdWithinLimit, missingFields } from "@zongzhi/domain/case-rules";
import { type CaseAction, MAX_HOLD_DAYS, ROUTE_KINDS, TRANSITIONS } from "@zongzhi/domain/case-workflow";
import { createSignal, type JSX, Match, Show, Switch } from "solid-js";
import { type CaseDetail, fieldProblem, type Inputs, type MediatorSuggestion, type RouteView, trpc } from "../api.ts";
import { actionName, addDays, chinaToday } from "../components/case-common.tsx";
import { CheckGroup, FieldError, InputField, RadioGroup, TextArea } from "../components/case-fields.tsx";
import { FormFooter, InlineSearch } from "../components/config-page.tsx";
import { MutationError } from "../components/dialog-form.tsx";
import { createSchemaForm } from "../components/schema-form.ts";
import { pick, t } from "../i18n.ts";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

/** Refreshes everything that shows a case after a change. */
export function useCaseRefresh(caseId: () => string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ["cases.get", caseId()] }),
      queryClient.invalidateQueries({ queryKey: ["cases.list"] }),
      queryClient.invalidateQueries({ queryKey: ["cases.liaisonInbox"] }),
    ]);
}

/** The problem the server reported for one field of a mutation, in the current language. */
export function problemOf(error: unknown, ...paths: string[]): string | undefined {
  for (const path of paths) {
    const f = fieldProblem(error, path);
    if (f) return pick(f);
  }
  return undefined;
}

type TransitionData = NonNullable<Inputs["cases"]["transition"]["data"]>;
type RouteKind = RouteView["kind"];

/**
 * The dialog body of one workflow action: it asks for exactly what the transition needs
 * (TRANSITIONS[action].needs), passes the case's version, and reports a CONFLICT with a reload.
 */
export function TransitionForm(props: { detail: CaseDetail; action: CaseAction; onClose: () => void }) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const has = (need: (typeof TRANSITIONS)[CaseAction]["needs"][number]) =>
    TRANSITIONS[props.action].needs.includes(need);
  const today = chinaToday();
  const transition = createMutation(() => ({
    mutationFn: (data: TransitionData) =>
      trpc.cases.transition.mutate({ id: props.detail.id, version: props.detail.version, action: props.action, data }),
    onSuccess: async () => {
      notify(t("cases.done", { what: actionName(props.action) }));
      await refresh();
      props.onClose();
    },
  }));
  // Only what the action needs is sent (and checked): the rest of the draft stays behind.
  const dataOf = (d: TransitionDraft): TransitionData => ({
    reason: has("reason") ? d.reason : undefined,
    outcome: has("outcome") ? d.outcome : undefined,
    referral: has("referral") ? { kind: d.referralKind, receivingBody: d.receivingBody } : undefined,
    holdUntil: has("hold_until") ? d.holdUntil || undefined : undefined,
    duplicateOf: has("duplicate_of") ? (d.duplicateOf ?? undefined) : undefined,
    route: has("route") ? routeInput(d.route) : undefined,
  });
  const form = createSchemaForm({
    schema: transitionDataInput,
    initial: {
      reason: "",
      outcome: "",
      referralKind: "litigation",
      receivingBody: "",
      holdUntil: addDays(today, 14),
      duplicateOf: null,
      route: {
        kind: "room",
        windowId: null,
        roomId: null,
        committeeId: null,
        mediatorId: null,
        stationingIds: [],
        note: "",
      },
    } as TransitionDraft,
    toInput: dataOf,
    // What the action needs is the domain's rule (the service asks the same `missingFields`);
    // the hold limit counts from today, the route's place from the kind chosen.
    extra: (d) => ({
      ...Object.fromEntries(missingFields(props.action, dataOf(d)).map((m) => [m.path, pick(m)])),
      holdUntil:
        has("hold_until") && d.holdUntil && !holdWithinLimit(d.holdUntil, today)
          ? t("cases.act.holdTooLong")
          : undefined,
      route: has("route") ? routeError(d.route) : undefined,
    }),
    serverError: () => transition.error,
  });
  return (
    <form class="form" onSubmit={form.onSubmit((data) => transition.mutate(data))} noValidate>
      <Show when={TRANSITIONS[props.action].needs.every((n) => n === "follow_up")}>
        <p>{t("cases.act.confirm", { code: props.detail.code, action: actionName(props.action) })}</p>
      </Show>
      <Show when={has("follow_up")}>
        <p class="muted small">{t("cases.act.closeNote")}</p>
      </Show>
      <Show when={has("route")}>
        <RouteFields
          caseId={props.detail.id}
          value={form.draft.route}
          onChange={(r) => form.set("route", r)}
          error={form.error("route")}
        />
      </Show>
      <Show when={has("referral")}>
        <RadioGroup
          legend={t("cases.act.referralKind")}
          name="referralKind"
          options={REFERRAL_KINDS.map((k) => ({ value: k, label: t(`cases.referral.${k}`) }))}
          value={form.draft.referralKind}
          onChange={(k) => form.set("referralKind", k)}
        />
        <TextField
          label={t("cases.act.receivingBody")}
          {...form.text("receivingBody")}
          error={form.error("referral.receivingBody") ?? form.error("referral")}
          required
        />
      </Show>
      <Show when={has("duplicate_of")}>
        <DuplicatePicker
          self={props.detail.id}
          value={form.draft.duplicateOf}
          onChange={(id) => form.set("duplicateOf", id)}
          error={form.error("duplicateOf")}
        />
      </Show>
      <Show when={has("reason")}>
        <TextArea label={t("cases.act.reason")} {...form.text("reason")} required />
      </Show>
      <Show when={has("hold_until")}>
        <InputField
          type="date"
          label={t("cases.act.holdUntil")}
          {...form.text("holdUntil")}
          min={today}
          max={addDays(today, MAX_HOLD_DAYS)}
          description={t("cases.act.holdHint")}
          required
        />
      </Show>
      <Show when={has("outcome")}>
        <TextArea label={t("cases.act.outcome")} {...form.text("outcome")} required />
      </Show>
      <MutationError
        error={transition.error}
        fields={["reason", "outcome", "holdUntil", "duplicateOf", "referral", "referral.receivingBody", "route"]}
        // Closed once the case is read again, so that a reopened dialog sends the new version.
        onReload={() => void refresh().then(props.onClose)}
      />
      <FormFooter onCancel={props.onClose} pending={transition.isPending} submitLabel={actionName(props.action)} />
    </form>
  );
}

/** The action dialog's fields as typed. */
interface TransitionDraft {
  reason: string;
  outcome: string;
  referralKind: ReferralKind;
  receivingBody: string;
  holdUntil: string;
  duplicateOf: string | null;
  route: RouteDraft;
}

/** Where triage is sending the case, as the form holds it. */
interface RouteDraft {
  kind: RouteKind;
  windowId: string | null;
  roomId: string | null;
  committeeId: string | null;
  mediatorId: string | null;
  stationingIds: string[];
  note: string;
}

function routeError(r: RouteDraft): string | undefined {
  if (r.kind === "window" && !r.windowId) return t("cases.route.pickRequired");
  if (r.kind === "room" && !r.roomId) return t("cases.route.pickRequired");
  if (r.kind === "committee" && !r.committeeId) return t("cases.route.pickRequired");
  if (r.kind === "mediator" && !r.mediatorId) return t("cases.route.pickRequired");
  if (r.kind === "joint_consultation" && r.stationingIds.length === 0) return t("cases.route.departmentsRequired");
  return undefined;
}

function routeInput(r: RouteDraft): NonNullable<TransitionData["route"]> {
  return {
    kind: r.kind,
    windowId: r.kind === "window" ? r.windowId : null,
    roomId: r.kind === "room" || r.kind === "litigation_docking" ? r.roomId : null,
    committeeId: r.kind === "committee" ? r.committeeId : null,
    mediatorId: r.mediatorId,
    stationingIds: r.kind === "joint_consultation" ? r.stationingIds : undefined,
    note: r.note.trim() || null,
  };
}

/** Triage (分诊): the kind of route, the place it names, and a mediator from the ranked suggestions. */
function RouteFields(props: {
  caseId: string;
  value: RouteDraft;
  onChange: (r: RouteDraft) => void;
  error?: string | undefined;
}) {
  const set = (patch: Partial<RouteDraft>) => props.onChange({ ...props.value, ...patch });
  const kind = () => props.value.kind;
  const rooms = createQuery(() => ({
    queryKey: ["centre.rooms", "own"],
    queryFn: () => trpc.centre.rooms.query({}),
    enabled: kind() === "room" || kind() === "litigation_docking",
  }));
  const windows = createQuery(() => ({
    queryKey: ["centre.windows", "own"],
    queryFn: () => trpc.centre.windows.query({}),
    enabled: kind() === "window",
  }));
  const committees = createQuery(() => ({
    queryKey: ["centre.committees", "own"],
    queryFn: () => trpc.centre.committees.query({}),
    enabled: kind() === "committee",
  }));
  const stationings = createQuery(() => ({
    queryKey: ["centre.stationings", "own"],
    queryFn: () => trpc.centre.stationings.query({}),
    enabled: kind() === "joint_consultation",
  }));
  const suggestions = createQuery(() => ({
    queryKey: ["cases.suggestMediators", props.caseId],
    queryFn: () => trpc.cases.suggestMediators.query({ caseId: props.caseId }),
  }));
  const placeholder = t("cases.route.pickPlaceholder");
  return (
    <>
      <RadioGroup
        legend={t("cases.route.legend")}
        name="routeKind"
        options={ROUTE_KINDS.map((k) => ({ value: k, label: t(`cases.route.${k}`) }))}
        value={kind()}
        onChange={(k) => set({ kind: k })}
      />
      <Switch>
        <Match when={kind() === "room" || kind() === "litigation_docking"}>
          <Select
            label={t("cases.route.roomPick")}
            placeholder={placeholder}
            // Disabled until loaded: an empty list would not open.
            disabled={rooms.data === undefined}
            options={(rooms.data ?? []).filter((r) => r.active).map((r) => ({ value: r.id, label: r.name }))}
            value={props.value.roomId}
            onChange={(v) => set({ roomId: v })}
          />
        </Match>
        <Match when={kind() === "window"}>
          <Select
            label={t("cases.route.windowPick")}
            placeholder={placeholder}
            // Disabled until loaded: an empty list would not open.
            disabled={windows.data === undefined}
            options={(windows.data ?? [])
              .filter((w) => w.active)
              .map((w) => ({ value: w.id, label: `${w.number}号 ${w.name}` }))}
            value={props.value.windowId}
            onChange={(v) => set({ windowId: v })}
          />
        </Match>
        <Match when={kind() === "committee"}>
          <Select
            label={t("cases.route.committeePick")}
            placeholder={placeholder}
            // Disabled until loaded: an empty list would not open.
            disabled={committees.data === undefined}
            options={(committees.data ?? []).filter((c) => c.active).map((c) => ({ value: c.id, label: c.name }))}
            value={props.value.committeeId}
            onChange={(v) => set({ committeeId: v })}
          />
        </Match>
        <Match when={kind() === "joint_consultation"}>
          <CheckGroup
            legend={t("cases.route.departments")}
            options={(stationings.data ?? [])
              .filter((s) => s.active)
              .map((s) => ({ value: s.id, label: s.name, description: t(`cases.residency.${s.residency}`) }))}
            value={props.value.stationingIds}
            onChange={(ids) => set({ stationingIds: ids })}
          />
        </Match>
      </Switch>
      <FieldError error={props.error} />
      <MediatorChoice
        suggestions={suggestions.data ?? []}
        value={props.value.mediatorId}
        onChange={(id) => set({ mediatorId: id })}
        allowNone={kind() !== "mediator"}
      />
      <TextArea label={t("cases.route.note")} value={props.value.note} onChange={(v) => set({ note: v })} rows={2} />
    </>
  );
}

/**
 * The pool a mediator belongs to. A unit cannot read its parents' tenant rows, so the API
 * names an ancestor's pool by its division code: shown as the higher-level pool.
 */
export function poolName(name: string): string {
  return /^\d+$/.test(name) ? t("cases.route.parentPool") : name;
}

/** One radio per suggested mediator, best first, with the reasons of the rank. */
function MediatorChoice(props: {
  suggestions: MediatorSuggestion[];
  value: string | null;
  onChange: (id: string | null) => void;
  allowNone: boolean;
}) {
  const NONE = "";
  const best = () => props.suggestions.find((s) => !s.conflict)?.id;
  const hint = (s: MediatorSuggestion): string => {
    const parts: string[] = [];
    if (s.id === best()) parts.push(t("cases.route.suggested"));
    for (const r of s.reasons) {
      if (r === "load") parts.push(t("cases.route.openCases", { n: s.openCases }));
      else if (r === "specialty" || r === "own_pool" || r === "conflict_of_interest") {
        parts.push(t(`cases.route.reason.${r}`));
      }
    }
    return parts.join(" · ");
  };
  const gradeName = (g: string) => (g === "chief" || g === "senior" || g === "standard" ? t(`cases.grade.${g}`) : g);
  const options = (): { value: string; label: string; hint?: string }[] => [
    ...(props.allowNone ? [{ value: NONE, label: t("cases.route.noMediator") }] : []),
    ...props.suggestions.map((s) => ({
      value: s.id,
      label: `${s.name}（${gradeName(s.grade)}，${poolName(s.poolName)}）`,
      hint: hint(s),
    })),
  ];
  return (
    <RadioGroup
      legend={t("cases.route.mediatorLegend")}
      name="mediator"
      options={options()}
      value={props.value ?? NONE}
      onChange={(v) => props.onChange(v === NONE ? null : v)}
      class="mediator-choice"
    />
  );
}

/** Finds the case this one duplicates (the inbox's search, this case left out). */
function DuplicatePicker(props: {
  self: string;
  value: string | null;
  onChange: (id: string | null) => void;
  error?: string | undefined;
}): JSX.Element {
  const [q, setQ] = createSignal("");
  const found = createQuery(() => ({
    queryKey: ["cases.list", { duplicateSearch: q() }],
    queryFn: () => trpc.cases.list.query({ q: q() || undefined, limit: 10 }),
  }));
  const options = () =>
    (found.data?.items ?? [])
      .filter((c) => c.id !== props.self)
      .map((c) => ({ value: c.id, label: `${c.code} ${c.title}` }));
  return (
    <div class="form">
      <InlineSearch label={t("cases.act.duplicateSearch")} onSearch={setQ} />
      <Show when={options().length > 0} fallback={<p class="muted small">{t("cases.act.duplicateNone")}</p>}>
        <RadioGroup
          legend={t("cases.act.duplicatePick")}
          name="duplicateOf"
          options={options()}
          value={props.value}
          onChange={props.onChange}
          error={props.error}
        />
      </Show>
    </div>
  );
}
