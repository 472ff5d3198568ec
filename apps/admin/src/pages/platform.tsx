import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Match, Show, Switch } from "solid-js";
import { fieldProblem, type Inputs, type Outputs, trpc } from "../api.ts";
import { actionsColumn, DataTable, FormFooter, labels, RowAction } from "../components/config-page.tsx";
import { errorText, Forbidden, LoadError, Loading, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { SetupLinkBox } from "../components/setup-link-box.tsx";
import { useMe } from "../components/shell.tsx";
import { formatDateTime, levelName, pick, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { ConfirmDialog, Dialog, DialogFooter } from "../ui/dialog.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type Deployment = Outputs["platform"]["deployments"][number];
type Hit = Outputs["tenants"]["searchRegistry"][number];

/** Operators: every deployment with its counts; create one from the registry; suspend or reactivate. */
export function PlatformPage() {
  const me = useMe();
  return (
    <Show when={can(me(), "platform.deployments")} fallback={<Forbidden />}>
      <Deployments />
    </Show>
  );
}

function Deployments() {
  const queryClient = useQueryClient();
  const [creating, setCreating] = createSignal(false);
  const [target, setTarget] = createSignal<{ d: Deployment; status: "active" | "suspended" } | null>(null);
  const [addingSecurity, setAddingSecurity] = createSignal<Deployment | null>(null);
  const withoutSecurity = () => (list.data ?? []).filter((d) => d.securityAdmins === 0);
  const list = createQuery(() => ({
    queryKey: ["platform.deployments"],
    queryFn: () => trpc.platform.deployments.query(),
  }));
  const setStatus = createMutation(() => ({
    mutationFn: (input: { id: string; status: "active" | "suspended"; version: number }) =>
      trpc.platform.setDeploymentStatus.mutate(input),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["platform.deployments"] }),
  }));
  return (
    <>
      <PageHeader
        title={t("platform.title")}
        intro={t("platform.intro")}
        actions={
          <Button variant="primary" onClick={() => setCreating(true)}>
            {t("platform.create")}
          </Button>
        }
      />
      {/* 三权分立: a deployment without a security administrator has nobody for role grants, sessions or the second-factor rule. */}
      <Show when={withoutSecurity().length > 0}>
        <Alert tone="warning">
          {t("platform.noSecurityAlert", {
            names: withoutSecurity()
              .map((d) => d.name)
              .join("、"),
          })}
        </Alert>
      </Show>
      <section class="card">
        <QueryState query={list} empty={t("platform.empty")}>
          {(rows) => (
            <DataTable
              caption={t("platform.title")}
              columns={[
                ...labels("common.name common.code common.level"),
                { label: t("platform.tenants"), class: "num" },
                { label: t("platform.users"), class: "num" },
                { label: t("platform.securityAdmins") },
                ...labels("common.status platform.createdAt"),
                actionsColumn(),
              ]}
              rows={rows()}
            >
              {(d) => (
                <tr>
                  <td>{d.name}</td>
                  <td class="mono">{d.code}</td>
                  <td>
                    <Badge tone="tier">{levelName(d.level)}</Badge>
                  </td>
                  <td class="num">{d.tenants.toLocaleString()}</td>
                  <td class="num">{d.users.toLocaleString()}</td>
                  <td>
                    <Show
                      when={d.securityAdmins > 0}
                      fallback={
                        <Badge tone="warning" title={t("platform.noSecurityTitle")}>
                          {t("platform.noSecurity")}
                        </Badge>
                      }
                    >
                      {d.securityAdmins.toLocaleString()}
                    </Show>
                  </td>
                  <td>
                    <Badge tone={d.status === "active" ? "success" : "danger"}>
                      {d.status === "active" ? t("common.active") : t("common.suspended")}
                    </Badge>
                  </td>
                  <td class="small">{formatDateTime(d.createdAt)}</td>
                  <td class="col-actions">
                    <Show when={d.securityAdmins === 0}>
                      <RowAction
                        label={t("platform.addSecurity")}
                        ariaLabel={t("platform.addSecurityLabel", { name: d.name })}
                        onClick={() => setAddingSecurity(d)}
                      />
                    </Show>
                    <Show
                      when={d.status === "active"}
                      fallback={
                        <RowAction
                          label={t("tenants.reactivate")}
                          ariaLabel={t("tenants.reactivateLabel", { name: d.name })}
                          onClick={() => setTarget({ d, status: "active" })}
                          variant="secondary"
                        />
                      }
                    >
                      <RowAction
                        label={t("tenants.suspend")}
                        ariaLabel={t("tenants.suspendLabel", { name: d.name })}
                        onClick={() => setTarget({ d, status: "suspended" })}
                        danger
                      />
                    </Show>
                  </td>
                </tr>
              )}
            </DataTable>
          )}
        </QueryState>
      </section>
      <Dialog
        open={addingSecurity() !== null}
        onOpenChange={(o) => !o && setAddingSecurity(null)}
        title={t("platform.addSecurityTitle")}
      >
        <Show when={addingSecurity()}>
          {(d) => <AddSecurityAdminForm deployment={d()} onClose={() => setAddingSecurity(null)} />}
        </Show>
      </Dialog>
      <Dialog open={creating()} onOpenChange={setCreating} title={t("platform.createTitle")} size="lg">
        <CreateDeploymentForm deployments={list.data ?? []} onClose={() => setCreating(false)} />
      </Dialog>
      <ConfirmDialog
        open={target() !== null}
        onOpenChange={(o) => !o && setTarget(null)}
        title={target()?.status === "suspended" ? t("tenants.suspend") : t("tenants.reactivate")}
        message={
          target()?.status === "suspended"
            ? t("platform.suspendConfirm", { name: target()?.d.name ?? "" })
            : t("platform.reactivateConfirm", { name: target()?.d.name ?? "" })
        }
        confirmLabel={target()?.status === "suspended" ? t("tenants.suspend") : t("tenants.reactivate")}
        danger={target()?.status === "suspended"}
        onConfirm={async () => {
          const current = target();
          if (!current) return;
          await setStatus.mutateAsync({ id: current.d.id, status: current.status, version: current.d.version });
          notify(t("tenants.statusChanged", { name: current.d.name }));
        }}
        errorText={errorText}
      />
    </>
  );
}

