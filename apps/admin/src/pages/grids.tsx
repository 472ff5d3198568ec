import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { type Inputs, type Outputs, trpc } from "../api.ts";
import { TextArea } from "../components/case-fields.tsx";
import {
  CentrePicker,
  CentreSection,
  createFieldErrors,
  FormError,
  useCentre,
  wholeNumber,
} from "../components/centre.tsx";
import { actionsColumn, DataTable, FormDialog, FormFooter, labels } from "../components/config-page.tsx";
import { errorText, Forbidden, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { type MessageKey, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { InputField } from "../ui/input-field.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type Grid = Outputs["grids"]["list"][number];
type Worker = Outputs["grids"]["workers"][number];
type GridInput = Inputs["grids"]["create"];

const TIERS = ["township", "village", "group", "micro"] as const;
const EXCLUSIVE = ["school", "hospital", "industrial_park", "enterprise", "market", "scenic_area", "other"] as const;
const KINDS = ["full_time", "part_time", "exclusive"] as const;
const tierName = (tier: string) => t(`grid.tier.${tier}` as MessageKey);
const exclusiveName = (type: string) => t(`grid.exclusive.${type}` as MessageKey);
const kindName = (kind: string) => t(`grid.worker.kind.${kind}` as MessageKey);

/** Grids on their tiers with their workers and leader, and the unit's grid workers (网格管理). */
export function GridsPage() {
  const me = useMe();
  return (
    <Show when={me().tenant && can(me(), "grid.read")} fallback={<Forbidden />}>
      <GridsView />
    </Show>
  );
}

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
        actions={
          <Show when={manages()}>
            <Button variant="primary" onClick={() => setEditing({ parent: null })}>
              {t("grid.add")}
            </Button>
          </Show>
        }
      />
      <CentrePicker centre={centre} me={me()} />
      <CentreSection id="grids-title" title={centre.current()?.name ?? ""}>
        <QueryState query={grids} isEmpty={() => rows().length === 0} empty={<p class="muted">{t("grid.empty")}</p>}>
          <p class="muted small">{t("grid.count", { n: rows().length, h: sum("households"), p: sum("population") })}</p>
          <DataTable
            caption={t("grid.title")}
            class="centre-table"
            testId="grid-table"
            columns={[
              ...labels("grid.code grid.name grid.tier"),
              { label: t("grid.households"), class: "num" },
              { label: t("grid.population"), class: "num" },
              ...labels("grid.workers"),
              actionsColumn(manages()),
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
                    <Show when={!g.active}>
                      <Badge tone="danger">{t("grid.inactive")}</Badge>
                    </Show>
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
                <Show when={manages()}>
                  <td class="col-actions">
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
                  </td>
                </Show>
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
            columns={[
              ...labels("grid.worker.name grid.worker.kind grid.worker.phone grid.worker.grids grid.worker.account"),
              actionsColumn(manages()),
            ]}
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
                <Show when={manages()}>
                  <td class="col-actions">
                    <Show when={w.scopeCode === scope()}>
                      <Button size="sm" variant="ghost" onClick={() => setEditingWorker(w)}>
                        {t("centre.edit")}
                      </Button>
                    </Show>
                  </td>
                </Show>
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

/** The tier below `parent`'s (an exclusive grid may stay on it). */
const tierBelow = (parent: Grid | null) =>
  parent ? (TIERS[Math.min(TIERS.indexOf(parent.tier) + 1, TIERS.length - 1)] ?? "micro") : "township";

function parseBoundary(text: string): GridInput["boundary"] | "invalid" {
  if (!text.trim()) return null;
  try {
    const value = JSON.parse(text) as { type?: unknown; geometry?: unknown };
    // A Feature is accepted for its geometry (what drawing tools export).
    const geometry = (value.type === "Feature" ? value.geometry : value) as { type?: unknown };
    return geometry?.type === "Polygon" || geometry?.type === "MultiPolygon"
      ? (geometry as GridInput["boundary"])
      : "invalid";
  } catch {
    return "invalid";
  }
}

function GridForm(props: { grid: Grid | undefined; parent: Grid | null; onClose: () => void }) {
  const queryClient = useQueryClient();
  const g = props.grid;
  const [tier, setTier] = createSignal<(typeof TIERS)[number]>(g?.tier ?? tierBelow(props.parent));
  const [exclusiveType, setExclusiveType] = createSignal<string | null>(g?.exclusiveType ?? null);
  const [number, setNumber] = createSignal("");
  const [name, setName] = createSignal(g?.name ?? "");
  const [households, setHouseholds] = createSignal(String(g?.households ?? 0));
  const [population, setPopulation] = createSignal(String(g?.population ?? 0));
  const [boundary, setBoundary] = createSignal(g?.boundary ? JSON.stringify(g.boundary) : "");
  const [active, setActive] = createSignal(g?.active ?? true);
  const save = createMutation(() => ({
    mutationFn: (input: GridInput) =>
      g
        ? trpc.grids.edit.mutate({
            id: g.id,
            version: g.version,
            active: active(),
            name: input.name,
            exclusiveType: input.exclusiveType ?? null,
            households: input.households,
            population: input.population,
            boundary: input.boundary ?? null,
          })
        : trpc.grids.create.mutate(input),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ["grids.list"] });
      notify(g ? t("centre.saved", { name: saved.name }) : t("centre.created", { name: saved.name }));
      props.onClose();
    },
  }));
  const count = (v: string) => {
    const n = wholeNumber(v);
    return n === null || n < 0 ? t("grid.countInvalid") : undefined;
  };
  const fields = createFieldErrors({
    check: () => ({
      number: g || /^[0-9A-Z]{1,8}$/.test(number()) ? undefined : t("grid.numberInvalid"),
      name: !name().trim()
        ? t("centre.required")
        : name().trim().length > 60
          ? t("centre.tooLong", { n: 60 })
          : undefined,
      households: count(households()),
      population: count(population()),
      boundary: parseBoundary(boundary()) === "invalid" ? t("grid.boundaryInvalid") : undefined,
    }),
    serverError: () => save.error,
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (!fields.submit()) return;
    const parsed = parseBoundary(boundary());
    save.mutate({
      parentId: props.parent?.id ?? null,
      tier: tier(),
      exclusiveType: (exclusiveType() as GridInput["exclusiveType"]) ?? null,
      number: number(),
      name: name().trim(),
      households: wholeNumber(households()) ?? 0,
      population: wholeNumber(population()) ?? 0,
      boundary: parsed === "invalid" ? null : parsed,
    });
  };
  return (
    <form class="form" onSubmit={submit} noValidate>
      <Show when={!g}>
        <p class="muted small">
          {t("grid.parent")}：{props.parent ? `${props.parent.name}（${props.parent.code}）` : t("grid.noParent")}
        </p>
        <div class="field-row">
          <Select
            label={t("grid.tier")}
            options={TIERS.filter((x) => !props.parent || TIERS.indexOf(x) >= TIERS.indexOf(props.parent.tier)).map(
              (x) => ({ value: x, label: tierName(x) }),
            )}
            value={tier()}
            onChange={(v) => v && setTier(v as (typeof TIERS)[number])}
          />
          <TextField
            label={t("grid.number")}
            value={number()}
            onChange={(v) => {
              setNumber(v.toUpperCase());
              fields.touch("number");
            }}
            description={t("grid.numberHint")}
            error={fields.error("number")}
            maxLength={8}
            required
          />
        </div>
      </Show>
      <TextField
        label={t("grid.name")}
        value={name()}
        onChange={(v) => {
          setName(v);
          fields.touch("name");
        }}
        error={fields.error("name")}
        required
      />
      <Select
        label={t("grid.type")}
        options={[
          { value: "", label: t("grid.exclusiveNone") },
          ...EXCLUSIVE.map((x) => ({ value: x, label: `${t("grid.exclusive")}·${exclusiveName(x)}` })),
        ]}
        value={exclusiveType() ?? ""}
        onChange={(v) => setExclusiveType(v ? v : null)}
      />
      <div class="field-row">
        <InputField
          type="number"
          label={t("grid.households")}
          value={households()}
          onChange={(v) => {
            setHouseholds(v);
            fields.touch("households");
          }}
          min={0}
          error={fields.error("households")}
        />
        <InputField
          type="number"
          label={t("grid.population")}
          value={population()}
          onChange={(v) => {
            setPopulation(v);
            fields.touch("population");
          }}
          min={0}
          error={fields.error("population")}
        />
      </div>
      <TextArea
        label={t("grid.boundary") + t("common.optional")}
        value={boundary()}
        onChange={(v) => {
          setBoundary(v);
          fields.touch("boundary");
        }}
        description={t("grid.boundaryHint")}
        error={fields.error("boundary")}
        rows={4}
      />
      <Show when={g}>
        <Checkbox label={t("grid.active")} checked={active()} onChange={setActive} />
      </Show>
      <FormError
        error={save.error}
        known={(p) => ["number", "name", "households", "population"].includes(p) || p.startsWith("boundary")}
        text={errorText}
      />
      <FormFooter onCancel={props.onClose} pending={save.isPending} />
    </form>
  );
}

function AssignForm(props: { grid: Grid; workers: Worker[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [picked, setPicked] = createSignal<ReadonlySet<string>>(new Set(props.grid.workers.map((w) => w.workerId)));
  const [leader, setLeader] = createSignal<string | null>(props.grid.workers.find((w) => w.leader)?.workerId ?? null);
  const save = createMutation(() => ({
    mutationFn: () =>
      trpc.grids.assign.mutate({
        id: props.grid.id,
        version: props.grid.version,
        workers: [...picked()].map((workerId) => ({ workerId, leader: workerId === leader() })),
      }),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ["grids.list"] });
      void queryClient.invalidateQueries({ queryKey: ["grids.workers"] });
      notify(t("grid.assigned", { name: saved.name }));
      props.onClose();
    },
  }));
  const toggle = (id: string, on: boolean) => {
    setPicked((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
    if (!on && leader() === id) setLeader(null);
  };
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
      noValidate
    >
      <Show when={props.workers.length > 0} fallback={<p class="muted">{t("grid.assign.none")}</p>}>
        <fieldset class="fieldset">
          <legend class="field-label">{t("grid.assign.pick")}</legend>
          <For each={props.workers}>
            {(w) => (
              <div class="field-row">
                <Checkbox
                  label={`${w.name}（${kindName(w.kind)}）`}
                  checked={picked().has(w.id)}
                  onChange={(on) => toggle(w.id, on)}
                />
                <Checkbox
                  label={t("grid.assign.makeLeader")}
                  checked={leader() === w.id}
                  disabled={!picked().has(w.id)}
                  onChange={(on) => setLeader(on ? w.id : null)}
                />
              </div>
            )}
          </For>
        </fieldset>
      </Show>
      <FormError error={save.error} known={() => false} text={errorText} />
      <FormFooter onCancel={props.onClose} pending={save.isPending} />
    </form>
  );
}

function WorkerForm(props: { worker: Worker | undefined; onClose: () => void }) {
  const queryClient = useQueryClient();
  const w = props.worker;
  const [name, setName] = createSignal(w?.name ?? "");
  const [phone, setPhone] = createSignal(w?.phone ?? "");
  const [kind, setKind] = createSignal<(typeof KINDS)[number]>(w?.kind ?? "full_time");
  const [active, setActive] = createSignal(w?.active ?? true);
  const save = createMutation(() => ({
    mutationFn: (input: Inputs["grids"]["addWorker"]) =>
      w
        ? trpc.grids.editWorker.mutate({ ...input, userId: w.userId, id: w.id, version: w.version, active: active() })
        : trpc.grids.addWorker.mutate(input),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: ["grids.workers"] });
      void queryClient.invalidateQueries({ queryKey: ["grids.list"] });
      notify(w ? t("centre.saved", { name: saved.name }) : t("centre.created", { name: saved.name }));
      props.onClose();
    },
  }));
  const fields = createFieldErrors({
    check: () => ({
      name: !name().trim()
        ? t("centre.required")
        : name().trim().length > 30
          ? t("centre.tooLong", { n: 30 })
          : undefined,
      phone: phone().trim() && !/^[0-9+\- ]{5,20}$/.test(phone().trim()) ? t("centre.phoneInvalid") : undefined,
    }),
    serverError: () => save.error,
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (!fields.submit()) return;
    save.mutate({ name: name().trim(), phone: phone().trim() || null, kind: kind() });
  };
  return (
    <form class="form" onSubmit={submit} noValidate>
      <TextField
        label={t("grid.worker.name")}
        value={name()}
        onChange={(v) => {
          setName(v);
          fields.touch("name");
        }}
        error={fields.error("name")}
        required
      />
      <Select
        label={t("grid.worker.kind")}
        options={KINDS.map((k) => ({ value: k, label: kindName(k) }))}
        value={kind()}
        onChange={(v) => v && setKind(v as (typeof KINDS)[number])}
      />
      <TextField
        label={t("grid.worker.phone") + t("common.optional")}
        value={phone()}
        onChange={(v) => {
          setPhone(v);
          fields.touch("phone");
        }}
        error={fields.error("phone")}
      />
      <Show when={w}>
        <Checkbox label={t("grid.active")} checked={active()} onChange={setActive} />
      </Show>
      <FormError error={save.error} known={(p) => ["name", "phone"].includes(p)} text={errorText} />
      <FormFooter onCancel={props.onClose} pending={save.isPending} />
    </form>
  );
}

