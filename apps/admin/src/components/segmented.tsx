import { For } from "solid-js";
import { Button } from "../ui/button.tsx";
import { cx } from "../ui/cx.ts";

/** A row of toggle buttons choosing one value (a filter, a stage), the chosen one pressed. */
export function Segmented<T extends string>(props: {
  legend: string;
  options: readonly T[];
  value: T;
  onChange: (value: T) => void;
  label: (value: T) => string;
  class?: string;
}) {
  return (
    <fieldset class={cx("segmented", props.class)}>
      <legend class="sr-only">{props.legend}</legend>
      <For each={props.options}>
        {(option) => (
          <Button
            size="sm"
            variant={props.value === option ? "primary" : "secondary"}
            aria-pressed={props.value === option}
            onClick={() => props.onChange(option)}
          >
            {props.label(option)}
          </Button>
        )}
      </For>
    </fieldset>
  );
}
