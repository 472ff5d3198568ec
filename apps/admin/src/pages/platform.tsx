import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Match, Show, Switch } from "solid-js";
import { type Inputs, type Outputs, trpc } from "../api.ts";
import { AccountFields, createAccountDraft } from "../components/account-fields.tsx";
import { DataTable, FormDialog, labels, RowAction } from "../components/config-page.tsx";
import { FormThenResult, gated, TargetConfirm } from "../components/dialogs.tsx";
import { errorText, LoadError, Loading, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { problemOf, SaveForm } from "../components/save-form.tsx";
import { SetupLinkBox } from "../components/setup-link-box.tsx";
import { formatDateTime, levelName, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type Deployment = Outputs["platform"]["deployments"][number];
type Hit = Outputs["tenants"]["searchRegistry"][number];

/** Operators: every deployment with its counts; create one from the registry; suspend or reactivate. */
export const PlatformPage = gated((me) => can(me, "platform.deployments"), Deployments);

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
              actions
              columns={[
                ...labels("common.name common.code common.level"),
                { label: t("platform.tenants"), class: "num" },
                { label: t("platform.users"), class: "num" },
                { label: t("platform.securityAdmins") },
                ...labels("common.status platform.createdAt"),
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
      <FormDialog
        target={addingSecurity()}
        onClose={() => setAddingSecurity(null)}
        title={() => t("platform.addSecurityTitle")}
      >
        {(d) => <AddSecurityAdminForm deployment={d} onClose={() => setAddingSecurity(null)} />}
      </FormDialog>
      <Dialog open={creating()} onOpenChange={setCreating} title={t("platform.createTitle")} size="lg">
        <CreateDeploymentForm deployments={list.data ?? []} onClose={() => setCreating(false)} />
      </Dialog>
      <TargetConfirm
        target={target()}
        onClose={() => setTarget(null)}
        title={(c) => (c.status === "suspended" ? t("tenants.suspend") : t("tenants.reactivate"))}
        message={(c) =>
          c.status === "suspended"
            ? t("platform.suspendConfirm", { name: c.d.name })
            : t("platform.reactivateConfirm", { name: c.d.name })
        }
        danger={(c) => c.status === "suspended"}
        onConfirm={async (c) => {
          await setStatus.mutateAsync({ id: c.d.id, status: c.status, version: c.d.version });
          notify(t("tenants.statusChanged", { name: c.d.name }));
        }}
      />
    </>
  );
}

function CreateDeploymentForm(props: { deployments: Deployment[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [text, setText] = createSignal("");
  const [q, setQ] = createSignal("");
  const [picked, setPicked] = createSignal<Hit | null>(null);
  const admin = createAccountDraft();
  const securityAdmin = createAccountDraft();
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
  const problem = (...paths: string[]) => problemOf(create.error, ...paths);
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
  const submit = () => {
    const root = picked();
    setNoRoot(!root);
    const security = securityAdmin.trimmed();
    // Both or neither: the security administrator is optional.
    setSecurityIncomplete((security.username === "") !== (security.displayName === ""));
    if (!root || securityIncomplete()) return;
    create.mutate({
      code: root.code,
      admin: admin.trimmed(),
      ...(security.username ? { security } : {}),
    });
  };
  const runSearch = () => setQ(text().trim());
  // Deployments never nest: a root inside (or above) an existing deployment is refused by the server.
  const overlaps = (hit: Hit) =>
    props.deployments.some((d) => hit.code.startsWith(d.code) || d.code.startsWith(hit.code));
  return (
    <FormThenResult
      result={create.data}
      onClose={props.onClose}
      form={
        <SaveForm
          onSubmit={submit}
          noValidate
          save={create}
          message={otherError()}
          onCancel={props.onClose}
          submitLabel={t("platform.submit")}
        >
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
            <AccountFields account={admin} words="tenants.admin" error={(f) => problem(`admin.${f}`, f)} required />
          </fieldset>
          <fieldset class="fieldset">
            <legend>{t("platform.firstSecurity")}</legend>
            <p class="muted small">{t("platform.firstSecurityHint")}</p>
            <SecurityAccountFields account={securityAdmin} error={create.error} />
            <Show when={securityIncomplete()}>
              <Alert tone="warning">{t("tenants.adminIncomplete")}</Alert>
            </Show>
          </fieldset>
        </SaveForm>
      }
    >
      {(result) => (
        <>
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
        </>
      )}
    </FormThenResult>
  );
}

/** The first security administrator of a deployment that has none (made before the role existed). */
function AddSecurityAdminForm(props: { deployment: Deployment; onClose: () => void }) {
  const queryClient = useQueryClient();
  const security = createAccountDraft();
  const add = createMutation(() => ({
    mutationFn: (input: Inputs["platform"]["addSecurityAdmin"]) => trpc.platform.addSecurityAdmin.mutate(input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["platform.deployments"] }),
  }));
  const problem = (path: string) => problemOf(add.error, path);
  const otherError = () =>
    add.error && !problem("security.username") && !problem("security.displayName") ? errorText(add.error) : null;
  return (
    <FormThenResult
      result={add.data}
      onClose={props.onClose}
      form={
        <SaveForm
          noValidate
          onSubmit={() =>
            add.mutate({
              id: props.deployment.id,
              security: security.trimmed(),
            })
          }
          save={add}
          message={otherError()}
          onCancel={props.onClose}
          submitLabel={t("platform.addSecurity")}
        >
          <p class="muted small">{t("platform.addSecurityHint", { name: props.deployment.name })}</p>
          <SecurityAccountFields account={security} error={add.error} required />
        </SaveForm>
      }
    >
      {(result) => (
        <>
          <Alert tone="success">{t("platform.addSecurityDone", { name: props.deployment.name })}</Alert>
          <SetupLinkBox
            link={result().setupLink}
            heading={t("setupLink.for", { name: result().user.displayName, username: result().user.username })}
          />
        </>
      )}
    </FormThenResult>
  );
}

/** A security administrator's login and name, as both forms of this page ask for them. */
function SecurityAccountFields(props: {
  account: ReturnType<typeof createAccountDraft>;
  error: unknown;
  required?: boolean;
}) {
  return (
    <AccountFields
      account={props.account}
      words="platform.security"
      error={(f) => problemOf(props.error, `security.${f}`)}
      required={props.required}
    />
  );
}
