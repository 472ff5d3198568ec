import { createQuery } from "@tanstack/solid-query";
import type { Level } from "@zongzhi/domain/division";
import { For, type JSX, Show } from "solid-js";
import { trpc } from "../api.ts";
import { Select } from "../ui/select.tsx";

/** An onboarded unit picked while drilling down the tree. */
export interface PickedUnit {
  id: string;
  code: string;
  name: string;
  level: Level;
}

/** The path from the user's own unit to the shown one; an earlier unit is a button back to it. */
export function UnitBreadcrumb<T>(props: {
  label: string;
  items: readonly T[];
  name: (item: T) => string;
  onBack: (index: number) => void;
}) {
  const last = () => props.items.length - 1;
  return (
    <nav aria-label={props.label} class="breadcrumb">
      <ol>
        <For each={props.items}>
          {(item, i) => (
            <li aria-current={i() === last() ? "location" : undefined}>
              <Show when={i() < last()} fallback={<strong>{props.name(item)}</strong>}>
                <button type="button" class="link-button" onClick={() => props.onBack(i())}>
                  {props.name(item)}
                </button>
              </Show>
            </li>
          )}
        </For>
      </ol>
    </nav>
  );
}

/** Picks an onboarded unit directly below `parentCode` (nothing, or `none`, when there is none). */
export function ChildUnitSelect(props: {
  parentCode: string;
  label: string;
  placeholder: string;
  option: (unit: { name: string; code: string }) => string;
  none?: JSX.Element;
  onPick: (unit: PickedUnit) => void;
}) {
  const children = createQuery(() => ({
    queryKey: ["tenants.units", props.parentCode, "onboarded"],
    queryFn: () => trpc.tenants.units.query({ parentCode: props.parentCode, onboardedOnly: true, limit: 200 }),
  }));
  const options = () =>
    (children.data?.items ?? []).flatMap((u) => (u.tenant ? [{ value: u.tenant.id, label: props.option(u) }] : []));
  return (
    <Show when={options().length > 0} fallback={children.data ? props.none : null}>
      <Select
        class="unit-select"
        label={props.label}
        placeholder={props.placeholder}
        options={options()}
        value={null}
        onChange={(id) => {
          const unit = children.data?.items.find((u) => u.tenant?.id === id);
          if (unit?.tenant) props.onPick({ id: unit.tenant.id, code: unit.code, name: unit.name, level: unit.level });
        }}
      />
    </Show>
  );
}
