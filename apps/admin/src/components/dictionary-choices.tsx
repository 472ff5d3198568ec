import { createQuery } from "@tanstack/solid-query";
import { For, Show } from "solid-js";
import { type Outputs, trpc } from "../api.ts";
import { t } from "../i18n.ts";
import { Button } from "../ui/button.tsx";
import { splitList } from "./centre.tsx";

/** The kinds of plain dictionaries (字典管理): window service items and mediator qualifications. */
export type EntryKind = Outputs["dictionaries"]["entries"][number]["kind"];
/** Query key of the service items and qualifications (字典管理 and the window and mediator forms). */
export const ENTRIES_KEY = ["dictionaries.entries"] as const;

/** The entries my unit may use (its own and its ancestors'), shared by the page and the forms. */
export function createEntriesQuery() {
  return createQuery(() => ({ queryKey: ENTRIES_KEY, queryFn: () => trpc.dictionaries.entries.query() }));
}

/**
 * The active dictionary entries of one kind as toggle buttons under a list field typed as
 * "a、b": pressing one adds it to the text or takes it out. Whatever else is typed (free text,
 * values saved before an entry existed or after it was deactivated) stays as it is.
 */
export function DictionaryChoices(props: { kind: EntryKind; value: string; onChange: (value: string) => void }) {
  const entries = createEntriesQuery();
  const names = () => [
    ...new Set((entries.data ?? []).filter((e) => e.kind === props.kind && e.active).map((e) => e.name)),
  ];
  const chosen = () => splitList(props.value);
  const toggle = (name: string) => {
    const items = chosen();
    props.onChange((items.includes(name) ? items.filter((x) => x !== name) : [...items, name]).join("、"));
  };
  return (
    <Show when={names().length > 0}>
      <fieldset class="toolbar" data-testid={`dictionary-${props.kind}`}>
        <legend class="small muted">{t("dict.choose")}</legend>
        <For each={names()}>
          {(name) => (
            <Button
              size="sm"
              variant={chosen().includes(name) ? "primary" : "secondary"}
              aria-pressed={chosen().includes(name)}
              onClick={() => toggle(name)}
            >
              {name}
            </Button>
          )}
        </For>
      </fieldset>
    </Show>
  );
}
