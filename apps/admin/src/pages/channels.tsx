import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Show } from "solid-js";
import { type Outputs, trpc } from "../api.ts";
import { CentreSection, createFieldErrors, FormError, wholeNumber } from "../components/centre.tsx";
import { actionsColumn, DataTable, labels } from "../components/config-page.tsx";
import { errorText, Forbidden, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { formatDateTime, type MessageKey, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { ConfirmDialog, Dialog, DialogFooter } from "../ui/dialog.tsx";
import { InputField } from "../ui/input-field.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type ApiKey = Outputs["channels"]["keys"][number];
const CHANNELS = ["hotline_12345", "online", "department_transfer"] as const;
const PERMISSIONS = ["case.register", "case.read", "case.follow_up"] as const;
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
            <Show when={manages()}>
              <Button variant="primary" onClick={() => setAdding(true)}>
                {t("channels.add")}
              </Button>
            </Show>
          </>
        }
      />
      <CentreSection id="keys-title" title={me().tenant?.name ?? ""}>
        <QueryState query={keys} empty={<p class="muted">{t("channels.empty")}</p>}>
          <DataTable
            caption={t("channels.title")}
            class="centre-table"
            testId="api-key-table"
            columns={[
              ...labels("channels.name channels.keyId channels.channel channels.permissions"),
              { label: t("channels.rate"), class: "num" },
              { label: t("channels.requests"), class: "num" },
              ...labels("channels.lastUsed channels.status"),
              actionsColumn(manages()),
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
                <Show when={manages()}>
                  <td class="col-actions">
                    <Show when={!k.revokedAt}>
                      <Button size="sm" variant="ghost" onClick={() => setRevoking(k)}>
                        {t("channels.revoke")}
                      </Button>
                    </Show>
                  </td>
                </Show>
              </tr>
            )}
          </DataTable>
        </QueryState>
      </CentreSection>
      <WebhooksSection keys={(keys.data ?? []).filter((k) => !k.revokedAt)} manages={manages()} />
      <Dialog open={adding()} onOpenChange={(open) => !open && setAdding(false)} title={t("channels.addTitle")}>
        <Show when={adding()}>
          <KeyForm
            onClose={() => setAdding(false)}
            onIssued={(token) => {
              setAdding(false);
              setIssued(token);
            }}
          />
        </Show>
      </Dialog>
      <Dialog open={issued() !== null} onOpenChange={(open) => !open && setIssued(null)} title={t("channels.issued")}>
        <Show when={issued()}>{(token) => <IssuedKey token={token()} onClose={() => setIssued(null)} />}</Show>
      </Dialog>
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
            columns={[...labels("channels.hooks.url channels.hooks.key channels.status")]}
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
            columns={[
              ...labels("channels.log.at channels.log.case channels.log.status"),
              { label: t("channels.log.attempts"), class: "num" },
              ...labels("channels.log.next channels.log.error"),
              actionsColumn(props.manages),
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
                <Show when={props.manages}>
                  <td class="col-actions">
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
                  </td>
                </Show>
              </tr>
            )}
          </DataTable>
        </QueryState>
      </CentreSection>
      <Dialog open={adding()} onOpenChange={(open) => !open && setAdding(false)} title={t("channels.hooks.addTitle")}>
        <Show when={adding()}>
          <WebhookForm
            keys={props.keys}
            onClose={() => setAdding(false)}
            onCreated={(s) => {
              setAdding(false);
              setSecret(s);
            }}
          />
        </Show>
      </Dialog>
      <Dialog
        open={secret() !== null}
        onOpenChange={(open) => !open && setSecret(null)}
        title={t("channels.hooks.secretTitle")}
      >
        <Show when={secret()}>
          {(s) => <IssuedKey token={s()} note={t("channels.hooks.secretOnce")} onClose={() => setSecret(null)} />}
        </Show>
      </Dialog>
    </>
  );
}

