import { For, Match, Show, Switch } from "solid-js";
import type { Me } from "../../api.ts";
import { formatDateTime, t } from "../../i18n.ts";
import { Badge } from "../../ui/badge.tsx";
import { cx } from "../../ui/cx.ts";
import { DataTable, labels } from "../config-page.tsx";
import { LoadError, Loading } from "../page.tsx";
import {
  awaitsSignFor,
  type CaseRef,
  createPath,
  createUnitNames,
  type Hop,
  tierOfCode,
} from "./escalation-common.tsx";
import "./escalation.css";

/** One unit on the path: how the case got there, and whether that unit signed for it. */
interface Stop {
  code: string;
  via: Hop | null;
  signedAt: Date | null;
}

/** Folds the hops into the units the case stopped at (a sign-for marks the stop it confirms). */
export function stopsOf(hops: readonly Hop[], originCode: string): Stop[] {
  const stops: Stop[] = [{ code: hops[0]?.fromCode ?? originCode, via: null, signedAt: null }];
  for (const hop of hops) {
    if (hop.kind === "sign_for") {
      const last = stops.at(-1);
      if (last) last.signedAt = hop.at;
    } else {
      stops.push({ code: hop.toCode, via: hop, signedAt: null });
    }
  }
  return stops;
}

const HOP_ARROW: Record<string, string> = { escalate: "↑", assign_down: "↓", return: "↩", sign_for: "✓" };

/** Name of a hop's kind (上报, 交办, 退回, 签收). */
export function hopName(kind: string): string {
  switch (kind) {
    case "escalate":
    case "assign_down":
    case "return":
    case "sign_for":
      return t(`escalation.hop.${kind}`);
    default:
      return kind;
  }
}

/**
 * The case's path across tiers (village → township → county → township …) drawn as stops with
 * the hop that led to each, then every hop with its reason, instructions and deadline.
 */
export function CasePath(props: { case: CaseRef; me: Me }) {
  const path = createPath(() => props.case.id);
  const hops = () => path.data ?? [];
  const unitName = createUnitNames(
    () => props.me,
    () => [props.case.scopeCode, ...hops().flatMap((h) => [h.fromCode, h.toCode])],
  );
  const stops = () => stopsOf(hops(), props.case.scopeCode);
  const waiting = () => awaitsSignFor(hops());
  return (
    <section class="card case-path-card" aria-labelledby="case-path-title">
      <div class="card-head">
        <h2 id="case-path-title" class="card-title">
          {t("escalation.path.title")}
        </h2>
      </div>
      <Switch fallback={<Loading />}>
        <Match when={path.isError}>
          <LoadError error={path.error} retry={() => path.refetch()} />
        </Match>
        <Match when={path.data}>
          <ol class="case-path" aria-label={t("escalation.path.list")}>
            <For each={stops()}>
              {(stop, i) => {
                const last = () => i() === stops().length - 1;
                return (
                  <li class={cx("case-path-stop", last() && "case-path-current")}>
                    <Show when={stop.via}>
                      {(via) => (
                        <span class={cx("case-path-hop", `case-path-hop-${via().kind}`)}>
                          <span aria-hidden="true">{HOP_ARROW[via().kind] ?? "→"}</span> {hopName(via().kind)}
                          <Show when={via().urgency === "urgent"}>
                            <Badge tone="danger">{t("escalation.urgency.urgent")}</Badge>
                          </Show>
                        </span>
                      )}
                    </Show>
                    <span class="case-path-box">
                      <span class="case-path-unit">{unitName(stop.code)}</span>
                      <span class="case-path-tier">{tierOfCode(stop.code)}</span>
                      <span class="case-path-state">
                        <Switch>
                          <Match when={i() === 0 && !stop.via}>{t("escalation.path.origin")}</Match>
                          <Match when={stop.signedAt}>
                            {(at) => t("escalation.path.signed", { time: formatDateTime(at()) })}
                          </Match>
                          <Match when={last() && waiting()}>
                            <strong class="case-path-waiting">{t("escalation.path.awaiting")}</strong>
                          </Match>
                          <Match when={stop.via?.kind === "return"}>{t("escalation.path.returned")}</Match>
                        </Switch>
                      </span>
                      <Show when={last()}>
                        <Badge tone="info">{t("escalation.path.owner")}</Badge>
                      </Show>
                    </span>
                  </li>
                );
              }}
            </For>
          </ol>
          <Show when={hops().length > 0} fallback={<p class="muted small">{t("escalation.path.none")}</p>}>
            <DataTable
              class="table-dense case-hops"
              caption={t("escalation.path.hops")}
              columns={labels("escalation.path.at escalation.path.kind escalation.path.fromTo escalation.path.detail")}
              rows={hops()}
            >
              {(hop) => (
                <tr>
                  <td class="nowrap">{formatDateTime(hop.at)}</td>
                  <td class="nowrap">
                    {hopName(hop.kind)}
                    <Show when={hop.urgency === "urgent"}>
                      {" "}
                      <Badge tone="danger">{t("escalation.urgency.urgent")}</Badge>
                    </Show>
                  </td>
                  <td>
                    <Show when={hop.kind !== "sign_for"} fallback={unitName(hop.toCode)}>
                      {unitName(hop.fromCode)} → {unitName(hop.toCode)}
                    </Show>
                  </td>
                  <td>
                    <Show when={hop.reason}>
                      {(reason) => <p class="case-hop-text">{t("escalation.path.reason", { text: reason() })}</p>}
                    </Show>
                    <Show when={hop.instructions}>
                      {(text) => <p class="case-hop-text">{t("escalation.path.instructions", { text: text() })}</p>}
                    </Show>
                    <Show when={hop.deadline}>
                      {(deadline) => (
                        <p class="case-hop-text">
                          {t("escalation.path.deadline", { time: formatDateTime(deadline()) })}
                        </p>
                      )}
                    </Show>
                  </td>
                </tr>
              )}
            </DataTable>
          </Show>
        </Match>
      </Switch>
    </section>
  );
}
