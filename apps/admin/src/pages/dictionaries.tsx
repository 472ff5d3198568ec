import { createQuery } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { type Outputs, trpc } from "../api.ts";
import { categoryName } from "../components/case-common.tsx";
import { type KindCategory, categoryName as kindCategoryName } from "../components/centre.tsx";
import { ConfigPage, createEditing, DataTable, EditAction, EditDialog, ListCard } from "../components/config-page.tsx";
import { NewKindForm } from "../components/department-kind-form.tsx";
import { createEntriesQuery, ENTRIES_KEY, type EntryKind } from "../components/dictionary-choices.tsx";
import { AddButton } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { createSave, SaveForm } from "../components/save-form.tsx";
import { useMe } from "../components/shell.tsx";
import { t } from "../i18n.ts";
import { can, mayOn } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { TextField } from "../ui/text-field.tsx";

type Category = Outputs["dictionaries"]["categories"][number];
type Entry = Outputs["dictionaries"]["entries"][number];
type DepartmentKind = Outputs["centre"]["departmentKinds"][number];
/** Where a unit's own or inherited entry comes from: 本单位, or the unit above that added it. */
function sourceName(row: { own: boolean; unitName: string | null; scopeCode: string | null }): string {
  return row.own ? t("calendar.ownUnit") : (row.unitName ?? row.scopeCode ?? "");
}

/** The actions cell of a dictionary row: 编辑 on my unit's own rows, for those who may manage them. */
function OwnEditCell<T extends { own: boolean; name: string }>(props: {
  show: boolean;
  row: T;
  onEdit: (row: T) => void;
}) {
  return (
    <Show when={props.show}>
      <td class="col-actions">
        <Show when={props.row.own}>
          <EditAction name={props.row.name} onClick={() => props.onEdit(props.row)} />
        </Show>
      </td>
    </Show>
  );
}

/** Query key of the dispute categories (the intake and the case list read them too). */
export const CATEGORIES_KEY = ["dictionaries.categories"] as const;
const ENTRY_KINDS: readonly EntryKind[] = ["service_item", "qualification"];

function StatusBadge(props: { active: boolean }) {
  return props.active ? (
    <Badge tone="success">{t("dict.active")}</Badge>
  ) : (
    <Badge tone="neutral">{t("dict.inactive")}</Badge>
  );
}

/**
 * /system/dictionaries (字典管理): the dispute categories, national and my unit's own, and the
 * window service items and mediator qualifications of my unit and the units above, inherited below.
 */
export function DictionariesPage() {
  const me = useMe();
  const mayManage = () => mayOn(me(), "dictionary.manage", me().tenant?.code ?? "");
  const editing = createEditing<Category>();
  const categories = createQuery(() => ({
    queryKey: CATEGORIES_KEY,
    queryFn: () => trpc.dictionaries.categories.query(),
  }));
  return (
    <ConfigPage
      allowed={me().tenant !== null && can(me(), "centre.read")}
      title={t("dict.title")}
      intro={t("dict.intro")}
      actions={<AddButton when={mayManage()} label={t("dict.add")} onClick={() => editing.add()} />}
    >
      <ListCard id="dict-categories" title={t("dict.categories")}>
        <QueryState query={categories}>
          {(list) => (
            <DataTable
              caption={t("dict.categories")}
              actions={mayManage()}
              columns={[
                { label: t("dict.name") },
                { label: t("dict.source") },
                { label: t("dict.docking") },
                { label: t("dict.status") },
              ]}
              rows={list()}
            >
              {(c) => (
                <tr classList={{ "row-inactive": !c.active }}>
                  <td class="cell-title">{c.id ? c.name : categoryName(c.code, c.name)}</td>
                  <td class="small">{c.id === null ? t("dict.national") : sourceName(c)}</td>
                  <td>{c.docking ? <Badge tone="info">{t("dict.docking")}</Badge> : ""}</td>
                  <td>
                    <StatusBadge active={c.active} />
                  </td>
                  <OwnEditCell show={mayManage()} row={c} onEdit={editing.edit} />
                </tr>
              )}
            </DataTable>
          )}
        </QueryState>
      </ListCard>
      <EditDialog editing={editing} addTitle={t("dict.add")} editTitle={t("dict.edit")}>
        {(row, close) => <CategoryForm category={row} onClose={close} />}
      </EditDialog>
      <For each={ENTRY_KINDS}>{(kind) => <EntriesCard kind={kind} mayManage={mayManage()} />}</For>
      <DepartmentKindsCard mayAdd={mayOn(me(), "centre.configure", me().tenant?.code ?? "")} />
    </ConfigPage>
  );
}

