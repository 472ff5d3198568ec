import { TERMINAL_STATES } from "@zongzhi/domain/case-workflow";
import { For, type JSX, Show } from "solid-js";
import type { CaseDetail, Me } from "../../api.ts";
import { type Column, DataTable, ListCard } from "../../components/config-page.tsx";
import { AddButton } from "../../components/page.tsx";
import { type MessageKey, t } from "../../i18n.ts";
import { mayOn } from "../../session.ts";
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

/** The kinds of the case's records that a {@link RecordsCard} lists. */
type RecordsName = "sessions" | "agreements" | "confirmations" | "followUps";

/**
 * One kind of the case's records (sessions, agreements, confirmations, follow-ups): who may add
 * one, whether its section shows (something to show or to offer), and its words, read from the
 * name: the title `cases.detail.<name>`, the empty line `cases.detail.no<Name>`.
 */
export function records<N extends RecordsName>(name: N, mayAdd: (props: SectionProps) => boolean) {
  return {
    name,
    mayAdd,
    shown: (props: SectionProps) => props.detail[name].length > 0 || mayAdd(props),
  };
}

/** Who may add a record: the holders of `permission` on this case, while it is in one of `states`. */
export const addingIn =
  (permission: Parameters<typeof mayOn>[1], states: readonly CaseDetail["status"][]) => (props: SectionProps) =>
    may(props.me, props.detail, permission) && states.includes(props.detail.status);

/**
 * A section listing one kind of the case's records: shown when there is something to show or
 * offer, its add button (`add`, opening `dialog`) when allowed, the records (as a list when
 * `list`), or the kind's empty line.
 */
export function RecordsCard<N extends RecordsName>(props: {
  of: ReturnType<typeof records<N>>;
  section: SectionProps;
  add: MessageKey;
  dialog: DialogState;
  list?: boolean;
  children: (row: CaseDetail[N][number]) => JSX.Element;
}) {
  const name = props.of.name;
  const rows = () => props.section.detail[name] as readonly CaseDetail[N][number][];
  const items = () => <For each={rows()}>{(row) => props.children(row)}</For>;
  return (
    <Show when={props.of.shown(props.section)}>
      <ListCard
        id={`${name.toLowerCase()}-title`}
        title={t(`cases.detail.${name}`)}
        actions={
          <AddButton
            small
            when={props.of.mayAdd(props.section)}
            label={t(props.add)}
            onClick={() => props.section.onDialog(props.dialog)}
          />
        }
      >
        <Show when={rows().length > 0} fallback={<p class="muted">{t(`cases.detail.no${capitalised(name)}`)}</p>}>
          <Show when={props.list} fallback={items()}>
            <ul class="case-list">{items()}</ul>
          </Show>
        </Show>
      </ListCard>
    </Show>
  );
}

const capitalised = <S extends string>(s: S) => `${s.charAt(0).toUpperCase()}${s.slice(1)}` as Capitalize<S>;

/** A section that is a dense table of some of the case's records, shown when there are any (its caption is its title). */
export function TableCard<T>(props: {
  id: string;
  title: string;
  columns: Column[];
  rows: readonly T[];
  children: (row: T) => JSX.Element;
}) {
  return (
    <Show when={props.rows.length > 0}>
      <ListCard id={props.id} title={props.title}>
        <DataTable class="table-dense" caption={props.title} columns={props.columns} rows={props.rows}>
          {(row) => props.children(row)}
        </DataTable>
      </ListCard>
    </Show>
  );
}
