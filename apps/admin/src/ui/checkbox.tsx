import * as KCheckbox from "@kobalte/core/checkbox";
import type { JSX } from "solid-js";
import { Show } from "solid-js";
import { cx } from "./cx.ts";

/** A labelled checkbox (a real, visually hidden input underneath). */
export function Checkbox(props: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  description?: JSX.Element;
  hideLabel?: boolean;
  disabled?: boolean;
  class?: string;
}) {
  return (
    <KCheckbox.Root
      class={cx("checkbox", props.class)}
      checked={props.checked}
      onChange={props.onChange}
      disabled={props.disabled}
    >
      <KCheckbox.Input class="checkbox-input" />
      <KCheckbox.Control class="checkbox-control">
        <KCheckbox.Indicator class="checkbox-indicator">
          <svg viewBox="0 0 16 16" aria-hidden="true">
            <path d="M3.5 8.5l3 3 6-7" fill="none" stroke="currentColor" stroke-width="2" />
          </svg>
        </KCheckbox.Indicator>
      </KCheckbox.Control>
      <div class={cx("checkbox-text", props.hideLabel && "sr-only")}>
        <KCheckbox.Label class="checkbox-label">{props.label}</KCheckbox.Label>
        <Show when={props.description}>
          <KCheckbox.Description class="field-hint">{props.description}</KCheckbox.Description>
        </Show>
      </div>
    </KCheckbox.Root>
  );
}
