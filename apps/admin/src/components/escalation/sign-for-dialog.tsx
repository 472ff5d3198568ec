import { refInput } from "@zongzhi/api/schemas/cases";
import { Show } from "solid-js";
import type { Me } from "../../api.ts";
import { trpc } from "../../api.ts";
import { formatDateTime, t } from "../../i18n.ts";
import { Badge } from "../../ui/badge.tsx";
import { createDialogForm } from "../dialog-form.tsx";
import { FreshDialog } from "../dialogs.tsx";
import { hopName } from "./case-path.tsx";
import type { CaseDialogProps } from "./escalate-dialog.tsx";
import { createPath, createUnitNames, EscalationForm, type Hop, useEscalationRefresh } from "./escalation-common.tsx";

/**
 * 签收: the receiving tier confirms it has taken the escalated or assigned case. Shows what it
 * is signing for (from whom, why, by when); the sign-for clock stops, the case's clocks go on.
 */
export function SignForDialog(props: CaseDialogProps & { me: Me }) {
  return (
    <FreshDialog open={props.open} onOpenChange={props.onOpenChange} title={t("escalation.signFor.title")}>
      <SignForForm {...props} onClose={() => props.onOpenChange(false)} />
    </FreshDialog>
  );
}

function SignForForm(props: CaseDialogProps & { me: Me; onClose: () => void }) {
  const refresh = useEscalationRefresh(() => props.case.id);
  const path = createPath(() => props.case.id);
  const last = (): Hop | undefined =>
    (path.data ?? []).filter((h) => h.kind === "escalate" || h.kind === "assign_down").at(-1);
  const unitName = createUnitNames(
    () => props.me,
    () => (last() ? [last()!.fromCode] : []),
  );
  const form = createDialogForm({
    schema: refInput,
    initial: {},
    toInput: () => ({ id: props.case.id, version: props.case.version }),
    send: (input) => trpc.escalation.signFor.mutate(input),
    done: () => t("escalation.signFor.done", { code: props.case.code }),
    refresh,
    onClose: props.onClose,
  });
  return (
    <EscalationForm form={form} refresh={refresh} submitLabel={t("escalation.signFor.submit")}>
      <p>{t("escalation.signFor.confirm", { code: props.case.code, title: props.case.title })}</p>
      <Show when={last()}>
        {(hop) => (
          <dl class="hop-facts">
            <div>
              <dt>{t("escalation.signFor.from")}</dt>
              <dd>
                {unitName(hop().fromCode)}（{hopName(hop().kind)}，{formatDateTime(hop().at)}）
                <Show when={hop().urgency === "urgent"}>
                  {" "}
                  <Badge tone="danger">{t("escalation.urgency.urgent")}</Badge>
                </Show>
              </dd>
            </div>
            <Show when={hop().reason}>
              <div>
                <dt>{t("escalation.escalate.reason")}</dt>
                <dd>{hop().reason}</dd>
              </div>
            </Show>
            <Show when={hop().instructions}>
              <div>
                <dt>{t("escalation.assign.instructions")}</dt>
                <dd>{hop().instructions}</dd>
              </div>
            </Show>
            <Show when={hop().deadline}>
              {(deadline) => (
                <div>
                  <dt>{t("escalation.assign.deadline")}</dt>
                  <dd>{formatDateTime(deadline())}</dd>
                </div>
              )}
            </Show>
          </dl>
        )}
      </Show>
      <p class="muted small">{t("escalation.signFor.note")}</p>
    </EscalationForm>
  );
}
