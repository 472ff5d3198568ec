import { A } from "@solidjs/router";
import { For, Show } from "solid-js";
import type { CaseDetail } from "../../api.ts";
import { StatusBadge } from "../../components/case-common.tsx";
import { ListCard } from "../../components/config-page.tsx";
import { t } from "../../i18n.ts";
import { Badge } from "../../ui/badge.tsx";

/** 关联案件: repeat claimants and duplicates. */
export function Related(props: { detail: CaseDetail }) {
  return (
    <Show when={props.detail.links.length > 0}>
      <ListCard id="related-title" title={t("cases.detail.related")}>
        <ul class="case-list">
          <For each={props.detail.links}>
            {(l) => (
              <li>
                <A href={`/cases/${l.id}`} class="mono">
                  {l.code}
                </A>{" "}
                {l.title} <StatusBadge state={l.status} />{" "}
                <Badge tone="neutral">
                  {l.reason === "repeat_claimant" || l.reason === "duplicate" ? t(`cases.link.${l.reason}`) : l.reason}
                </Badge>
              </li>
            )}
          </For>
        </ul>
      </ListCard>
    </Show>
  );
}
