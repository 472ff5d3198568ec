import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { KIND_CODE_INPUT } from "@zongzhi/domain/centre";
import { isIsoDate } from "@zongzhi/domain/dates";
import type { Residency } from "@zongzhi/domain/roster";
import { createSignal, For, Index, Match, Show, Switch } from "solid-js";
import { createStore } from "solid-js/store";
import { type Inputs, trpc } from "../api.ts";
import {
  CentreHeader,
  CentreSection,
  categoryName,
  centrePage,
  createFieldErrors,
  durationText,
  FormError,
  joinList,
  KIND_CATEGORIES,
  type KindCategory,
  phoneValid,
  RESIDENCIES,
  ResidencyBadge,
  residencyName,
  type Stationing,
  useCentre,
  weekdayName,
  wholeNumber,
} from "../components/centre.tsx";
import { FormDialog, FormFooter, RowAction } from "../components/config-page.tsx";
import { errorText } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { InputField } from "../ui/input-field.tsx";
import { RadioGroup } from "../ui/radio-group.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type Slot = Stationing["slots"][number];
type StationInput = Inputs["centre"]["station"];

/** Stationed departments grouped by residency (常驻 / 轮驻 / 随叫随驻), with their schedules and liaisons. */
export const CentreDepartmentsPage = centrePage("centre.read", DepartmentsView);

