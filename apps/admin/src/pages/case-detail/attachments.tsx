import { createMutation } from "@tanstack/solid-query";
import { TERMINAL_STATES } from "@zongzhi/domain/case-workflow";
import { createSignal, For, Show } from "solid-js";
import { uploadAttachment } from "../../api.ts";
import { ListCard } from "../../components/config-page.tsx";
import { errorText } from "../../components/page.tsx";
import { Form } from "../../components/save-form.tsx";
import { formatDateTime, t } from "../../i18n.ts";
import { Alert } from "../../ui/alert.tsx";
import { Button } from "../../ui/button.tsx";
import { FilePicker } from "../../ui/file-picker.tsx";
import { notify } from "../../ui/toast.tsx";
import { useCaseRefresh } from "../case-actions.tsx";
import { may, type SectionProps } from "./section.tsx";

const MAX_BYTES = 10 * 1024 * 1024;

const mayAttach = (props: SectionProps) =>
  may(props.me, props.detail, "case.attach") && !TERMINAL_STATES.includes(props.detail.status);

/** 附件: the files of the case and the upload form (for those who may attach). */
export function Attachments(props: SectionProps) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const [file, setFile] = createSignal<File | null>(null);
  const [localError, setLocalError] = createSignal<string | null>(null);
  let input: HTMLInputElement | undefined;
  const upload = createMutation(() => ({
    mutationFn: (f: File) => uploadAttachment(props.detail.id, f),
    onSuccess: async (_r, f) => {
      notify(t("cases.detail.uploaded", { name: f.name }));
      setFile(null);
      if (input) input.value = "";
      await refresh();
    },
  }));
  const submit = () => {
    const f = file();
    if (!f) return setLocalError(t("cases.detail.fileRequired"));
    if (f.size > MAX_BYTES) return setLocalError(t("cases.detail.fileTooLarge"));
    setLocalError(null);
    upload.mutate(f);
  };
  return (
    <ListCard id="attachments-title" title={t("cases.detail.attachments")}>
      <Show
        when={props.detail.attachments.length > 0}
        fallback={<p class="muted">{t("cases.detail.noAttachments")}</p>}
      >
        <ul class="case-list">
          <For each={props.detail.attachments}>
            {(a) => (
              <li class="attachment">
                <a
                  href={`/attachments/${a.id}`}
                  download={a.filename}
                  aria-label={t("cases.detail.download", { name: a.filename })}
                >
                  {a.filename}
                </a>
                <span class="muted small">
                  {a.mime} · {(a.sizeBytes / 1024).toFixed(0)} KB · {formatDateTime(a.uploadedAt)}
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={mayAttach(props)}>
        <Form class="upload-form" onSubmit={submit}>
          <div class="field">
            <FilePicker
              ref={(el) => {
                input = el;
              }}
              id="case-file"
              label={t("cases.detail.file")}
              accept="image/jpeg,image/png,image/webp,application/pdf"
              describedBy="case-file-hint"
              file={file()}
              onChange={setFile}
            />
            <p id="case-file-hint" class="field-hint">
              {t("cases.detail.fileHint")}
            </p>
          </div>
          <Button type="submit" size="sm" disabled={upload.isPending}>
            {t("cases.detail.upload")}
          </Button>
        </Form>
      </Show>
      <Show when={localError() ?? (upload.error ? errorText(upload.error) : null)}>
        {(message) => <Alert>{message()}</Alert>}
      </Show>
    </ListCard>
  );
}
