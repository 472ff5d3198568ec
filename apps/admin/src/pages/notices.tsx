import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { LEVELS, type Level } from "@zongzhi/domain/division";
import { createSignal, For, Show } from "solid-js";
import { type Outputs, trpc } from "../api.ts";
import { TextArea } from "../components/case-fields.tsx";
import { ConfigPage, DataTable, FormDialog, FormFooter, ListCard, RowAction } from "../components/config-page.tsx";
import { errorText } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { formatDateTime, levelName, t } from "../i18n.ts";
import { can, mayOn } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type NoticeList = Outputs["notices"]["list"];
type Notice = NoticeList["items"][number];
const itemsOf = (d: NoticeList): Notice[] => d.items;
/** Query key of the notices (the message centre reads the unread count under it too). */
export const NOTICES_KEY = ["notices.list"] as const;

/** "全部层级" or the tiers a notice is addressed to. */
function levelsText(levels: readonly string[]): string {
  return levels.length === 0 ? t("notices.allTiers") : levels.map((l) => levelName(l as Level)).join("、");
}

/** /notices: notices addressed to my unit with 已读确认, and (for publishers) my unit's own with who has read them. */
export function NoticesPage() {
  const me = useMe();
  const mayPublish = () => mayOn(me(), "notice.publish", me().tenant?.code ?? "");
  const [box, setBox] = createSignal<"received" | "sent">("received");
  const [composing, setComposing] = createSignal<"new" | null>(null);
  return (
    <ConfigPage
      allowed={me().tenant !== null && can(me(), "notice.read")}
      title={t("notices.title")}
      intro={t("notices.intro")}
      actions={
        <Show when={mayPublish()}>
          <Button variant="primary" onClick={() => setComposing("new")}>
            {t("notices.publish")}
          </Button>
        </Show>
      }
    >
      <Show when={mayPublish()}>
        <fieldset class="card filter-bar">
          <legend class="sr-only">{t("notices.box")}</legend>
          <Button size="sm" variant={box() === "received" ? "primary" : "ghost"} onClick={() => setBox("received")}>
            {t("notices.received")}
          </Button>
          <Button size="sm" variant={box() === "sent" ? "primary" : "ghost"} onClick={() => setBox("sent")}>
            {t("notices.sent")}
          </Button>
        </fieldset>
      </Show>
      <Show when={box() === "received"} fallback={<Sent />}>
        <Received />
      </Show>
      <FormDialog target={composing()} onClose={() => setComposing(null)} title={() => t("notices.publish")} size="lg">
        {() => <PublishForm level={me().tenant?.level ?? "village"} onClose={() => setComposing(null)} />}
      </FormDialog>
    </ConfigPage>
  );
}

function Received() {
  const queryClient = useQueryClient();
  const list = createQuery(() => ({
    queryKey: [...NOTICES_KEY, "received"],
    queryFn: () => trpc.notices.list.query({ box: "received" }),
  }));
  const acknowledge = createMutation(() => ({
    mutationFn: (id: string) => trpc.notices.acknowledge.mutate({ id }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: NOTICES_KEY }),
    onError: (e) => notify(errorText(e), "error"),
  }));
  return (
    <QueryState<NoticeList, Notice[]> query={list} select={itemsOf} empty={t("notices.none")}>
      {(items) => (
        <For each={items()}>
          {(n) => (
            <article
              class="card notice"
              classList={{ "row-unread": n.readAt === null }}
              aria-labelledby={`notice-${n.id}`}
            >
              <div class="card-head">
                <h2 class="card-title" id={`notice-${n.id}`}>
                  {n.title}
                </h2>
                <Show
                  when={n.readAt}
                  fallback={
                    <Button
                      size="sm"
                      variant="primary"
                      disabled={acknowledge.isPending}
                      onClick={() => acknowledge.mutate(n.id)}
                    >
                      {t("notices.acknowledge")}
                    </Button>
                  }
                >
                  {(at) => <Badge tone="success">{t("notices.readAt", { at: formatDateTime(at()) })}</Badge>}
                </Show>
              </div>
              <p class="muted small">
                {n.unitName ?? n.scopeCode} · {formatDateTime(n.publishedAt)} · {levelsText(n.levels)}
              </p>
              <p class="notice-body">{n.body}</p>
            </article>
          )}
        </For>
      )}
    </QueryState>
  );
}

