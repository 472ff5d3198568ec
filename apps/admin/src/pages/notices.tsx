import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { LEVELS, type Level } from "@zongzhi/domain/division";
import { createSignal, For, Show } from "solid-js";
import { type Outputs, trpc, uploadNoticeAttachment } from "../api.ts";
import { RemoveButton, TextArea } from "../components/case-fields.tsx";
import { ConfigPage, DataTable, FormDialog, ListCard, RowAction } from "../components/config-page.tsx";
import { AddButton, errorText } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { createSave, Form, SaveForm } from "../components/save-form.tsx";
import { useMe } from "../components/shell.tsx";
import { formatDateTime, levelName, t } from "../i18n.ts";
import { can, mayOn } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { FilePicker } from "../ui/file-picker.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

type NoticeList = Outputs["notices"]["list"];
type Notice = NoticeList["items"][number];
const itemsOf = (d: NoticeList): Notice[] => d.items;
/** Query key of the notices (the message centre reads the unread count under it too). */
export const NOTICES_KEY = ["notices.list"] as const;

/** Most files a notice carries (the server's MAX_NOTICE_ATTACHMENTS) and the largest file (as for case files). */
const MAX_FILES = 10;
const MAX_BYTES = 10 * 1024 * 1024;
const ACCEPT = "image/jpeg,image/png,image/webp,application/pdf";
const sentQuery = () => ({
  queryKey: [...NOTICES_KEY, "sent"],
  queryFn: () => trpc.notices.list.query({ box: "sent" }),
});

/** Why a file cannot be added to a notice that has `count` already, or null. */
function fileProblem(file: File, count: number): string | null {
  if (count >= MAX_FILES) return t("notices.tooManyFiles", { max: MAX_FILES });
  if (file.size > MAX_BYTES) return t("notices.fileTooLarge", { name: file.name });
  return null;
}

/** A notice's files as download links (served to the notice's audience only). */
function NoticeFiles(props: { files: Notice["attachments"] }) {
  return (
    <Show when={props.files.length > 0}>
      <ul class="plain-list notice-files" aria-label={t("notices.files")}>
        <For each={props.files}>
          {(f) => (
            <li>
              <a
                href={`/notice-attachments/${f.id}`}
                download={f.filename}
                aria-label={t("notices.download", { name: f.filename })}
              >
                {f.filename}
              </a>{" "}
              <span class="muted small">{Math.max(1, Math.round(f.sizeBytes / 1024))} KB</span>
            </li>
          )}
        </For>
      </ul>
    </Show>
  );
}

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
      actions={<AddButton when={mayPublish()} label={t("notices.publish")} onClick={() => setComposing("new")} />}
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
              <NoticeFiles files={n.attachments} />
            </article>
          )}
        </For>
      )}
    </QueryState>
  );
}

function Sent() {
  const [open, setOpen] = createSignal<Notice | null>(null);
  const [filesOf, setFilesOf] = createSignal<Notice | null>(null);
  const list = createQuery(sentQuery);
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
              { label: t("notices.files"), class: "num" },
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
                <td class="num">{n.attachments.length}</td>
                <td class="col-actions">
                  <RowAction
                    label={t("notices.receipts")}
                    ariaLabel={t("notices.receiptsOf", { title: n.title })}
                    onClick={() => setOpen(n)}
                  />
                  <RowAction
                    label={t("notices.files")}
                    ariaLabel={t("notices.filesOf", { title: n.title })}
                    onClick={() => setFilesOf(n)}
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
      <FormDialog
        target={filesOf()}
        onClose={() => setFilesOf(null)}
        title={(n) => t("notices.filesOf", { title: n.title })}
      >
        {(n) => <SentFiles id={n.id} />}
      </FormDialog>
    </ListCard>
  );
}

