import { createInfiniteQuery, createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import type { Level } from "@zongzhi/domain/division";
import { createSignal, For, Index, Match, Show, Switch } from "solid-js";
import { type Outputs, trpc, type UnitRow } from "../api.ts";
import { AccountFields, createAccountDraft } from "../components/account-fields.tsx";
import { DataTable, ListCard, labels, RowAction, SearchBox } from "../components/config-page.tsx";
import { FormThenResult, TargetConfirm } from "../components/dialogs.tsx";
import { errorText, Forbidden, LoadError, Loading, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { problemOf, SaveForm } from "../components/save-form.tsx";
import { Section } from "../components/section.tsx";
import { SetupLinkBox } from "../components/setup-link-box.tsx";
import { useMe } from "../components/shell.tsx";
import { levelName, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { notify } from "../ui/toast.tsx";

/** Registry units fetched per page when a node is expanded. */
const PAGE_SIZE = 30;

/** A unit picked for onboarding. */
interface UnitChoice {
  code: string;
  name: string;
  level: Level;
}

/** A status change waiting for confirmation. */
interface StatusTarget {
  id: string;
  version: number;
  name: string;
  status: "active" | "suspended";
}

/** The subtree: a lazily loaded registry tree with onboarding state, registry search, onboarding, suspension. */
export function TenantsPage() {
  const me = useMe();
  return (
    <Show when={me().tenant && can(me(), "tenant.read") ? me().tenant : null} fallback={<Forbidden />}>
      {(tenant) => <TenantsView rootCode={tenant().code} rootName={tenant().name} rootLevel={tenant().level} />}
    </Show>
  );
}

function TenantsView(props: { rootCode: string; rootName: string; rootLevel: Level }) {
  const me = useMe();
  const canOnboard = () => can(me(), "tenant.onboard");
  const canSuspend = () => can(me(), "tenant.suspend");
  const [selected, setSelected] = createSignal<UnitChoice[]>([]);
  const [onboarding, setOnboarding] = createSignal<UnitChoice[] | null>(null);
  const [statusTarget, setStatusTarget] = createSignal<StatusTarget | null>(null);
  // Which nodes are expanded, by code: survives refetches after onboarding or suspension.
  const [expanded, setExpanded] = createSignal<ReadonlySet<string>>(new Set());
  const queryClient = useQueryClient();

  const isSelected = (code: string) => selected().some((p) => p.code === code);
  const toggle = (unit: UnitChoice, on: boolean) =>
    setSelected((list) =>
      on ? [...list.filter((p) => p.code !== unit.code), unit] : list.filter((p) => p.code !== unit.code),
    );

  const setStatus = createMutation(() => ({
    mutationFn: (target: StatusTarget) =>
      trpc.tenants.setStatus.mutate({ id: target.id, version: target.version, status: target.status }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ["tenants.units"] }),
  }));

  const actions: TreeActions = {
    canOnboard,
    canSuspend,
    isSelected,
    toggle,
    isOpen: (code) => expanded().has(code),
    setOpen: (code, open) =>
      setExpanded((set) => {
        const next = new Set(set);
        if (open) next.add(code);
        else next.delete(code);
        return next;
      }),
    onboard: (unit) => setOnboarding([unit]),
    changeStatus: (unit, status) => {
      if (!unit.tenant) return;
      setStatusTarget({ id: unit.tenant.id, version: unit.tenant.version, name: unit.name, status });
    },
  };

  return (
    <>
      <PageHeader title={t("tenants.title")} intro={t("tenants.intro")} />
      <Show when={can(me(), "registry.read")}>
        <RegistrySearch canOnboard={canOnboard()} onOnboard={(hit) => setOnboarding([hit])} />
      </Show>
      <ListCard
        id="tree-title"
        title={t("tenants.tree")}
        actions={
          <Show when={canOnboard()}>
            <Button
              variant="primary"
              size="sm"
              disabled={selected().length === 0}
              onClick={() => setOnboarding(selected())}
            >
              {t("tenants.onboardSelected", { n: selected().length })}
            </Button>
            <Button size="sm" disabled={selected().length === 0} onClick={() => setSelected([])}>
              {t("tenants.clearSelection")}
            </Button>
          </Show>
        }
      >
        <div class="tree-root">
          <div class="tree-row tree-row-root">
            <span class="tree-name">{props.rootName}</span>
            <span class="mono muted">{props.rootCode}</span>
            <Badge tone="tier">{levelName(props.rootLevel)}</Badge>
            <Badge tone="info">{t("tenants.ownUnit")}</Badge>
          </div>
          <TreeChildren parentCode={props.rootCode} depth={1} actions={actions} />
        </div>
      </ListCard>

      <Dialog
        open={onboarding() !== null}
        onOpenChange={(open) => !open && setOnboarding(null)}
        title={t("tenants.onboardTitle")}
        description={t("tenants.onboardDesc")}
        size="lg"
      >
        <OnboardForm units={onboarding() ?? []} onDone={() => setSelected([])} onClose={() => setOnboarding(null)} />
      </Dialog>

      <TargetConfirm
        target={statusTarget()}
        onClose={() => setStatusTarget(null)}
        title={(c) => (c.status === "suspended" ? t("tenants.suspendTitle") : t("tenants.reactivateTitle"))}
        message={(c) =>
          c.status === "suspended"
            ? t("tenants.suspendConfirm", { name: c.name })
            : t("tenants.reactivateConfirm", { name: c.name })
        }
        confirmLabel={(c) => (c.status === "suspended" ? t("tenants.suspend") : t("tenants.reactivate"))}
        danger={(c) => c.status === "suspended"}
        onConfirm={async (c) => {
          await setStatus.mutateAsync(c);
          notify(t("tenants.statusChanged", { name: c.name }));
        }}
      />
    </>
  );
}

interface TreeActions {
  canOnboard: () => boolean;
  canSuspend: () => boolean;
  isSelected: (code: string) => boolean;
  toggle: (unit: UnitChoice, on: boolean) => void;
  isOpen: (code: string) => boolean;
  setOpen: (code: string, open: boolean) => void;
  onboard: (unit: UnitChoice) => void;
  changeStatus: (unit: UnitRow, status: "active" | "suspended") => void;
}

/** The registry children of one unit, fetched page by page ("load more"). */
function TreeChildren(props: { parentCode: string; depth: number; actions: TreeActions }) {
  const units = createInfiniteQuery(() => ({
    queryKey: ["tenants.units", props.parentCode],
    queryFn: ({ pageParam }) =>
      trpc.tenants.units.query({ parentCode: props.parentCode, after: pageParam, limit: PAGE_SIZE }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next ?? undefined,
  }));
  const items = () => units.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <Switch>
      <Match when={units.isError}>
        <div class="tree-indent" style={{ "--depth": props.depth }}>
          <LoadError error={units.error} retry={() => units.refetch()} />
        </div>
      </Match>
      <Match when={units.isPending}>
        <div class="tree-indent" style={{ "--depth": props.depth }}>
          <Loading />
        </div>
      </Match>
      <Match when={units.data}>
        <ul class="tree-list">
          <Show when={items().length === 0}>
            <li class="tree-more muted small" style={{ "--depth": props.depth }}>
              {t("tenants.noChildren")}
            </li>
          </Show>
          <Index each={items()}>
            {(unit) => <TreeNode unit={unit()} depth={props.depth} actions={props.actions} />}
          </Index>
          <Show when={units.hasNextPage}>
            <li class="tree-more" style={{ "--depth": props.depth }}>
              <Button
                size="sm"
                variant="link"
                disabled={units.isFetchingNextPage}
                onClick={() => units.fetchNextPage()}
              >
                {units.isFetchingNextPage ? t("app.loading") : t("common.loadMore")}
              </Button>
            </li>
          </Show>
        </ul>
      </Match>
    </Switch>
  );
}

function TreeNode(props: { unit: UnitRow; depth: number; actions: TreeActions }) {
  const unit = () => props.unit;
  const open = () => props.actions.isOpen(unit().code);
  const status = () => unit().tenant?.status;
  return (
    <li class="tree-item">
      <div class="tree-row" style={{ "--depth": props.depth }}>
        <Show when={unit().registryChildren > 0} fallback={<span class="tree-toggle-spacer" />}>
          <button
            type="button"
            class="tree-toggle"
            aria-expanded={open()}
            aria-label={t("tenants.toggle", { name: unit().name })}
            onClick={() => props.actions.setOpen(unit().code, !open())}
          >
            <span aria-hidden="true">{open() ? "▾" : "▸"}</span>
          </button>
        </Show>
        <Show
          when={!unit().tenant && props.actions.canOnboard()}
          fallback={props.actions.canOnboard() ? <span class="tree-check-spacer" /> : null}
        >
          <Checkbox
            hideLabel
            class="tree-check"
            label={t("tenants.select", { name: unit().name })}
            checked={props.actions.isSelected(unit().code)}
            onChange={(on) => props.actions.toggle(unit(), on)}
          />
        </Show>
        <span class="tree-name">{unit().name}</span>
        <span class="mono muted">{unit().code}</span>
        <Badge tone="tier">{levelName(unit().level)}</Badge>
        <Switch>
          <Match when={status() === "active"}>
            <Badge tone="success">{t("tenants.onboarded")}</Badge>
          </Match>
          <Match when={status() === "suspended"}>
            <Badge tone="danger">{t("common.suspended")}</Badge>
          </Match>
          <Match when={!unit().tenant}>
            <Badge tone="neutral">{t("tenants.notOnboarded")}</Badge>
          </Match>
        </Switch>
        <span class="muted small tree-info">
          {unit().registryChildren > 0
            ? t("tenants.childrenInfo", {
                onboarded: unit().tenant?.onboardedChildren ?? 0,
                total: unit().registryChildren,
              })
            : t("tenants.noChildren")}
        </span>
        <span class="tree-actions">
          <Show when={!unit().tenant && props.actions.canOnboard()}>
            <RowAction
              label={t("tenants.onboardOne")}
              ariaLabel={t("tenants.onboardOneLabel", { name: unit().name })}
              onClick={() => props.actions.onboard(unit())}
              variant="secondary"
            />
          </Show>
          <Show when={unit().tenant && props.actions.canSuspend()}>
            <Show
              when={status() === "active"}
              fallback={
                <RowAction
                  label={t("tenants.reactivate")}
                  ariaLabel={t("tenants.reactivateLabel", { name: unit().name })}
                  onClick={() => props.actions.changeStatus(unit(), "active")}
                  variant="secondary"
                />
              }
            >
              <RowAction
                label={t("tenants.suspend")}
                ariaLabel={t("tenants.suspendLabel", { name: unit().name })}
                onClick={() => props.actions.changeStatus(unit(), "suspended")}
                danger
              />
            </Show>
          </Show>
        </span>
      </div>
      <Show when={open()}>
        <TreeChildren parentCode={unit().code} depth={props.depth + 1} actions={props.actions} />
      </Show>
    </li>
  );
}

type Hit = Outputs["tenants"]["searchRegistry"][number];

/** Finds registry units of the subtree by Chinese name or code prefix. */
function RegistrySearch(props: { canOnboard: boolean; onOnboard: (hit: Hit) => void }) {
  const [q, setQ] = createSignal("");
  const search = createQuery(() => ({
    queryKey: ["tenants.searchRegistry", q()],
    queryFn: () => trpc.tenants.searchRegistry.query({ q: q(), limit: 30 }),
    enabled: q() !== "",
  }));
  return (
    <Section id="search-title" title={t("tenants.searchLabel")} class="card" hiddenTitle search>
      <SearchBox
        class="search-form"
        fieldClass="search-field"
        label={t("tenants.searchLabel")}
        placeholder={t("tenants.searchPlaceholder")}
        primary
        onSearch={setQ}
      />
      <Show when={q() !== ""}>
        <QueryState query={search} empty={t("tenants.searchEmpty")}>
          {(hits) => (
            <DataTable
              caption={t("tenants.searchResults")}
              actions
              columns={labels("common.name common.code common.level common.status")}
              rows={hits()}
            >
              {(hit) => (
                <tr>
                  <td>
                    <div>{hit.name}</div>
                    <div class="muted small">{hit.path}</div>
                  </td>
                  <td class="mono">{hit.code}</td>
                  <td>
                    <Badge tone="tier">{levelName(hit.level)}</Badge>
                  </td>
                  <td>
                    <Badge tone={hit.onboarded ? "success" : "neutral"}>
                      {hit.onboarded ? t("tenants.onboarded") : t("tenants.notOnboarded")}
                    </Badge>
                  </td>
                  <td class="col-actions">
                    <Show when={!hit.onboarded && props.canOnboard}>
                      <RowAction
                        label={t("tenants.onboardOne")}
                        ariaLabel={t("tenants.onboardOneLabel", { name: hit.name })}
                        onClick={() => props.onOnboard(hit)}
                        variant="secondary"
                      />
                    </Show>
                  </td>
                </tr>
              )}
            </DataTable>
          )}
        </QueryState>
      </Show>
    </Section>
  );
}

/** Onboarding: the chosen units, whole-branch option, optional first administrator; then the result. */
function OnboardForm(props: { units: UnitChoice[]; onDone: () => void; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [branch, setBranch] = createSignal(false);
  const admin = createAccountDraft();
  const [incomplete, setIncomplete] = createSignal(false);
  const single = () => props.units.length === 1;
  const onboard = createMutation(() => ({
    mutationFn: (input: {
      codes: string[];
      branch: boolean;
      firstAdmin?: { username: string; displayName: string } | undefined;
    }) => trpc.tenants.onboard.mutate(input),
    onSuccess: () => {
      props.onDone();
      void queryClient.invalidateQueries({ queryKey: ["tenants.units"] });
      void queryClient.invalidateQueries({ queryKey: ["tenants.searchRegistry"] });
      void queryClient.invalidateQueries({ queryKey: ["tenants.get"] });
    },
  }));
  const problem = (...paths: string[]) => problemOf(onboard.error, ...paths);
  const otherError = () =>
    onboard.error && !problem("firstAdmin.username", "username", "firstAdmin.displayName", "displayName")
      ? errorText(onboard.error)
      : null;

  const submit = () => {
    const { username: u, displayName: d } = admin.trimmed();
    if (single() && (u === "") !== (d === "")) {
      setIncomplete(true);
      return;
    }
    setIncomplete(false);
    onboard.mutate({
      codes: props.units.map((p) => p.code),
      branch: branch(),
      firstAdmin: single() && u !== "" ? { username: u, displayName: d } : undefined,
    });
  };

  return (
    <FormThenResult
      result={onboard.data}
      onClose={props.onClose}
      form={
        <SaveForm
          onSubmit={submit}
          noValidate
          save={onboard}
          message={otherError()}
          onCancel={props.onClose}
          submitLabel={t("tenants.submitOnboard")}
        >
          <div>
            <p class="field-label">{t("tenants.selectedUnits")}</p>
            <ul class="chip-list">
              <For each={props.units}>
                {(u) => (
                  <li class="chip">
                    <span>{u.name}</span> <span class="mono muted">{u.code}</span>{" "}
                    <Badge tone="tier">{levelName(u.level)}</Badge>
                  </li>
                )}
              </For>
            </ul>
          </div>
          <Checkbox
            label={t("tenants.branch")}
            description={t("tenants.branchHint")}
            checked={branch()}
            onChange={setBranch}
          />
          <Show when={single()} fallback={<p class="muted small">{t("tenants.firstAdminOnlySingle")}</p>}>
            <fieldset class="fieldset">
              <legend>
                {t("tenants.firstAdmin")}
                {t("common.optional")}
              </legend>
              <p class="field-hint">{t("tenants.firstAdminHint")}</p>
              <AccountFields account={admin} words="tenants.admin" error={(f) => problem(`firstAdmin.${f}`, f)} />
              <Show when={incomplete()}>
                <Alert tone="warning">{t("tenants.adminIncomplete")}</Alert>
              </Show>
            </fieldset>
          </Show>
        </SaveForm>
      }
    >
      {(result) => (
        <>
          <Alert tone="success">
            <strong>{t("tenants.onboardDone")}</strong> {t("tenants.createdCount", { n: result().created.length })}
          </Alert>
          <Show when={result().alreadyOnboarded.length > 0}>
            <p class="muted">{t("tenants.already", { codes: result().alreadyOnboarded.join("、") })}</p>
          </Show>
          <Show when={result().firstAdmin}>
            {(admin) => (
              <SetupLinkBox
                link={admin().setupLink}
                heading={t("setupLink.for", { name: admin().user.displayName, username: admin().user.username })}
              />
            )}
          </Show>
        </>
      )}
    </FormThenResult>
  );
}
