import { Show } from "solid-js";
import type { PartyView } from "../../api.ts";
import { DataTable, ListCard, labels } from "../../components/config-page.tsx";
import { t } from "../../i18n.ts";
import { Button } from "../../ui/button.tsx";

/** 当事人: the parties, masked unless a permitted reader reveals them (audited). */
export function Parties(props: {
  parties: PartyView[];
  canReveal: boolean;
  revealed: boolean;
  revealing: boolean;
  onReveal: () => void;
  onHide: () => void;
}) {
  return (
    <ListCard
      id="parties-title"
      title={t("cases.detail.parties")}
      actions={
        <Show when={props.canReveal}>
          <Show
            when={props.revealed}
            fallback={
              <Button size="sm" disabled={props.revealing} onClick={() => props.onReveal()}>
                {t("cases.detail.reveal")}
              </Button>
            }
          >
            <Button size="sm" onClick={() => props.onHide()}>
              {t("cases.detail.hide")}
            </Button>
          </Show>
        </Show>
      }
    >
      <Show when={props.canReveal}>
        <p class="muted small">{props.revealed ? t("cases.detail.revealed") : t("cases.detail.revealNote")}</p>
      </Show>
      <DataTable
        class="table-dense"
        caption={t("cases.detail.parties")}
        columns={labels(
          "cases.detail.partyRole cases.detail.partyName cases.detail.partyId cases.detail.partyPhone cases.detail.partyAddress",
        )}
        rows={props.parties}
      >
        {(p) => (
          <tr>
            <td>
              {t(`cases.role.${p.role}`)}
              <span class="muted small">
                {" "}
                · {p.kind === "person" ? t("cases.new.person") : t("cases.new.organisation")}
              </span>
            </td>
            <td>{p.name}</td>
            <td class="mono">{p.kind === "person" ? (p.idNumber ?? "—") : (p.orgCode ?? "—")}</td>
            <td class="mono">{p.phone ?? "—"}</td>
            <td>{p.address ?? "—"}</td>
          </tr>
        )}
      </DataTable>
    </ListCard>
  );
}
