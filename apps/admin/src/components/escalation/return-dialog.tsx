import { returnInput } from "@zongzhi/api/schemas/cases";
import { MAX_BOUNCES } from "@zongzhi/domain/case-workflow";
import { type Me, trpc } from "../../api.ts";
import { t } from "../../i18n.ts";
import { createDialogForm } from "../dialog-form.tsx";
import { FreshDialog } from "../dialogs.tsx";
import type { CaseDialogProps } from "./escalate-dialog.tsx";
import { createUnitNames, EscalationForm, StepText, useEscalationRefresh } from "./escalation-common.tsx";

/**
 * 退回: sends an escalated or assigned case back to the unit it came from, with a reason (the
 * 12345 rule: a return must say why). Returns are counted; past the limit a leader decides.
 */
export function ReturnDialog(props: CaseDialogProps & { me: Me; backTo: string }) {
  return (
    <FreshDialog open={props.open} onOpenChange={props.onOpenChange} title={t("escalation.return.title")}>
      <ReturnForm {...props} onClose={() => props.onOpenChange(false)} />
    </FreshDialog>
  );
}

function ReturnForm(props: CaseDialogProps & { me: Me; backTo: string; onClose: () => void }) {
  const refresh = useEscalationRefresh(() => props.case.id);
  const unitName = createUnitNames(
    () => props.me,
    () => [props.backTo],
  );
  const form = createDialogForm({
    schema: returnInput,
    initial: { reason: "" },
    toInput: (d) => ({ id: props.case.id, version: props.case.version, reason: d.reason }),
    send: (input) => trpc.escalation.returnCase.mutate(input),
    done: (result) =>
      result.needsLeader
        ? t("escalation.return.needsLeader")
        : t("escalation.return.done", { unit: unitName(props.backTo) }),
    refresh,
    onClose: props.onClose,
  });
  return (
    <EscalationForm form={form} refresh={refresh} submitLabel={t("escalation.return.submit")} danger>
      <p>{t("escalation.return.to", { code: props.case.code, unit: unitName(props.backTo) })}</p>
      <StepText
        label={t("escalation.return.reason")}
        {...form.text("reason")}
        description={t("escalation.return.reasonHint")}
        maxLength={1000}
      />
      <p class="muted small">{t("escalation.return.limit", { n: MAX_BOUNCES })}</p>
    </EscalationForm>
  );
}