function CreateDeploymentForm(props: { deployments: Deployment[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [text, setText] = createSignal("");
  const [q, setQ] = createSignal("");
  const [picked, setPicked] = createSignal<Hit | null>(null);
  const [username, setUsername] = createSignal("");
  const [displayName, setDisplayName] = createSignal("");
  const [securityUsername, setSecurityUsername] = createSignal("");
  const [securityName, setSecurityName] = createSignal("");
  const [noRoot, setNoRoot] = createSignal(false);
  const [securityIncomplete, setSecurityIncomplete] = createSignal(false);
  const search = createQuery(() => ({
    queryKey: ["tenants.searchRegistry", "platform", q()],
    queryFn: () => trpc.tenants.searchRegistry.query({ q: q(), limit: 20 }),
    enabled: q() !== "",
  }));
  const create = createMutation(() => ({
    mutationFn: (input: Inputs["platform"]["createDeployment"]) => trpc.platform.createDeployment.mutate(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["platform.deployments"] }),
  }));
  const problem = (...paths: string[]) => {
    for (const p of paths) {
      const f = fieldProblem(create.error, p);
      if (f) return pick(f);
    }
    return undefined;
  };
  const otherError = () =>
    create.error &&
    !problem(
      "admin.username",
      "username",
      "admin.displayName",
      "displayName",
      "security.username",
      "security.displayName",
    )
      ? errorText(create.error)
      : null;
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const root = picked();
    setNoRoot(!root);
    const security = { username: securityUsername().trim(), displayName: securityName().trim() };
    // Both or neither: the security administrator is optional.
    setSecurityIncomplete((security.username === "") !== (security.displayName === ""));
    if (!root || securityIncomplete()) return;
    create.mutate({
      code: root.code,
      admin: { username: username().trim(), displayName: displayName().trim() },
      ...(security.username ? { security } : {}),
    });
  };
  const runSearch = () => setQ(text().trim());
  // Deployments never nest: a root inside (or above) an existing deployment is refused by the server.
  const overlaps = (hit: Hit) =>
    props.deployments.some((d) => hit.code.startsWith(d.code) || d.code.startsWith(hit.code));
  return (
    <Show
      when={create.data}
      fallback={
        <form class="form" onSubmit={submit} noValidate>
          <div class="search-form">
            <TextField
              label={t("platform.searchLabel")}
              type="search"
              value={text()}
              onChange={setText}
              placeholder={t("tenants.searchPlaceholder")}
              class="search-field"
              onKeyDown={(e) => {
                if (e.key === "Enter") {
                  e.preventDefault();
                  runSearch();
                }
              }}
            />
            <Button onClick={runSearch}>{t("common.search")}</Button>
          </div>
          <Show when={q() !== ""}>
            <Switch fallback={<Loading />}>
              <Match when={search.isError}>
                <LoadError error={search.error} />
              </Match>
              <Match when={search.data?.length === 0}>
                <p class="muted">{t("tenants.searchEmpty")}</p>
              </Match>
              <Match when={search.data}>
                {(hits) => (
                  <ul class="pick-list">
                    <For each={hits()}>
                      {(hit) => (
                        <li class="pick-item" classList={{ picked: picked()?.code === hit.code }}>
                          <div>
                            <div>
                              {hit.name} <span class="mono muted">{hit.code}</span>{" "}
                              <Badge tone="tier">{levelName(hit.level)}</Badge>
                            </div>
                            <div class="muted small">{hit.path}</div>
                          </div>
                          <Button
                            size="sm"
                            variant={picked()?.code === hit.code ? "primary" : "secondary"}
                            aria-pressed={picked()?.code === hit.code}
                            aria-label={t("platform.pickLabel", { name: hit.name })}
                            disabled={overlaps(hit)}
                            onClick={() => setPicked(hit)}
                          >
                            {overlaps(hit)
                              ? t("platform.overlaps")
                              : picked()?.code === hit.code
                                ? t("platform.picked")
                                : t("platform.pick")}
                          </Button>
                        </li>
                      )}
                    </For>
                  </ul>
                )}
              </Match>
            </Switch>
          </Show>
          <div class="picked-root">
            <span class="field-label">{t("platform.root")}</span>
            <Show when={picked()} fallback={<span class="muted">—</span>}>
              {(root) => (
                <span>
                  {root().name} <span class="mono muted">{root().code}</span>
                </span>
              )}
            </Show>
          </div>
          <Show when={noRoot()}>
            <Alert tone="warning">{t("platform.rootRequired")}</Alert>
          </Show>
          <fieldset class="fieldset">
            <legend>{t("tenants.firstAdmin")}</legend>
            <div class="field-row">
              <TextField
                label={t("tenants.adminUsername")}
                value={username()}
                onChange={setUsername}
                autocomplete="off"
                description={t("users.usernameHint")}
                error={problem("admin.username", "username")}
                required
              />
              <TextField
                label={t("tenants.adminDisplayName")}
                value={displayName()}
                onChange={setDisplayName}
                autocomplete="off"
                error={problem("admin.displayName", "displayName")}
                required
              />
            </div>
          </fieldset>
          <fieldset class="fieldset">
            <legend>{t("platform.firstSecurity")}</legend>
            <p class="muted small">{t("platform.firstSecurityHint")}</p>
            <SecurityAccountFields
              username={securityUsername()}
              onUsername={setSecurityUsername}
              displayName={securityName()}
              onDisplayName={setSecurityName}
              problem={problem}
            />
            <Show when={securityIncomplete()}>
              <Alert tone="warning">{t("tenants.adminIncomplete")}</Alert>
            </Show>
          </fieldset>
          <Show when={otherError()}>
            <Alert>{otherError()}</Alert>
          </Show>
          <FormFooter onCancel={props.onClose} pending={create.isPending} submitLabel={t("platform.submit")} />
        </form>
      }
    >
      {(result) => (
        <div class="form">
          <Alert tone="success">{t("platform.createdDone", { name: result().deployment.name })}</Alert>
          <SetupLinkBox
            link={result().setupLink}
            heading={t("setupLink.for", { name: result().admin.displayName, username: result().admin.username })}
          />
          <Show when={result().security}>
            {(security) => (
              <SetupLinkBox
                link={security().setupLink}
                heading={t("setupLink.for", {
                  name: security().user.displayName,
                  username: security().user.username,
                })}
              />
            )}
          </Show>
          <DialogFooter>
            <Button variant="primary" onClick={() => props.onClose()}>
              {t("common.close")}
            </Button>
          </DialogFooter>
        </div>
      )}
    </Show>
  );
}