/**
 * The kinds of stationed departments: the national built-ins and those added by my unit or the
 * units above (the stationing form offers the same list); adding one needs centre.configure, as
 * on the stationing form.
 */
function DepartmentKindsCard(props: { mayAdd: boolean }) {
  const editing = createEditing<DepartmentKind>();
  const kinds = createQuery(() => ({
    queryKey: ["centre.departmentKinds"],
    queryFn: () => trpc.centre.departmentKinds.query(),
  }));
  return (
    <ListCard
      id="dict-department-kinds"
      title={t("dict.kinds")}
      actions={
        <Show when={props.mayAdd}>
          <Button onClick={() => editing.add()}>{t("dict.addKind")}</Button>
        </Show>
      }
    >
      <p class="small muted">{t("dict.kindsHint")}</p>
      <QueryState query={kinds}>
        {(list) => (
          <DataTable
            caption={t("dict.kinds")}
            actions={props.mayAdd}
            columns={[
              { label: t("dict.entryName") },
              { label: t("dict.kindCode") },
              { label: t("dict.kindCategory") },
              { label: t("dict.source") },
              { label: t("dict.status") },
            ]}
            rows={list()}
          >
            {(k) => (
              <tr classList={{ "row-inactive": !k.active }}>
                <td class="cell-title">{k.name}</td>
                <td class="mono small">{k.code}</td>
                <td class="small">{kindCategoryName(k.category as KindCategory)}</td>
                <td class="small">{k.builtin ? t("dict.builtin") : sourceName(k)}</td>
                <td>
                  <StatusBadge active={k.active} />
                </td>
                <OwnEditCell show={props.mayAdd} row={k} onEdit={editing.edit} />
              </tr>
            )}
          </DataTable>
        )}
      </QueryState>
      <EditDialog editing={editing} addTitle={t("dict.addKind")} editTitle={t("dict.editKind")}>
        {(row, close) => (row ? <KindEditForm kind={row} onClose={close} /> : <NewKindForm onAdded={() => close()} />)}
      </EditDialog>
    </ListCard>
  );
}

/** Renames or (de)activates one of my unit's own department kinds (the code stays). */
function KindEditForm(props: { kind: DepartmentKind; onClose: () => void }) {
  const [name, setName] = createSignal(props.kind.name);
  const [active, setActive] = createSignal(props.kind.active);
  const save = createSave({
    send: () =>
      trpc.centre.editDepartmentKind.mutate({
        id: props.kind.id ?? "",
        version: props.kind.version ?? 0,
        name: name().trim(),
        active: active(),
      }),
    done: t("dict.saved"),
    onClose: props.onClose,
    invalidate: ["centre.departmentKinds"],
  });
  return (
    <SaveForm onSubmit={() => save.mutate()} save={save} onCancel={props.onClose}>
      <TextField label={t("dict.entryName")} value={name()} onChange={setName} maxLength={60} required />
      <Checkbox label={t("dict.active")} checked={active()} onChange={setActive} />
    </SaveForm>
  );
}