/** Each worker's patrol week against the norm ("235"), for the grid leader and the township. */
function PatrolSection(props: { manages: boolean; own: boolean }) {
  const queryClient = useQueryClient();
  const figures = createQuery(() => ({
    queryKey: ["patrols.figures"],
    queryFn: () => trpc.patrols.figures.query({}),
    enabled: props.own,
  }));
  const [minutes, setMinutes] = createSignal("");
  const [metres, setMetres] = createSignal("");
  const [events, setEvents] = createSignal("");
  const [days, setDays] = createSignal("");
  const save = createMutation(() => ({
    mutationFn: () =>
      trpc.patrols.setNorm.mutate({
        minutesPerDay: wholeNumber(minutes()) ?? 0,
        metresPerDay: wholeNumber(metres()) ?? 0,
        eventsPerWeek: wholeNumber(events()) ?? 0,
        daysPerWeek: wholeNumber(days()) ?? 5,
      }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["patrols.figures"] });
      notify(t("grid.patrol.saved"));
    },
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
                { label: t("grid.patrol.count"), class: "num" },
                { label: t("grid.patrol.hours"), class: "num" },
                { label: t("grid.patrol.km"), class: "num" },
                { label: t("grid.patrol.events"), class: "num" },
                { label: t("grid.patrol.daysMet"), class: "num" },
                ...labels("grid.patrol.result"),
              ]}
              rows={f().workers}
            >
              {(w) => (
                <tr>
                  <td class="cell-title">{w.name}</td>
                  <td class="num">{w.patrols}</td>
                  <td class="num">{(w.minutes / 60).toFixed(1)}</td>
                  <td class="num">{(w.metres / 1000).toFixed(1)}</td>
                  <td class="num">{w.events}</td>
                  <td class="num">{w.daysMet}</td>
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
            <form
              class="form"
              onSubmit={(e) => {
                e.preventDefault();
                save.mutate();
              }}
              noValidate
            >
              <div class="field-row">
                <InputField
                  type="number"
                  label={t("grid.patrol.minutes")}
                  value={minutes()}
                  onChange={setMinutes}
                  min={0}
                />
                <InputField
                  type="number"
                  label={t("grid.patrol.metres")}
                  value={metres()}
                  onChange={setMetres}
                  min={0}
                />
                <InputField
                  type="number"
                  label={t("grid.patrol.eventsPerWeek")}
                  value={events()}
                  onChange={setEvents}
                  min={0}
                />
                <InputField
                  type="number"
                  label={t("grid.patrol.days")}
                  value={days()}
                  onChange={setDays}
                  min={1}
                  max={7}
                />
              </div>
              <FormError error={save.error} known={() => false} text={errorText} />
              <Button type="submit" disabled={save.isPending}>
                {t("grid.patrol.setNorm")}
              </Button>
            </form>
          </Show>
        </CentreSection>
      )}
    </Show>
  );
}
