import { A } from "@solidjs/router";
import { createEffect, type JSX, Show } from "solid-js";
import { toServerError } from "../api.ts";
import { pick, t } from "../i18n.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";

/** Sets the document title for the current page, following the language. */
export function usePageTitle(title: () => string): void {
  createEffect(() => {
    document.title = `${title()} · ${t("app.name")}`;
  });
}

/** A page's heading row with optional actions on the right. */
export function PageHeader(props: { title: string; intro?: string; actions?: JSX.Element }) {
  usePageTitle(() => props.title);
  return (
    <div class="page-header">
      <div>
        <h1 class="page-title">{props.title}</h1>
        <Show when={props.intro}>
          <p class="page-intro">{props.intro}</p>
        </Show>
      </div>
      <Show when={props.actions}>
        <div class="page-actions">{props.actions}</div>
      </Show>
    </div>
  );
}

/**
 * The primary button of a page or card that adds or opens something (新增…), shown when `when`
 * holds (the caller may do it); `small` in a card's toolbar.
 */
export function AddButton(props: { when?: boolean; label: string; onClick: () => void; small?: boolean }) {
  return (
    <Show when={props.when ?? true}>
      <Button variant="primary" size={props.small ? "sm" : undefined} onClick={() => props.onClick()}>
        {props.label}
      </Button>
    </Show>
  );
}

/** A quiet loading line. */
export function Loading() {
  return (
    <p class="loading" aria-live="polite">
      {t("app.loading")}
    </p>
  );
}

/** A failed load with the server's message in the current language and a retry button. */
export function LoadError(props: { error: unknown; retry?: () => void }) {
  return (
    <Alert>
      <span>{pick(toServerError(props.error))}</span>
      <Show when={props.retry}>
        <Button size="sm" class="alert-action" onClick={() => props.retry?.()}>
          {t("app.retry")}
        </Button>
      </Show>
    </Alert>
  );
}

/** Shown instead of a page the caller's permissions do not allow. */
export function Forbidden() {
  usePageTitle(() => t("app.forbidden"));
  return (
    <div class="empty-state">
      <p>{t("app.forbidden")}</p>
      <A href="/">{t("app.backHome")}</A>
    </div>
  );
}

/** The server's message of an error, in the current language. */
export function errorText(error: unknown): string {
  return pick(toServerError(error));
}