/** One plain dictionary (service items or qualifications): my unit's and my ancestors' entries. */
function EntriesCard(props: { kind: EntryKind; mayManage: boolean }) {
  const editing = createEditing<Entry>();
  const entries = createEntriesQuery();
  const title = () => t(`dict.${props.kind}`);
  return (
    <ListCard
      id={`dict-${props.kind}`}
      title={title()}
      actions={
        <Show when={props.mayManage}>
          <Button onClick={() => editing.add()}>{t(`dict.addEntry.${props.kind}`)}</Button>
        </Show>
      }
    >
      <p class="small muted">{t("dict.entriesHint")}</p>
      <QueryState query={entries}>
        {(list) => (
          <Show
            when={list().some((e) => e.kind === props.kind)}
            fallback={<p class="small muted">{t("dict.noEntries")}</p>}
          >
            <DataTable
              caption={title()}
              actions={props.mayManage}
              columns={[{ label: t("dict.entryName") }, { label: t("dict.source") }, { label: t("dict.status") }]}
              rows={list().filter((e) => e.kind === props.kind)}
            >
              {(e) => (
                <tr classList={{ "row-inactive": !e.active }}>
                  <td class="cell-title">{e.name}</td>
                  <td class="small">{sourceName(e)}</td>
                  <td>
                    <StatusBadge active={e.active} />
                  </td>
                  <OwnEditCell show={props.mayManage} row={e} onEdit={editing.edit} />
                </tr>
              )}
            </DataTable>
          </Show>
        )}
      </QueryState>
      <EditDialog editing={editing} addTitle={t(`dict.addEntry.${props.kind}`)} editTitle={t("dict.editEntry")}>
        {(row, close) => <EntryForm kind={props.kind} entry={row} onClose={close} />}
      </EditDialog>
    </ListCard>
  );
}

function EntryForm(props: { kind: EntryKind; entry: Entry | undefined; onClose: () => void }) {
  const e = props.entry;
  const [name, setName] = createSignal(e?.name ?? "");
  const [active, setActive] = createSignal(e?.active ?? true);
  const save = createSave({
    send: async () => {
      if (e)
        await trpc.dictionaries.editEntry.mutate({
          id: e.id,
          version: e.version,
          name: name().trim(),
          active: active(),
        });
      else await trpc.dictionaries.addEntry.mutate({ kind: props.kind, name: name().trim() });
    },
    done: t("dict.saved"),
    onClose: props.onClose,
    invalidate: ENTRIES_KEY,
  });
  return (
    <SaveForm onSubmit={() => save.mutate()} save={save} onCancel={props.onClose}>
      <TextField label={t("dict.entryName")} value={name()} onChange={setName} maxLength={40} required />
      <Show when={e}>
        <Checkbox label={t("dict.active")} checked={active()} onChange={setActive} />
      </Show>
    </SaveForm>
  );
}

function CategoryForm(props: { category: Category | undefined; onClose: () => void }) {
  const c = props.category;
  const [name, setName] = createSignal(c?.name ?? "");
  const [docking, setDocking] = createSignal(c?.docking ?? false);
  const [active, setActive] = createSignal(c?.active ?? true);
  const save = createSave({
    send: async () => {
      if (c?.id && c.version !== null)
        await trpc.dictionaries.editCategory.mutate({
          id: c.id,
          version: c.version,
          name: name().trim(),
          docking: docking(),
          active: active(),
        });
      else await trpc.dictionaries.addCategory.mutate({ name: name().trim(), docking: docking() });
    },
    done: t("dict.saved"),
    onClose: props.onClose,
    invalidate: CATEGORIES_KEY,
  });
  return (
    <SaveForm onSubmit={() => save.mutate()} save={save} onCancel={props.onClose}>
      <TextField label={t("dict.name")} value={name()} onChange={setName} maxLength={40} required />
      <Checkbox
        label={t("dict.docking")}
        description={t("dict.dockingHint")}
        checked={docking()}
        onChange={setDocking}
      />
      <Show when={c}>
        <Checkbox label={t("dict.active")} checked={active()} onChange={setActive} />
      </Show>
    </SaveForm>
  );
}
