import { LEDGER_ROWS_HEADER } from "@zongzhi/api/schemas/exports";
import { createSignal, Show } from "solid-js";
import { HttpError, type ServerError } from "../api.ts";
import { pick, t } from "../i18n.ts";
import { withReauth } from "./reauth.tsx";
import { saveFile } from "./save-file.ts";

/** A ledger download in progress or done. */
export interface LedgerJob {
  /** What is being exported (its name in the progress line). */
  name: string;
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
 * A ledger download from /exports, read chunk by chunk so that a long export shows its progress
 * (rows of the total for CSV, bytes for Excel) before the file is saved under the server's name.
 * Used by the cockpit's ledgers and the case inbox's export.
 */
export function createLedgerDownload() {
  const [job, setJob] = createSignal<LedgerJob | null>(null);
  const busy = () => job()?.state === "running";
  const download = async (href: string, name: string, format: "xlsx" | "csv") => {
    const base: LedgerJob = {
      name,
      format,
      bytes: 0,
      rows: format === "csv" ? 0 : null,
      expected: null,
      state: "running",
    };
    setJob(base);
    try {
      const open = async () => {
        const r = await fetch(href, { credentials: "same-origin" });
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
      const expected = res.headers.get(LEDGER_ROWS_HEADER);
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
      const file = decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] ?? `ledger.${format}`);
      saveFile(
        new Blob(chunks as BlobPart[], { type: res.headers.get("content-type") ?? "application/octet-stream" }),
        file,
      );
      setJob((j) => (j ? { ...j, state: "done" } : j));
    } catch (e) {
      setJob({ ...base, state: "failed", error: e instanceof Error ? e.message : String(e) });
    }
  };
  return { job, busy, download };
}

/** The progress line of a ledger download (role status). */
export function ExportProgress(props: { job: LedgerJob | null }) {
  return (
    <Show when={props.job}>
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
                    name: j().name,
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
  );
}
