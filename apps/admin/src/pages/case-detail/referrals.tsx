import type { CaseDetail } from "../../api.ts";
import { labels } from "../../components/config-page.tsx";
import { formatDateTime, t } from "../../i18n.ts";
import { TableCard } from "./section.tsx";

/** 转办: referrals to arbitration, litigation or an administrative procedure. */
export function Referrals(props: { detail: CaseDetail }) {
  return (
    <TableCard
      id="referrals-title"
      title={t("cases.detail.referrals")}
      columns={labels(
        "cases.act.referralKind cases.detail.receivingBody cases.detail.referredAt cases.detail.referralResult",
      )}
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
    </TableCard>
  );
}
