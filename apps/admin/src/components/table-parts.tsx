import { type JSX, Show } from "solid-js";

/**
 * The actions cell of a table row (编辑, 撤销 …), shown when `when` holds: the column that a
 * DataTable's `actions` heads with the same condition.
 */
export function ActionsCell(props: { when?: boolean; children: JSX.Element }) {
  return (
    <Show when={props.when ?? true}>
      <td class="col-actions">{props.children}</td>
    </Show>
  );
}
