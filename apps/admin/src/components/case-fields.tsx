import * as KTextField from "@kobalte/core/text-field";
import { For, type JSX, Show } from "solid-js";
import { cx } from "../ui/cx.ts";

/** Props shared by the labelled fields of the case forms. */
interface FieldProps {
  label: string;
  value: string;
  onChange: (value: string) => void;
  description?: JSX.Element;
  /** Shown under the field and marks it invalid. */
  error?: string | undefined;
  required?: boolean;
  disabled?: boolean;
  class?: string;
}

/** A labelled multi-line text input with hint and error wired by ARIA. */
export function TextArea(props: FieldProps & { rows?: number; maxLength?: number }) {
  return (
    <KTextField.Root
      class={cx("field", props.class)}
      value={props.value}
      onChange={props.onChange}
      validationState={props.error ? "invalid" : "valid"}
      required={props.required}
      disabled={props.disabled}
    >
      <KTextField.Label class="field-label">{props.label}</KTextField.Label>
      <KTextField.TextArea class="input textarea" rows={props.rows ?? 3} maxLength={props.maxLength} />
      <Show when={props.description}>
        <KTextField.Description class="field-hint">{props.description}</KTextField.Description>
      </Show>
      <KTextField.ErrorMessage class="field-error">{props.error}</KTextField.ErrorMessage>
    </KTextField.Root>
  );
}

/** A labelled native input of a type the text field wrapper does not offer (date, time, number, tel, file-less). */
export function InputField(
  props: FieldProps & {
    type: "date" | "datetime-local" | "number" | "tel" | "text";
    min?: string | number;
    max?: string | number;
    step?: string | number;
    inputMode?: "numeric" | "decimal" | "tel" | "text";
    placeholder?: string;
    autocomplete?: string;
    inputClass?: string;
  },
) {
  return (
    <KTextField.Root
      class={cx("field", props.class)}
      value={props.value}
      onChange={props.onChange}
      validationState={props.error ? "invalid" : "valid"}
      required={props.required}
      disabled={props.disabled}
    >
      <KTextField.Label class="field-label">{props.label}</KTextField.Label>
      <KTextField.Input
        class={cx("input", props.inputClass)}
        type={props.type}
        min={props.min}
        max={props.max}
        step={props.step}
        inputMode={props.inputMode}
        placeholder={props.placeholder}
        autocomplete={props.autocomplete ?? "off"}
        spellcheck={false}
      />
      <Show when={props.description}>
        <KTextField.Description class="field-hint">{props.description}</KTextField.Description>
      </Show>
      <KTextField.ErrorMessage class="field-error">{props.error}</KTextField.ErrorMessage>
    </KTextField.Root>
  );
}

/** A group of radio buttons in a fieldset (native inputs: arrow keys move, the legend names the group). */
export function RadioGroup<T extends string>(props: {
  legend: string;
  name: string;
  options: { value: T; label: string; hint?: string }[];
  value: T | null;
  onChange: (value: T) => void;
  error?: string | undefined;
  description?: JSX.Element;
  class?: string;
}) {
  return (
    <fieldset class={cx("fieldset choice-group", props.class)} aria-invalid={props.error ? true : undefined}>
      <legend>{props.legend}</legend>
      <Show when={props.description}>
        <p class="field-hint">{props.description}</p>
      </Show>
      <div class="choice-row">
        <For each={props.options}>
          {(option) => (
            <label class="choice">
              <input
                type="radio"
                name={props.name}
                value={option.value}
                checked={props.value === option.value}
                onChange={() => props.onChange(option.value)}
              />
              <span>{option.label}</span>
              <Show when={option.hint}>
                <span class="muted small">{option.hint}</span>
              </Show>
            </label>
          )}
        </For>
      </div>
      <Show when={props.error}>
        <p class="field-error">{props.error}</p>
      </Show>
    </fieldset>
  );
}
