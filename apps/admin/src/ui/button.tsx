import * as KButton from "@kobalte/core/button";
import { type JSX, splitProps } from "solid-js";
import { cx } from "./cx.ts";

/** Visual weight of a button. */
export type ButtonVariant = "primary" | "secondary" | "danger" | "ghost" | "link";

/** Props of {@link Button}: a native button's, plus variant and size. */
export type ButtonProps = JSX.ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: ButtonVariant;
  size?: "sm" | "md";
};

/** A button (Kobalte: native semantics, disabled handling, press events). */
export function Button(props: ButtonProps) {
  const [local, others] = splitProps(props, ["variant", "size", "class", "type"]);
  return (
    <KButton.Root
      type={local.type ?? "button"}
      class={cx("btn", `btn-${local.variant ?? "secondary"}`, local.size === "sm" && "btn-sm", local.class)}
      {...others}
    />
  );
}
