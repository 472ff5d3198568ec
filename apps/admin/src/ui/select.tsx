import * as KSelect from "@kobalte/core/select";
import { cx } from "./cx.ts";

/** One choice of a {@link Select}. */
export interface SelectOption {
  value: string;
  label: string;
}

/** The options of a list of values (a vocabulary of the domain), each named by `label`. */
export function optionsOf<T extends string>(
  values: readonly T[],
  label: (value: T) => string,
): { value: T; label: string }[] {
  return values.map((value) => ({ value, label: label(value) }));
}

/** A labelled single-choice list box (Kobalte: keyboard navigation, typeahead, ARIA listbox). */
export function Select(props: {
  label: string;
  options: SelectOption[];
  value: string | null;
  onChange: (value: string | null) => void;
  placeholder?: string;
  disabled?: boolean;
  class?: string;
}) {
  const selected = () => props.options.find((o) => o.value === props.value) ?? null;
  return (
    <KSelect.Root<SelectOption>
      class={cx("field", props.class)}
      options={props.options}
      optionValue="value"
      optionTextValue="label"
      value={selected()}
      onChange={(o) => props.onChange(o?.value ?? null)}
      placeholder={props.placeholder}
      disabled={props.disabled}
      // Modal: the open list hides the rest from assistive technology itself. Without it, a select
      // inside a modal Dialog has its portalled list marked aria-hidden by the dialog.
      modal
      itemComponent={(item) => (
        <KSelect.Item item={item.item} class="select-item">
          <KSelect.ItemLabel>{item.item.rawValue.label}</KSelect.ItemLabel>
        </KSelect.Item>
      )}
    >
      <KSelect.Label class="field-label">{props.label}</KSelect.Label>
      <KSelect.Trigger class="input select-trigger">
        <KSelect.Value<SelectOption> class="select-value">{(state) => state.selectedOption().label}</KSelect.Value>
        <KSelect.Icon class="select-icon">▾</KSelect.Icon>
      </KSelect.Trigger>
      <KSelect.Portal>
        <KSelect.Content class="select-content">
          <KSelect.Listbox class="select-listbox" />
        </KSelect.Content>
      </KSelect.Portal>
    </KSelect.Root>
  );
}
