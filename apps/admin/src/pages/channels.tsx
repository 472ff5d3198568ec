import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { apiKeyInput, KEY_CHANNELS, webhookInput } from "@zongzhi/api/schemas/channels";
import { KEY_PERMISSIONS } from "@zongzhi/domain/permissions";
import { createSignal, For, Show } from "solid-js";
import { type Outputs, trpc } from "../api.ts";
import { Fieldset } from "../components/case-fields.tsx";
import { CentreSection } from "../components/centre.tsx";
import { DataTable, FormDialog, labels } from "../components/config-page.tsx";
import { createDialogForm, DialogForm } from "../components/dialog-form.tsx";
import { AddButton, errorText, Forbidden, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { ActionsCell } from "../components/table-parts.tsx";
import { formatDateTime, type MessageKey, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { ConfirmDialog, DialogFooter } from "../ui/dialog.tsx";
import { InputField } from "../ui/input-field.tsx";
import { optionsOf, Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type ApiKey = Outputs["channels"]["keys"][number];
type KeyChannel = (typeof KEY_CHANNELS)[number];
type KeyPermission = (typeof KEY_PERMISSIONS)[number];
const channelName = (c: string) => t(`channels.channel.${c}` as MessageKey);
const permissionName = (p: string) => t(`channels.perm.${p}` as MessageKey);

/** The unit's API keys for integrators (12345, apps): issue (shown once), see last use, revoke. */
export function ChannelsPage() {
  const me = useMe();
  return (
    <Show when={me().tenant && can(me(), "channel.read")} fallback={<Forbidden />}>
      <ChannelsView />
    </Show>
  );
}

function ChannelsView() {
  const me = useMe();
  const queryClient = useQueryClient();
  const manages = () => can(me(), "channel.manage");
  const [adding, setAdding] = createSignal(false);
  const [issued, setIssued] = createSignal<string | null>(null);
  const [revoking, setRevoking] = createSignal<ApiKey | null>(null);
  const keys = createQuery(() => ({ queryKey: ["channels.keys"], queryFn: () => trpc.channels.keys.query() }));
  return (
    <>
      <PageHeader
        title={t("channels.title")}
        intro={t("channels.intro")}
        actions={
          <>
            <a class="button" href="/api/docs" target="_blank" rel="noopener">
              {t("channels.docs")}
            </a>
            <AddButton when={manages()} label={t("channels.add")} onClick={() => setAdding(true)} />
          </>
        }
      />
      <CentreSection id="keys-title" title={me().tenant?.name ?? ""}>
        <QueryState query={keys} empty={<p class="muted">{t("channels.empty")}</p>}>
          <DataTable
            caption={t("channels.title")}
            class="centre-table"
            testId="api-key-table"
            actions={manages()}
            columns={[
              ...labels("channels.name channels.keyId channels.channel channels.permissions"),
              ...labels("channels.rate channels.requests", "num"),
              ...labels("channels.lastUsed channels.status"),
            ]}
            rows={keys.data ?? []}
          >
            {(k) => (
              <tr classList={{ "row-inactive": k.revokedAt !== null }}>
                <td class="cell-title">{k.name}</td>
                <td>
                  <code>zzk_{k.keyId}_…</code>
                </td>
                <td>{channelName(k.channel)}</td>
                <td>
                  <div class="badge-row">
                    <For each={k.permissions}>{(p) => <Badge tone="neutral">{permissionName(p)}</Badge>}</For>
                  </div>
                </td>
                <td class="num">{k.ratePerMinute}</td>
                <td class="num">{k.requests}</td>
                <td>{k.lastUsedAt ? formatDateTime(k.lastUsedAt) : t("channels.never")}</td>
                <td>
                  <Show when={k.revokedAt} fallback={<Badge tone="success">{t("channels.active")}</Badge>}>
                    <Badge tone="danger">{t("channels.revoked")}</Badge>
                  </Show>
                </td>
                <ActionsCell when={manages()}>
                  <Show when={!k.revokedAt}>
                    <Button size="sm" variant="ghost" onClick={() => setRevoking(k)}>
                      {t("channels.revoke")}
                    </Button>
                  </Show>
                </ActionsCell>
              </tr>
            )}
          </DataTable>
        </QueryState>
      </CentreSection>
      <WebhooksSection keys={(keys.data ?? []).filter((k) => !k.revokedAt)} manages={manages()} />
      <FormDialog target={adding() || null} onClose={() => setAdding(false)} title={() => t("channels.addTitle")}>
        {() => (
          <KeyForm
            onClose={() => setAdding(false)}
            onIssued={(token) => {
              setAdding(false);
              setIssued(token);
            }}
          />
        )}
      </FormDialog>
      <FormDialog target={issued()} onClose={() => setIssued(null)} title={() => t("channels.issued")}>
        {(token) => <IssuedKey token={token} onClose={() => setIssued(null)} />}
      </FormDialog>
      <ConfirmDialog
        open={revoking() !== null}
        onOpenChange={(open) => !open && setRevoking(null)}
        title={t("channels.revokeTitle")}
        message={t("channels.revokeConfirm", { name: revoking()?.name ?? "" })}
        confirmLabel={t("channels.revoke")}
        danger
        errorText={errorText}
        onConfirm={async () => {
          const k = revoking();
          if (!k) return;
          await trpc.channels.revokeKey.mutate({ id: k.id, version: k.version });
          await queryClient.invalidateQueries({ queryKey: ["channels.keys"] });
          setRevoking(null);
        }}
      />
    </>
  );
}

function WebhooksSection(props: { keys: ApiKey[]; manages: boolean }) {
  const queryClient = useQueryClient();
  const [adding, setAdding] = createSignal(false);
  const [secret, setSecret] = createSignal<string | null>(null);
  const hooks = createQuery(() => ({ queryKey: ["channels.webhooks"], queryFn: () => trpc.channels.webhooks.query() }));
  const log = createQuery(() => ({
    queryKey: ["channels.deliveries"],
    queryFn: () => trpc.channels.deliveries.query({ limit: 100 }),
  }));
  const replay = createMutation(() => ({
    mutationFn: (d: { id: string; version: number }) => trpc.channels.replayDelivery.mutate(d),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["channels.deliveries"] });
      notify(t("channels.log.replayed"));
    },
  }));
  const tone = (s: string) => (s === "delivered" ? "success" : s === "failed" ? "danger" : "warning");
  return (
    <>
      <CentreSection
        id="hooks-title"
        title={t("channels.hooks.title")}
        actions={
          <Show when={props.manages && props.keys.length > 0}>
            <Button onClick={() => setAdding(true)}>{t("channels.hooks.add")}</Button>
          </Show>
        }
      >
        <p class="muted small">{t("channels.hooks.intro")}</p>
        <QueryState query={hooks} empty={<p class="muted">{t("channels.hooks.empty")}</p>}>
          <DataTable
            caption={t("channels.hooks.title")}
            class="centre-table"
            testId="webhook-table"
            columns={labels("channels.hooks.url channels.hooks.key channels.status")}
            rows={hooks.data ?? []}
          >
            {(h) => (
              <tr>
                <td>
                  <code>{h.url}</code>
                </td>
                <td>{h.apiKeyName}</td>
                <td>
                  <div class="badge-row">
                    <Badge tone="warning">{t("channels.hooks.pending", { n: h.pending })}</Badge>
                    <Show when={h.failed > 0}>
                      <Badge tone="danger">{t("channels.hooks.failed", { n: h.failed })}</Badge>
                    </Show>
                  </div>
                </td>
              </tr>
            )}
          </DataTable>
        </QueryState>
      </CentreSection>
      <CentreSection id="log-title" title={t("channels.log.title")}>
        <QueryState query={log} empty={<p class="muted">{t("channels.log.empty")}</p>}>
          <DataTable
            caption={t("channels.log.title")}
            class="centre-table"
            testId="delivery-table"
            actions={props.manages}
            columns={[
              ...labels("channels.log.at channels.log.case channels.log.status"),
              ...labels("channels.log.attempts", "num"),
              ...labels("channels.log.next channels.log.error"),
            ]}
            rows={log.data ?? []}
          >
            {(d) => (
              <tr>
                <td>{formatDateTime(d.createdAt)}</td>
                <td>
                  <code>{d.code}</code>
                </td>
                <td>
                  <Badge tone={tone(d.status)}>{t(`channels.log.status.${d.status}` as MessageKey)}</Badge>
                </td>
                <td class="num">{d.attempts}</td>
                <td>{d.status === "pending" ? formatDateTime(d.nextAttemptAt) : ""}</td>
                <td>{d.lastError ?? ""}</td>
                <ActionsCell when={props.manages}>
                  <Show when={d.status !== "pending"}>
                    <Button
                      size="sm"
                      variant="ghost"
                      disabled={replay.isPending}
                      onClick={() => replay.mutate({ id: d.id, version: d.version })}
                    >
                      {t("channels.log.replay")}
                    </Button>
                  </Show>
                </ActionsCell>
              </tr>
            )}
          </DataTable>
        </QueryState>
      </CentreSection>
      <FormDialog target={adding() || null} onClose={() => setAdding(false)} title={() => t("channels.hooks.addTitle")}>
        {() => (
          <WebhookForm
            keys={props.keys}
            onClose={() => setAdding(false)}
            onCreated={(s) => {
              setAdding(false);
              setSecret(s);
            }}
          />
        )}
      </FormDialog>
      <FormDialog target={secret()} onClose={() => setSecret(null)} title={() => t("channels.hooks.secretTitle")}>
        {(s) => <IssuedKey token={s} note={t("channels.hooks.secretOnce")} onClose={() => setSecret(null)} />}
      </FormDialog>
    </>
  );
}

