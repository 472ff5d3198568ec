import { createQuery } from "@tanstack/solid-query";
import { escalateInput } from "@zongzhi/api/schemas/cases";
import { createEffect, Show } from "solid-js";
import { trpc } from "../../api.ts";
import { t } from "../../i18n.ts";
import { RadioGroup } from "../case-fields.tsx";
import { createDialogForm } from "../dialog-form.tsx";
import { FreshDialog } from "../dialogs.tsx";
import { QueryState } from "../query-state.tsx";
import { type CaseRef, EscalationForm, StepText, tierOfCode, useEscalationRefresh } from "./escalation-common.tsx";

/** Props shared by the escalation dialogs of a case. */
export interface CaseDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  case: CaseRef;
}

/** 上报: the owning tier sends the case to its parent or any ancestor, with a reason and urgency. */
export function EscalateDialog(props: CaseDialogProps) {
  return (
    <FreshDialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title={t("escalation.escalate.title")}
      description={t("escalation.escalate.intro", { code: props.case.code })}
    >
      <EscalateForm case={props.case} onClose={() => props.onOpenChange(false)} />
    </FreshDialog>
  );
}

function EscalateForm(props: { case: CaseRef; onClose: () => void }) {
  const refresh = useEscalationRefresh(() => props.case.id);
  const ancestors = createQuery(() => ({
    queryKey: ["escalation.ancestors"],
    queryFn: () => trpc.escalation.ancestors.query(),
    staleTime: 5 * 60_000,
  }));
  // Nearest first: the parent is the usual target (矛盾不上交: skip a tier only with reason).
  const targets = () => [...(ancestors.data ?? [])].reverse();
  const form = createDialogForm({
    schema: escalateInput,
    initial: { toCode: "", reason: "", urgency: "normal" as "normal" | "urgent" },
    toInput: (d) => ({ ...d, id: props.case.id, version: props.case.version }),
    extra: (d) => ({ toCode: d.toCode ? undefined : t("escalation.escalate.targetRequired") }),
    send: (input) => trpc.escalation.escalate.mutate(input),
    done: (_, input) =>
      t("escalation.escalate.done", { unit: targets().find((u) => u.code === input.toCode)?.name ?? "" }),
    refresh,
    onClose: props.onClose,
  });
  createEffect(() => {
    if (!form.draft.toCode && targets()[0]) form.set("toCode", targets()[0]!.code);
  });
  return (
    <QueryState query={ancestors}>
      <EscalationForm form={form} refresh={refresh} submitLabel={t("escalation.escalate.submit")}>
        <Show when={targets().length > 0} fallback={<p class="muted">{t("escalation.escalate.noTargets")}</p>}>
          <RadioGroup
            legend={t("escalation.escalate.to")}
            name="escalateTo"
            options={targets().map((u, i) => ({
              value: u.code,
              label: u.name,
              hint: i === 0 ? t("escalation.escalate.parent", { tier: tierOfCode(u.code) }) : tierOfCode(u.code),
            }))}
            value={form.draft.toCode || null}
            onChange={(code) => form.set("toCode", code)}
            error={form.error("toCode")}
            description={t("escalation.escalate.toHint")}
          />
        </Show>
        <StepText
          label={t("escalation.escalate.reason")}
          {...form.text("reason")}
          description={t("escalation.escalate.reasonHint")}
          maxLength={1000}
        />
        <RadioGroup
          legend={t("escalation.urgency")}
          name="urgency"
          options={[
            { value: "normal", label: t("escalation.urgency.normal") },
            { value: "urgent", label: t("escalation.urgency.urgent") },
          ]}
          {...form.choice("urgency")}
        />
      </EscalationForm>
    </QueryState>
  );
}
