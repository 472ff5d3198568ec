import * as KAlert from "@kobalte/core/alert";
import type { JSX } from "solid-js";
import { cx } from "./cx.ts";

/** An inline message with role="alert" (announced when it appears). */
export function Alert(props: {
  tone?: "error" | "info" | "success" | "warning";
  children: JSX.Element;
  class?: string;
}) {
  return <KAlert.Root class={cx("alert", `alert-${props.tone ?? "error"}`, props.class)}>{props.children}</KAlert.Root>;
}
