import * as KTextField from "@kobalte/core/text-field";
import { type JSX, Show, splitProps } from "solid-js";
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

/** A labelled text input with hint and error message wired to it (aria-describedby, aria-invalid). */
export function TextField(props: TextFieldProps) {
  const [input] = splitProps(props, [
    "type",
    "name",
    "autocomplete",
    "inputMode",
    "maxLength",
    "placeholder",
    "onFocus",
    "onKeyDown",
  ]);
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
      <KTextField.Input
        class={cx("input", props.inputClass)}
        ref={props.ref}
        type={input.type ?? "text"}
        name={input.name}
        autocomplete={input.autocomplete}
        inputMode={input.inputMode}
        maxLength={input.maxLength}
        placeholder={input.placeholder}
        onFocus={input.onFocus}
        onKeyDown={input.onKeyDown}
        spellcheck={false}
      />
      <Show when={props.description}>
        <KTextField.Description class="field-hint">{props.description}</KTextField.Description>
      </Show>
      <KTextField.ErrorMessage class="field-error">{props.error}</KTextField.ErrorMessage>
    </KTextField.Root>
  );
}
