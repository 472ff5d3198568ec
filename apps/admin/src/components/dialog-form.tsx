import { createMutation } from "@tanstack/solid-query";
import { type JSX, Match, Show, Switch } from "solid-js";
import type { z } from "zod";
import { errorCode, fieldProblem, toServerError } from "../api.ts";
import { t } from "../i18n.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { notify } from "../ui/toast.tsx";
import { FormFooter } from "./config-page.tsx";
import { errorText } from "./page.tsx";
import { createSchemaForm } from "./schema-form.ts";

/**
 * The form of a dialog that sends one mutation: validated by the procedure's own input schema
 * ({@link createSchemaForm}); on success it says `done`, waits for `refresh` (what shows the
 * changed rows) and closes. The server's field problems show next to their fields.
 */
export function createDialogForm<D extends object, S extends z.ZodType, R>(options: {
  schema: S;
  initial: D;
  toInput: (draft: D) => z.input<S>;
  extra?: (draft: D) => Partial<Record<string, string | undefined>>;
  send: (input: z.output<S>) => Promise<R>;
  done: (result: R, input: z.output<S>) => string;
  refresh?: () => Promise<unknown>;
  onClose: () => void;
}) {
  const save = createMutation(() => ({
    // The input alone: the mutation's context is not the procedure's options.
    mutationFn: (input: z.output<S>) => options.send(input),
    onSuccess: async (result: R, input: z.output<S>) => {
      notify(options.done(result, input));
      await options.refresh?.();
      options.onClose();
    },
  }));
  const form = createSchemaForm({
    schema: options.schema,
    initial: options.initial,
    toInput: options.toInput,
    extra: options.extra,
    serverError: () => save.error,
  });
  return Object.assign(form, { save, close: options.onClose });
}

/** What {@link DialogForm} reads of a {@link createDialogForm}. */
export interface DialogFormHandle<I> {
  onSubmit: (send: (input: I) => void) => (event: SubmitEvent) => void;
  save: { mutate: (input: I) => void; isPending: boolean; error: unknown };
  close: () => void;
  /** Whether a field problem of this path is shown next to its field. */
  known: (path: string) => boolean;
}

/**
 * The body of such a dialog: its fields, the failed save's message unless a field shows it
 * (with a reload on CONFLICT), cancel and submit.
 */
export function DialogForm<I>(props: {
  form: DialogFormHandle<I>;
  submitLabel?: string;
  danger?: boolean;
  /** Offered with a CONFLICT (someone changed the row meanwhile): read it again. */
  onReload?: () => void;
  /** The fields that show their own problems, when not every field does (else the form's `known`). */
  inline?: string[];
  children: JSX.Element;
}) {
  return (
    <form class="form" noValidate onSubmit={props.form.onSubmit((input) => props.form.save.mutate(input))}>
      {props.children}
      <MutationError
        error={props.form.save.error}
        fields={props.inline}
        known={props.inline ? undefined : props.form.known}
        onReload={props.onReload}
      />
      <FormFooter
        onCancel={props.form.close}
        pending={props.form.save.isPending}
        submitLabel={props.submitLabel}
        danger={props.danger}
      />
    </form>
  );
}

/**
 * A failed mutation's message, unless it belongs to a field shown inline. A CONFLICT (stale
 * version) says so and offers to reload the case when `onReload` is given; elsewhere (a row of
 * a configuration page, a unique name taken) it is the server's message alone.
 */
export function MutationError(props: {
  error: unknown;
  fields?: string[];
  /** Whether a field problem of this path is shown next to its field (a schema form's `known`). */
  known?: (path: string) => boolean;
  onReload?: () => void;
  /** What a CONFLICT means here (by default: the case was updated by someone else). */
  conflictHint?: string;
}) {
  const inline = () =>
    (props.fields ?? []).some((f) => fieldProblem(props.error, f)) ||
    (props.known !== undefined && toServerError(props.error).fields.some((f) => props.known?.(f.path)));
  return (
    <Show when={props.error && !inline()}>
      <Switch fallback={<Alert>{errorText(props.error)}</Alert>}>
        <Match when={errorCode(props.error) === "CONFLICT" && props.onReload}>
          <Alert tone="warning">
            <span>
              {errorText(props.error)} {props.conflictHint ?? t("cases.conflictHint")}
            </span>
            <Button size="sm" class="alert-action" onClick={() => props.onReload?.()}>
              {t("cases.reload")}
            </Button>
          </Alert>
        </Match>
      </Switch>
    </Show>
  );
}
