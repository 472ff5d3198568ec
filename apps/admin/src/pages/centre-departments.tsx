import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { stationingInput } from "@zongzhi/api/schemas/centre";
import type { Residency } from "@zongzhi/domain/roster";
import { createSignal, For, Index, Match, Show, Switch } from "solid-js";
import { type Inputs, trpc } from "../api.ts";
import { CheckGroup, CheckList, FieldError, RemoveButton } from "../components/case-fields.tsx";
import {
  CentreHeader,
  CentreSection,
  centrePage,
  durationText,
  FormError,
  InactiveBadge,
  joinList,
  KIND_CATEGORIES,
  type KindCategory,
  ListOrUnset,
  RESIDENCIES,
  ResidencyBadge,
  residencyName,
  type Stationing,
  useCentre,
  weekdayName,
  wholeNumber,
} from "../components/centre.tsx";
import {
  createEditing,
  DataTable,
  EditAction,
  EditDialog,
  FormFooter,
  labels,
  RowAction,
} from "../components/config-page.tsx";
import { NewKindForm } from "../components/department-kind-form.tsx";
import { errorText } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { createSchemaForm } from "../components/schema-form.ts";
import { useMe } from "../components/shell.tsx";
import { ActionsCell } from "../components/table-parts.tsx";
import { t } from "../i18n.ts";
import { can } from "../session.ts";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { ConfirmDialog } from "../ui/dialog.tsx";
import { InputField } from "../ui/input-field.tsx";
import { RadioGroup } from "../ui/radio-group.tsx";
import { optionsOf, Select } from "../ui/select.tsx";
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
  const editing = createEditing<Stationing>();
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
      <CentreHeader centre={centre} words="centre.dept" onAdd={editing.add} />
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
                <DataTable
                  caption={t("centre.dept.groupCaption", { name: residencyName(residency) })}
                  class="centre-table"
                  actions={centre.canConfigure()}
                  columns={labels(
                    "centre.dept.colName centre.dept.colResidency centre.dept.colContact centre.dept.colSchedule centre.dept.colLiaisons",
                  )}
                  rows={of(residency)}
                >
                  {(s) => (
                    <tr>
                      <td>
                        <div class="cell-title">{s.name}</div>
                        <div class="muted small">{s.kindName}</div>
                      </td>
                      <td>
                        <div class="badge-row">
                          <ResidencyBadge residency={s.residency} />
                          <InactiveBadge active={s.active} />
                        </div>
                      </td>
                      <td>
                        <ListOrUnset items={s.contactName ? [s.contactName] : []} />
                        <div class="mono small">{s.contactPhone ?? ""}</div>
                      </td>
                      <td>
                        <Presence stationing={s} />
                      </td>
                      <td>
                        <ListOrUnset items={s.liaisons.map((l) => l.displayName)} />
                      </td>
                      <ActionsCell when={centre.canConfigure()}>
                        <div class="row-actions">
                          <EditAction name={s.name} onClick={() => editing.edit(s)} />
                          <RowAction
                            label={t("centre.dept.remove")}
                            ariaLabel={t("centre.dept.removeLabel", { name: s.name })}
                            onClick={() => setRemoving(s)}
                            danger
                          />
                        </div>
                      </ActionsCell>
                    </tr>
                  )}
                </DataTable>
              </Show>
            </CentreSection>
          )}
        </For>
      </QueryState>

      <EditDialog
        editing={editing}
        addTitle={t("centre.dept.addTitle")}
        editTitle={t("centre.dept.editTitle")}
        size="lg"
      >
        {(row, close) => <StationingForm stationing={row} onClose={close} />}
      </EditDialog>
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

/**
 * What only the page checks (the rest, a date range's missing ends included, is the procedure's
 * own schema): a kind chosen, which the schema would call too short rather than missing.
 */
function pageChecks(d: Draft): Record<string, string | undefined> {
  return { kindCode: d.kindCode ? undefined : t("centre.dept.kindRequired") };
}

/** A number field as typed: empty is none, anything else the schema checks (NaN included). */
const numberOrNull = (v: string) => (v.trim() === "" ? null : Number(v.trim()));