function DepartmentsView() {
  const me = useMe();
  const centre = useCentre(me);
  const queryClient = useQueryClient();
  const [editing, setEditing] = createSignal<Stationing | "new" | null>(null);
  const [removing, setRemoving] = createSignal<Stationing | null>(null);
  const list = createQuery(() => ({
    queryKey: ["centre.stationings", centre.current()?.id],
    queryFn: () => trpc.centre.stationings.query({ tenantId: centre.tenantId() }),
  }));
  const remove = createMutation(() => ({
    mutationFn: (s: Stationing) => trpc.centre.removeStationing.mutate({ id: s.id }),
    onSettled: () => invalidateStationings(queryClient),
  }));
  const of = (residency: Residency) => (list.data ?? []).filter((s) => s.residency === residency);

  return (
    <>
      <CentreHeader
        centre={centre}
        me={me()}
        title={t("centre.dept.title")}
        intro={t("centre.dept.intro")}
        addLabel={t("centre.dept.add")}
        onAdd={() => setEditing("new")}
      />
      <QueryState query={list}>
        <p class="centre-summary">
          {t("centre.dept.summary", {
            permanent: of("permanent").length,
            rotating: of("rotating").length,
            onCall: of("on_call").length,
          })}
        </p>
        <For each={RESIDENCIES}>
          {(residency) => (
            <CentreSection
              id={`dept-${residency}`}
              title={t("centre.dept.group", { name: residencyName(residency), n: of(residency).length })}
            >
              <Show
                when={of(residency).length > 0}
                fallback={<p class="muted">{t("centre.dept.empty", { name: residencyName(residency) })}</p>}
              >
                <table class="table centre-table">
                  <caption class="sr-only">{t("centre.dept.groupCaption", { name: residencyName(residency) })}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t("centre.dept.colName")}</th>
                      <th scope="col">{t("centre.dept.colResidency")}</th>
                      <th scope="col">{t("centre.dept.colContact")}</th>
                      <th scope="col">{t("centre.dept.colSchedule")}</th>
                      <th scope="col">{t("centre.dept.colLiaisons")}</th>
                      <Show when={centre.canConfigure()}>
                        <th scope="col" class="col-actions">
                          {t("common.actions")}
                        </th>
                      </Show>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={of(residency)}>
                      {(s) => (
                        <tr>
                          <td>
                            <div class="cell-title">{s.name}</div>
                            <div class="muted small">{s.kindName}</div>
                          </td>
                          <td>
                            <div class="badge-row">
                              <ResidencyBadge residency={s.residency} />
                              <Show when={!s.active}>
                                <Badge tone="danger">{t("centre.inactive")}</Badge>
                              </Show>
                            </div>
                          </td>
                          <td>
                            <div>{s.contactName ?? ""}</div>
                            <div class="mono small">{s.contactPhone ?? ""}</div>
                          </td>
                          <td>
                            <Presence stationing={s} />
                          </td>
                          <td>{joinList(s.liaisons.map((l) => l.displayName))}</td>
                          <Show when={centre.canConfigure()}>
                            <td class="col-actions">
                              <div class="row-actions">
                                <RowAction
                                  label={t("centre.edit")}
                                  ariaLabel={t("centre.editLabel", { name: s.name })}
                                  onClick={() => setEditing(s)}
                                />
                                <RowAction
                                  label={t("centre.dept.remove")}
                                  ariaLabel={t("centre.dept.removeLabel", { name: s.name })}
                                  onClick={() => setRemoving(s)}
                                  danger
                                />
                              </div>
                            </td>
                          </Show>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>
            </CentreSection>
          )}
        </For>
      </QueryState>

      <FormDialog
        target={editing()}
        onClose={() => setEditing(null)}
        title={(target) => (target === "new" ? t("centre.dept.addTitle") : t("centre.dept.editTitle"))}
        size="lg"
      >
        {(target) => (
          <StationingForm stationing={target === "new" ? undefined : target} onClose={() => setEditing(null)} />
        )}
      </FormDialog>
      <ConfirmDialog
        open={removing() !== null}
        onOpenChange={(open) => !open && setRemoving(null)}
        title={t("centre.dept.removeTitle")}
        message={t("centre.dept.removeConfirm", { name: removing()?.name ?? "" })}
        confirmLabel={t("centre.dept.remove")}
        danger
        onConfirm={async () => {
          const target = removing();
          if (!target) return;
          await remove.mutateAsync(target);
          notify(t("centre.dept.removed", { name: target.name }));
        }}
        errorText={errorText}
      />
    </>
  );
}

function invalidateStationings(queryClient: ReturnType<typeof useQueryClient>) {
  void queryClient.invalidateQueries({ queryKey: ["centre.stationings"] });
  void queryClient.invalidateQueries({ queryKey: ["centre.roster"] });
  void queryClient.invalidateQueries({ queryKey: ["centre.windows"] });
}

/** When a department is at the centre: every working day, its rotation schedules, or its response time. */
function Presence(props: { stationing: Stationing }) {
  return (
    <Switch>
      <Match when={props.stationing.residency === "permanent"}>{t("centre.dept.everyWorkday")}</Match>
      <Match when={props.stationing.residency === "on_call"}>
        {props.stationing.responseMinutes
          ? t("centre.dept.responseWithin", { time: durationText(props.stationing.responseMinutes) })
          : ""}
      </Match>
      <Match when={props.stationing.residency === "rotating"}>
        <ul class="plain-list">
          <For each={props.stationing.slots}>
            {(slot) => (
              <li>
                {scheduleText(slot)} · {t("centre.schedule.staff", { name: slot.staffName })}
                <Show when={slot.staffPhone}>
                  {" "}
                  <span class="mono small">{slot.staffPhone}</span>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Match>
    </Switch>
  );
}

/** A rotation slot in words ("每周三", "每 2 周的周一、周四（自 … 所在周起）", "… 至 … 的工作日"). */
function scheduleText(slot: Slot): string {
  if (!slot.weekdays) {
    return t("centre.schedule.range", { from: slot.validFrom ?? "", to: slot.validTo ?? "" });
  }
  const days = joinList(slot.weekdays.map(weekdayName));
  const pattern =
    slot.everyWeeks > 1 && slot.anchorDate
      ? t("centre.schedule.everyNWeeks", { n: slot.everyWeeks, days, anchor: slot.anchorDate })
      : t("centre.schedule.weekly", { days });
  if (slot.validFrom && slot.validTo) {
    return pattern + t("centre.schedule.validity", { from: slot.validFrom, to: slot.validTo });
  }
  if (slot.validFrom) return pattern + t("centre.schedule.from", { from: slot.validFrom });
  if (slot.validTo) return pattern + t("centre.schedule.to", { to: slot.validTo });
  return pattern;
}

/** A rotation slot as the form edits it (text fields as typed). */
interface SlotDraft {
  mode: "weekly" | "range";
  weekdays: number[];
  everyWeeks: string;
  anchorDate: string;
  validFrom: string;
  validTo: string;
  staffName: string;
  staffPhone: string;
}

interface Draft {
  kindCode: string | null;
  name: string;
  residency: Residency;
  contactName: string;
  contactPhone: string;
  responseMinutes: string;
  notes: string;
  slots: SlotDraft[];
  liaisonUserIds: string[];
  active: boolean;
}

const emptySlot = (): SlotDraft => ({
  mode: "weekly",
  weekdays: [],
  everyWeeks: "1",
  anchorDate: "",
  validFrom: "",
  validTo: "",
  staffName: "",
  staffPhone: "",
});

function draftOf(s: Stationing | undefined): Draft {
  if (!s) {
    return {
      kindCode: null,
      name: "",
      residency: "permanent",
      contactName: "",
      contactPhone: "",
      responseMinutes: "",
      notes: "",
      slots: [emptySlot()],
      liaisonUserIds: [],
      active: true,
    };
  }
  return {
    kindCode: s.kindCode,
    name: s.name,
    residency: s.residency,
    contactName: s.contactName ?? "",
    contactPhone: s.contactPhone ?? "",
    responseMinutes: s.responseMinutes ? String(s.responseMinutes) : "",
    notes: s.notes ?? "",
    slots:
      s.slots.length > 0
        ? s.slots.map((slot) => ({
            mode: slot.weekdays ? "weekly" : "range",
            weekdays: slot.weekdays ?? [],
            everyWeeks: String(slot.everyWeeks),
            anchorDate: slot.anchorDate ?? "",
            validFrom: slot.validFrom ?? "",
            validTo: slot.validTo ?? "",
            staffName: slot.staffName,
            staffPhone: slot.staffPhone ?? "",
          }))
        : [emptySlot()],
    liaisonUserIds: s.liaisons.map((l) => l.userId),
    active: s.active,
  };
}

/** The client's checks, keyed by the same paths as the server's field errors. */
function checkDraft(d: Draft): Record<string, string | undefined> {
  const e: Record<string, string | undefined> = {};
  const name = d.name.trim();
  if (!name) e.name = t("centre.required");
  else if (name.length > 60) e.name = t("centre.tooLong", { n: 60 });
  if (!d.kindCode) e.kindCode = t("centre.dept.kindRequired");
  if (d.contactName.trim().length > 30) e.contactName = t("centre.tooLong", { n: 30 });
  const phone = d.contactPhone.trim();
  if (phone && !phoneValid(phone)) e.contactPhone = t("centre.phoneInvalid");
  if (d.notes.length > 500) e.notes = t("centre.tooLong", { n: 500 });
  if (d.residency === "on_call") {
    if (!phone) e.contactPhone = t("centre.dept.phoneRequired");
    const minutes = wholeNumber(d.responseMinutes);
    if (d.responseMinutes.trim() === "") e.responseMinutes = t("centre.dept.responseRequired");
    else if (minutes === null || minutes < 5 || minutes > 10080) e.responseMinutes = t("centre.dept.responseRange");
  }
  if (d.residency === "rotating") {
    if (d.slots.length === 0) e.slots = t("centre.dept.slotsRequired");
    d.slots.forEach((s, i) => {
      const p = `slots.${i}.`;
      for (const field of ["anchorDate", "validFrom", "validTo"] as const) {
        if (s[field] && !isIsoDate(s[field])) e[p + field] = t("centre.dateInvalid");
      }
      if (s.mode === "weekly") {
        if (s.weekdays.length === 0) e[`${p}weekdays`] = t("centre.dept.weekdaysRequired");
        const every = wholeNumber(s.everyWeeks);
        if (every === null || every < 1 || every > 8) e[`${p}everyWeeks`] = t("centre.dept.everyWeeksRange");
        else if (every > 1 && !s.anchorDate) e[`${p}anchorDate`] = t("centre.dept.anchorRequired");
      } else {
        if (!s.validFrom) e[`${p}validFrom`] = t("centre.required");
        if (!s.validTo) e[`${p}validTo`] = t("centre.required");
      }
      if (s.validFrom && s.validTo && s.validTo < s.validFrom) e[`${p}validTo`] = t("centre.dept.rangeOrder");
      const staff = s.staffName.trim();
      if (!staff) e[`${p}staffName`] = t("centre.dept.staffRequired");
      else if (staff.length > 30) e[`${p}staffName`] = t("centre.tooLong", { n: 30 });
      if (s.staffPhone.trim() && !phoneValid(s.staffPhone)) e[`${p}staffPhone`] = t("centre.phoneInvalid");
    });
  }
  return e;
}

function inputOf(d: Draft): StationInput {
  const orNull = (v: string) => (v.trim() === "" ? null : v.trim());
  return {
    kindCode: d.kindCode ?? "",
    name: d.name.trim(),
    residency: d.residency,
    contactName: orNull(d.contactName),
    contactPhone: orNull(d.contactPhone),
    responseMinutes: d.residency === "on_call" ? wholeNumber(d.responseMinutes) : null,
    notes: orNull(d.notes),
    slots:
      d.residency === "rotating"
        ? d.slots.map((s) => {
            const weekly = s.mode === "weekly";
            const every = weekly ? (wholeNumber(s.everyWeeks) ?? 1) : 1;
            return {
              weekdays: weekly ? [...s.weekdays].sort((a, b) => a - b) : null,
              everyWeeks: every,
              anchorDate: weekly && s.anchorDate ? s.anchorDate : null,
              validFrom: orNull(s.validFrom),
              validTo: orNull(s.validTo),
              staffName: s.staffName.trim(),
              staffPhone: orNull(s.staffPhone),
            };
          })
        : [],
    liaisonUserIds: d.liaisonUserIds,
  };
}

function StationingForm(props: { stationing: Stationing | undefined; onClose: () => void }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const [draft, setDraft] = createStore<Draft>(draftOf(props.stationing));
  const [addingKind, setAddingKind] = createSignal(false);
  const kinds = createQuery(() => ({
    queryKey: ["centre.departmentKinds"],
    queryFn: () => trpc.centre.departmentKinds.query(),
  }));
  const users = createQuery(() => ({
    queryKey: ["users.list", me().tenant?.id, ""],
    queryFn: () => trpc.users.list.query({ tenantId: me().tenant?.id, limit: 200 }),
    enabled: can(me(), "user.read"),
  }));
  const liaisonChoices = () => {
    const found = (users.data?.items ?? [])
      .filter((u) => u.roles.includes("department_liaison"))
      .map((u) => ({ userId: u.id, name: u.displayName, username: u.username }));
    const linked = (props.stationing?.liaisons ?? [])
      .filter((l) => !found.some((f) => f.userId === l.userId))
      .map((l) => ({ userId: l.userId, name: l.displayName, username: l.username }));
    return [...found, ...linked];
  };

  const save = createMutation(() => ({
    mutationFn: (input: StationInput) => {
      const s = props.stationing;
      return s
        ? trpc.centre.editStationing.mutate({ ...input, id: s.id, version: s.version, active: draft.active })
        : trpc.centre.station.mutate(input);
    },
    onSuccess: (saved) => {
      invalidateStationings(queryClient);
      notify(props.stationing ? t("centre.saved", { name: saved.name }) : t("centre.created", { name: saved.name }));
      props.onClose();
    },
  }));
  const fields = createFieldErrors({ check: () => checkDraft(draft), serverError: () => save.error });
  const known = (path: string) =>
    ["name", "kindCode", "residency", "contactName", "contactPhone", "responseMinutes", "notes", "slots"].includes(
      path,
    ) || /^slots\.\d+\.(weekdays|everyWeeks|anchorDate|validFrom|validTo|staffName|staffPhone)$/.test(path);

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft(key, value);
    fields.touch(key);
  };
  const setSlot = <K extends keyof SlotDraft>(i: number, key: K, value: SlotDraft[K]) => {
    setDraft("slots", i, key, value);
    fields.touch(`slots.${i}.${key}`);
  };

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (!fields.submit()) return;
    save.mutate(inputOf(draft));
  };

  // Kinds by category (party and government, judicial, public security …), then by name.
  const categoryIndex = (c: string) => KIND_CATEGORIES.indexOf(c as KindCategory);
  const kindOptions = () =>
    [...(kinds.data ?? [])]
      .sort((a, b) => categoryIndex(a.category) - categoryIndex(b.category) || a.name.localeCompare(b.name, "zh-CN"))
      .map((k) => ({ value: k.code, label: k.name }));

  return (
    <form class="form" onSubmit={submit} noValidate>
      <div class="field-row">
        <TextField
          label={t("centre.dept.name")}
          value={draft.name}
          onChange={(v) => set("name", v)}
          description={t("centre.dept.nameHint")}
          error={fields.error("name")}
          required
        />
        <div class="field kind-field">
          <Select
            label={t("centre.dept.kind")}
            placeholder={t("centre.dept.kindPlaceholder")}
            options={kindOptions()}
            value={draft.kindCode}
            onChange={(v) => v && set("kindCode", v)}
          />
          <Show when={fields.error("kindCode")}>
            <p class="field-error">{fields.error("kindCode")}</p>
          </Show>
          <Show when={can(me(), "centre.configure")}>
            <Button
              size="sm"
              variant="link"
              class="kind-add-toggle"
              aria-expanded={addingKind()}
              onClick={() => setAddingKind(!addingKind())}
            >
              {t("centre.dept.addKind")}
            </Button>
          </Show>
        </div>
      </div>
      <Show when={addingKind()}>
        <NewKindForm
          onAdded={(code) => {
            set("kindCode", code);
            setAddingKind(false);
          }}
        />
      </Show>
      <RadioGroup
        label={t("centre.dept.residency")}
        options={RESIDENCIES.map((r) => ({ value: r, label: residencyName(r) }))}
        value={draft.residency}
        onChange={(v) => set("residency", v as Residency)}
      />
      <div class="field-row">
        <TextField
          label={t("centre.dept.contactName")}
          value={draft.contactName}
          onChange={(v) => set("contactName", v)}
          error={fields.error("contactName")}
        />
        <InputField
          type="tel"
          label={t("centre.dept.contactPhone")}
          value={draft.contactPhone}
          onChange={(v) => set("contactPhone", v)}
          error={fields.error("contactPhone")}
          required={draft.residency === "on_call"}
        />
      </div>
      <Show when={draft.residency === "on_call"}>
        <InputField
          type="number"
          class="narrow-field"
          label={t("centre.dept.responseMinutes")}
          value={draft.responseMinutes}
          onChange={(v) => set("responseMinutes", v)}
          min={5}
          max={10080}
          step={5}
          description={
            wholeNumber(draft.responseMinutes)
              ? `${t("centre.dept.responseHint")}；${t("centre.dept.responseIs", {
                  text: durationText(wholeNumber(draft.responseMinutes) ?? 0),
                })}`
              : t("centre.dept.responseHint")
          }
          error={fields.error("responseMinutes")}
          required
        />
      </Show>
      <Show when={draft.residency === "rotating"}>
        <fieldset class="fieldset" aria-invalid={fields.error("slots") ? true : undefined}>
          <legend>{t("centre.dept.slots")}</legend>
          <p class="field-hint">{t("centre.dept.slotsHint")}</p>
          <Index each={draft.slots}>
            {(slot, i) => (
              <SlotEditor
                index={i}
                slot={slot()}
                set={(key, value) => setSlot(i, key, value)}
                error={(key) => fields.error(`slots.${i}.${key}`)}
                canRemove={draft.slots.length > 1}
                onRemove={() => {
                  setDraft(
                    "slots",
                    draft.slots.filter((_, j) => j !== i),
                  );
                  fields.touch("slots");
                }}
              />
            )}
          </Index>
          <Show when={fields.error("slots")}>
            <p class="field-error">{fields.error("slots")}</p>
          </Show>
          <div>
            <Button size="sm" onClick={() => setDraft("slots", [...draft.slots, emptySlot()])}>
              {t("centre.dept.addSlot")}
            </Button>
          </div>
        </fieldset>
      </Show>
      <Show when={can(me(), "user.read")}>
        <fieldset class="fieldset">
          <legend>{t("centre.dept.liaisons")}</legend>
          <Show
            when={liaisonChoices().length > 0}
            fallback={<p class="muted small">{users.data ? t("centre.dept.noLiaisons") : t("app.loading")}</p>}
          >
            <p class="field-hint">{t("centre.dept.liaisonsHint")}</p>
            <div class="check-grid">
              <For each={liaisonChoices()}>
                {(choice) => (
                  <Checkbox
                    label={choice.name}
                    description={<span class="mono">{choice.username}</span>}
                    checked={draft.liaisonUserIds.includes(choice.userId)}
                    onChange={(on) =>
                      set(
                        "liaisonUserIds",
                        on
                          ? [...draft.liaisonUserIds.filter((id) => id !== choice.userId), choice.userId]
                          : draft.liaisonUserIds.filter((id) => id !== choice.userId),
                      )
                    }
                  />
                )}
              </For>
            </div>
          </Show>
        </fieldset>
      </Show>
      <TextField
        label={t("centre.dept.notes") + t("common.optional")}
        value={draft.notes}
        onChange={(v) => set("notes", v)}
        error={fields.error("notes")}
      />
      <Show when={props.stationing}>
        <Checkbox label={t("centre.dept.active")} checked={draft.active} onChange={(on) => set("active", on)} />
      </Show>
      <FormError error={save.error} known={known} text={errorText} />
      <FormFooter onCancel={props.onClose} pending={save.isPending} />
    </form>
  );
}

/** One rotation schedule: weekdays every N weeks, or an explicit date range; the staff on duty. */
function SlotEditor(props: {
  index: number;
  slot: SlotDraft;
  set: <K extends keyof SlotDraft>(key: K, value: SlotDraft[K]) => void;
  error: (key: keyof SlotDraft) => string | undefined;
  canRemove: boolean;
  onRemove: () => void;
}) {
  const n = () => props.index + 1;
  const weekly = () => props.slot.mode === "weekly";
  return (
    <fieldset class="fieldset slot-editor">
      <legend>{t("centre.dept.slot", { n: n() })}</legend>
      <div class="slot-head">
        <RadioGroup
          label={t("centre.dept.slotMode")}
          options={[
            { value: "weekly", label: t("centre.dept.slotWeekly") },
            { value: "range", label: t("centre.dept.slotRange") },
          ]}
          value={props.slot.mode}
          onChange={(v) => props.set("mode", v as SlotDraft["mode"])}
        />
        <Show when={props.canRemove}>
          <Button
            size="sm"
            variant="ghost"
            class="btn-danger-text"
            aria-label={t("centre.dept.removeSlot", { n: n() })}
            onClick={() => props.onRemove()}
          >
            ×
          </Button>
        </Show>
      </div>
      <Show when={weekly()}>
        <fieldset class="fieldset weekday-set" aria-invalid={props.error("weekdays") ? true : undefined}>
          <legend>{t("centre.dept.weekdays")}</legend>
          <div class="weekday-row">
            <For each={[1, 2, 3, 4, 5, 6, 7]}>
              {(day) => (
                <Checkbox
                  label={weekdayName(day)}
                  checked={props.slot.weekdays.includes(day)}
                  onChange={(on) =>
                    props.set(
                      "weekdays",
                      on
                        ? [...props.slot.weekdays.filter((d) => d !== day), day]
                        : props.slot.weekdays.filter((d) => d !== day),
                    )
                  }
                />
              )}
            </For>
          </div>
          <Show when={props.error("weekdays")}>
            <p class="field-error">{props.error("weekdays")}</p>
          </Show>
        </fieldset>
        <div class="field-row">
          <InputField
            type="number"
            label={t("centre.dept.everyWeeks")}
            value={props.slot.everyWeeks}
            onChange={(v) => props.set("everyWeeks", v)}
            min={1}
            max={8}
            description={t("centre.dept.everyWeeksHint")}
            error={props.error("everyWeeks")}
          />
          <InputField
            type="date"
            label={t("centre.dept.anchorDate")}
            value={props.slot.anchorDate}
            onChange={(v) => props.set("anchorDate", v)}
            description={t("centre.dept.anchorHint")}
            error={props.error("anchorDate")}
            required={(wholeNumber(props.slot.everyWeeks) ?? 1) > 1}
          />
        </div>
      </Show>
      <div class="field-row">
        <InputField
          type="date"
          label={weekly() ? t("centre.dept.validFrom") : t("centre.dept.rangeFrom")}
          value={props.slot.validFrom}
          onChange={(v) => props.set("validFrom", v)}
          error={props.error("validFrom")}
          required={!weekly()}
        />
        <InputField
          type="date"
          label={weekly() ? t("centre.dept.validTo") : t("centre.dept.rangeTo")}
          value={props.slot.validTo}
          onChange={(v) => props.set("validTo", v)}
          error={props.error("validTo")}
          required={!weekly()}
        />
      </div>
      <div class="field-row">
        <TextField
          label={t("centre.dept.staffName")}
          value={props.slot.staffName}
          onChange={(v) => props.set("staffName", v)}
          error={props.error("staffName")}
          required
        />
        <InputField
          type="tel"
          label={t("centre.dept.staffPhone") + t("common.optional")}
          value={props.slot.staffPhone}
          onChange={(v) => props.set("staffPhone", v)}
          error={props.error("staffPhone")}
        />
      </div>
    </fieldset>
  );
}

/** Adds a department kind to the catalogue of the caller's subtree and picks it. */
function NewKindForm(props: { onAdded: (code: string) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = createSignal("");
  const [code, setCode] = createSignal("");
  const [category, setCategory] = createSignal<KindCategory>("administrative");
  const add = createMutation(() => ({
    mutationFn: () =>
      trpc.centre.addDepartmentKind.mutate({ code: code().trim(), name: name().trim(), category: category() }),
    onSuccess: async (kind) => {
      await queryClient.invalidateQueries({ queryKey: ["centre.departmentKinds"] });
      notify(t("centre.dept.kindAdded", { name: kind.name }));
      props.onAdded(kind.code);
    },
  }));
  const fields = createFieldErrors({
    check: () => ({
      name: !name().trim()
        ? t("centre.required")
        : name().trim().length > 60
          ? t("centre.tooLong", { n: 60 })
          : undefined,
      code: KIND_CODE_INPUT.test(code().trim()) ? undefined : t("centre.dept.kindCodeInvalid"),
    }),
    serverError: () => add.error,
  });
  return (
    <fieldset class="fieldset new-kind">
      <legend>{t("centre.dept.newKind")}</legend>
      <p class="field-hint">{t("centre.dept.newKindHint")}</p>
      <div class="field-row">
        <TextField
          label={t("centre.dept.kindName")}
          value={name()}
          onChange={(v) => {
            setName(v);
            fields.touch("name");
          }}
          error={fields.error("name")}
          required
        />
        <TextField
          label={t("centre.dept.kindCode")}
          value={code()}
          onChange={(v) => {
            setCode(v);
            fields.touch("code");
          }}
          description={t("centre.dept.kindCodeHint")}
          error={fields.error("code")}
          inputClass="mono"
          required
        />
      </div>
      <Select
        label={t("centre.dept.kindCategory")}
        options={KIND_CATEGORIES.map((c) => ({ value: c, label: categoryName(c) }))}
        value={category()}
        onChange={(v) => v && setCategory(v as KindCategory)}
      />
      <FormError error={add.error} known={(p) => p === "name" || p === "code"} text={errorText} />
      <div>
        <Button
          size="sm"
          variant="primary"
          disabled={add.isPending}
          onClick={() => {
            if (fields.submit()) add.mutate();
          }}
        >
          {t("centre.dept.kindSubmit")}
        </Button>
      </div>
    </fieldset>
  );
}
