import * as KRadioGroup from "@kobalte/core/radio-group";
import { For } from "solid-js";
import { cx } from "./cx.ts";

/** One choice of a {@link RadioGroup}. */
export interface RadioOption {
  value: string;
  label: string;
}

/** A labelled group of radio buttons (Kobalte: arrow keys move the choice, real inputs underneath). */
export function RadioGroup(props: {
  label: string;
  options: RadioOption[];
  value: string;
  onChange: (value: string) => void;
  orientation?: "horizontal" | "vertical";
  class?: string;
}) {
  return (
    <KRadioGroup.Root
      class={cx("radio-group", props.class)}
      value={props.value}
      onChange={props.onChange}
      orientation={props.orientation ?? "horizontal"}
    >
      <KRadioGroup.Label class="field-label">{props.label}</KRadioGroup.Label>
      <div class="radio-options" data-orientation={props.orientation ?? "horizontal"}>
        <For each={props.options}>
          {(option) => (
            <KRadioGroup.Item value={option.value} class="radio">
              <KRadioGroup.ItemInput class="radio-input" />
              <KRadioGroup.ItemControl class="radio-control">
                <KRadioGroup.ItemIndicator class="radio-indicator" />
              </KRadioGroup.ItemControl>
              <KRadioGroup.ItemLabel class="radio-label">{option.label}</KRadioGroup.ItemLabel>
            </KRadioGroup.Item>
          )}
        </For>
      </div>
    </KRadioGroup.Root>
  );
}
