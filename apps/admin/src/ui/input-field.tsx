import * as KTextField from "@kobalte/core/text-field";
import { type JSX, Show } from "solid-js";
import { cx } from "./cx.ts";

/**
 * A labelled date, time, number or phone input: the browser's own picker and keyboard, with
 * hint and error wired as in {@link TextField} (aria-describedby, aria-invalid).
 */
export function InputField(props: {
  label: string;
  type: "date" | "time" | "number" | "tel";
  value: string;
  onChange?: (value: string) => void;
  description?: JSX.Element;
  error?: string | undefined;
  required?: boolean;
  disabled?: boolean;
  min?: string | number;
  max?: string | number;
  step?: string | number;
  placeholder?: string;
  hideLabel?: boolean;
  class?: string;
  inputClass?: string;
  onKeyDown?: JSX.EventHandler<HTMLInputElement, KeyboardEvent>;
}) {
  return (
    <KTextField.Root
      class={cx("field", props.class)}
      value={props.value}
      onChange={(v) => props.onChange?.(v)}
      validationState={props.error ? "invalid" : "valid"}
      required={props.required}
      disabled={props.disabled}
    >
      <KTextField.Label class={cx("field-label", props.hideLabel && "sr-only")}>{props.label}</KTextField.Label>
      <KTextField.Input
        class={cx("input", props.inputClass)}
        type={props.type}
        min={props.min}
        max={props.max}
        step={props.step}
        placeholder={props.placeholder}
        inputMode={props.type === "number" ? "numeric" : props.type === "tel" ? "tel" : undefined}
        onKeyDown={props.onKeyDown}
      />
      <Show when={props.description}>
        <KTextField.Description class="field-hint">{props.description}</KTextField.Description>
      </Show>
      <KTextField.ErrorMessage class="field-error">{props.error}</KTextField.ErrorMessage>
    </KTextField.Root>
  );
}
