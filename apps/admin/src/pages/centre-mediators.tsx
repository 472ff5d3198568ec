import { createQuery, keepPreviousData } from "@tanstack/solid-query";
import { mediatorInput } from "@zongzhi/api/schemas/centre";
import { createSignal, For, Show } from "solid-js";
import { trpc } from "../api.ts";
import { CheckGroup } from "../components/case-fields.tsx";
import {
  AFFILIATIONS,
  type Affiliation,
  affiliationName,
  CentreSection,
  centrePage,
  GRADES,
  type Grade,
  gradeName,
  InactiveBadge,
  ListOrUnset,
  type Mediator,
  SPECIALTIES,
  type Specialty,
  specialtyName,
  splitList,
} from "../components/centre.tsx";
import { createEditing, DataTable, EditAction, EditDialog, labels, SearchBox } from "../components/config-page.tsx";
import { DialogForm } from "../components/dialog-form.tsx";
import { DictionaryChoices } from "../components/dictionary-choices.tsx";
import { AddButton, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { createRowForm } from "../components/row-form.ts";
import { useMe } from "../components/shell.tsx";
import { ActionsCell } from "../components/table-parts.tsx";
import { t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge, type BadgeTone } from "../ui/badge.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { InputField } from "../ui/input-field.tsx";
import { optionsOf, Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";

const ALL = "all";
const GRADE_TONES: Record<Grade, BadgeTone> = { chief: "tier", senior: "info", standard: "neutral" };

/** The mediator pool: own, ancestors' and optionally the subtree's mediators, by specialty and grade. */
export const CentreMediatorsPage = centrePage("centre.read", MediatorsView);

function MediatorsView() {
  const me = useMe();
  const canConfigure = () => can(me(), "centre.configure");
  const [specialty, setSpecialty] = createSignal<Specialty | null>(null);
  const [grade, setGrade] = createSignal<Grade | null>(null);
  const [q, setQ] = createSignal("");
  const [includeSubtree, setIncludeSubtree] = createSignal(false);
  const [includeInactive, setIncludeInactive] = createSignal(false);
  const editing = createEditing<Mediator>();
  const filters = () => ({
    specialty: specialty() ?? undefined,
    grade: grade() ?? undefined,
    q: q() || undefined,
    includeSubtree: includeSubtree() || undefined,
    activeOnly: includeInactive() ? false : undefined,
  });
  const mediators = createQuery(() => ({
    queryKey: ["centre.mediators", filters()],
    queryFn: () => trpc.centre.mediators.query(filters()),
    placeholderData: keepPreviousData,
  }));
  const rows = () => mediators.data ?? [];
  return (
    <>
      <PageHeader
        title={t("centre.med.title")}
        intro={t("centre.med.intro")}
        actions={<AddButton when={canConfigure()} label={t("centre.med.add")} onClick={() => editing.add()} />}
      />
      <search class="card mediator-filters" aria-label={t("centre.med.filters")}>
        <Select
          label={t("centre.med.specialty")}
          options={[
            { value: ALL, label: t("centre.med.allSpecialties") },
            ...SPECIALTIES.map((s) => ({ value: s, label: specialtyName(s) })),
          ]}
          value={specialty() ?? ALL}
          onChange={(v) => setSpecialty(v && v !== ALL ? (v as Specialty) : null)}
        />
        <Select
          label={t("centre.med.grade")}
          options={[
            { value: ALL, label: t("centre.med.allGrades") },
            ...GRADES.map((g) => ({ value: g, label: t(`centre.grade.${g}`) })),
          ]}
          value={grade() ?? ALL}
          onChange={(v) => setGrade(v && v !== ALL ? (v as Grade) : null)}
        />
        <SearchBox
          class="inline-search mediator-search"
          label={t("centre.med.search")}
          placeholder={t("centre.med.name")}
          onSearch={setQ}
        />
        <div class="mediator-toggles">
          <Checkbox label={t("centre.med.includeSubtree")} checked={includeSubtree()} onChange={setIncludeSubtree} />
          <Checkbox label={t("centre.med.includeInactive")} checked={includeInactive()} onChange={setIncludeInactive} />
        </div>
      </search>
      <CentreSection id="pool-title" title={t("centre.med.title")}>
        <QueryState query={mediators} empty={t("centre.med.empty")} isEmpty={() => rows().length === 0}>
          <p class="muted small" aria-live="polite">
            {t("centre.med.count", { n: rows().length })}
            <Show when={rows().length >= 200}> · {t("centre.med.limit")}</Show>
          </p>
          <DataTable
            caption={t("centre.med.title")}
            class="centre-table"
            busy={mediators.isFetching}
            actions={canConfigure()}
            columns={labels(
              "centre.med.name centre.med.grade centre.med.specialties centre.med.affiliation centre.med.colQualifications centre.med.pool",
            )}
            rows={rows()}
          >
            {(m) => (
              <tr classList={{ "row-inactive": !m.active }}>
                <td>
                  <div class="cell-title">{m.name}</div>
                  <Show when={m.phone}>
                    <div class="mono small muted">{m.phone}</div>
                  </Show>
                </td>
                <td>
                  <div class="badge-row">
                    <Badge tone={GRADE_TONES[m.grade]}>{t(`centre.grade.${m.grade}`)}</Badge>
                    <InactiveBadge active={m.active} />
                  </div>
                </td>
                <td>
                  <div class="badge-row">
                    <For each={m.specialties}>{(s) => <Badge tone="neutral">{specialtyName(s)}</Badge>}</For>
                  </div>
                </td>
                <td>
                  <div>{affiliationName(m.affiliation)}</div>
                  <Show when={m.affiliationName}>
                    <div class="muted small">{m.affiliationName}</div>
                  </Show>
                </td>
                <td class="small">
                  <ListOrUnset items={m.qualifications} />
                </td>
                <td>
                  <div class="badge-row">
                    <span>{m.poolName}</span>
                    <Show when={m.own}>
                      <Badge tone="success">{t("centre.med.own")}</Badge>
                    </Show>
                  </div>
                </td>
                <ActionsCell when={canConfigure()}>
                  <Show when={m.own}>
                    <EditAction name={m.name} onClick={() => editing.edit(m)} />
                  </Show>
                </ActionsCell>
              </tr>
            )}
          </DataTable>
        </QueryState>
      </CentreSection>
      <EditDialog editing={editing} addTitle={t("centre.med.addTitle")} editTitle={t("centre.med.editTitle")} size="lg">
        {(row, close) => <MediatorForm mediator={row} onClose={close} />}
      </EditDialog>
    </>
  );
}

function MediatorForm(props: { mediator: Mediator | undefined; onClose: () => void }) {
  const m = props.mediator;
  const form = createRowForm({
    row: m,
    schema: mediatorInput,
    initial: {
      name: m?.name ?? "",
      grade: (m?.grade ?? "standard") as Grade,
      specialties: (m?.specialties ?? []).filter((s): s is Specialty => (SPECIALTIES as readonly string[]).includes(s)),
      qualifications: (m?.qualifications ?? []).join("、"),
      affiliation: (m?.affiliation ?? "committee") as Affiliation,
      affiliationName: m?.affiliationName ?? "",
      phone: m?.phone ?? "",
      active: m?.active ?? true,
    },
    toInput: (d) => ({
      name: d.name,
      grade: d.grade,
      specialties: [...d.specialties],
      qualifications: splitList(d.qualifications),
      affiliation: d.affiliation,
      affiliationName: d.affiliationName.trim() || null,
      userId: m?.userId ?? null,
      phone: d.phone.trim() || null,
    }),
    create: (input) => trpc.centre.addMediator.mutate(input),
    edit: (input, d) => trpc.centre.editMediator.mutate({ ...input, active: d.active }),
    refresh: ["centre.mediators", "centre.rooms", "centre.committees"],
    onClose: props.onClose,
  });
  return (
    <DialogForm form={form}>
      <div class="field-row">
        <TextField label={t("centre.med.name")} {...form.text("name")} required />
        <Select label={t("centre.med.grade")} options={optionsOf(GRADES, gradeName)} {...form.choice("grade")} />
      </div>
      <CheckGroup
        legend={t("centre.med.specialties")}
        options={optionsOf(SPECIALTIES, specialtyName)}
        value={form.draft.specialties}
        onChange={(v) => form.set("specialties", v)}
        error={form.error("specialties")}
      />
      <div class="field-row">
        <Select
          label={t("centre.med.affiliation")}
          options={optionsOf(AFFILIATIONS, affiliationName)}
          {...form.choice("affiliation")}
        />
        <TextField
          label={t("centre.med.affiliationName")}
          {...form.text("affiliationName")}
          description={t("centre.med.affiliationHint")}
        />
      </div>
      <TextField
        label={t("centre.med.qualifications")}
        {...form.text("qualifications")}
        description={t("centre.med.qualificationsHint")}
      />
      <DictionaryChoices
        kind="qualification"
        value={form.draft.qualifications}
        onChange={(v) => form.set("qualifications", v)}
      />
      <InputField type="tel" class="narrow-field" label={t("centre.med.phone")} {...form.text("phone")} />
      <Show when={m}>
        <Checkbox label={t("centre.med.active")} checked={form.draft.active} onChange={(v) => form.set("active", v)} />
      </Show>
    </DialogForm>
  );
}
