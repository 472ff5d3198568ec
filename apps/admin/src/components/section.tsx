import type { JSX } from "solid-js";
import { Dynamic } from "solid-js/web";

/**
 * A part of a page named by its heading (aria-labelledby): a `<section>`, or a `<search>` for
 * filters; the heading is a card title unless `titleClass` says otherwise, or read only by
 * screen readers with `hiddenTitle`.
 */
export function Section(props: {
  id: string;
  title: JSX.Element;
  class?: string;
  titleClass?: string;
  hiddenTitle?: boolean;
  search?: boolean;
  role?: JSX.HTMLAttributes<HTMLElement>["role"];
  children: JSX.Element;
}) {
  return (
    <Dynamic
      component={props.search ? "search" : "section"}
      class={props.class}
      aria-labelledby={props.id}
      role={props.role}
    >
      <h2 id={props.id} class={props.hiddenTitle ? "sr-only" : (props.titleClass ?? "card-title")}>
        {props.title}
      </h2>
      {props.children}
    </Dynamic>
  );
}
