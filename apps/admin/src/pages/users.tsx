import { createInfiniteQuery, createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { userInput } from "@zongzhi/api/schemas/users";
import type { Level } from "@zongzhi/domain/division";
import { ADMIN_ROLES, ROLES, type Role } from "@zongzhi/domain/roles";
import { createSignal, For, Show } from "solid-js";
import { type Inputs, type Me, trpc, type UserRow } from "../api.ts";
import { Fieldset } from "../components/case-fields.tsx";
import { FormError } from "../components/centre.tsx";
import { DataTable, FormDialog, FormFooter, labels, RowAction, SearchBox } from "../components/config-page.tsx";
import { MfaRequirement } from "../components/mfa-requirement.tsx";
import { AddButton, errorText, Forbidden, PageHeader } from "../components/page.tsx";
import { QueryState, TableFoot } from "../components/query-state.tsx";
import { withReauth } from "../components/reauth.tsx";
import { createSchemaForm } from "../components/schema-form.ts";
import { SetupLinkIssued } from "../components/setup-link-box.tsx";
import { useMe } from "../components/shell.tsx";
import { ActionsCell } from "../components/table-parts.tsx";
import { ChildUnitSelect, UnitBreadcrumb } from "../components/unit-picker.tsx";
import { formatDateTime, levelName, roleName, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { ConfirmDialog, DialogFooter } from "../ui/dialog.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

const PAGE_SIZE = 50;
/** Roles an administrator may grant (the platform role is never granted here). */
const GRANTABLE = ROLES.filter((r) => r !== "platform_admin");

/** A unit whose users are shown (null id: the platform operators). */
interface UnitRef {
  id: string | null;
  code: string;
  name: string;
  level: Level | null;
}

type StatusChange = { user: UserRow; status: "active" | "disabled" };

/** A unit's name; the operators' list has none of its own. */
function unitName(unit: UnitRef): string {
  return unit.id === null ? t("users.operators") : unit.name;
}

/** Users of my unit or, for those above, of an onboarded unit below (picked by drilling down). */
export function UsersPage() {
  const me = useMe();
  const root = (m: Me): UnitRef =>
    m.tenant
      ? { id: m.tenant.id, code: m.tenant.code, name: m.tenant.name, level: m.tenant.level }
      : { id: null, code: "", name: "", level: null };
  const [stack, setStack] = createSignal<UnitRef[]>([root(me())]);
  const current = () => stack()[stack().length - 1]!;
  return (
    <Show when={can(me(), "user.read")} fallback={<Forbidden />}>
      <PageHeader title={t("users.title")} />
      <Show when={me().tenant && can(me(), "mfa.require")}>
        <MfaRequirement />
      </Show>
      <NoSecurityAdminNotice />
      <section class="card unit-picker" aria-labelledby="unit-title">
        <h2 id="unit-title" class="card-title">
          {t("users.unit")}
        </h2>
        <div class="unit-picker-row">
          <UnitBreadcrumb
            label={t("users.unit")}
            items={stack()}
            name={unitName}
            onBack={(i) => setStack(stack().slice(0, i + 1))}
          />
          <Show when={current().level}>{(level) => <Badge tone="tier">{levelName(level())}</Badge>}</Show>
          <Show when={me().tenant && current().level !== "village" && can(me(), "tenant.read")}>
            <ChildUnitSelect
              parentCode={current().code}
              label={t("users.childUnit")}
              placeholder={t("users.childUnitPlaceholder")}
              option={(u) => t("users.unitOption", { name: u.name, code: u.code })}
              none={<span class="muted small">{t("users.noChildUnits")}</span>}
              onPick={(unit) => setStack([...stack(), unit])}
            />
          </Show>
        </div>
      </section>
      <Show when={current()} keyed>
        {(unit) => <UserList unit={unit} canCreate={can(me(), "user.manage") && unit.id !== null} />}
      </Show>
    </Show>
  );
}

function UserList(props: { unit: UnitRef; canCreate: boolean }) {
  const me = useMe();
  const queryClient = useQueryClient();
  const [q, setQ] = createSignal("");
  const [creating, setCreating] = createSignal(false);
  const [editing, setEditing] = createSignal<UserRow | null>(null);
  const [statusChange, setStatusChange] = createSignal<StatusChange | null>(null);
  const [linkFor, setLinkFor] = createSignal<UserRow | null>(null);
  const [totpResetFor, setTotpResetFor] = createSignal<UserRow | null>(null);
  const manage = () => can(me(), "user.manage");

  const users = createInfiniteQuery(() => ({
    queryKey: ["users.list", props.unit.id, q()],
    queryFn: ({ pageParam }) =>
      trpc.users.list.query({
        tenantId: props.unit.id ?? undefined,
        q: q() || undefined,
        after: pageParam,
        limit: PAGE_SIZE,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  }));
  const rows = () => users.data?.pages.flatMap((p) => p.items) ?? [];
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["users.list"] });

  const setStatus = createMutation(() => ({
    mutationFn: (c: StatusChange) =>
      trpc.users.setStatus.mutate({ id: c.user.id, version: c.user.version, status: c.status }),
    onSettled: refresh,
  }));
  const unlock = createMutation(() => ({
    mutationFn: (u: UserRow) => trpc.users.unlock.mutate({ id: u.id, version: u.version }),
    onSuccess: (_r, u) => notify(t("users.unlocked", { name: u.displayName })),
    onError: (e) => notify(errorText(e), "error"),
    onSettled: refresh,
  }));

  return (
    <section class="card" aria-labelledby="users-title">
      <div class="card-head">
        <h2 id="users-title" class="card-title">
          {unitName(props.unit)}
        </h2>
        <div class="toolbar">
          <search>
            <SearchBox label={t("users.searchLabel")} hideLabel placeholder={t("users.searchLabel")} onSearch={setQ} />
          </search>
          <AddButton when={props.canCreate} label={t("users.create")} onClick={() => setCreating(true)} small />
        </div>
      </div>
      <QueryState query={users} empty={t("users.empty")} isEmpty={() => rows().length === 0}>
        <DataTable
          caption={unitName(props.unit)}
          actions={manage()}
          columns={labels("users.username users.displayName users.roles common.status")}
          rows={rows()}
        >
          {(user) => (
            <tr>
              <td class="mono">{user.username}</td>
              <td>{user.displayName}</td>
              <td>
                <div class="badge-row">
                  <For each={user.roles}>{(role) => <Badge tone="info">{roleName(role)}</Badge>}</For>
                </div>
              </td>
              <td>
                <div class="badge-row">
                  <Badge tone={user.status === "active" ? "success" : "danger"}>
                    {user.status === "active" ? t("common.active") : t("common.disabled")}
                  </Badge>
                  <Show when={user.locked}>
                    <Badge
                      tone="warning"
                      title={
                        user.lockedUntil
                          ? t("users.lockedUntil", { time: formatDateTime(user.lockedUntil) })
                          : undefined
                      }
                    >
                      {t("users.locked")}
                    </Badge>
                  </Show>
                  <Show when={!user.passwordSet}>
                    <Badge tone="neutral">{t("users.pendingSetup")}</Badge>
                  </Show>
                  <Show when={user.passwordSet && user.mustChangePassword}>
                    <Badge tone="neutral">{t("users.mustChange")}</Badge>
                  </Show>
                  <Show when={user.totpEnabled}>
                    <Badge tone="info" title={t("mfa.users.badgeTitle")}>
                      {t("mfa.users.badge")}
                    </Badge>
                  </Show>
                </div>
              </td>
              <ActionsCell when={manage()}>
                <div class="row-actions">
                  {/* The platform role is granted by the operator CLI only, never edited here. */}
                  <Show when={!user.roles.includes("platform_admin")}>
                    <RowAction
                      label={t("users.edit")}
                      ariaLabel={t("users.editLabel", { name: user.displayName })}
                      onClick={() => setEditing(user)}
                    />
                  </Show>
                  <Show when={user.locked}>
                    <RowAction
                      label={t("users.unlock")}
                      ariaLabel={t("users.unlockLabel", { name: user.displayName })}
                      onClick={() => unlock.mutate(user)}
                      disabled={unlock.isPending}
                    />
                  </Show>
                  <Show when={user.id !== me().id}>
                    <RowAction
                      label={t("users.setupLink")}
                      ariaLabel={t("users.setupLinkLabel", { name: user.displayName })}
                      onClick={() => setLinkFor(user)}
                    />
                    {/* Separation of duties (三权分立): the security administrator's, not the centre administrator's. */}
                    <Show when={user.totpEnabled && can(me(), "mfa.reset")}>
                      <RowAction
                        label={t("mfa.users.reset")}
                        ariaLabel={t("mfa.users.resetLabel", { name: user.displayName })}
                        onClick={() => setTotpResetFor(user)}
                      />
                    </Show>
                    <Show
                      when={user.status === "active"}
                      fallback={
                        <RowAction
                          label={t("users.enable")}
                          ariaLabel={t("users.enableLabel", { name: user.displayName })}
                          onClick={() => setStatusChange({ user, status: "active" })}
                        />
                      }
                    >
                      <RowAction
                        label={t("users.disable")}
                        ariaLabel={t("users.disableLabel", { name: user.displayName })}
                        onClick={() => setStatusChange({ user, status: "disabled" })}
                        danger
                      />
                    </Show>
                  </Show>
                </div>
              </ActionsCell>
            </tr>
          )}
        </DataTable>
        <TableFoot query={users} count={t("users.count", { n: rows().length })} />
      </QueryState>

      <FormDialog
        target={creating() || null}
        onClose={() => setCreating(false)}
        title={() => t("users.createTitle")}
        size="lg"
      >
        {() => <CreateUserForm unit={props.unit} onClose={() => setCreating(false)} />}
      </FormDialog>
      <FormDialog target={editing()} onClose={() => setEditing(null)} title={() => t("users.editTitle")}>
        {(user) => <EditUserForm user={user} onClose={() => setEditing(null)} />}
      </FormDialog>
      <FormDialog target={linkFor()} onClose={() => setLinkFor(null)} title={() => t("users.setupLinkTitle")}>
        {(user) => <NewSetupLink user={user} onClose={() => setLinkFor(null)} />}
      </FormDialog>
      <ConfirmDialog
        open={totpResetFor() !== null}
        onOpenChange={(o) => !o && setTotpResetFor(null)}
        title={t("mfa.users.resetTitle")}
        message={t("mfa.users.resetConfirm", { name: totpResetFor()?.displayName ?? "" })}
        confirmLabel={t("mfa.users.reset")}
        danger
        onConfirm={async () => {
          const user = totpResetFor();
          if (!user) return;
          await trpc.users.resetTotp.mutate({ id: user.id });
          await refresh();
          notify(t("mfa.users.resetDone", { name: user.displayName }));
        }}
        errorText={errorText}
      />
      <ConfirmDialog
        open={statusChange() !== null}
        onOpenChange={(o) => !o && setStatusChange(null)}
        title={statusChange()?.status === "disabled" ? t("users.disableTitle") : t("users.enableTitle")}
        message={
          statusChange()?.status === "disabled"
            ? t("users.disableConfirm", { name: statusChange()?.user.displayName ?? "" })
            : t("users.enableConfirm", { name: statusChange()?.user.displayName ?? "" })
        }
        confirmLabel={statusChange()?.status === "disabled" ? t("users.disable") : t("users.enable")}
        danger={statusChange()?.status === "disabled"}
        onConfirm={async () => {
          const change = statusChange();
          if (!change) return;
          await setStatus.mutateAsync(change);
          notify(t("common.saved"));
        }}
        errorText={errorText}
      />
    </section>
  );
}

/**
 * The roles as a group of checkboxes. Separation of duties (三权分立): only a security
 * administrator grants roles; a centre administrator picks working roles for a new account and
 * sees an existing account's roles read-only (the server refuses the same).
 */
function RolesField(props: {
  value: Role[];
  onChange: (roles: Role[]) => void;
  error?: string | undefined;
  mode: "create" | "edit";
}) {
  const me = useMe();
  const mayGrant = () => can(me(), "role.grant");
  const offered = () =>
    mayGrant() || props.mode === "edit" ? GRANTABLE : GRANTABLE.filter((r) => !ADMIN_ROLES.includes(r));
  return (
    <Fieldset
      legend={t("users.rolesLegend")}
      description={
        mayGrant() ? undefined : t(props.mode === "edit" ? "users.rolesBySecurity" : "users.workingRolesOnly")
      }
      error={props.error}
    >
      <div class="check-grid">
        <For each={offered()}>
          {(role) => (
            <Checkbox
              label={roleName(role)}
              disabled={props.mode === "edit" && !mayGrant()}
              checked={props.value.includes(role)}
              onChange={(on) =>
                props.onChange(
                  on ? [...props.value.filter((r) => r !== role), role] : props.value.filter((r) => r !== role),
                )
              }
            />
          )}
        </For>
      </div>
    </Fieldset>
  );
}

function CreateUserForm(props: { unit: UnitRef; onClose: () => void }) {
  const queryClient = useQueryClient();
  const create = createMutation(() => ({
    mutationFn: (input: Inputs["users"]["create"]) => trpc.users.create.mutate(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["users.list"] }),
  }));
  const form = createSchemaForm({
    schema: userInput,
    initial: { username: "", displayName: "", roles: [] as Role[] },
    toInput: (d) => ({ username: d.username, displayName: d.displayName, roles: [...d.roles] }),
    serverError: (): unknown => create.error,
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const input = form.submit();
    if (input && props.unit.id) create.mutate({ ...input, tenantId: props.unit.id });
  };
  return (
    <Show
      when={create.data}
      fallback={
        <form class="form" onSubmit={submit} noValidate>
          <p class="muted">{t("users.createIn", { unit: props.unit.name })}</p>
          <div class="field-row">
            <TextField
              label={t("users.username")}
              {...form.text("username")}
              autocomplete="off"
              description={t("users.usernameHint")}
              required
            />
            <TextField label={t("users.displayName")} {...form.text("displayName")} autocomplete="off" required />
          </div>
          <RolesField
            mode="create"
            value={form.draft.roles}
            onChange={(r) => form.set("roles", r)}
            error={form.error("roles")}
          />
          <FormError error={create.error} known={form.known} text={errorText} />
          <FormFooter onCancel={props.onClose} pending={create.isPending} submitLabel={t("users.create")} />
        </form>
      }
    >
      {(result) => (
        <SetupLinkIssued
          link={result().setupLink}
          user={result().user}
          notice={t("users.created")}
          onClose={props.onClose}
        />
      )}
    </Show>
  );
}

/** The part of a user an administrator edits: the same fields of the same schema. */
const editedUser = userInput.pick({ displayName: true, roles: true });

function EditUserForm(props: { user: UserRow; onClose: () => void }) {
  const queryClient = useQueryClient();
  const edit = createMutation(() => ({
    // A role grant needs a fresh proof of identity: withReauth asks for it and retries.
    mutationFn: (input: Inputs["users"]["edit"]) => withReauth(() => trpc.users.edit.mutate(input)),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["users.list"] });
      notify(t("common.saved"));
      props.onClose();
    },
  }));
  const form = createSchemaForm({
    schema: editedUser,
    initial: {
      displayName: props.user.displayName,
      roles: props.user.roles.filter((r): r is Role => r !== "platform_admin"),
    },
    toInput: (d) => ({ displayName: d.displayName, roles: [...d.roles] }),
    serverError: (): unknown => edit.error,
  });
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const input = form.submit();
    if (input) edit.mutate({ ...input, id: props.user.id, version: props.user.version });
  };
  return (
    <form class="form" onSubmit={submit} noValidate>
      <TextField label={t("users.username")} value={props.user.username} readOnly inputClass="mono" />
      <TextField label={t("users.displayName")} {...form.text("displayName")} required />
      <RolesField
        mode="edit"
        value={form.draft.roles}
        onChange={(r) => form.set("roles", r)}
        error={form.error("roles")}
      />
      <FormError error={edit.error} known={form.known} text={errorText} />
      <FormFooter onCancel={props.onClose} pending={edit.isPending} />
    </form>
  );
}