function WebhookForm(props: { keys: ApiKey[]; onClose: () => void; onCreated: (secret: string) => void }) {
  const queryClient = useQueryClient();
  const [url, setUrl] = createSignal("https://");
  const [keyId, setKeyId] = createSignal(props.keys[0]?.id ?? "");
  const save = createMutation(() => ({
    mutationFn: () => trpc.channels.createWebhook.mutate({ apiKeyId: keyId(), url: url().trim() }),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: ["channels.webhooks"] });
      props.onCreated(result.secret);
    },
  }));
  const fields = createFieldErrors({
    check: () => ({
      url: /^(https:\/\/[^\s/?#]+\S*|http:\/\/(127\.0\.0\.1|localhost)(:\d{1,5})?(\/\S*)?)$/.test(url().trim())
        ? undefined
        : t("channels.hooks.urlInvalid"),
    }),
    serverError: () => save.error,
  });
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        if (fields.submit()) save.mutate();
      }}
      noValidate
    >
      <Select
        label={t("channels.hooks.key")}
        options={props.keys.map((k) => ({ value: k.id, label: k.name }))}
        value={keyId()}
        onChange={(v) => v && setKeyId(v)}
      />
      <TextField
        label={t("channels.hooks.url")}
        value={url()}
        onChange={(v) => {
          setUrl(v);
          fields.touch("url");
        }}
        description={t("channels.hooks.urlHint")}
        error={fields.error("url")}
        required
      />
      <FormError error={save.error} known={(p) => p === "url"} text={errorText} />
      <DialogFooter>
        <Button onClick={() => props.onClose()}>{t("common.cancel")}</Button>
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {t("channels.hooks.add")}
        </Button>
      </DialogFooter>
    </form>
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
  const [name, setName] = createSignal("");
  const [channel, setChannel] = createSignal<(typeof CHANNELS)[number]>("hotline_12345");
  const [permissions, setPermissions] = createSignal<ReadonlySet<(typeof PERMISSIONS)[number]>>(new Set(PERMISSIONS));
  const [rate, setRate] = createSignal("60");
  const save = createMutation(() => ({
    mutationFn: () =>
      trpc.channels.createKey.mutate({
        name: name().trim(),
        channel: channel(),
        permissions: [...permissions()],
        ratePerMinute: wholeNumber(rate()) ?? 60,
      }),
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: ["channels.keys"] });
      props.onIssued(result.token);
    },
  }));
  const fields = createFieldErrors({
    check: () => {
      const n = wholeNumber(rate());
      return {
        name: !name().trim()
          ? t("centre.required")
          : name().trim().length > 60
            ? t("centre.tooLong", { n: 60 })
            : undefined,
        permissions: permissions().size === 0 ? t("channels.permRequired") : undefined,
        ratePerMinute: n === null || n < 1 || n > 6000 ? t("channels.rateInvalid") : undefined,
      };
    },
    serverError: () => save.error,
  });
  const toggle = (p: (typeof PERMISSIONS)[number], on: boolean) =>
    setPermissions((s) => {
      const next = new Set(s);
      if (on) next.add(p);
      else next.delete(p);
      return next;
    });
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        if (fields.submit()) save.mutate();
      }}
      noValidate
    >
      <TextField
        label={t("channels.name")}
        value={name()}
        onChange={(v) => {
          setName(v);
          fields.touch("name");
        }}
        error={fields.error("name")}
        required
      />
      <Select
        label={t("channels.channel")}
        options={CHANNELS.map((c) => ({ value: c, label: channelName(c) }))}
        value={channel()}
        onChange={(v) => v && setChannel(v as (typeof CHANNELS)[number])}
      />
      <fieldset class="fieldset">
        <legend class="field-label">{t("channels.permissions")}</legend>
        <For each={PERMISSIONS}>
          {(p) => (
            <Checkbox label={permissionName(p)} checked={permissions().has(p)} onChange={(on) => toggle(p, on)} />
          )}
        </For>
        <Show when={fields.error("permissions")}>
          <p class="field-error">{fields.error("permissions")}</p>
        </Show>
      </fieldset>
      <InputField
        type="number"
        label={t("channels.rate")}
        value={rate()}
        onChange={(v) => {
          setRate(v);
          fields.touch("ratePerMinute");
        }}
        min={1}
        max={6000}
        error={fields.error("ratePerMinute")}
      />
      <FormError error={save.error} known={(p) => ["name", "ratePerMinute"].includes(p)} text={errorText} />
      <DialogFooter>
        <Button onClick={() => props.onClose()}>{t("common.cancel")}</Button>
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {t("channels.add")}
        </Button>
      </DialogFooter>
    </form>
  );
}
