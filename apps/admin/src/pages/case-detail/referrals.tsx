import { Show } from "solid-js";
import type { CaseDetail } from "../../api.ts";
import { DataTable, ListCard, labels } from "../../components/config-page.tsx";
import { formatDateTime, t } from "../../i18n.ts";

/** 转办: referrals to arbitration, litigation or an administrative procedure. */
export function Referrals(props: { detail: CaseDetail }) {
  return (
    <Show when={props.detail.referrals.length > 0}>
      <ListCard id="referrals-title" title={t("cases.detail.referrals")}>
        <DataTable
          class="table-dense"
          caption={t("cases.detail.referrals")}
          columns={[
            ...labels(
              "cases.act.referralKind cases.detail.receivingBody cases.detail.referredAt cases.detail.referralResult",
            ),
          ]}
          rows={props.detail.referrals}
        >
          {(r) => (
            <tr>
              <td>{t(`cases.referral.${r.kind}`)}</td>
              <td>{r.receivingBody}</td>
              <td class="nowrap">{formatDateTime(r.referredAt)}</td>
              <td>{r.result ?? "—"}</td>
            </tr>
          )}
        </DataTable>
      </ListCard>
    </Show>
  );
}
