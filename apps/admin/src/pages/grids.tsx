import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { gridAssignInput, gridDetails, gridInput, gridWorkerInput, patrolNormInput } from "@zongzhi/api/schemas/grids";
import { EXCLUSIVE_TYPES, type ExclusiveType, GRID_TIERS, GRID_WORKER_KINDS, tierBelow } from "@zongzhi/domain/grid";
import { createSignal, For, Show } from "solid-js";
import { type Inputs, type Outputs, trpc } from "../api.ts";
import { Fieldset, TextArea } from "../components/case-fields.tsx";
import {
  CentrePicker,
  CentreSection,
  centrePage,
  InactiveBadge,
  useCentre,
  wholeNumber,
} from "../components/centre.tsx";
import { DataTable, FormDialog, labels } from "../components/config-page.tsx";
import { createDialogForm, DialogForm, MutationError } from "../components/dialog-form.tsx";
import { AddButton, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { createRowForm, fieldCheck } from "../components/row-form.ts";
import { createSchemaForm } from "../components/schema-form.ts";
import { useMe } from "../components/shell.tsx";
import { ActionsCell } from "../components/table-parts.tsx";
import { type MessageKey, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { InputField } from "../ui/input-field.tsx";
import { optionsOf, Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type Grid = Outputs["grids"]["list"][number];
type Worker = Outputs["grids"]["workers"][number];
type GridInput = Inputs["grids"]["create"];

const tierName = (tier: string) => t(`grid.tier.${tier}` as MessageKey);
const exclusiveName = (type: string) => t(`grid.exclusive.${type}` as MessageKey);
const kindName = (kind: string) => t(`grid.worker.kind.${kind}` as MessageKey);

/** Grids on their tiers with their workers and leader, and the unit's grid workers (网格管理). */
export const GridsPage = centrePage("grid.read", GridsView);

function GridsView() {
  const me = useMe();
  const centre = useCentre(me);
  const manages = () => centre.isOwn() && can(me(), "grid.manage");
  const [editing, setEditing] = createSignal<Grid | { parent: Grid | null } | null>(null);
  const [assigning, setAssigning] = createSignal<Grid | null>(null);
  const [editingWorker, setEditingWorker] = createSignal<Worker | "new" | null>(null);
  const grids = createQuery(() => ({
    queryKey: ["grids.list", centre.current()?.id],
    queryFn: () => trpc.grids.list.query({ tenantId: centre.tenantId() }),
  }));
  const workers = createQuery(() => ({
    queryKey: ["grids.workers", centre.current()?.id],
    queryFn: () => trpc.grids.workers.query({ tenantId: centre.tenantId() }),
  }));
  const scope = () => centre.current()?.code ?? "";
  // The shown unit's grids (and those below it); the ones above it only as parents to pick.
  const rows = () => (grids.data ?? []).filter((g) => g.scopeCode.startsWith(scope()));
  const depth = (g: Grid): number => {
    const byId = new Map((grids.data ?? []).map((x) => [x.id, x]));
    let d = 0;
    for (
      let p = g.parentId ? byId.get(g.parentId) : undefined;
      p && d < 8;
      p = p.parentId ? byId.get(p.parentId) : undefined
    )
      d += 1;
    return d;
  };
  const sum = (key: "households" | "population") => rows().reduce((n, g) => n + g[key], 0);
  const ownWorkers = () => (workers.data ?? []).filter((w) => w.scopeCode === scope());
  return (
    <>
      <PageHeader
        title={t("grid.title")}
        intro={t("grid.intro")}
        actions={<AddButton when={manages()} label={t("grid.add")} onClick={() => setEditing({ parent: null })} />}
      />
      <CentrePicker centre={centre} me={me()} />
      <CentreSection id="grids-title" title={centre.current()?.name ?? ""}>
        <QueryState query={grids} isEmpty={() => rows().length === 0} empty={<p class="muted">{t("grid.empty")}</p>}>
          <p class="muted small">{t("grid.count", { n: rows().length, h: sum("households"), p: sum("population") })}</p>
          <DataTable
            caption={t("grid.title")}
            class="centre-table"
            testId="grid-table"
            actions={manages()}
            columns={[
              ...labels("grid.code grid.name grid.tier"),
              ...labels("grid.households grid.population", "num"),
              ...labels("grid.workers"),
            ]}
            rows={rows()}
          >
            {(g) => (
              <tr classList={{ "row-inactive": !g.active }}>
                <td>
                  <code>{g.code}</code>
                </td>
                <td class="cell-title" style={{ "padding-inline-start": `${0.5 + depth(g) * 1.25}rem` }}>
                  {g.name}
                  <div class="badge-row">
                    <Show when={g.exclusiveType}>
                      {(type) => <Badge tone="info">{`${t("grid.exclusive")}·${exclusiveName(type())}`}</Badge>}
                    </Show>
                    <Show when={g.boundary}>
                      <Badge tone="neutral">{t("grid.hasBoundary")}</Badge>
                    </Show>
                    <InactiveBadge active={g.active} label={t("grid.inactive")} />
                  </div>
                </td>
                <td>{tierName(g.tier)}</td>
                <td class="num">{g.households}</td>
                <td class="num">{g.population}</td>
                <td>
                  <Show when={g.workers.length > 0} fallback={<span class="muted">{t("grid.noWorkers")}</span>}>
                    <For each={g.workers}>
                      {(w) => (
                        <div>
                          {w.name}
                          <Show when={w.leader}>
                            {" "}
                            <Badge tone="success">{t("grid.leader")}</Badge>
                          </Show>
                        </div>
                      )}
                    </For>
                  </Show>
                </td>
                <ActionsCell when={manages()}>
                  <Show when={g.scopeCode === scope()}>
                    <Button size="sm" variant="ghost" onClick={() => setEditing(g)}>
                      {t("centre.edit")}
                    </Button>
                    <Button size="sm" variant="ghost" onClick={() => setAssigning(g)}>
                      {t("grid.assign")}
                    </Button>
                  </Show>
                  <Show when={g.tier !== "micro" && g.active}>
                    <Button size="sm" variant="ghost" onClick={() => setEditing({ parent: g })}>
                      {t("grid.addChild")}
                    </Button>
                  </Show>
                </ActionsCell>
              </tr>
            )}
          </DataTable>
        </QueryState>
      </CentreSection>

      <CentreSection
        id="grid-workers-title"
        title={t("grid.worker.title")}
        actions={
          <Show when={manages()}>
            <Button onClick={() => setEditingWorker("new")}>{t("grid.worker.add")}</Button>
          </Show>
        }
      >
        <QueryState query={workers} empty={<p class="muted">{t("grid.worker.empty")}</p>}>
          <p class="muted small">
            {t("grid.worker.count", {
              n: ownWorkers().length,
              f: ownWorkers().filter((w) => w.kind === "full_time").length,
              p: ownWorkers().filter((w) => w.kind === "part_time").length,
              e: ownWorkers().filter((w) => w.kind === "exclusive").length,
            })}
          </p>
          <DataTable
            caption={t("grid.worker.title")}
            class="centre-table"
            testId="grid-worker-table"
            actions={manages()}
            columns={labels(
              "grid.worker.name grid.worker.kind grid.worker.phone grid.worker.grids grid.worker.account",
            )}
            rows={workers.data ?? []}
          >
            {(w) => (
              <tr classList={{ "row-inactive": !w.active }}>
                <td class="cell-title">
                  {w.name}
                  <Show when={w.scopeCode !== scope()}>
                    {" "}
                    <Badge tone="neutral">{t("grid.worker.fromAbove")}</Badge>
                  </Show>
                </td>
                <td>{kindName(w.kind)}</td>
                <td>{w.phone ?? ""}</td>
                <td>
                  <For each={w.grids}>
                    {(g) => (
                      <div>
                        {g.name}
                        <Show when={g.leader}>{`（${t("grid.leader")}）`}</Show>
                      </div>
                    )}
                  </For>
                </td>
                <td>{w.username ?? ""}</td>
                <ActionsCell when={manages()}>
                  <Show when={w.scopeCode === scope()}>
                    <Button size="sm" variant="ghost" onClick={() => setEditingWorker(w)}>
                      {t("centre.edit")}
                    </Button>
                  </Show>
                </ActionsCell>
              </tr>
            )}
          </DataTable>
        </QueryState>
      </CentreSection>

      <PatrolSection manages={centre.isOwn() && can(me(), "patrol.norm")} own={centre.isOwn()} />
      <FormDialog
        target={editing()}
        onClose={() => setEditing(null)}
        title={(target) => (target && "id" in target! ? t("grid.editTitle") : t("grid.addTitle"))}
      >
        {(target) => (
          <GridForm
            grid={"id" in target ? target : undefined}
            parent={"id" in target ? null : target.parent}
            onClose={() => setEditing(null)}
          />
        )}
      </FormDialog>
      <FormDialog
        target={assigning()}
        onClose={() => setAssigning(null)}
        title={(target) => t("grid.assignTitle", { name: target?.name ?? "" })}
      >
        {(grid) => (
          <AssignForm
            grid={grid}
            workers={(workers.data ?? []).filter((w) => w.active)}
            onClose={() => setAssigning(null)}
          />
        )}
      </FormDialog>
      <FormDialog
        target={editingWorker()}
        onClose={() => setEditingWorker(null)}
        title={(target) => (target === "new" ? t("grid.worker.addTitle") : t("grid.worker.editTitle"))}
      >
        {(target) => (
          <WorkerForm worker={target === "new" ? undefined : target} onClose={() => setEditingWorker(null)} />
        )}
      </FormDialog>
    </>
  );
}

/** A boundary as typed: empty is none; a GeoJSON Feature counts for its geometry (what drawing tools export). */
function parseBoundary(text: string): { value: unknown } | "unreadable" {
  if (!text.trim()) return { value: null };
  try {
    const value = JSON.parse(text) as { type?: unknown; geometry?: unknown } | null;
    return { value: value?.type === "Feature" ? value.geometry : value };
  } catch {
    return "unreadable";
  }
}

/** A count field as typed: a whole number, else NaN for the schema to refuse. */
const count = (v: string) => wholeNumber(v) ?? Number.NaN;

function GridForm(props: { grid: Grid | undefined; parent: Grid | null; onClose: () => void }) {
  const g = props.grid;
  // An edit changes the grid's details; a new grid also takes its tier and number (gridInput).
  const form = createRowForm({
    row: g,
    schema: gridDetails,
    initial: {
      tier: g?.tier ?? tierBelow(props.parent?.tier ?? null),
      exclusiveType: g?.exclusiveType ?? null,
      number: "",
      name: g?.name ?? "",
      households: String(g?.households ?? 0),
      population: String(g?.population ?? 0),
      boundary: g?.boundary ? JSON.stringify(g.boundary) : "",
      active: g?.active ?? true,
    },
    toInput: (d) => {
      const boundary = parseBoundary(d.boundary);
      return {
        name: d.name,
        exclusiveType: d.exclusiveType,
        households: count(d.households),
        population: count(d.population),
        boundary: (boundary === "unreadable" ? null : boundary.value) as GridInput["boundary"],
      };
    },
    extra: (d) => ({
      number: g ? undefined : fieldCheck(gridInput.shape.number, d.number),
      boundary: parseBoundary(d.boundary) === "unreadable" ? t("grid.boundaryInvalid") : undefined,
    }),
    create: (input, d) =>
      trpc.grids.create.mutate({ ...input, parentId: props.parent?.id ?? null, tier: d.tier, number: d.number }),
    edit: (input, d) => trpc.grids.edit.mutate({ ...input, active: d.active }),
    refresh: ["grids.list"],
    onClose: props.onClose,
  });
  return (
    <DialogForm form={form}>
      <Show when={!g}>
        <p class="muted small">
          {t("grid.parent")}：{props.parent ? `${props.parent.name}（${props.parent.code}）` : t("grid.noParent")}
        </p>
        <div class="field-row">
          <Select
            label={t("grid.tier")}
            options={GRID_TIERS.filter(
              (x) => !props.parent || GRID_TIERS.indexOf(x) >= GRID_TIERS.indexOf(props.parent.tier),
            ).map((x) => ({ value: x, label: tierName(x) }))}
            {...form.choice("tier")}
          />
          <TextField
            label={t("grid.number")}
            {...form.text("number")}
            onChange={(v) => form.set("number", v.toUpperCase())}
            description={t("grid.numberHint")}
            maxLength={8}
            required
          />
        </div>
      </Show>
      <TextField label={t("grid.name")} {...form.text("name")} required />
      <Select
        label={t("grid.type")}
        options={[
          { value: "", label: t("grid.exclusiveNone") },
          ...EXCLUSIVE_TYPES.map((x) => ({ value: x, label: `${t("grid.exclusive")}·${exclusiveName(x)}` })),
        ]}
        value={form.draft.exclusiveType ?? ""}
        onChange={(v) => form.set("exclusiveType", v ? (v as ExclusiveType) : null)}
      />
      <div class="field-row">
        <InputField type="number" label={t("grid.households")} {...form.text("households")} min={0} />
        <InputField type="number" label={t("grid.population")} {...form.text("population")} min={0} />
      </div>
      <TextArea
        label={t("grid.boundary") + t("common.optional")}
        {...form.text("boundary")}
        error={form.within("boundary")}
        description={t("grid.boundaryHint")}
        rows={4}
      />
      <Show when={g}>
        <Checkbox label={t("grid.active")} checked={form.draft.active} onChange={(v) => form.set("active", v)} />
      </Show>
    </DialogForm>
  );
}

function AssignForm(props: { grid: Grid; workers: Worker[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const form = createDialogForm({
    schema: gridAssignInput,
    initial: {
      picked: props.grid.workers.map((w) => w.workerId),
      leader: props.grid.workers.find((w) => w.leader)?.workerId ?? null,
    },
    toInput: (d) => ({
      id: props.grid.id,
      version: props.grid.version,
      workers: d.picked.map((workerId) => ({ workerId, leader: workerId === d.leader })),
    }),
    send: (input) => trpc.grids.assign.mutate(input),
    done: (saved) => t("grid.assigned", { name: saved.name }),
    refresh: () =>
      Promise.all(["grids.list", "grids.workers"].map((key) => queryClient.invalidateQueries({ queryKey: [key] }))),
    onClose: props.onClose,
  });
  const toggle = (id: string, on: boolean) => {
    form.set("picked", on ? [...form.draft.picked, id] : form.draft.picked.filter((x) => x !== id));
    if (!on && form.draft.leader === id) form.set("leader", null);
  };
  return (
    <DialogForm form={form}>
      <Show when={props.workers.length > 0} fallback={<p class="muted">{t("grid.assign.none")}</p>}>
        <Fieldset legend={t("grid.assign.pick")} legendClass="field-label" error={form.error("workers")}>
          <For each={props.workers}>
            {(w) => (
              <div class="field-row">
                <Checkbox
                  label={`${w.name}（${kindName(w.kind)}）`}
                  checked={form.draft.picked.includes(w.id)}
                  onChange={(on) => toggle(w.id, on)}
                />
                <Checkbox
                  label={t("grid.assign.makeLeader")}
                  checked={form.draft.leader === w.id}
                  disabled={!form.draft.picked.includes(w.id)}
                  onChange={(on) => form.set("leader", on ? w.id : null)}
                />
              </div>
            )}
          </For>
        </Fieldset>
      </Show>
    </DialogForm>
  );
}

function WorkerForm(props: { worker: Worker | undefined; onClose: () => void }) {
  const w = props.worker;
  const form = createRowForm({
    row: w,
    schema: gridWorkerInput,
    initial: { name: w?.name ?? "", phone: w?.phone ?? "", kind: w?.kind ?? "full_time", active: w?.active ?? true },
    toInput: (d) => ({ name: d.name, phone: d.phone.trim() || null, kind: d.kind }),
    create: (input) => trpc.grids.addWorker.mutate(input),
    edit: (input, d) => trpc.grids.editWorker.mutate({ ...input, userId: w?.userId, active: d.active }),
    refresh: ["grids.workers", "grids.list"],
    onClose: props.onClose,
  });
  return (
    <DialogForm form={form}>
      <TextField label={t("grid.worker.name")} {...form.text("name")} required />
      <Select label={t("grid.worker.kind")} options={optionsOf(GRID_WORKER_KINDS, kindName)} {...form.choice("kind")} />
      <TextField label={t("grid.worker.phone") + t("common.optional")} {...form.text("phone")} />
      <Show when={w}>
        <Checkbox label={t("grid.active")} checked={form.draft.active} onChange={(v) => form.set("active", v)} />
      </Show>
    </DialogForm>
  );
}

/** Each worker's patrol week against the norm ("235"), for the grid leader and the township. */
function PatrolSection(props: { manages: boolean; own: boolean }) {
  const figures = createQuery(() => ({
    queryKey: ["patrols.figures"],
    queryFn: () => trpc.patrols.figures.query({}),
    enabled: props.own,
  }));
  return (
    <Show when={props.own && figures.data}>
      {(f) => (
        <CentreSection id="patrol-title" title={t("grid.patrol.title", { week: f().weekOf })}>
          <p class="muted small">
            {t("grid.patrol.norm", {
              h: f().norm.minutesPerDay / 60,
              km: f().norm.metresPerDay / 1000,
              d: f().norm.daysPerWeek,
              e: f().norm.eventsPerWeek,
            })}
          </p>
          <Show when={f().workers.length > 0} fallback={<p class="muted">{t("grid.patrol.empty")}</p>}>
            <DataTable
              caption={t("grid.patrol.title", { week: f().weekOf })}
              class="centre-table"
              testId="patrol-table"
              columns={[
                ...labels("grid.patrol.worker"),
                ...labels(
                  "grid.patrol.count grid.patrol.hours grid.patrol.km grid.patrol.events grid.patrol.daysMet",
                  "num",
                ),
                ...labels("grid.patrol.result"),
              ]}
              rows={f().workers}
            >
              {(w) => (
                <tr>
                  <td class="cell-title">{w.name}</td>
                  <For
                    each={[w.patrols, (w.minutes / 60).toFixed(1), (w.metres / 1000).toFixed(1), w.events, w.daysMet]}
                  >
                    {(figure) => <td class="num">{figure}</td>}
                  </For>
                  <td>
                    <Badge tone={w.meetsNorm ? "success" : "warning"}>
                      {w.meetsNorm ? t("grid.patrol.met") : t("grid.patrol.notMet")}
                    </Badge>
                  </td>
                </tr>
              )}
            </DataTable>
          </Show>
          <Show when={props.manages}>
            <NormForm norm={f().norm} />
          </Show>
        </CentreSection>
      )}
    </Show>
  );
}

/** The fields of the patrol norm (patrols.setNorm), each with its label. */
const NORM_FIELDS = [
  ["minutesPerDay", "grid.patrol.minutes"],
  ["metresPerDay", "grid.patrol.metres"],
  ["eventsPerWeek", "grid.patrol.eventsPerWeek"],
  ["daysPerWeek", "grid.patrol.days"],
] as const;
type Norm = Record<(typeof NORM_FIELDS)[number][0], number>;

/** Sets the unit's patrol norm, starting from the one in force; validated by patrols.setNorm's schema. */
function NormForm(props: { norm: Norm }) {
  const queryClient = useQueryClient();
  const save = createMutation(() => ({
    mutationFn: (input: Norm) => trpc.patrols.setNorm.mutate(input),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["patrols.figures"] });
      notify(t("grid.patrol.saved"));
    },
  }));
  const form = createSchemaForm({
    schema: patrolNormInput,
    initial: Object.fromEntries(NORM_FIELDS.map(([key]) => [key, String(props.norm[key])])) as Record<
      keyof Norm,
      string
    >,
    toInput: (d) => ({
      minutesPerDay: count(d.minutesPerDay),
      metresPerDay: count(d.metresPerDay),
      eventsPerWeek: count(d.eventsPerWeek),
      daysPerWeek: count(d.daysPerWeek),
    }),
    serverError: () => save.error,
  });
  return (
    <form class="form" onSubmit={form.onSubmit((input) => save.mutate(input))} noValidate>
      <div class="field-row">
        <For each={NORM_FIELDS}>
          {([key, label]) => <InputField type="number" label={t(label)} {...form.text(key)} min={0} />}
        </For>
      </div>
      <MutationError error={save.error} known={form.known} />
      <Button type="submit" disabled={save.isPending}>
        {t("grid.patrol.setNorm")}
      </Button>
    </form>
  );
}
