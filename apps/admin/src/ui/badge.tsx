import type { JSX } from "solid-js";
import { cx } from "./cx.ts";

/** Colour of a badge. */
export type BadgeTone = "neutral" | "info" | "success" | "warning" | "danger" | "tier";

/**
 * A small label. Why not Kobalte's Badge: it gives every badge role="status", which would
 * make each label in a list a live region that screen readers announce on every change.
 */
export function Badge(props: { tone?: BadgeTone; children: JSX.Element; title?: string; class?: string }) {
  return (
    <span class={cx("badge", `badge-${props.tone ?? "neutral"}`, props.class)} title={props.title}>
      {props.children}
    </span>
  );
}