function NewSetupLink(props: { user: UserRow; onClose: () => void }) {
  const issue = createMutation(() => ({
    mutationFn: () => trpc.users.setupLink.mutate({ id: props.user.id }),
  }));
  return (
    <Show
      when={issue.data}
      fallback={
        <div class="form">
          <p>{t("users.setupLinkConfirm", { name: props.user.displayName })}</p>
          <Show when={issue.error}>
            <Alert>{errorText(issue.error)}</Alert>
          </Show>
          <DialogFooter>
            <Button onClick={() => props.onClose()}>{t("common.cancel")}</Button>
            <Button variant="primary" disabled={issue.isPending} onClick={() => issue.mutate()}>
              {t("users.setupLinkGenerate")}
            </Button>
          </DialogFooter>
        </div>
      }
    >
      {(link) => <SetupLinkIssued link={link()} user={props.user} onClose={props.onClose} />}
    </Show>
  );
}

/**
 * At a deployment's root: a deployment without a security administrator (made before the role
 * existed) says so plainly, since nobody there grants roles, watches sessions or sets the
 * second-factor rule (三权分立); the operator adds the first one.
 */
function NoSecurityAdminNotice() {
  const count = createQuery(() => ({
    queryKey: ["users.securityAdmins"],
    queryFn: () => trpc.users.securityAdmins.query(),
  }));
  return (
    <Show when={count.data?.securityAdmins === 0}>
      <Alert tone="warning">{t("users.noSecurityAdmin")}</Alert>
    </Show>
  );
}
