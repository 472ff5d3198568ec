import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { DEADLINE_UNITS, type DeadlineUnit } from "@zongzhi/domain/deadlines";
import { createSignal, Match, Show, Switch } from "solid-js";
import { type Me, type Outputs, trpc } from "../api.ts";
import { InputField, RadioGroup } from "../components/case-fields.tsx";
import { DataTable, FormFooter, labels, RowAction } from "../components/config-page.tsx";
import { MutationError } from "../components/dialog-form.tsx";
import { gated } from "../components/dialogs.tsx";
import { DEADLINE_STAGES, type DeadlineStage, stageName } from "../components/escalation/escalation-common.tsx";
import { LoadError, Loading, PageHeader } from "../components/page.tsx";
import { Segmented } from "../components/segmented.tsx";
import { CASE_CATEGORIES } from "../i18n/cases.ts";
import { formatDateTime, locale, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";
import "../components/escalation/escalation.css";
import { ListCard } from "../components/config-page.tsx";
import { Form } from "../components/save-form.tsx";

type Policy = Outputs["escalation"]["policies"][number];
type Effective = Outputs["escalation"]["effectivePolicy"];

/** One row of the editor: a category, or null for the rule of every category. */
interface CategoryRow {
  code: string | null;
  label: string;
}

const POLICIES_KEY = ["escalation.policies"] as const;

/** An amount of time as a rule states it (3 个工作日, 24 小时 …). */
export function amountText(amount: number, unit: DeadlineUnit): string {
  return t(`escalation.amount.${unit}`, { n: amount });
}

function shareText(share: number): string {
  return t("escalation.policy.yellowAt", { pct: Math.round(share * 100) });
}

/**
 * /policies: the deadline rules in force for the caller's unit, stage by stage and category by
 * category, with where each comes from (own unit, an ancestor, or the default from the seeds
 * and the law) and its version. Setting a rule creates a new version for the unit and the units
 * below it; clocks already running keep the version they started with.
 */
export const PoliciesPage = gated((me) => me.tenant !== null && can(me, "centre.read"), PolicyEditor);

function PolicyEditor(props: { me: Me }) {
  const [stage, setStage] = createSignal<DeadlineStage>("sign_for");
  const [editing, setEditing] = createSignal<{ row: CategoryRow; current: Effective } | null>(null);
  const own = () => props.me.tenant?.code ?? "";
  const rows = (): CategoryRow[] => [
    { code: null, label: t("escalation.policy.allCategories") },
    ...CASE_CATEGORIES.map((c) => ({ code: c.code, label: locale() === "en" ? c.en : c.zh })),
  ];
  const policies = createQuery(() => ({ queryKey: POLICIES_KEY, queryFn: () => trpc.escalation.policies.query() }));
  // One batched request: the server resolves each rule (inheritance lives in one place).
  const effective = createQuery(() => ({
    queryKey: ["escalation.effectivePolicy", stage()],
    queryFn: () =>
      Promise.all(
        rows().map((r) => trpc.escalation.effectivePolicy.query({ categoryCode: r.code ?? "", stage: stage() })),
      ),
  }));
  // Complex petitions have clocks of their own (Yumen's second "123": 1, 2, 3 weeks).
  const complexPetition = createQuery(() => ({
    queryKey: ["escalation.effectivePolicy", stage(), "complex-petition"],
    queryFn: () => trpc.escalation.effectivePolicy.query({ categoryCode: "petition", stage: stage(), complex: true }),
  }));
  const unitNames = () => {
    const names = new Map(props.me.path.map((p) => [p.code, p.name]));
    for (const p of policies.data ?? []) if (p.unitName && !names.has(p.scopeCode)) names.set(p.scopeCode, p.unitName);
    return names;
  };
  const ruleById = (id: string | null) => (id ? (policies.data ?? []).find((p) => p.id === id) : undefined);
  const nextVersion = (row: CategoryRow) =>
    Math.max(
      0,
      ...(policies.data ?? [])
        .filter((p) => p.scopeCode === own() && p.categoryCode === row.code && p.stage === stage())
        .map((p) => p.version),
    ) + 1;
  const history = () =>
    (policies.data ?? []).filter(
      (p) => p.stage === stage() && (own().startsWith(p.scopeCode) || p.scopeCode === own()),
    );
  const below = () =>
    (policies.data ?? []).filter((p) => p.stage === stage() && p.scopeCode.startsWith(own()) && p.scopeCode !== own());
  const mayEdit = () => can(props.me, "centre.configure");
  return (
    <>
      <PageHeader title={t("escalation.policy.title")} intro={t("escalation.policy.intro")} />
      <ListCard id="policy-stage-title" title={t("escalation.policy.effective", { stage: stageName(stage()) })}>
        <Segmented
          class="stage-tabs"
          legend={t("escalation.policy.stage")}
          options={DEADLINE_STAGES}
          value={stage()}
          onChange={setStage}
          label={stageName}
        />
        <p class="muted small">{t(`escalation.stageHint.${stage()}`)}</p>
        <Switch fallback={<Loading />}>
          <Match when={effective.isError || policies.isError}>
            <LoadError
              error={effective.error ?? policies.error}
              retry={() => {
                void effective.refetch();
                void policies.refetch();
              }}
            />
          </Match>
          <Match when={effective.data && policies.data}>
            <DataTable
              class="policy-table"
              caption={t("escalation.policy.effective", { stage: stageName(stage()) })}
              actions={mayEdit()}
              columns={[
                ...labels(
                  "escalation.policy.category escalation.policy.amount escalation.policy.yellow escalation.policy.source",
                ),
                { label: t("escalation.policy.version"), class: "num" },
              ]}
              rows={rows()}
            >
              {(row, i) => {
                const rule = () => effective.data?.[i()];
                return (
                  <Show when={rule()}>
                    {(r) => (
                      <tr>
                        <th scope="row" class={row.code === null ? "policy-general" : undefined}>
                          {row.label}
                        </th>
                        <td class="nowrap">
                          {amountText(r().amount, r().unit)}
                          <Show
                            when={
                              row.code === "petition" &&
                              complexPetition.data &&
                              (complexPetition.data.amount !== r().amount || complexPetition.data.unit !== r().unit)
                                ? complexPetition.data
                                : null
                            }
                          >
                            {(complex) => (
                              <div class="muted small">
                                {t("escalation.policy.complex", {
                                  amount: amountText(complex().amount, complex().unit),
                                })}
                              </div>
                            )}
                          </Show>
                        </td>
                        <td class="nowrap">{shareText(r().yellowShare)}</td>
                        <td>
                          <Source
                            scopeCode={r().scopeCode}
                            own={own()}
                            name={(code) => unitNames().get(code) ?? code}
                            general={row.code !== null && ruleById(r().id)?.categoryCode === null}
                          />
                        </td>
                        <td class="num">{r().scopeCode === null ? "—" : `v${r().version}`}</td>
                        <Show when={mayEdit()}>
                          <td class="col-actions">
                            <RowAction
                              label={
                                r().scopeCode === own() ? t("escalation.policy.change") : t("escalation.policy.set")
                              }
                              ariaLabel={t("escalation.policy.setAria", { category: row.label })}
                              onClick={() => setEditing({ row, current: r() })}
                              variant="secondary"
                            />
                          </td>
                        </Show>
                      </tr>
                    )}
                  </Show>
                );
              }}
            </DataTable>
          </Match>
        </Switch>
      </ListCard>
      <ListCard id="policy-history-title" title={t("escalation.policy.history", { stage: stageName(stage()) })}>
        <p class="muted small">{t("escalation.policy.historyHint")}</p>
        <PolicyTable rules={history()} own={own()} />
        <Show when={below().length > 0}>
          <h3 class="field-label policy-below-title">{t("escalation.policy.below")}</h3>
          <PolicyTable rules={below()} own={own()} />
        </Show>
      </ListCard>
      <Dialog
        open={editing() !== null}
        onOpenChange={(on) => !on && setEditing(null)}
        title={t("escalation.policy.dialogTitle")}
      >
        <Show when={editing()} keyed>
          {(e) => (
            <PolicyForm
              stage={stage()}
              row={e.row}
              current={e.current}
              nextVersion={nextVersion(e.row)}
              onClose={() => setEditing(null)}
            />
          )}
        </Show>
      </Dialog>
    </>
  );
}

/** Where a rule in force comes from: this unit, an ancestor (named), or the default. */
function Source(props: { scopeCode: string | null; own: string; name: (code: string) => string; general: boolean }) {
  return (
    <span class="policy-source">
      <Switch>
        <Match when={props.scopeCode === null}>
          <Badge tone="neutral">{t("escalation.policy.fromDefault")}</Badge>
        </Match>
        <Match when={props.scopeCode === props.own}>
          <Badge tone="success">{t("escalation.policy.fromOwn")}</Badge>
        </Match>
        <Match when={props.scopeCode}>
          {(code) => <Badge tone="tier">{t("escalation.policy.fromAncestor", { unit: props.name(code()) })}</Badge>}
        </Match>
      </Switch>
      <Show when={props.general}>
        <span class="muted small">{t("escalation.policy.viaGeneral")}</span>
      </Show>
    </span>
  );
}

function PolicyTable(props: { rules: Policy[]; own: string }) {
  const categoryLabel = (code: string | null) => {
    if (code === null) return t("escalation.policy.allCategories");
    const c = CASE_CATEGORIES.find((x) => x.code === code);
    return c ? (locale() === "en" ? c.en : c.zh) : code;
  };
  return (
    <Show when={props.rules.length > 0} fallback={<p class="muted small">{t("escalation.policy.noRules")}</p>}>
      <DataTable
        class="table-dense"
        caption={t("escalation.policy.versions")}
        columns={[
          ...labels(
            "escalation.policy.unit escalation.policy.category escalation.policy.amount escalation.policy.yellow",
          ),
          { label: t("escalation.policy.version"), class: "num" },
          ...labels("escalation.policy.note escalation.policy.setAt"),
        ]}
        rows={props.rules}
      >
        {(p) => (
          <tr>
            <td>
              {p.unitName ?? p.scopeCode}
              <Show when={p.scopeCode === props.own}>
                {" "}
                <Badge tone="success">{t("escalation.policy.fromOwn")}</Badge>
              </Show>
            </td>
            <td>{categoryLabel(p.categoryCode)}</td>
            <td class="nowrap">{amountText(p.amount, p.unit)}</td>
            <td class="nowrap">{shareText(p.yellowShare)}</td>
            <td class="num">v{p.version}</td>
            <td>{p.note ?? "—"}</td>
            <td class="nowrap">{formatDateTime(p.createdAt)}</td>
          </tr>
        )}
      </DataTable>
    </Show>
  );
}

/** Sets this unit's rule for one stage and category: saved as a new version. */
function PolicyForm(props: {
  stage: DeadlineStage;
  row: CategoryRow;
  current: Effective;
  nextVersion: number;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const [amount, setAmount] = createSignal(String(props.current.amount));
  const [unit, setUnit] = createSignal<DeadlineUnit>(props.current.unit);
  const [yellow, setYellow] = createSignal(String(Math.round(props.current.yellowShare * 100)));
  const [note, setNote] = createSignal("");
  const save = createMutation(() => ({
    mutationFn: () =>
      trpc.escalation.setPolicy.mutate({
        categoryCode: props.row.code,
        stage: props.stage,
        amount: Number(amount()),
        unit: unit(),
        yellowShare: Number(yellow()) / 100,
        note: note().trim() || null,
      }),
    onSuccess: async (result) => {
      notify(t("escalation.policy.saved", { version: result.version }));
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: POLICIES_KEY }),
        queryClient.invalidateQueries({ queryKey: ["escalation.effectivePolicy"] }),
      ]);
      props.onClose();
    },
  }));
  const amountError = () => {
    const n = Number(amount());
    return Number.isInteger(n) && n >= 1 && n <= 3650 ? undefined : t("escalation.policy.amountInvalid");
  };
  const yellowError = () => {
    const n = Number(yellow());
    return Number.isInteger(n) && n >= 1 && n <= 99 ? undefined : t("escalation.policy.yellowInvalid");
  };
  return (
    <Form
      noValidate
      onSubmit={() => {
        if (amountError() || yellowError()) return;
        save.mutate();
      }}
    >
      <p>
        {t("escalation.policy.for", { category: props.row.label, stage: stageName(props.stage) })}
        <br />
        <span class="muted small">
          {t("escalation.policy.current", {
            amount: amountText(props.current.amount, props.current.unit),
          })}
        </span>
      </p>
      <div class="field-row">
        <InputField
          type="number"
          label={t("escalation.policy.amount")}
          value={amount()}
          onChange={setAmount}
          min={1}
          max={3650}
          step={1}
          inputMode="numeric"
          error={amountError()}
          required
        />
        <InputField
          type="number"
          label={t("escalation.policy.yellowPct")}
          value={yellow()}
          onChange={setYellow}
          min={1}
          max={99}
          step={1}
          inputMode="numeric"
          description={t("escalation.policy.yellowHint")}
          error={yellowError()}
          required
        />
      </div>
      <RadioGroup
        legend={t("escalation.policy.unitLegend")}
        name="policyUnit"
        options={DEADLINE_UNITS.map((u) => ({ value: u, label: t(`escalation.unit.${u}`) }))}
        value={unit()}
        onChange={setUnit}
        description={t("escalation.policy.unitHint")}
      />
      <TextField label={t("escalation.policy.noteLabel")} value={note()} onChange={setNote} />
      <p class="muted small">{t("escalation.policy.versionNote", { version: props.nextVersion })}</p>
      <MutationError error={save.error} />
      <FormFooter
        onCancel={props.onClose}
        pending={save.isPending}
        submitLabel={t("escalation.policy.save", { version: props.nextVersion })}
      />
    </Form>
  );
}
