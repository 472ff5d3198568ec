import { createMutation, createQuery } from "@tanstack/solid-query";
import { createEffect, createSignal, Show } from "solid-js";
import { trpc } from "../../api.ts";
import { t } from "../../i18n.ts";
import { Dialog } from "../../ui/dialog.tsx";
import { notify } from "../../ui/toast.tsx";
import { RadioGroup, TextArea } from "../case-fields.tsx";
import { FormFooter } from "../config-page.tsx";
import { LoadError, Loading } from "../page.tsx";
import { ActionError, type CaseRef, tierOfCode, useEscalationRefresh } from "./escalation-common.tsx";

/** Props shared by the escalation dialogs of a case. */
export interface CaseDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  case: CaseRef;
}

/** 上报: the owning tier sends the case to its parent or any ancestor, with a reason and urgency. */
export function EscalateDialog(props: CaseDialogProps) {
  return (
    <Dialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title={t("escalation.escalate.title")}
      description={t("escalation.escalate.intro", { code: props.case.code })}
    >
      <Show when={props.open}>
        <EscalateForm case={props.case} onClose={() => props.onOpenChange(false)} />
      </Show>
    </Dialog>
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
  const [target, setTarget] = createSignal<string | null>(null);
  const [reason, setReason] = createSignal("");
  const [urgency, setUrgency] = createSignal<"normal" | "urgent">("normal");
  const [submitted, setSubmitted] = createSignal(false);
  createEffect(() => {
    if (target() === null && targets()[0]) setTarget(targets()[0]!.code);
  });
  const escalate = createMutation(() => ({
    mutationFn: () =>
      trpc.escalation.escalate.mutate({
        id: props.case.id,
        version: props.case.version,
        toCode: target()!,
        reason: reason().trim(),
        urgency: urgency(),
      }),
    onSuccess: async () => {
      const name = targets().find((u) => u.code === target())?.name ?? "";
      notify(t("escalation.escalate.done", { unit: name }));
      await refresh();
      props.onClose();
    },
  }));
  const reasonError = () => (submitted() && !reason().trim() ? t("escalation.reasonRequired") : undefined);
  const targetError = () => (submitted() && !target() ? t("escalation.escalate.targetRequired") : undefined);
  return (
    <Show when={!ancestors.isError} fallback={<LoadError error={ancestors.error} retry={() => ancestors.refetch()} />}>
      <Show when={ancestors.data} fallback={<Loading />}>
        <form
          class="form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            setSubmitted(true);
            if (reasonError() || targetError()) return;
            escalate.mutate();
          }}
        >
          <Show when={targets().length > 0} fallback={<p class="muted">{t("escalation.escalate.noTargets")}</p>}>
            <RadioGroup
              legend={t("escalation.escalate.to")}
              name="escalateTo"
              options={targets().map((u, i) => ({
                value: u.code,
                label: u.name,
                hint: i === 0 ? t("escalation.escalate.parent", { tier: tierOfCode(u.code) }) : tierOfCode(u.code),
              }))}
              value={target()}
              onChange={setTarget}
              error={targetError()}
              description={t("escalation.escalate.toHint")}
            />
          </Show>
          <TextArea
            label={t("escalation.escalate.reason")}
            value={reason()}
            onChange={setReason}
            error={reasonError()}
            description={t("escalation.escalate.reasonHint")}
            maxLength={1000}
            required
          />
          <RadioGroup
            legend={t("escalation.urgency")}
            name="urgency"
            options={[
              { value: "normal", label: t("escalation.urgency.normal") },
              { value: "urgent", label: t("escalation.urgency.urgent") },
            ]}
            value={urgency()}
            onChange={setUrgency}
          />
          <ActionError error={escalate.error} onReload={() => void refresh().then(props.onClose)} />
          <FormFooter
            onCancel={props.onClose}
            pending={escalate.isPending || targets().length === 0}
            submitLabel={t("escalation.escalate.submit")}
          />
        </form>
      </Show>
    </Show>
  );
}
