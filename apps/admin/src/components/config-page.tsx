import { type Accessor, createEffect, createSignal, For, type JSX, Show } from "solid-js";
import { type MessageKey, t } from "../i18n.ts";
import { Button } from "../ui/button.tsx";
import { cx } from "../ui/cx.ts";
import { Dialog, DialogFooter } from "../ui/dialog.tsx";
import { TextField } from "../ui/text-field.tsx";
import { Forbidden, PageHeader } from "./page.tsx";

/**
 * The scaffold of a configuration page: the permission gate (Forbidden otherwise), the header
 * with its actions, then the page's cards (a picker, a {@link ListCard} with its table, the
 * {@link FormDialog}). `children` is rendered only when `allowed` holds.
 */
export function ConfigPage(props: {
  allowed?: boolean;
  title: string;
  intro?: string;
  actions?: JSX.Element;
  children: JSX.Element;
}) {
  return (
    <Show when={props.allowed ?? true} fallback={<Forbidden />}>
      <PageHeader title={props.title} intro={props.intro} actions={props.actions} />
      {props.children}
    </Show>
  );
}

/** A titled card holding a list, with optional toolbar actions (filters, add buttons). */
export function ListCard(props: {
  id: string;
  title: JSX.Element;
  actions?: JSX.Element;
  children: JSX.Element;
  class?: string;
}) {
  return (
    <section class={cx("card", props.class)} aria-labelledby={props.id}>
      <div class="card-head">
        <h2 id={props.id} class="card-title">
          {props.title}
        </h2>
        <Show when={props.actions}>
          <div class="toolbar">{props.actions}</div>
        </Show>
      </div>
      {props.children}
    </section>
  );
}

/** A column of a {@link DataTable}; `when: false` leaves it out (e.g. actions for readers). */
export interface Column {
  label: JSX.Element;
  class?: string;
  when?: boolean;
}

/** The keys of a space-separated list of message keys, checked by the compiler. */
type KeyList<S extends string> = S extends `${infer Head} ${infer Rest}` ? [Head, ...KeyList<Rest>] : [S];

/**
 * Plain columns from message keys separated by spaces (`"cases.code cases.title"`), one header
 * each; `cls` classes them all (`"num"`: right-aligned figures).
 */
export function labels<S extends string>(
  keys: S & (KeyList<S>[number] extends MessageKey ? unknown : never),
  cls?: string,
): Column[] {
  return keys.split(" ").map((key) => ({ label: t(key as MessageKey), ...(cls ? { class: cls } : {}) }));
}

/**
 * A table with a screen-reader caption, one header row from `columns` (then 操作 when `actions`
 * holds: the column whose cells are {@link ActionsCell}s), and a row per item.
 */
export function DataTable<T>(props: {
  caption: string;
  columns: Column[];
  /** Whether the actions column (操作) ends the header row. */
  actions?: boolean;
  rows: readonly T[];
  children: (row: T, index: Accessor<number>) => JSX.Element;
  class?: string;
  scroll?: boolean;
  /** True while the rows are read again (aria-busy). */
  busy?: boolean;
  /** A handle for the browser tests (data-testid). */
  testId?: string;
}) {
  const headers = () => [
    ...props.columns.filter((c) => c.when !== false),
    ...(props.actions ? [{ label: t("common.actions"), class: "col-actions" }] : []),
  ];
  const table = () => (
    <table class={cx("table", props.class)} aria-busy={props.busy} data-testid={props.testId}>
      <caption class="sr-only">{props.caption}</caption>
      <thead>
        <tr>
          <For each={headers()}>
            {(c) => (
              <th scope="col" class={c.class}>
                {c.label}
              </th>
            )}
          </For>
        </tr>
      </thead>
      <tbody>
        <For each={props.rows}>{props.children}</For>
      </tbody>
    </table>
  );
  return (
    <Show when={props.scroll} fallback={table()}>
      <div class="table-scroll">{table()}</div>
    </Show>
  );
}

/** A small button in a table row; its accessible name says which row it acts on. */
export function RowAction(props: {
  label: string;
  ariaLabel: string;
  onClick: () => void;
  danger?: boolean;
  disabled?: boolean;
  variant?: "ghost" | "secondary";
}) {
  return (
    <Button
      size="sm"
      variant={props.variant ?? "ghost"}
      class={props.danger ? "btn-danger-text" : undefined}
      aria-label={props.ariaLabel}
      disabled={props.disabled}
      onClick={() => props.onClick()}
    >
      {props.label}
    </Button>
  );
}

