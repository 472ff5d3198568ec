import { createMutation, type QueryKey, useQueryClient } from "@tanstack/solid-query";
import { type JSX, Show } from "solid-js";
import { fieldProblem } from "../api.ts";
import { pick } from "../i18n.ts";
import { Alert } from "../ui/alert.tsx";
import { notify } from "../ui/toast.tsx";
import { FormFooter } from "./config-page.tsx";
import { errorText } from "./page.tsx";

/**
 * A form that stays on the page: the browser's submit (Enter or the submit button) runs
 * `onSubmit` instead of navigating. `class` is "form" unless named.
 */
export function Form(props: {
  onSubmit: () => void;
  class?: string;
  noValidate?: boolean;
  testId?: string;
  ariaLabel?: string;
  children: JSX.Element;
}) {
  return (
    <form
      class={props.class ?? "form"}
      noValidate={props.noValidate}
      data-testid={props.testId}
      aria-label={props.ariaLabel}
      onSubmit={(event) => {
        event.preventDefault();
        props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

/**
 * The mutation of a dialog's save: once `send` succeeds it says `done`, closes the dialog and
 * reads `invalidate`'s queries again (the mutation stays pending until they are read).
 */
export function createSave<I = void, R = unknown>(options: {
  send: (input: I) => Promise<R>;
  done: string | ((result: R, input: I) => string);
  onClose: () => void;
  invalidate?: QueryKey;
}) {
  const queryClient = useQueryClient();
  return createMutation(() => ({
    mutationFn: (input: I) => options.send(input),
    onSuccess: (result: R, input: I) => {
      notify(typeof options.done === "string" ? options.done : options.done(result, input));
      options.onClose();
      return options.invalidate ? queryClient.invalidateQueries({ queryKey: options.invalidate }) : undefined;
    },
  }));
}

/**
 * The body of a dialog's form without a schema: its fields, the failed save's message (or
 * `message`, when the page shows some problems next to their fields), cancel and submit.
 */
export function SaveForm(props: {
  onSubmit: () => void;
  save: { error: unknown; isPending: boolean };
  onCancel: () => void;
  /** What to say instead of the save's error; null when a field shows it. */
  message?: string | null;
  submitLabel?: string;
  noValidate?: boolean;
  children: JSX.Element;
}) {
  const message = () =>
    props.message !== undefined ? props.message : props.save.error ? errorText(props.save.error) : null;
  return (
    <Form onSubmit={props.onSubmit} noValidate={props.noValidate}>
      {props.children}
      <Show when={message()}>{(text) => <Alert>{text()}</Alert>}</Show>
      <FormFooter onCancel={props.onCancel} pending={props.save.isPending} submitLabel={props.submitLabel} />
    </Form>
  );
}

/** The server's problem with the first of `paths` that has one, in the current language. */
export function problemOf(error: unknown, ...paths: string[]): string | undefined {
  for (const path of paths) {
    const problem = fieldProblem(error, path);
    if (problem) return pick(problem);
  }
  return undefined;
}