function WebhookForm(props: { keys: ApiKey[]; onClose: () => void; onCreated: (secret: string) => void }) {
  const queryClient = useQueryClient();
  const form = createDialogForm({
    schema: webhookInput,
    initial: { url: "https://", apiKeyId: props.keys[0]?.id ?? "" },
    toInput: (d) => ({ apiKeyId: d.apiKeyId, url: d.url.trim() }),
    send: (input) => trpc.channels.createWebhook.mutate(input),
    done: (result) => {
      props.onCreated(result.secret);
      return t("channels.hooks.secretTitle");
    },
    refresh: () => queryClient.invalidateQueries({ queryKey: ["channels.webhooks"] }),
    onClose: props.onClose,
  });
  return (
    <DialogForm form={form} submitLabel={t("channels.hooks.add")}>
      <Select
        label={t("channels.hooks.key")}
        options={props.keys.map((k) => ({ value: k.id, label: k.name }))}
        {...form.choice("apiKeyId")}
      />
      <TextField
        label={t("channels.hooks.url")}
        {...form.text("url")}
        description={t("channels.hooks.urlHint")}
        required
      />
    </DialogForm>
  );
}

function IssuedKey(props: { token: string; note?: string; onClose: () => void }) {
  const [copied, setCopied] = createSignal(false);
  return (
    <div class="form">
      <p>{props.note ?? t("channels.showOnce")}</p>
      <TextField label={t("channels.keyId")} value={props.token} readOnly hideLabel inputClass="mono" />
      <DialogFooter>
        <Button
          onClick={() =>
            void navigator.clipboard?.writeText(props.token).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied() ? t("channels.copied") : t("channels.copy")}
        </Button>
        <Button variant="primary" onClick={() => props.onClose()}>
          {t("channels.done")}
        </Button>
      </DialogFooter>
    </div>
  );
}

