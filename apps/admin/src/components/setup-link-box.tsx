import { createSignal, Show } from "solid-js";
import type { SetupLink } from "../api.ts";
import { formatDateTime, t } from "../i18n.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { CloseFooter } from "../ui/dialog.tsx";
import { TextField } from "../ui/text-field.tsx";

/** A one-time setup link, shown once: read-only field, copy button, expiry and a warning. */
export function SetupLinkBox(props: { link: SetupLink; heading?: string }) {
  const [copied, setCopied] = createSignal<"ok" | "failed" | null>(null);
  let input: HTMLInputElement | undefined;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.link.url);
      setCopied("ok");
    } catch {
      // Clipboard API refused (permissions, older browsers): select the text for Ctrl+C.
      input?.select();
      setCopied(document.execCommand?.("copy") ? "ok" : "failed");
    }
  };
  return (
    <div class="setup-link">
      <Show when={props.heading}>
        <p class="setup-link-heading">{props.heading}</p>
      </Show>
      <div class="setup-link-row">
        <TextField
          label={t("setupLink.label")}
          value={props.link.url}
          readOnly
          class="setup-link-field"
          inputClass="mono"
          ref={(el) => {
            input = el;
          }}
          onFocus={(e) => e.currentTarget.select()}
          description={t("setupLink.expires", { time: formatDateTime(props.link.expiresAt) })}
        />
        <Button variant="primary" class="setup-link-copy" onClick={copy}>
          {copied() === "ok" ? t("common.copied") : t("common.copy")}
        </Button>
      </div>
      <Show when={copied() === "failed"}>
        <Alert tone="warning">{t("common.copyFailed")}</Alert>
      </Show>
      <p class="setup-link-note">{t("setupLink.once")}</p>
    </div>
  );
}

/**
 * A dialog's body once a setup link was issued for an account: an optional notice (已创建),
 * the link headed with whom it is for, and a close button.
 */
export function SetupLinkIssued(props: {
  link: SetupLink;
  user: { displayName: string; username: string };
  notice?: string;
  onClose: () => void;
}) {
  return (
    <div class="form">
      <Show when={props.notice}>
        <Alert tone="success">{props.notice}</Alert>
      </Show>
      <SetupLinkBox
        link={props.link}
        heading={t("setupLink.for", { name: props.user.displayName, username: props.user.username })}
      />
      <CloseFooter onClose={props.onClose} />
    </div>
  );
}
