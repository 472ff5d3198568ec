import * as KTabs from "@kobalte/core/tabs";
import { For, type JSX, Show } from "solid-js";

/** One tab: its key (also the address's #fragment), label, an optional count (reactive), and its panel. */
export interface TabItem {
  value: string;
  label: string;
  count?: () => number;
  panel: () => JSX.Element;
}

/**
 * Tabs (Kobalte: arrow keys move between tabs, each panel labelled by its tab). Only the
 * selected panel is mounted, so a panel's query runs when it is opened.
 */
export function Tabs(props: {
  label: string;
  items: readonly TabItem[];
  value: string;
  onChange: (value: string) => void;
  class?: string;
}) {
  return (
    <KTabs.Root value={props.value} onChange={props.onChange} class={props.class ?? "tabs"}>
      <KTabs.List class="tabs-list" aria-label={props.label}>
        <For each={props.items}>
          {(item) => (
            <KTabs.Trigger class="tabs-trigger" value={item.value}>
              {item.label}
              <Show when={item.count?.()}>{(n) => <span class="tabs-count">{n()}</span>}</Show>
            </KTabs.Trigger>
          )}
        </For>
        <KTabs.Indicator class="tabs-indicator" />
      </KTabs.List>
      <For each={props.items}>
        {(item) => (
          <KTabs.Content class="tabs-panel" value={item.value}>
            {item.panel()}
          </KTabs.Content>
        )}
      </For>
    </KTabs.Root>
  );
}