function inputOf(d: Draft): StationInput {
  const orNull = (v: string) => (v.trim() === "" ? null : v.trim());
  return {
    kindCode: d.kindCode ?? "",
    name: d.name.trim(),
    residency: d.residency,
    contactName: orNull(d.contactName),
    contactPhone: orNull(d.contactPhone),
    responseMinutes: d.residency === "on_call" ? numberOrNull(d.responseMinutes) : null,
    notes: orNull(d.notes),
    slots:
      d.residency === "rotating"
        ? d.slots.map((s) => {
            const weekly = s.mode === "weekly";
            const every = weekly ? (numberOrNull(s.everyWeeks) ?? 1) : 1;
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

  // The active flag goes with an edit only (the schema form validates the station input).
  const save = createMutation(() => ({
    mutationFn: ({ input, active }: { input: StationInput; active: boolean }) => {
      const s = props.stationing;
      return s
        ? trpc.centre.editStationing.mutate({ ...input, id: s.id, version: s.version, active })
        : trpc.centre.station.mutate(input);
    },
    onSuccess: (saved) => {
      invalidateStationings(queryClient);
      notify(props.stationing ? t("centre.saved", { name: saved.name }) : t("centre.created", { name: saved.name }));
      props.onClose();
    },
  }));
  const form = createSchemaForm({
    schema: stationingInput,
    initial: draftOf(props.stationing),
    toInput: inputOf,
    extra: pageChecks,
    serverError: () => save.error,
  });
  const draft = form.draft;
  const set = form.set;

  // Kinds by category (party and government, judicial, public security …), then by name.
  const categoryIndex = (c: string) => KIND_CATEGORIES.indexOf(c as KindCategory);
  const kindOptions = () =>
    (kinds.data ?? [])
      .filter((k) => k.active)
      .sort((a, b) => categoryIndex(a.category) - categoryIndex(b.category) || a.name.localeCompare(b.name, "zh-CN"))
      .map((k) => ({ value: k.code, label: k.name }));

  return (
    <form class="form" onSubmit={form.onSubmit((input) => save.mutate({ input, active: draft.active }))} noValidate>
      <div class="field-row">
        <TextField
          label={t("centre.dept.name")}
          {...form.text("name")}
          description={t("centre.dept.nameHint")}
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
          <FieldError error={form.error("kindCode")} />
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
        options={optionsOf(RESIDENCIES, residencyName)}
        value={draft.residency}
        onChange={(v) => set("residency", v as Residency)}
      />
      <div class="field-row">
        <TextField label={t("centre.dept.contactName")} {...form.text("contactName")} />
        <InputField
          type="tel"
          label={t("centre.dept.contactPhone")}
          {...form.text("contactPhone")}
          required={draft.residency === "on_call"}
        />
      </div>
      <Show when={draft.residency === "on_call"}>
        <InputField
          type="number"
          class="narrow-field"
          label={t("centre.dept.responseMinutes")}
          {...form.text("responseMinutes")}
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
          required
        />
      </Show>
      <Show when={draft.residency === "rotating"}>
        <fieldset class="fieldset" aria-invalid={form.error("slots") ? true : undefined}>
          <legend>{t("centre.dept.slots")}</legend>
          <p class="field-hint">{t("centre.dept.slotsHint")}</p>
          <Index each={draft.slots}>
            {(slot, i) => (
              <SlotEditor
                index={i}
                slot={slot()}
                field={(key) => form.text(`slots.${i}.${key}`)}
                set={(key, value) => form.setAt(`slots.${i}.${key}`, value)}
                error={(key) => form.error(`slots.${i}.${key}`)}
                canRemove={draft.slots.length > 1}
                onRemove={() =>
                  set(
                    "slots",
                    draft.slots.filter((_, j) => j !== i),
                  )
                }
              />
            )}
          </Index>
          <FieldError error={form.error("slots")} />
          <div>
            <Button size="sm" onClick={() => set("slots", [...draft.slots, emptySlot()])}>
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
            <CheckList
              options={liaisonChoices().map((c) => ({
                value: c.userId,
                label: c.name,
                description: <span class="mono">{c.username}</span>,
              }))}
              value={draft.liaisonUserIds}
              onChange={(ids) => set("liaisonUserIds", ids)}
            />
          </Show>
        </fieldset>
      </Show>
      <TextField label={t("centre.dept.notes") + t("common.optional")} {...form.text("notes")} />
      <Show when={props.stationing}>
        <Checkbox label={t("centre.dept.active")} checked={draft.active} onChange={(on) => set("active", on)} />
      </Show>
      <FormError error={save.error} known={form.known} text={errorText} />
      <FormFooter onCancel={props.onClose} pending={save.isPending} />
    </form>
  );
}

/** One rotation schedule: weekdays every N weeks, or an explicit date range; the staff on duty. */
function SlotEditor(props: {
  index: number;
  slot: SlotDraft;
  field: (key: Exclude<keyof SlotDraft, "mode" | "weekdays">) => FieldBinding;
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
          <RemoveButton label={t("centre.dept.removeSlot", { n: n() })} onClick={props.onRemove} />
        </Show>
      </div>
      <Show when={weekly()}>
        <CheckGroup
          class="weekday-set"
          gridClass="weekday-row"
          legend={t("centre.dept.weekdays")}
          options={[1, 2, 3, 4, 5, 6, 7].map((day) => ({ value: day, label: weekdayName(day) }))}
          value={props.slot.weekdays}
          onChange={(days) => props.set("weekdays", days)}
          error={props.error("weekdays")}
        />
        <div class="field-row">
          <InputField
            type="number"
            label={t("centre.dept.everyWeeks")}
            {...props.field("everyWeeks")}
            min={1}
            max={8}
            description={t("centre.dept.everyWeeksHint")}
          />
          <InputField
            type="date"
            label={t("centre.dept.anchorDate")}
            {...props.field("anchorDate")}
            description={t("centre.dept.anchorHint")}
            required={(wholeNumber(props.slot.everyWeeks) ?? 1) > 1}
          />
        </div>
      </Show>
      <div class="field-row">
        <InputField
          type="date"
          label={weekly() ? t("centre.dept.validFrom") : t("centre.dept.rangeFrom")}
          {...props.field("validFrom")}
          required={!weekly()}
        />
        <InputField
          type="date"
          label={weekly() ? t("centre.dept.validTo") : t("centre.dept.rangeTo")}
          {...props.field("validTo")}
          required={!weekly()}
        />
      </div>
      <div class="field-row">
        <TextField label={t("centre.dept.staffName")} {...props.field("staffName")} required />
        <InputField
          type="tel"
          label={t("centre.dept.staffPhone") + t("common.optional")}
          {...props.field("staffPhone")}
        />
      </div>
    </fieldset>
  );
}

/** The props a schema form gives a text field (`form.text(path)`). */
type FieldBinding = ReturnType<ReturnType<typeof createSchemaForm>["text"]>;
