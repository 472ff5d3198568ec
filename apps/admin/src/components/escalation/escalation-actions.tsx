import { type CaseState, TERMINAL_STATES } from "@zongzhi/domain/case-workflow";
import { createSignal, For, Show } from "solid-js";
import type { Me } from "../../api.ts";
import { type MessageKey, t } from "../../i18n.ts";
import { mayOn } from "../../session.ts";
import { Button } from "../../ui/button.tsx";
import { AssignDownDialog } from "./assign-down-dialog.tsx";
import { EscalateDialog } from "./escalate-dialog.tsx";
import { awaitsSignFor, type CaseRef, cameFrom, createPath, createUnitNames } from "./escalation-common.tsx";
import { ReturnDialog } from "./return-dialog.tsx";
import { SignForDialog } from "./sign-for-dialog.tsx";
import { OpenSupervisionDialog, TakeChargeDialog } from "./supervision-dialogs.tsx";

type Open = "signFor" | "escalate" | "assign" | "return" | "supervise" | "charge" | null;

/** What the caller may do about a case's tier, by the same rules the API applies. */
export function createHopRights(caseRef: () => CaseRef & { status: CaseState }, me: () => Me) {
  const path = createPath(() => caseRef().id);
  const hops = () => path.data ?? [];
  const isOwner = () => me().tenant?.code === caseRef().ownerCode;
  const may = (permission: Parameters<typeof mayOn>[1]) => mayOn(me(), permission, caseRef().ownerCode);
  const live = () => !TERMINAL_STATES.includes(caseRef().status) && caseRef().status !== "closed";
  const waiting = () => path.isSuccess && awaitsSignFor(hops());
  return {
    loaded: () => path.isSuccess,
    /** Workflow steps: for the owner or a unit above it, once the owner has signed for the case. */
    canWork: () => caseRef().ownerCode.startsWith(me().tenant?.code ?? "-") && !waiting(),
    waiting,
    isOwner,
    signFor: () => may("case.sign_for") && waiting(),
    escalate: () => may("case.escalate") && path.isSuccess && !waiting() && live(),
    assign: () => may("case.assign_down") && path.isSuccess && !waiting() && live() && me().tenant?.level !== "village",
    returnTo: () => (may("case.return_hop") && live() ? cameFrom(hops(), caseRef().ownerCode) : null),
    supervise: () => may("supervision.open") && live(),
    takeCharge: () => may("case.take_charge") && live(),
  };
}

/**
 * The tier actions of a case, next to its workflow buttons: sign for (签收) while the owner
 * has not; escalate (上报), assign down (交办) and return (退回) for the owner; supervise (督办)
 * and take charge (包案) for leaders. Each opens its dialog; the server checks again.
 */
export function EscalationActions(props: { case: CaseRef & { status: CaseState }; me: Me }) {
  const [open, setOpen] = createSignal<Open>(null);
  const rights = createHopRights(
    () => props.case,
    () => props.me,
  );
  const unitName = createUnitNames(
    () => props.me,
    () => [props.case.ownerCode],
  );
  const toggle = (which: Open) => (on: boolean) => setOpen(on ? which : null);
  // One button a dialog, in this order, each shown while the caller has that right.
  const buttons: {
    open: Open;
    when: () => boolean;
    label: MessageKey;
    variant?: "primary" | "ghost";
    class?: string;
  }[] = [
    { open: "signFor", when: rights.signFor, label: "escalation.signFor.submit", variant: "primary" },
    { open: "escalate", when: rights.escalate, label: "escalation.escalate.submit" },
    { open: "assign", when: rights.assign, label: "escalation.assign.submit" },
    {
      open: "return",
      when: () => Boolean(rights.returnTo()),
      label: "escalation.return.submit",
      variant: "ghost",
      class: "btn-danger-text",
    },
    { open: "supervise", when: rights.supervise, label: "escalation.supervise.submit" },
    { open: "charge", when: rights.takeCharge, label: "escalation.charge.submit" },
  ];
  return (
    <>
      <For each={buttons}>
        {(b) => (
          <Show when={b.when()}>
            <Button size="sm" variant={b.variant} class={b.class} onClick={() => setOpen(b.open)}>
              {t(b.label)}
            </Button>
          </Show>
        )}
      </For>
      <Show when={rights.loaded() && !rights.isOwner()}>
        <span class="muted small hop-owner-note">
          {rights.waiting()
            ? t("escalation.actions.awaiting", { unit: unitName(props.case.ownerCode) })
            : t("escalation.actions.ownedBy", { unit: unitName(props.case.ownerCode) })}
        </span>
      </Show>
      <Show when={rights.isOwner() && rights.waiting()}>
        <span class="muted small hop-owner-note">{t("escalation.actions.signFirst")}</span>
      </Show>
      <SignForDialog open={open() === "signFor"} onOpenChange={toggle("signFor")} case={props.case} me={props.me} />
      <EscalateDialog open={open() === "escalate"} onOpenChange={toggle("escalate")} case={props.case} />
      <AssignDownDialog open={open() === "assign"} onOpenChange={toggle("assign")} case={props.case} me={props.me} />
      <Show when={rights.returnTo()}>
        {(backTo) => (
          <ReturnDialog
            open={open() === "return"}
            onOpenChange={toggle("return")}
            case={props.case}
            me={props.me}
            backTo={backTo()}
          />
        )}
      </Show>
      <OpenSupervisionDialog open={open() === "supervise"} onOpenChange={toggle("supervise")} case={props.case} />
      <TakeChargeDialog open={open() === "charge"} onOpenChange={toggle("charge")} case={props.case} />
    </>
  );
}