/** The 编辑 button of a row, named for the row it edits (编辑 {name}). */
export function EditAction(props: { name: string; onClick: () => void }) {
  return (
    <RowAction
      label={t("centre.edit")}
      ariaLabel={t("centre.editLabel", { name: props.name })}
      onClick={props.onClick}
    />
  );
}

/**
 * The dialog of a page's form: open while `target` is set (a row to edit, or "new"), the form
 * rebuilt for each target so that it starts from that row's values.
 */
export function FormDialog<T>(props: {
  target: T | null;
  onClose: () => void;
  title: (target: T) => string;
  size?: "md" | "lg";
  children: (target: T) => JSX.Element;
}) {
  // The last title stays while the dialog animates closed.
  let lastTitle = "";
  const title = () => {
    const target = props.target;
    if (target !== null) lastTitle = props.title(target);
    return lastTitle;
  };
  return (
    <Dialog
      open={props.target !== null}
      onOpenChange={(open) => !open && props.onClose()}
      title={title()}
      size={props.size}
    >
      <Show when={props.target} keyed>
        {(target) => props.children(target)}
      </Show>
    </Dialog>
  );
}

/** What a page edits: a row, a new one ("new"), or nothing (the dialog closed). */
export function createEditing<T>() {
  const [target, setTarget] = createSignal<T | "new" | null>(null);
  return {
    target,
    /** Opens the dialog on a row. */
    edit: (row: T) => setTarget(() => row),
    /** Opens the dialog for a new row. */
    add: () => setTarget("new"),
    close: () => setTarget(null),
  };
}

/**
 * The add/edit dialog of a page's rows ({@link createEditing}): titled for a new row or an
 * existing one; the form gets the row (undefined when new) and how to close.
 */
export function EditDialog<T>(props: {
  editing: ReturnType<typeof createEditing<T>>;
  addTitle: string;
  editTitle: string;
  size?: "md" | "lg";
  children: (row: T | undefined, close: () => void) => JSX.Element;
}) {
  return (
    <FormDialog
      target={props.editing.target()}
      onClose={props.editing.close}
      title={(target) => (target === "new" ? props.addTitle : props.editTitle)}
      size={props.size}
    >
      {(target) => props.children(target === "new" ? undefined : target, props.editing.close)}
    </FormDialog>
  );
}

/** The buttons under a form: cancel, and submit (保存 unless named) disabled while saving. */
export function FormFooter(props: { onCancel: () => void; pending: boolean; submitLabel?: string; danger?: boolean }) {
  return (
    <DialogFooter>
      <Button onClick={() => props.onCancel()}>{t("common.cancel")}</Button>
      <Button type="submit" variant={props.danger ? "danger" : "primary"} disabled={props.pending}>
        {props.submitLabel ?? t("common.save")}
      </Button>
    </DialogFooter>
  );
}

/**
 * A search field with its button (搜索): `onSearch` receives the trimmed text on submit.
 * `value` sets the text from outside (a saved view applied); typing does not search yet.
 */
export function SearchBox(props: {
  label: string;
  placeholder?: string;
  hideLabel?: boolean;
  class?: string;
  fieldClass?: string;
  value?: string;
  primary?: boolean;
  onSearch: (q: string) => void;
}) {
  const [text, setText] = createSignal(props.value ?? "");
  createEffect(() => setText(props.value ?? ""));
  return (
    <form
      class={props.class ?? "inline-search"}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSearch(text().trim());
      }}
    >
      <TextField
        label={props.label}
        hideLabel={props.hideLabel}
        type="search"
        value={text()}
        onChange={setText}
        placeholder={props.placeholder}
        class={props.fieldClass}
      />
      <Button type="submit" size={props.primary ? undefined : "sm"} variant={props.primary ? "primary" : undefined}>
        {t("common.search")}
      </Button>
    </form>
  );
}

/**
 * A search field with its button inside a larger form (a nested form is not allowed): Enter or
 * the button (搜索) hands the trimmed text to `onSearch`.
 */
export function InlineSearch(props: { label: string; onSearch: (q: string) => void }) {
  const [text, setText] = createSignal("");
  return (
    <div class="inline-search">
      <TextField
        label={props.label}
        type="search"
        value={text()}
        onChange={setText}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            props.onSearch(text().trim());
          }
        }}
      />
      <Button size="sm" onClick={() => props.onSearch(text().trim())}>
        {t("common.search")}
      </Button>
    </div>
  );
}
