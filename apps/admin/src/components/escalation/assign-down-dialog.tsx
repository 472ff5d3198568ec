import { createQuery } from "@tanstack/solid-query";
import { assignDownInput } from "@zongzhi/api/schemas/cases";
import { createSignal, For, Show } from "solid-js";
import { type Me, trpc, type UnitRow } from "../../api.ts";
import { t } from "../../i18n.ts";
import { Select } from "../../ui/select.tsx";
import { Fieldset } from "../case-fields.tsx";
import { createDialogForm } from "../dialog-form.tsx";
import { FreshDialog } from "../dialogs.tsx";
import type { CaseDialogProps } from "./escalate-dialog.tsx";
import {
  DueDateField,
  dueDay,
  EscalationForm,
  endOfChinaDay,
  StepText,
  tierOfCode,
  useEscalationRefresh,
} from "./escalation-common.tsx";

/**
 * 交办: the owning tier assigns the case down to any unit below it, with instructions and a
 * deadline; that unit must sign for it. The unit is picked tier by tier (township, then village).
 */
export function AssignDownDialog(props: CaseDialogProps & { me: Me }) {
  return (
    <FreshDialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title={t("escalation.assign.title")}
      description={t("escalation.assign.intro", { code: props.case.code })}
      size="lg"
    >
      <AssignForm {...props} onClose={() => props.onOpenChange(false)} />
    </FreshDialog>
  );
}

function AssignForm(props: CaseDialogProps & { me: Me; onClose: () => void }) {
  const refresh = useEscalationRefresh(() => props.case.id);
  const due = dueDay(7);
  const [chosen, setChosen] = createSignal<UnitRow[]>([]);
  const target = () => chosen().at(-1) ?? null;
  const form = createDialogForm({
    schema: assignDownInput,
    initial: { instructions: "", deadline: due.initial },
    toInput: (d) => ({
      id: props.case.id,
      version: props.case.version,
      toCode: target()?.code ?? "",
      instructions: d.instructions,
      deadline: endOfChinaDay(d.deadline),
    }),
    // Only the page knows the unit picked.
    extra: (d) => ({
      toCode: target() ? undefined : t("escalation.assign.targetRequired"),
      deadline: due.problem(d.deadline),
    }),
    send: (input) => trpc.escalation.assignDown.mutate(input),
    done: () => t("escalation.assign.done", { unit: target()?.name ?? "" }),
    refresh,
    onClose: props.onClose,
  });
  // The select of each tier: below the owner, then below each unit chosen so far.
  const parents = () => {
    const list = [props.case.ownerCode];
    for (const unit of chosen()) {
      if ((unit.tenant?.onboardedChildren ?? 0) === 0) break;
      list.push(unit.code);
    }
    return list;
  };
  const choose = (depth: number, unit: UnitRow | null) => {
    const path = chosen().slice(0, depth);
    const next = unit ? [...path, unit] : path;
    // The select may report its value again: only a real change moves the picker.
    if (next.length === chosen().length && next.every((u, i) => u.code === chosen()[i]?.code)) return;
    setChosen(next);
  };
  return (
    <EscalationForm form={form} refresh={refresh} submitLabel={t("escalation.assign.submit")}>
      <Fieldset legend={t("escalation.assign.to")} error={form.error("toCode")}>
        <div class="unit-cascade">
          <For each={parents()}>
            {(parent, depth) => (
              <UnitLevel
                parent={parent}
                depth={depth()}
                value={chosen()[depth()]?.code ?? null}
                above={chosen()[depth() - 1] ?? null}
                onChange={(unit) => choose(depth(), unit)}
              />
            )}
          </For>
        </div>
        <Show when={target()}>
          {(unit) => (
            <p class="field-hint">
              {t("escalation.assign.chosen", { unit: unit().name, tier: tierOfCode(unit().code) })}
            </p>
          )}
        </Show>
      </Fieldset>
      <StepText
        label={t("escalation.assign.instructions")}
        {...form.text("instructions")}
        description={t("escalation.assign.instructionsHint")}
        maxLength={2000}
      />
      <DueDateField
        label={t("escalation.assign.deadline")}
        {...form.text("deadline")}
        description={t("escalation.assign.deadlineHint")}
      />
    </EscalationForm>
  );
}

const SELF = "self";

/** One tier of the unit picker: the onboarded, active units directly under `parent`. */
function UnitLevel(props: {
  parent: string;
  depth: number;
  value: string | null;
  above: UnitRow | null;
  onChange: (unit: UnitRow | null) => void;
}) {
  const units = createQuery(() => ({
    queryKey: ["tenants.units", props.parent, "onboarded"],
    queryFn: () => trpc.tenants.units.query({ parentCode: props.parent, onboardedOnly: true, limit: 200 }),
    staleTime: 5 * 60_000,
  }));
  const active = () => (units.data?.items ?? []).filter((u) => u.tenant?.status === "active");
  // Below the first tier, SELF keeps the unit chosen above as the target.
  const options = () => [
    ...(props.depth > 0 && props.above
      ? [{ value: SELF, label: t("escalation.assign.itself", { unit: props.above.name }) }]
      : []),
    ...active().map((u) => ({ value: u.code, label: u.name })),
  ];
  return (
    <Select
      label={props.depth === 0 ? t("escalation.assign.unit") : t("escalation.assign.unitBelow")}
      placeholder={t("escalation.assign.unitPlaceholder")}
      options={options()}
      value={props.value ?? (props.depth > 0 ? SELF : null)}
      onChange={(code) => props.onChange(active().find((u) => u.code === code) ?? null)}
    />
  );
}