/** The files of one of my unit's notices, and adding one more. */
function SentFiles(props: { id: string }) {
  const queryClient = useQueryClient();
  const list = createQuery(sentQuery);
  const files = () => list.data?.items.find((n) => n.id === props.id)?.attachments ?? [];
  const [file, setFile] = createSignal<File | null>(null);
  const [localError, setLocalError] = createSignal<string | null>(null);
  let input: HTMLInputElement | undefined;
  const upload = createMutation(() => ({
    mutationFn: (f: File) => uploadNoticeAttachment(props.id, f),
    onSuccess: async (saved) => {
      notify(t("notices.uploaded", { name: saved.filename }));
      setFile(null);
      if (input) input.value = "";
      await queryClient.invalidateQueries({ queryKey: NOTICES_KEY });
    },
  }));
  return (
    <>
      <Show when={files().length > 0} fallback={<p class="muted small">{t("notices.noFiles")}</p>}>
        <NoticeFiles files={files()} />
      </Show>
      <Form
        class="upload-form"
        onSubmit={() => {
          const f = file();
          if (!f) return setLocalError(t("cases.detail.fileRequired"));
          const problem = fileProblem(f, files().length);
          setLocalError(problem);
          if (!problem) upload.mutate(f);
        }}
      >
        <div class="field">
          <FilePicker
            ref={(el) => {
              input = el;
            }}
            id="notice-file-more"
            accept={ACCEPT}
            describedBy="notice-file-more-hint"
            file={file()}
            onChange={setFile}
          />
          <p id="notice-file-more-hint" class="field-hint">
            {t("notices.filesHint", { max: MAX_FILES })}
          </p>
        </div>
        <Button type="submit" size="sm" disabled={upload.isPending}>
          {t("notices.upload")}
        </Button>
      </Form>
      <Show when={localError() ?? (upload.error ? errorText(upload.error) : null)}>
        {(message) => <Alert>{message()}</Alert>}
      </Show>
    </>
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
  const tiers = LEVELS.slice(LEVELS.indexOf(props.level));
  const [title, setTitle] = createSignal("");
  const [body, setBody] = createSignal("");
  const [chosen, setChosen] = createSignal<Level[]>([]);
  const [files, setFiles] = createSignal<File[]>([]);
  const [fileError, setFileError] = createSignal<string | null>(null);
  let picker: HTMLInputElement | undefined;
  const addFile = (f: File | null) => {
    if (!f) return;
    const problem = fileProblem(f, files().length);
    setFileError(problem);
    if (!problem) setFiles([...files(), f]);
    if (picker) picker.value = "";
  };
  const publish = createSave({
    // The notice first, then its files one by one: a file the server refuses leaves the notice
    // published, and the sender adds the file again from the list of sent notices.
    send: async () => {
      const { id } = await trpc.notices.publish.mutate({
        title: title().trim(),
        body: body().trim(),
        levels: chosen(),
      });
      for (const f of files()) {
        await uploadNoticeAttachment(id, f).catch((e: unknown) =>
          notify(t("notices.uploadFailed", { name: f.name, reason: errorText(e) }), "error"),
        );
      }
    },
    done: t("notices.published"),
    onClose: props.onClose,
    invalidate: NOTICES_KEY,
  });
  return (
    <SaveForm
      onSubmit={() => publish.mutate()}
      save={publish}
      onCancel={props.onClose}
      submitLabel={t("notices.publishSubmit")}
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
      <div class="field">
        <span class="field-label" id="notice-files-label">
          {t("notices.files")}
          {t("common.optional")}
        </span>
        <Show when={files().length > 0}>
          <ul class="plain-list notice-files" aria-labelledby="notice-files-label">
            <For each={files()}>
              {(f) => (
                <li>
                  {f.name} <span class="muted small">{Math.max(1, Math.round(f.size / 1024))} KB</span>
                  <RemoveButton
                    label={t("notices.removeFile", { name: f.name })}
                    onClick={() => setFiles(files().filter((x) => x !== f))}
                  />
                </li>
              )}
            </For>
          </ul>
        </Show>
        <FilePicker
          ref={(el) => {
            picker = el;
          }}
          id="notice-file"
          label={t("notices.addFile")}
          accept={ACCEPT}
          describedBy="notice-file-hint"
          file={files().at(-1) ?? null}
          onChange={addFile}
        />
        <p id="notice-file-hint" class="field-hint">
          {t("notices.filesHint", { max: MAX_FILES })}
        </p>
        <Show when={fileError()}>{(message) => <Alert>{message()}</Alert>}</Show>
      </div>
    </SaveForm>
  );
}