/** The first security administrator of a deployment that has none (made before the role existed). */
function AddSecurityAdminForm(props: { deployment: Deployment; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [username, setUsername] = createSignal("");
  const [displayName, setDisplayName] = createSignal("");
  const add = createMutation(() => ({
    mutationFn: (input: Inputs["platform"]["addSecurityAdmin"]) => trpc.platform.addSecurityAdmin.mutate(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["platform.deployments"] }),
  }));
  const problem = (path: string) => {
    const f = fieldProblem(add.error, path);
    return f ? pick(f) : undefined;
  };
  const otherError = () =>
    add.error && !problem("security.username") && !problem("security.displayName") ? errorText(add.error) : null;
  return (
    <Show
      when={add.data}
      fallback={
        <form
          class="form"
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            add.mutate({
              id: props.deployment.id,
              security: { username: username().trim(), displayName: displayName().trim() },
            });
          }}
        >
          <p class="muted small">{t("platform.addSecurityHint", { name: props.deployment.name })}</p>
          <SecurityAccountFields
            username={username()}
            onUsername={setUsername}
            displayName={displayName()}
            onDisplayName={setDisplayName}
            problem={problem}
            required
          />
          <Show when={otherError()}>
            <Alert>{otherError()}</Alert>
          </Show>
          <FormFooter onCancel={props.onClose} pending={add.isPending} submitLabel={t("platform.addSecurity")} />
        </form>
      }
    >
      {(result) => (
        <div class="form">
          <Alert tone="success">{t("platform.addSecurityDone", { name: props.deployment.name })}</Alert>
          <SetupLinkBox
            link={result().setupLink}
            heading={t("setupLink.for", { name: result().user.displayName, username: result().user.username })}
          />
          <DialogFooter>
            <Button variant="primary" onClick={() => props.onClose()}>
              {t("common.close")}
            </Button>
          </DialogFooter>
        </div>
      )}
    </Show>
  );
}

/** A security administrator's login and name, as both forms of this page ask for them. */
function SecurityAccountFields(props: {
  username: string;
  onUsername: (value: string) => void;
  displayName: string;
  onDisplayName: (value: string) => void;
  problem: (path: string) => string | undefined;
  required?: boolean;
}) {
  return (
    <div class="field-row">
      <TextField
        label={t("platform.securityUsername")}
        value={props.username}
        onChange={props.onUsername}
        autocomplete="off"
        description={t("users.usernameHint")}
        error={props.problem("security.username")}
        required={props.required}
      />
      <TextField
        label={t("platform.securityDisplayName")}
        value={props.displayName}
        onChange={props.onDisplayName}
        autocomplete="off"
        error={props.problem("security.displayName")}
        required={props.required}
      />
    </div>
  );
}
