// Namespace imports on purpose: Kobalte's compound `AlertDialog` object is built with
// Object.assign on the same root function as `Dialog`, so importing both compounds makes
// `Dialog.Content` render role="alertdialog". The modules' named parts are not affected.
import * as KAlertDialog from "@kobalte/core/alert-dialog";
import * as KDialog from "@kobalte/core/dialog";
import { createSignal, type JSX, Show } from "solid-js";
import { t } from "../i18n.ts";
import { Alert } from "./alert.tsx";
import { Button } from "./button.tsx";
import { cx } from "./cx.ts";

/** A modal dialog: focus trapped inside, Escape closes, title and description wired by ARIA. */
export function Dialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: JSX.Element;
  children: JSX.Element;
  size?: "md" | "lg";
}) {
  return (
    <KDialog.Root
      open={props.open}
      onOpenChange={props.onOpenChange}
      modal
      translations={{ dismiss: t("common.close") }}
    >
      <KDialog.Portal>
        <KDialog.Overlay class="dialog-overlay" />
        <div class="dialog-positioner">
          <KDialog.Content class={cx("dialog", props.size === "lg" && "dialog-lg")}>
            <div class="dialog-header">
              <KDialog.Title class="dialog-title">{props.title}</KDialog.Title>
              <KDialog.CloseButton class="dialog-close" aria-label={t("common.close")}>
                ×
              </KDialog.CloseButton>
            </div>
            <Show when={props.description}>
              <KDialog.Description class="dialog-description">{props.description}</KDialog.Description>
            </Show>
            <div class="dialog-body">{props.children}</div>
          </KDialog.Content>
        </div>
      </KDialog.Portal>
    </KDialog.Root>
  );
}

/** Buttons row at the bottom of a dialog. */
export function DialogFooter(props: { children: JSX.Element }) {
  return <div class="dialog-footer">{props.children}</div>;
}

/** The footer of a dialog that shows what was done (a link, a key shown once): one 关闭 button. */
export function CloseFooter(props: { onClose: () => void }) {
  return (
    <DialogFooter>
      <Button variant="primary" onClick={() => props.onClose()}>
        {t("common.close")}
      </Button>
    </DialogFooter>
  );
}

/**
 * A confirmation (role="alertdialog"). `onConfirm` runs the action; a thrown error's
 * message stays in the dialog so that the user sees it (e.g. a CONFLICT) and can cancel.
 */
export function ConfirmDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  message: string;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => Promise<void>;
  errorText?: (error: unknown) => string;
}) {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const change = (open: boolean) => {
    if (!open) setError(null);
    props.onOpenChange(open);
  };
  const confirm = async () => {
    setPending(true);
    setError(null);
    try {
      await props.onConfirm();
      change(false);
    } catch (e) {
      setError(props.errorText ? props.errorText(e) : String(e));
    } finally {
      setPending(false);
    }
  };
  return (
    <KAlertDialog.Root open={props.open} onOpenChange={change} modal translations={{ dismiss: t("common.cancel") }}>
      <KAlertDialog.Portal>
        <KAlertDialog.Overlay class="dialog-overlay" />
        <div class="dialog-positioner">
          <KAlertDialog.Content class="dialog dialog-sm">
            <div class="dialog-header">
              <KAlertDialog.Title class="dialog-title">{props.title}</KAlertDialog.Title>
            </div>
            <KAlertDialog.Description class="dialog-description">{props.message}</KAlertDialog.Description>
            <div class="dialog-body">
              <Show when={error()}>
                <Alert>{error()}</Alert>
              </Show>
              <DialogFooter>
                <Button onClick={() => change(false)}>{t("common.cancel")}</Button>
                <Button variant={props.danger ? "danger" : "primary"} disabled={pending()} onClick={confirm}>
                  {props.confirmLabel}
                </Button>
              </DialogFooter>
            </div>
          </KAlertDialog.Content>
        </div>
      </KAlertDialog.Portal>
    </KAlertDialog.Root>
  );
}
