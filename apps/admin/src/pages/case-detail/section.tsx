import { TERMINAL_STATES } from "@zongzhi/domain/case-workflow";
import { For, type JSX, Show } from "solid-js";
import type { CaseDetail, Me } from "../../api.ts";
import { ListCard } from "../../components/config-page.tsx";
import { mayOn } from "../../session.ts";
import { Button } from "../../ui/button.tsx";
import type { DialogState } from "./dialogs.tsx";

/** Props of a section of the case page. */
export type SectionProps = { detail: CaseDetail; me: Me; onDialog: (d: DialogState) => void };

/** Whether the table lets the caller do `permission` on this case (its unit's relation to the owner). */
export const may = (me: Me, c: CaseDetail, permission: Parameters<typeof mayOn>[1]) =>
  mayOn(me, permission, c.ownerCode);
/** Whether the case is still being handled (not terminal, not closed). */
export const open = (c: CaseDetail) => !TERMINAL_STATES.includes(c.status) && c.status !== "closed";

/** One labelled fact of a definition list. */
export function Fact(props: { label: string; value: string; mono?: boolean }) {
  return (
    <div class="case-fact">
      <dt>{props.label}</dt>
      <dd class={props.mono ? "mono" : undefined}>{props.value || "—"}</dd>
    </div>
  );
}

/**
 * A section listing one kind of the case's records (sessions, agreements, confirmations,
 * follow-ups): shown when there is something to show or offer, its add button when allowed,
 * the records (as a list when `list`), or `empty`.
 */
export function RecordsCard<T>(props: {
  id: string;
  title: string;
  shown: boolean;
  add: { when: boolean; label: string; onClick: () => void };
  rows: readonly T[];
  empty: string;
  list?: boolean;
  children: (row: T) => JSX.Element;
}) {
  const rows = () => <For each={props.rows}>{(row) => props.children(row)}</For>;
  return (
    <Show when={props.shown}>
      <ListCard
        id={props.id}
        title={props.title}
        actions={
          <Show when={props.add.when}>
            <Button size="sm" variant="primary" onClick={() => props.add.onClick()}>
              {props.add.label}
            </Button>
          </Show>
        }
      >
        <Show when={props.rows.length > 0} fallback={<p class="muted">{props.empty}</p>}>
          <Show when={props.list} fallback={rows()}>
            <ul class="case-list">{rows()}</ul>
          </Show>
        </Show>
      </ListCard>
    </Show>
  );
}
