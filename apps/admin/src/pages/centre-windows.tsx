import { createQuery } from "@tanstack/solid-query";
import { windowInput } from "@zongzhi/api/schemas/centre";
import { For, Show } from "solid-js";
import { trpc } from "../api.ts";
import {
  CentreHeader,
  centrePage,
  InactiveBadge,
  ListOrUnset,
  type ServiceWindow,
  splitList,
  useCentre,
  wholeNumber,
} from "../components/centre.tsx";
import { ContactCard } from "../components/centre-contact.tsx";
import { createEditing, DataTable, EditAction, EditDialog, ListCard, labels } from "../components/config-page.tsx";
import { DialogForm } from "../components/dialog-form.tsx";
import { DictionaryChoices } from "../components/dictionary-choices.tsx";
import { QueryState } from "../components/query-state.tsx";
import { createRowForm } from "../components/row-form.ts";
import { useMe } from "../components/shell.tsx";
import { ActionsCell } from "../components/table-parts.tsx";
import { t } from "../i18n.ts";
import { Badge } from "../ui/badge.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { InputField } from "../ui/input-field.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";

/** Service windows by number, with their services, staffing department and temporary flag. */
export const CentreWindowsPage = centrePage("centre.read", WindowsView);

function WindowsView() {
  const me = useMe();
  const centre = useCentre(me);
  const editing = createEditing<ServiceWindow>();
  const windows = createQuery(() => ({
    queryKey: ["centre.windows", centre.current()?.id],
    queryFn: () => trpc.centre.windows.query({ tenantId: centre.tenantId() }),
  }));
  const rows = () => windows.data ?? [];
  return (
    <>
      <CentreHeader centre={centre} words="centre.win" onAdd={editing.add} />
      <ContactCard centre={centre} />
      <ListCard id="windows-title" title={centre.current()?.name ?? ""}>
        <QueryState query={windows} empty={t("centre.win.empty")}>
          {(list) => (
            <>
              <p class="muted small">
                {t("centre.win.count", { n: list().length, t: list().filter((w) => w.temporary).length })}
              </p>
              <DataTable
                class="centre-table"
                caption={t("centre.win.title")}
                actions={centre.canConfigure()}
                columns={[
                  ...labels("centre.win.number", "num"),
                  ...labels("centre.win.name centre.win.services centre.win.stationing centre.win.type"),
                ]}
                rows={list()}
              >
                {(w) => (
                  <tr classList={{ "row-inactive": !w.active }}>
                    <td class="num">
                      <span class="window-number">{w.number}</span>
                    </td>
                    <td class="cell-title">{w.name}</td>
                    <td>
                      <Show when={w.services.length > 0} fallback={<ListOrUnset items={[]} />}>
                        <div class="badge-row">
                          <For each={w.services}>{(s) => <Badge tone="neutral">{s}</Badge>}</For>
                        </div>
                      </Show>
                    </td>
                    <td>{w.stationingName ?? <span class="muted">{t("centre.win.noStationing")}</span>}</td>
                    <td>
                      <div class="badge-row">
                        <Show when={w.temporary} fallback={<span class="muted">{t("centre.win.regular")}</span>}>
                          <Badge tone="warning">{t("centre.win.temporary")}</Badge>
                        </Show>
                        <InactiveBadge active={w.active} label={t("centre.win.closed")} />
                      </div>
                    </td>
                    <ActionsCell when={centre.canConfigure()}>
                      <EditAction name={`${w.number} ${w.name}`} onClick={() => editing.edit(w)} />
                    </ActionsCell>
                  </tr>
                )}
              </DataTable>
            </>
          )}
        </QueryState>
      </ListCard>
      <EditDialog editing={editing} addTitle={t("centre.win.addTitle")} editTitle={t("centre.win.editTitle")}>
        {(row, close) => <WindowForm window={row} others={rows().filter((w) => w.id !== row?.id)} onClose={close} />}
      </EditDialog>
    </>
  );
}

function WindowForm(props: { window: ServiceWindow | undefined; others: ServiceWindow[]; onClose: () => void }) {
  const w = props.window;
  const nextNumber = () => Math.max(0, ...props.others.map((o) => o.number)) + 1;
  const stationings = createQuery(() => ({
    queryKey: ["centre.stationings", "own"],
    queryFn: () => trpc.centre.stationings.query({}),
  }));
  const form = createRowForm({
    row: w,
    schema: windowInput,
    initial: {
      number: String(w?.number ?? nextNumber()),
      name: w?.name ?? "",
      services: (w?.services ?? []).join("、"),
      stationingId: w?.stationingId ?? null,
      temporary: w?.temporary ?? false,
      active: w?.active ?? true,
    },
    toInput: (d) => ({
      number: wholeNumber(d.number) ?? Number.NaN,
      name: d.name,
      services: splitList(d.services),
      stationingId: d.stationingId,
      temporary: d.temporary,
    }),
    // Only the page knows the other windows' numbers; the database's unique key is the last word.
    extra: (d) => {
      const n = wholeNumber(d.number);
      const taken = n === null ? undefined : props.others.find((o) => o.number === n);
      return { number: taken ? t("centre.win.numberTaken", { name: taken.name }) : undefined };
    },
    create: (input) => trpc.centre.createWindow.mutate(input),
    edit: (input, d) => trpc.centre.editWindow.mutate({ ...input, active: d.active }),
    refresh: ["centre.windows"],
    onClose: props.onClose,
  });
  const options = () => [
    { value: "", label: t("centre.win.noStationing") },
    ...(stationings.data ?? []).map((s) => ({ value: s.id, label: s.name })),
  ];
  return (
    <DialogForm form={form}>
      <div class="field-row window-head">
        <InputField type="number" label={t("centre.win.number")} {...form.text("number")} min={1} max={999} required />
        <TextField
          label={t("centre.win.name")}
          {...form.text("name")}
          description={t("centre.win.nameHint")}
          required
        />
      </div>
      <TextField
        label={t("centre.win.services") + t("common.optional")}
        {...form.text("services")}
        description={t("centre.win.servicesHint")}
      />
      <DictionaryChoices kind="service_item" value={form.draft.services} onChange={(v) => form.set("services", v)} />
      <Select
        label={t("centre.win.stationing")}
        options={options()}
        value={form.draft.stationingId ?? ""}
        onChange={(v) => form.set("stationingId", v ? v : null)}
      />
      <Checkbox
        label={t("centre.win.temporary")}
        description={t("centre.win.temporaryHint")}
        checked={form.draft.temporary}
        onChange={(v) => form.set("temporary", v)}
      />
      <Show when={w}>
        <Checkbox label={t("centre.win.active")} checked={form.draft.active} onChange={(v) => form.set("active", v)} />
      </Show>
    </DialogForm>
  );
}
