import { type Accessor, type Component, type JSX, Show, splitProps } from "solid-js";
import type { Me } from "../api.ts";
import { CloseFooter, ConfirmDialog, Dialog } from "../ui/dialog.tsx";
import { errorText, Forbidden } from "./page.tsx";
import { useMe } from "./shell.tsx";

/**
 * A confirmation of an action on one row: open while `target` is set, its words read from the
 * target (the last one stays while the dialog animates closed); a failed action's message stays
 * in the dialog.
 */
export function TargetConfirm<T>(props: {
  target: T | null;
  onClose: () => void;
  title: (target: T) => string;
  message: (target: T) => string;
  confirmLabel?: (target: T) => string;
  danger?: boolean | ((target: T) => boolean);
  onConfirm: (target: T) => Promise<unknown>;
}) {
  let last: T | null = null;
  const shown = (): T | null => {
    if (props.target !== null) last = props.target;
    return last;
  };
  const words = (of: (target: T) => string) => {
    const target = shown();
    return target === null ? "" : of(target);
  };
  return (
    <ConfirmDialog
      open={props.target !== null}
      onOpenChange={(open) => !open && props.onClose()}
      title={words(props.title)}
      message={words(props.message)}
      confirmLabel={words(props.confirmLabel ?? props.title)}
      danger={typeof props.danger === "function" ? shown() !== null && props.danger(shown() as T) : props.danger}
      onConfirm={async () => {
        const target = props.target;
        if (target !== null) await props.onConfirm(target);
      }}
      errorText={errorText}
    />
  );
}

/**
 * A dialog's form until its save returns, then what it returned (a setup link that is shown only
 * once) above a single 关闭 button.
 */
export function FormThenResult<R>(props: {
  result: R | undefined;
  form: JSX.Element;
  onClose: () => void;
  children: (result: Accessor<NonNullable<R>>) => JSX.Element;
}) {
  return (
    <Show when={props.result} fallback={props.form}>
      {(result) => (
        <div class="form">
          {props.children(result)}
          <CloseFooter onClose={props.onClose} />
        </div>
      )}
    </Show>
  );
}

/** A page shown to those whom `allowed` lets in, and {@link Forbidden} to everyone else. */
export function gated(allowed: (me: Me) => boolean, Page: Component<{ me: Me }>): Component {
  return () => {
    const me = useMe();
    return (
      <Show when={allowed(me())} fallback={<Forbidden />}>
        <Page me={me()} />
      </Show>
    );
  };
}

/**
 * A dialog whose content is built each time it opens (so that a form starts empty and a query
 * inside runs only while it is shown).
 */
export function FreshDialog(props: Parameters<typeof Dialog>[0]) {
  const [own, dialog] = splitProps(props, ["children"]);
  return (
    <Dialog {...dialog}>
      <Show when={props.open}>{own.children}</Show>
    </Dialog>
  );
}
