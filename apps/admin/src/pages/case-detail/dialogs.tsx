import type { CaseAction } from "@zongzhi/domain/case-workflow";
import type { AgreementView, CaseDetail, ConfirmationView, Me, SessionView } from "../../api.ts";
import { actionName } from "../../components/case-common.tsx";
import { type MessageKey, t } from "../../i18n.ts";
import { TransitionForm } from "../case-actions.tsx";
import {
  AgreementForm,
  ConfirmationForm,
  type ConfirmationStep,
  ConfirmationStepForm,
  FollowUpForm,
  PerformanceForm,
  RecordSessionForm,
  ScheduleForm,
  SummonForm,
} from "../case-dialogs.tsx";

/** Which dialog of the case page is open. */
export type DialogState =
  | { kind: "transition"; action: CaseAction }
  | { kind: "summon" }
  | { kind: "schedule" }
  | { kind: "record"; session: SessionView }
  | { kind: "agreement" }
  | { kind: "performance"; agreement: AgreementView }
  | { kind: "confirm" }
  | { kind: "step"; confirmation: ConfirmationView; step: ConfirmationStep }
  | { kind: "followUp" };

/** The titles of the dialogs that are named by their kind alone. */
const TITLES: Record<Exclude<DialogState["kind"], "transition" | "step">, MessageKey> = {
  summon: "cases.summon.title",
  schedule: "cases.session.title",
  record: "cases.record.title",
  agreement: "cases.agreement.title",
  performance: "cases.perf.title",
  confirm: "cases.conf.title",
  followUp: "cases.follow.title",
};

/** The title of the open dialog. */
export function dialogTitle(d: DialogState | null): string {
  if (!d) return "";
  if (d.kind === "transition") return actionName(d.action);
  if (d.kind === "step") return t("cases.step.title", { step: t(`cases.step.${d.step}`) });
  return t(TITLES[d.kind]);
}

/** The body of the open dialog: the form for that step. */
export function DialogBody(props: { state: DialogState; detail: CaseDetail; me: Me; onClose: () => void }) {
  const d = props.state;
  switch (d.kind) {
    case "transition":
      return <TransitionForm detail={props.detail} action={d.action} onClose={props.onClose} />;
    case "summon":
      return <SummonForm detail={props.detail} onClose={props.onClose} />;
    case "schedule":
      return <ScheduleForm detail={props.detail} roomId={props.detail.roomId} onClose={props.onClose} />;
    case "record":
      return <RecordSessionForm detail={props.detail} session={d.session} onClose={props.onClose} />;
    case "agreement":
      return <AgreementForm detail={props.detail} onClose={props.onClose} />;
    case "performance":
      return <PerformanceForm detail={props.detail} agreement={d.agreement} onClose={props.onClose} />;
    case "confirm":
      return (
        <ConfirmationForm
          detail={props.detail}
          agreements={props.detail.agreements.filter(
            (a) => !props.detail.confirmations.some((c) => c.agreementId === a.id && c.result !== "not_accepted"),
          )}
          onClose={props.onClose}
        />
      );
    case "step":
      return (
        <ConfirmationStepForm
          detail={props.detail}
          confirmation={d.confirmation}
          step={d.step}
          onClose={props.onClose}
        />
      );
    case "followUp":
      return <FollowUpForm detail={props.detail} me={props.me} onClose={props.onClose} />;
  }
}
