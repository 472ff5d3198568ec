import * as KTextField from "@kobalte/core/text-field";
import type { JSX } from "solid-js";
import { cx } from "./cx.ts";
import { DateField } from "./date-field.tsx";
import { FieldFrame, type FieldFrameProps } from "./text-field.tsx";

/**
 * A labelled date, time, number or phone input, with hint and error wired as in
 * {@link TextField} (aria-describedby, aria-invalid). Dates and times are a {@link DateField}
 * (the UI's format and calendar, not the browser's language).
 */
export function InputField(
  props: FieldFrameProps & {
    type: "date" | "datetime-local" | "time" | "number" | "tel" | "text";
    min?: string | number;
    max?: string | number;
    step?: string | number;
    placeholder?: string;
    /** The on-screen keyboard; by default numeric for numbers and tel for phones. */
    inputMode?: "numeric" | "decimal" | "tel" | "text";
    autocomplete?: string;
    inputClass?: string;
    onKeyDown?: JSX.EventHandler<HTMLInputElement, KeyboardEvent>;
  },
) {
  if (props.type === "date" || props.type === "datetime-local" || props.type === "time") {
    return <DateField {...props} kind={props.type} />;
  }
  const inputMode = () =>
    props.inputMode ?? (props.type === "number" ? "numeric" : props.type === "tel" ? "tel" : undefined);
  return (
    <FieldFrame {...props}>
      <KTextField.Input
        class={cx("input", props.inputClass)}
        type={props.type}
        min={props.min}
        max={props.max}
        step={props.step}
        placeholder={props.placeholder}
        inputMode={inputMode()}
        autocomplete={props.autocomplete ?? "off"}
        spellcheck={false}
        onKeyDown={props.onKeyDown}
      />
    </FieldFrame>
  );
}
