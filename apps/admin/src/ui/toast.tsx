import * as KToast from "@kobalte/core/toast";
import { Portal } from "solid-js/web";
import { t } from "../i18n.ts";
import { cx } from "./cx.ts";

/** Where toasts appear (render once, in the app shell). */
export function ToastRegion() {
  return (
    <Portal>
      <KToast.Region class="toast-region" duration={4000} limit={3} aria-label={t("app.notifications")}>
        <KToast.List class="toast-list" />
      </KToast.Region>
    </Portal>
  );
}

/** Shows a short confirmation in the corner (announced politely to screen readers). */
export function notify(message: string, tone: "success" | "error" = "success"): void {
  KToast.toaster.show((props) => (
    <KToast.Root
      toastId={props.toastId}
      class={cx("toast", `toast-${tone}`)}
      translations={{ close: t("common.dismiss") }}
    >
      <KToast.Description class="toast-text">{message}</KToast.Description>
      <KToast.CloseButton class="toast-close" aria-label={t("common.dismiss")}>
        ×
      </KToast.CloseButton>
    </KToast.Root>
  ));
}
