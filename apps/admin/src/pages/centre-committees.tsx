import { createQuery, useQueryClient } from "@tanstack/solid-query";
import { committeeInput } from "@zongzhi/api/schemas/centre";
import { For, Show } from "solid-js";
import { trpc } from "../api.ts";
import { Fieldset } from "../components/case-fields.tsx";
import {
  CentreHeader,
  CentreSection,
  COMMITTEE_FIELDS,
  COMMITTEE_ROLES,
  type Committee,
  type CommitteeField,
  type CommitteeRole,
  centrePage,
  committeeFieldName,
  committeeRoleName,
  gradeName,
  joinList,
  useCentre,
} from "../components/centre.tsx";
import { createEditing, DataTable, EditAction, EditDialog, labels } from "../components/config-page.tsx";
import { createDialogForm, DialogForm } from "../components/dialog-form.tsx";
import { Loading } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { ActionsCell } from "../components/table-parts.tsx";
import { t } from "../i18n.ts";
import { Badge } from "../ui/badge.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { optionsOf, Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";

/** Mediation committees (调委会) by field, with their members picked from the mediator pool. */
export const CentreCommitteesPage = centrePage("centre.read", CommitteesView);

const fieldOrder = (field: CommitteeField) => COMMITTEE_FIELDS.indexOf(field);

function CommitteesView() {
  const me = useMe();
  const centre = useCentre(me);
  const editing = createEditing<Committee>();
  const committees = createQuery(() => ({
    queryKey: ["centre.committees", centre.current()?.id],
    queryFn: () => trpc.centre.committees.query({ tenantId: centre.tenantId() }),
  }));
  const rows = () => [...(committees.data ?? [])].sort((a, b) => fieldOrder(a.field) - fieldOrder(b.field));
  const membersOf = (c: Committee, role: CommitteeRole) => c.members.filter((m) => m.role === role);
  return (
    <>
      <CentreHeader centre={centre} words="centre.com" onAdd={editing.add} />
      <CentreSection id="committees-title" title={centre.current()?.name ?? ""}>
        <QueryState query={committees} empty={t("centre.com.empty")} isEmpty={() => rows().length === 0}>
          <p class="muted small">{t("centre.com.count", { n: rows().length })}</p>
          <DataTable
            class="centre-table"
            caption={t("centre.com.title")}
            actions={centre.canConfigure()}
            columns={labels("centre.com.field centre.com.name centre.com.members")}
            rows={rows()}
          >
            {(c) => (
              <tr classList={{ "row-inactive": !c.active }}>
                <td>
                  <Badge tone="info">{committeeFieldName(c.field)}</Badge>
                </td>
                <td>
                  <span class="cell-title">{c.name}</span>
                  <Show when={!c.active}>
                    {" "}
                    <Badge tone="danger">{t("centre.inactive")}</Badge>
                  </Show>
                </td>
                <td>
                  <Show when={c.members.length > 0} fallback={<span class="muted">{t("centre.com.noMembers")}</span>}>
                    <ul class="plain-list">
                      <For each={COMMITTEE_ROLES.filter((role) => membersOf(c, role).length > 0)}>
                        {(role) => (
                          <li>
                            <span class="muted">{committeeRoleName(role)}：</span>
                            {joinList(membersOf(c, role).map((m) => m.name))}
                          </li>
                        )}
                      </For>
                    </ul>
                  </Show>
                </td>
                <ActionsCell when={centre.canConfigure()}>
                  <EditAction name={c.name} onClick={() => editing.edit(c)} />
                </ActionsCell>
              </tr>
            )}
          </DataTable>
        </QueryState>
      </CentreSection>
      <EditDialog editing={editing} addTitle={t("centre.com.addTitle")} editTitle={t("centre.com.editTitle")} size="lg">
        {(row, close) => <CommitteeForm committee={row} onClose={close} />}
      </EditDialog>
    </>
  );
}

function CommitteeForm(props: { committee: Committee | undefined; onClose: () => void }) {
  const queryClient = useQueryClient();
  const c = props.committee;
  const pool = createQuery(() => ({
    queryKey: ["centre.mediators", { activeOnly: true }],
    queryFn: () => trpc.centre.mediators.query({ activeOnly: true }),
  }));
  // Members who left the active pool still show, so that saving does not drop them silently.
  const choices = () => {
    const active = (pool.data ?? []).map((m) => ({
      id: m.id,
      name: m.name,
      detail: m.own ? gradeName(m.grade) : `${gradeName(m.grade)} · ${m.poolName}`,
    }));
    const others = (c?.members ?? [])
      .filter((m) => !active.some((a) => a.id === m.mediatorId))
      .map((m) => ({ id: m.mediatorId, name: m.name, detail: "" }));
    return [...active, ...others];
  };
  const form = createDialogForm({
    schema: committeeInput,
    initial: {
      name: c?.name ?? "",
      field: (c?.field ?? "joint") as CommitteeField,
      active: c?.active ?? true,
      members: (c?.members ?? []).map((m) => ({ mediatorId: m.mediatorId, role: m.role })),
    },
    toInput: (d) => ({
      id: c?.id,
      version: c?.version,
      name: d.name,
      field: d.field,
      active: d.active,
      members: d.members.map((m) => ({ ...m })),
    }),
    send: (input) => trpc.centre.saveCommittee.mutate(input),
    done: (saved) => t(c ? "centre.saved" : "centre.created", { name: saved.name }),
    refresh: () => queryClient.invalidateQueries({ queryKey: ["centre.committees"] }),
    onClose: props.onClose,
  });
  const members = () => form.draft.members;
  const setMembers = (next: { mediatorId: string; role: CommitteeRole }[]) => form.set("members", next);
  const roleOf = (id: string) => members().find((m) => m.mediatorId === id)?.role;
  return (
    <DialogForm form={form}>
      <div class="field-row">
        <TextField
          label={t("centre.com.name")}
          {...form.text("name")}
          description={t("centre.com.nameHint")}
          required
        />
        <Select
          label={t("centre.com.field")}
          options={optionsOf(COMMITTEE_FIELDS, committeeFieldName)}
          {...form.choice("field")}
        />
      </div>
      <Fieldset
        legend={t("centre.com.members")}
        description={t("centre.com.membersHint")}
        error={form.error("members")}
      >
        <Show when={pool.data} fallback={<Loading />}>
          <ul class="tile-list member-list">
            <For each={choices()}>
              {(m) => (
                <li class="member-item">
                  <Checkbox
                    label={m.name}
                    description={m.detail || undefined}
                    checked={roleOf(m.id) !== undefined}
                    onChange={(on) =>
                      setMembers(
                        on
                          ? [...members(), { mediatorId: m.id, role: "member" }]
                          : members().filter((x) => x.mediatorId !== m.id),
                      )
                    }
                  />
                  <Show when={roleOf(m.id)}>
                    {(role) => (
                      <select
                        class="input input-sm member-role"
                        aria-label={t("centre.com.roleOf", { name: m.name })}
                        value={role()}
                        onChange={(e) => {
                          const next = e.currentTarget.value as CommitteeRole;
                          setMembers(members().map((x) => (x.mediatorId === m.id ? { ...x, role: next } : x)));
                        }}
                      >
                        <For each={COMMITTEE_ROLES}>{(r) => <option value={r}>{committeeRoleName(r)}</option>}</For>
                      </select>
                    )}
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </Fieldset>
      <Show when={c}>
        <Checkbox label={t("centre.com.active")} checked={form.draft.active} onChange={(v) => form.set("active", v)} />
      </Show>
    </DialogForm>
  );
}
