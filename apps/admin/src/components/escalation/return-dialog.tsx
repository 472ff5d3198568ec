import { createMutation } from "@tanstack/solid-query";
import { MAX_BOUNCES } from "@zongzhi/domain/case-workflow";
import { createSignal, Show } from "solid-js";
import { type Me, trpc } from "../../api.ts";
import { t } from "../../i18n.ts";
import { Dialog } from "../../ui/dialog.tsx";
import { notify } from "../../ui/toast.tsx";
import { TextArea } from "../case-fields.tsx";
import { FormFooter } from "../config-page.tsx";
import type { CaseDialogProps } from "./escalate-dialog.tsx";
import { ActionError, createUnitNames, useEscalationRefresh } from "./escalation-common.tsx";

/**
 * 退回: sends an escalated or assigned case back to the unit it came from, with a reason (the
 * 12345 rule: a return must say why). Returns are counted; past the limit a leader decides.
 */
export function ReturnDialog(props: CaseDialogProps & { me: Me; backTo: string }) {
  return (
    <Dialog open={props.open} onOpenChange={props.onOpenChange} title={t("escalation.return.title")}>
      <Show when={props.open}>
        <ReturnForm {...props} onClose={() => props.onOpenChange(false)} />
      </Show>
    </Dialog>
  );
}

function ReturnForm(props: CaseDialogProps & { me: Me; backTo: string; onClose: () => void }) {
  const refresh = useEscalationRefresh(() => props.case.id);
  const unitName = createUnitNames(
    () => props.me,
    () => [props.backTo],
  );
  const [reason, setReason] = createSignal("");
  const [submitted, setSubmitted] = createSignal(false);
  const back = createMutation(() => ({
    mutationFn: () =>
      trpc.escalation.returnCase.mutate({ id: props.case.id, version: props.case.version, reason: reason().trim() }),
    onSuccess: async (result) => {
      notify(
        result.needsLeader
          ? t("escalation.return.needsLeader")
          : t("escalation.return.done", { unit: unitName(props.backTo) }),
      );
      await refresh();
      props.onClose();
    },
  }));
  const reasonError = () => (submitted() && !reason().trim() ? t("escalation.reasonRequired") : undefined);
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (reasonError()) return;
        back.mutate();
      }}
    >
      <p>{t("escalation.return.to", { code: props.case.code, unit: unitName(props.backTo) })}</p>
      <TextArea
        label={t("escalation.return.reason")}
        value={reason()}
        onChange={setReason}
        error={reasonError()}
        description={t("escalation.return.reasonHint")}
        maxLength={1000}
        required
      />
      <p class="muted small">{t("escalation.return.limit", { n: MAX_BOUNCES })}</p>
      <ActionError error={back.error} onReload={() => void refresh().then(props.onClose)} />
      <FormFooter
        onCancel={props.onClose}
        pending={back.isPending}
        submitLabel={t("escalation.return.submit")}
        danger
      />
    </form>
  );
}