function KeyForm(props: { onClose: () => void; onIssued: (token: string) => void }) {
  const queryClient = useQueryClient();
  const form = createDialogForm({
    schema: apiKeyInput,
    initial: {
      name: "",
      channel: "hotline_12345" as KeyChannel,
      permissions: [...KEY_PERMISSIONS] as KeyPermission[],
      rate: "60",
    },
    toInput: (d) => ({
      name: d.name,
      channel: d.channel,
      permissions: [...d.permissions],
      ratePerMinute: Number(d.rate),
    }),
    send: (input) => trpc.channels.createKey.mutate(input),
    done: (result) => {
      props.onIssued(result.token);
      return t("channels.issued");
    },
    refresh: () => queryClient.invalidateQueries({ queryKey: ["channels.keys"] }),
    onClose: props.onClose,
  });
  const toggle = (p: KeyPermission, on: boolean) =>
    form.set("permissions", on ? [...form.draft.permissions, p] : form.draft.permissions.filter((x) => x !== p));
  return (
    <DialogForm form={form} submitLabel={t("channels.add")}>
      <TextField label={t("channels.name")} {...form.text("name")} required />
      <Select
        label={t("channels.channel")}
        options={optionsOf(KEY_CHANNELS, channelName)}
        {...form.choice("channel")}
      />
      <Fieldset legend={t("channels.permissions")} legendClass="field-label" error={form.error("permissions")}>
        <For each={KEY_PERMISSIONS}>
          {(p) => (
            <Checkbox
              label={permissionName(p)}
              checked={form.draft.permissions.includes(p)}
              onChange={(on) => toggle(p, on)}
            />
          )}
        </For>
      </Fieldset>
      <InputField
        type="number"
        label={t("channels.rate")}
        value={form.draft.rate}
        onChange={(v) => form.set("rate", v)}
        min={1}
        max={6000}
        error={form.error("ratePerMinute")}
      />
    </DialogForm>
  );
}
