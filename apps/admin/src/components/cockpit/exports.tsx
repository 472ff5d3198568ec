import { createSignal, For, Show } from "solid-js";
import { HttpError, type ServerError } from "../../api.ts";
import { type MessageKey, pick, t } from "../../i18n.ts";
import { mayOn } from "../../session.ts";
import { Button } from "../../ui/button.tsx";
import { Checkbox } from "../../ui/checkbox.tsx";
import { withReauth } from "../reauth.tsx";
import { useMe } from "../shell.tsx";

/** The ledgers (台账) the cockpit exports; the case list first. */
const LEDGERS = [
  "cases",
  "summons",
  "sessions",
  "agreements",
  "follow_ups",
  "supervisions",
  "ranking",
  "figures",
] as const;
type Ledger = (typeof LEDGERS)[number];

interface Job {
  ledger: Ledger;
  format: "xlsx" | "csv";
  bytes: number;
  /** Data rows received so far (CSV only: counted line by line). */
  rows: number | null;
  /** Rows the server announced (x-ledger-rows), when it knows them. */
  expected: number | null;
  state: "running" | "done" | "failed";
  error?: string;
}

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

/**
 * The ledgers of the unit and period shown: Excel or CSV, streamed by /exports and read here
 * chunk by chunk, so that a long export shows its progress (rows of the total for CSV, bytes for
 * Excel) before the file is saved. Every ledger is of the board's category (when one is chosen);
 * the case list shows the parties' full data when asked for by a user the permission table lets
 * reveal them (the server checks again, case by case, and audits the export).
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
  const [job, setJob] = createSignal<Job | null>(null);
  const unitCode = () => props.unit ?? me().tenant?.code ?? "";
  const mayReveal = () => mayOn(me(), "personal.reveal", unitCode());
  const busy = () => job()?.state === "running";

  const href = (ledger: Ledger, format: "xlsx" | "csv") => {
    const q = new URLSearchParams({ format, from: props.from, to: props.to });
    if (props.unit) q.set("unitCode", props.unit);
    if (props.category) q.set("categoryCode", props.category.code);
    if (ledger === "cases" && reveal() && mayReveal()) q.set("reveal", "1");
    return `/exports/${ledger}?${q}`;
  };

  const download = async (ledger: Ledger, format: "xlsx" | "csv") => {
    const base: Job = { ledger, format, bytes: 0, rows: format === "csv" ? 0 : null, expected: null, state: "running" };
    setJob(base);
    try {
      const open = async () => {
        const r = await fetch(href(ledger, format), { credentials: "same-origin" });
        if (r.status === 403) {
          const body = (await r
            .clone()
            .json()
            .catch(() => null)) as ServerError | null;
          // A revealing export needs a fresh proof of identity: withReauth asks and retries.
          if (body?.code === "REAUTH_REQUIRED") throw new HttpError(r.status, body);
        }
        return r;
      };
      const res = await withReauth(open).catch((error: unknown) => {
        if (error instanceof HttpError) return new Response(JSON.stringify(error.body), { status: error.status });
        throw error;
      });
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => null)) as { zh: string; en: string } | null;
        setJob({ ...base, state: "failed", error: body ? pick(body) : `HTTP ${res.status}` });
        return;
      }
      const expected = res.headers.get("x-ledger-rows");
      const chunks: Uint8Array[] = [];
      let bytes = 0;
      let lines = 0;
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        bytes += value.byteLength;
        if (format === "csv") for (const b of value) if (b === 10) lines += 1;
        setJob({
          ...base,
          bytes,
          rows: format === "csv" ? Math.max(0, lines - 1) : null,
          expected: expected === null ? null : Number(expected),
        });
      }
      const disposition = res.headers.get("content-disposition") ?? "";
      const name = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] ?? `${ledger}.${format}`);
      const url = URL.createObjectURL(
        new Blob(chunks as BlobPart[], { type: res.headers.get("content-type") ?? "application/octet-stream" }),
      );
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setJob((j) => (j ? { ...j, state: "done" } : j));
    } catch (e) {
      setJob({ ...base, state: "failed", error: e instanceof Error ? e.message : String(e) });
    }
  };

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
      <ul class="ledger-list">
        <For each={LEDGERS}>
          {(ledger) => (
            <li data-ledger={ledger}>
              <span>{t(`cockpit.ledger.${ledger}` as MessageKey)}</span>
              <Button variant="secondary" disabled={busy()} onClick={() => void download(ledger, "xlsx")}>
                Excel
              </Button>
              <Button variant="secondary" disabled={busy()} onClick={() => void download(ledger, "csv")}>
                CSV
              </Button>
            </li>
          )}
        </For>
      </ul>
      <Show when={job()}>
        {(j) => (
          <div class="ledger-progress" role="status" data-testid="export-progress" data-state={j().state}>
            <Show
              when={j().state === "failed"}
              fallback={
                <>
                  <progress
                    max={j().expected && j().rows !== null ? j().expected! : undefined}
                    value={j().state === "done" ? (j().expected ?? 1) : (j().rows ?? undefined)}
                  />
                  <span>
                    {t(j().state === "done" ? "cockpit.ledger.done" : "cockpit.ledger.running", {
                      name: t(`cockpit.ledger.${j().ledger}` as MessageKey),
                      mb: mb(j().bytes),
                    })}
                    <Show when={j().expected !== null}>
                      {" "}
                      {j().rows === null
                        ? t("cockpit.ledger.total", { expected: String(j().expected) })
                        : t("cockpit.ledger.rows", { rows: String(j().rows), expected: String(j().expected) })}
                    </Show>
                  </span>
                </>
              }
            >
              <span class="error">{t("cockpit.ledger.failed", { error: j().error ?? "" })}</span>
            </Show>
          </div>
        )}
      </Show>
    </section>
  );
}
