import * as KTextField from "@kobalte/core/text-field";
import { type JSX, Show } from "solid-js";
import { cx } from "./cx.ts";

/** Props of {@link TextField}. */
export interface TextFieldProps {
  label: string;
  value: string;
  onChange?: (value: string) => void;
  type?: "text" | "password" | "search" | "url";
  name?: string;
  autocomplete?: string;
  /** The on-screen keyboard to offer (numeric for one-time codes). */
  inputMode?: "text" | "numeric";
  maxLength?: number;
  placeholder?: string;
  description?: JSX.Element;
  /** Shown under the field and marks it invalid. */
  error?: string | undefined;
  required?: boolean;
  readOnly?: boolean;
  disabled?: boolean;
  hideLabel?: boolean;
  class?: string;
  inputClass?: string;
  ref?: (el: HTMLInputElement) => void;
  onFocus?: JSX.EventHandler<HTMLInputElement, FocusEvent>;
  onKeyDown?: JSX.EventHandler<HTMLInputElement, KeyboardEvent>;
}

/** What every labelled text-like field shares: its label, value, hint and error. */
export interface FieldFrameProps {
  label: string;
  value: string;
  onChange?: ((value: string) => void) | undefined;
  description?: JSX.Element;
  /** Shown under the field and marks it invalid. */
  error?: string | undefined;
  required?: boolean | undefined;
  readOnly?: boolean | undefined;
  disabled?: boolean | undefined;
  hideLabel?: boolean | undefined;
  class?: string | undefined;
}

/**
 * The frame of a text-like field (Kobalte's text field): the label, then the control given as
 * children (an input or a text area), the hint and the error message, wired by ARIA
 * (aria-describedby, aria-invalid).
 */
export function FieldFrame(props: FieldFrameProps & { children: JSX.Element }) {
  return (
    <KTextField.Root
      class={cx("field", props.class)}
      value={props.value}
      onChange={(v) => props.onChange?.(v)}
      validationState={props.error ? "invalid" : "valid"}
      required={props.required}
      readOnly={props.readOnly}
      disabled={props.disabled}
    >
      <KTextField.Label class={cx("field-label", props.hideLabel && "sr-only")}>{props.label}</KTextField.Label>
      {props.children}
      <Show when={props.description}>
        <KTextField.Description class="field-hint">{props.description}</KTextField.Description>
      </Show>
      <KTextField.ErrorMessage class="field-error">{props.error}</KTextField.ErrorMessage>
    </KTextField.Root>
  );
}

/** A labelled text input with hint and error message wired to it (aria-describedby, aria-invalid). */
export function TextField(props: TextFieldProps) {
  return (
    <FieldFrame {...props}>
      <KTextField.Input
        class={cx("input", props.inputClass)}
        ref={props.ref}
        type={props.type ?? "text"}
        name={props.name}
        autocomplete={props.autocomplete}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        placeholder={props.placeholder}
        onFocus={props.onFocus}
        onKeyDown={props.onKeyDown}
        spellcheck={false}
      />
    </FieldFrame>
  );
}

/** A labelled multi-line text input with hint and error wired by ARIA. */
export function TextArea(props: FieldFrameProps & { rows?: number; maxLength?: number }) {
  return (
    <FieldFrame {...props}>
      <KTextField.TextArea class="input textarea" rows={props.rows ?? 3} maxLength={props.maxLength} />
    </FieldFrame>
  );
}
