import { For, type JSX, Show } from "solid-js";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { cx } from "../ui/cx.ts";

// The text area and the native inputs of the case forms are the UI kit's own.
export { InputField } from "../ui/input-field.tsx";
export { TextArea } from "../ui/text-field.tsx";

/** A field's (or a group's) error under it, when there is one. */
export function FieldError(props: { error: string | false | null | undefined }) {
  return <Show when={props.error}>{(error) => <p class="field-error">{error()}</p>}</Show>;
}

/**
 * A group of fields in a fieldset: the legend names it, then the hint, the fields and the
 * group's error (the group marked invalid while there is one).
 */
export function Fieldset(props: {
  legend: string;
  description?: JSX.Element;
  error?: string | undefined;
  class?: string;
  legendClass?: string;
  children: JSX.Element;
}) {
  return (
    <fieldset class={cx("fieldset", props.class)} aria-invalid={props.error ? true : undefined}>
      <legend class={props.legendClass}>{props.legend}</legend>
      <Show when={props.description}>
        <p class="field-hint">{props.description}</p>
      </Show>
      {props.children}
      <FieldError error={props.error} />
    </fieldset>
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
    <Fieldset
      legend={props.legend}
      description={props.description}
      error={props.error}
      class={cx("choice-group", props.class)}
    >
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
    </Fieldset>
  );
}

/** One choice of a {@link CheckList}. */
export interface CheckOption<T> {
  value: T;
  label: string;
  description?: JSX.Element;
}

/** Checkboxes in a grid; `value` is the list of checked values in the order they were checked. */
export function CheckList<T extends string | number>(props: {
  options: readonly CheckOption<T>[];
  value: readonly T[];
  onChange: (value: T[]) => void;
  class?: string;
}) {
  const toggle = (item: T, on: boolean) => {
    const rest = props.value.filter((x) => x !== item);
    props.onChange(on ? [...rest, item] : rest);
  };
  return (
    <div class={props.class ?? "check-grid"}>
      <For each={props.options}>
        {(o) => (
          <Checkbox
            label={o.label}
            description={o.description}
            checked={props.value.includes(o.value)}
            onChange={(on) => toggle(o.value, on)}
          />
        )}
      </For>
    </div>
  );
}

/**
 * A {@link CheckList} in a fieldset (departments to summon, mediators, matters, weekdays): the
 * legend names it, then the hint, the boxes (or `empty` when there are none) and the error.
 */
export function CheckGroup<T extends string | number>(props: {
  legend: string;
  options: readonly CheckOption<T>[];
  value: readonly T[];
  onChange: (value: T[]) => void;
  description?: JSX.Element;
  /** Shown instead of the boxes when there are no options. */
  empty?: JSX.Element;
  error?: string | undefined;
  class?: string;
  gridClass?: string;
}) {
  return (
    <Fieldset legend={props.legend} description={props.description} error={props.error} class={props.class}>
      <Show when={props.options.length > 0} fallback={props.empty}>
        <CheckList options={props.options} value={props.value} onChange={props.onChange} class={props.gridClass} />
      </Show>
    </Fieldset>
  );
}

/** The × that removes one item of a list in a form (an attendee, a party, a slot). */
export function RemoveButton(props: { label: string; onClick: () => void }) {
  return (
    <Button size="sm" variant="ghost" class="btn-danger-text" aria-label={props.label} onClick={() => props.onClick()}>
      ×
    </Button>
  );
}