function Sent() {
  const [open, setOpen] = createSignal<Notice | null>(null);
  const list = createQuery(() => ({
    queryKey: [...NOTICES_KEY, "sent"],
    queryFn: () => trpc.notices.list.query({ box: "sent" }),
  }));
  return (
    <ListCard id="notices-sent" title={t("notices.sent")}>
      <QueryState<NoticeList, Notice[]> query={list} select={itemsOf} empty={t("notices.noneSent")}>
        {(items) => (
          <DataTable
            caption={t("notices.sent")}
            columns={[
              { label: t("notices.noticeTitle") },
              { label: t("notices.publishedAt") },
              { label: t("notices.tiers") },
              { label: t("notices.reads"), class: "num" },
              { label: t("common.actions"), class: "col-actions" },
            ]}
            rows={items()}
          >
            {(n) => (
              <tr>
                <td class="cell-title">{n.title}</td>
                <td class="nowrap small">{formatDateTime(n.publishedAt)}</td>
                <td class="small">{levelsText(n.levels)}</td>
                <td class="num">{n.reads}</td>
                <td class="col-actions">
                  <RowAction
                    label={t("notices.receipts")}
                    ariaLabel={t("notices.receiptsOf", { title: n.title })}
                    onClick={() => setOpen(n)}
                  />
                </td>
              </tr>
            )}
          </DataTable>
        )}
      </QueryState>
      <FormDialog
        target={open()}
        onClose={() => setOpen(null)}
        title={(n) => t("notices.receiptsOf", { title: n.title })}
      >
        {(n) => <Receipts id={n.id} />}
      </FormDialog>
    </ListCard>
  );
}

function Receipts(props: { id: string }) {
  const receipts = createQuery(() => ({
    queryKey: ["notices.receipts", props.id],
    queryFn: () => trpc.notices.receipts.query({ id: props.id }),
  }));
  return (
    <QueryState query={receipts}>
      {(r) => (
        <>
          <p>{t("notices.readCount", { read: r().read.length, total: r().recipients })}</p>
          <h3>{t("notices.readBy")}</h3>
          <Show when={r().read.length > 0} fallback={<p class="muted small">{t("common.none")}</p>}>
            <ul class="plain-list" aria-label={t("notices.readBy")}>
              <For each={r().read}>
                {(u) => (
                  <li>
                    {u.displayName}{" "}
                    <span class="muted small">
                      {u.unitName} · {formatDateTime(u.readAt)}
                    </span>
                  </li>
                )}
              </For>
            </ul>
          </Show>
          <h3>{t("notices.notYet")}</h3>
          <Show when={r().unread.length > 0} fallback={<p class="muted small">{t("common.none")}</p>}>
            <ul class="plain-list" aria-label={t("notices.notYet")}>
              <For each={r().unread}>
                {(u) => (
                  <li>
                    {u.displayName} <span class="muted small">{u.unitName}</span>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </>
      )}
    </QueryState>
  );
}

function PublishForm(props: { level: Level; onClose: () => void }) {
  const queryClient = useQueryClient();
  const tiers = LEVELS.slice(LEVELS.indexOf(props.level));
  const [title, setTitle] = createSignal("");
  const [body, setBody] = createSignal("");
  const [chosen, setChosen] = createSignal<Level[]>([]);
  const publish = createMutation(() => ({
    mutationFn: () => trpc.notices.publish.mutate({ title: title().trim(), body: body().trim(), levels: chosen() }),
    onSuccess: () => {
      notify(t("notices.published"));
      props.onClose();
      return queryClient.invalidateQueries({ queryKey: NOTICES_KEY });
    },
  }));
  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        publish.mutate();
      }}
    >
      <TextField label={t("notices.noticeTitle")} value={title()} onChange={setTitle} maxLength={100} required />
      <TextArea label={t("notices.body")} value={body()} onChange={setBody} rows={8} maxLength={5000} required />
      <fieldset class="field">
        <legend class="field-label">{t("notices.tiers")}</legend>
        <p class="field-hint">{t("notices.tiersHint")}</p>
        <div class="badge-row">
          <For each={tiers}>
            {(l) => (
              <Checkbox
                label={levelName(l)}
                checked={chosen().includes(l)}
                onChange={(on) => setChosen(on ? [...chosen(), l] : chosen().filter((x) => x !== l))}
              />
            )}
          </For>
        </div>
      </fieldset>
      <Show when={publish.error}>
        <Alert>{errorText(publish.error)}</Alert>
      </Show>
      <FormFooter onCancel={props.onClose} pending={publish.isPending} submitLabel={t("notices.publishSubmit")} />
    </form>
  );
}
