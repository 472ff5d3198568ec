import { t } from "../i18n.ts";

/**
 * A file chooser in the UI's language: the native input stays (keyboard, screen readers) but is
 * visually hidden, and its browser-language button ("Choose File") and "No file chosen" are
 * replaced by ours: the button is the input's label. The chosen file is the caller's state (`file`), so a reset shows at once.
 */
export function FilePicker(props: {
  id: string;
  /** The button's text and the input's name (选择文件 by default). */
  label?: string;
  accept: string;
  file: File | null;
  describedBy?: string;
  onChange: (file: File | null) => void;
  ref?: (el: HTMLInputElement) => void;
}) {
  return (
    <div class="file-picker-row">
      <input
        ref={(el) => props.ref?.(el)}
        id={props.id}
        class="file-picker-input"
        type="file"
        accept={props.accept}
        aria-describedby={props.describedBy}
        onChange={(e) => props.onChange(e.currentTarget.files?.[0] ?? null)}
      />
      <label for={props.id} class="btn btn-secondary btn-sm file-picker-button">
        {props.label ?? t("upload.choose")}
      </label>
      <span class="file-picker-name muted small">{props.file?.name ?? t("upload.none")}</span>
    </div>
  );
}
