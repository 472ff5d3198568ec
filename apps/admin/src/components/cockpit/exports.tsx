import { LEDGER_KINDS, type LedgerFormat, type LedgerKind } from "@zongzhi/api/schemas/exports";
import { createSignal, For, Show } from "solid-js";
import { type MessageKey, t } from "../../i18n.ts";
import { mayOn } from "../../session.ts";
import { Button } from "../../ui/button.tsx";
import { Checkbox } from "../../ui/checkbox.tsx";
import { createLedgerDownload, ExportProgress } from "../ledger-download.tsx";
import { useMe } from "../shell.tsx";

/**
 * The ledgers of the unit and period shown (see {@link createLedgerDownload}). Every ledger is of
 * the board's category (when one is chosen); the case list shows the parties' full data when
 * asked for by a user the permission table lets reveal them (the server checks again, case by
 * case, and audits the export).
 */
export function LedgerExports(props: {
  unit: string | undefined;
  from: string;
  to: string;
  /** The board's category: every ledger is of its cases (null: all). */
  category: { code: string; name: string } | null;
}) {
  const me = useMe();
  const [reveal, setReveal] = createSignal(false);
  const { job, busy, download } = createLedgerDownload();
  const unitCode = () => props.unit ?? me().tenant?.code ?? "";
  const mayReveal = () => mayOn(me(), "personal.reveal", unitCode());

  const href = (ledger: LedgerKind, format: LedgerFormat) => {
    const q = new URLSearchParams({ format, from: props.from, to: props.to });
    if (props.unit) q.set("unitCode", props.unit);
    if (props.category) q.set("categoryCode", props.category.code);
    if (ledger === "cases" && reveal() && mayReveal()) q.set("reveal", "1");
    return `/exports/${ledger}?${q}`;
  };
  const start = (ledger: LedgerKind, format: LedgerFormat) =>
    void download(href(ledger, format), t(`cockpit.ledger.${ledger}` as MessageKey), format);

  return (
    <section class="card cockpit-ledgers" aria-label={t("cockpit.exports")} data-testid="ledgers">
      <h2 class="card-title">{t("cockpit.exports")}</h2>
      <div class="ledger-options">
        <p class="muted small" data-testid="ledger-category">
          {props.category
            ? t("cockpit.ledger.ofCategory", { category: props.category.name })
            : t("cockpit.ledger.allCategories")}
        </p>
        <Show when={mayReveal()}>
          <Checkbox
            label={t("cockpit.ledger.reveal")}
            description={t("cockpit.ledger.revealHint")}
            checked={reveal()}
            onChange={setReveal}
          />
        </Show>
      </div>
      <ul class="tile-list ledger-list">
        <For each={LEDGER_KINDS}>
          {(ledger) => (
            <li data-ledger={ledger}>
              <span>{t(`cockpit.ledger.${ledger}` as MessageKey)}</span>
              <Button variant="secondary" disabled={busy()} onClick={() => start(ledger, "xlsx")}>
                Excel
              </Button>
              <Button variant="secondary" disabled={busy()} onClick={() => start(ledger, "csv")}>
                CSV
              </Button>
            </li>
          )}
        </For>
      </ul>
      <ExportProgress job={job()} />
    </section>
  );
}
