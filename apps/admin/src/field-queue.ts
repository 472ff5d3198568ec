import { createStore, del, get, set } from "idb-keyval";
import type { CaseRegistration, ReportPosition } from "./api.ts";

/**
 * The offline queue of field reports (现场上报): a report is kept in this browser's storage
 * under its own idempotency key until the server has answered it, so a report made without
 * network is sent once the phone is back online — and a retry after a lost answer (or from a
 * second tab) sends the same key, which the server answers with the first case, never a second.
 */
export interface QueuedReport {
  /** The report's idempotency key (a random UUID, made once when the report is filed). */
  key: string;
  input: CaseRegistration;
  /** The phone's position when the report was made, if the worker gave it. */
  position?: ReportPosition | null;
  /** How many photos wait with it in the browser's photo store (under the same key). */
  photos?: number;
  filedAt: string;
  /** The server refused it (a 4xx): it stays for the user to read and discard. */
  refused?: string;
}

/** A report the server registered. */
export interface SentReport {
  key: string;
  code: string;
  title: string;
  sentAt: string;
}

/** Storage of one user's queue (kept per user: a shared phone never sends another's reports). */
export interface QueueStore {
  read(): { queued: QueuedReport[]; sent: SentReport[] };
  write(state: { queued: QueuedReport[]; sent: SentReport[] }): void;
}

/** The queue in localStorage under one key per user. */
export function localQueueStore(userId: string): QueueStore {
  const name = `zz.fieldReports.${userId}`;
  return {
    read() {
      try {
        const raw = JSON.parse(localStorage.getItem(name) ?? "null") as {
          queued?: QueuedReport[];
          sent?: SentReport[];
        } | null;
        return { queued: raw?.queued ?? [], sent: raw?.sent ?? [] };
      } catch {
        return { queued: [], sent: [] };
      }
    },
    write(state) {
      localStorage.setItem(name, JSON.stringify({ queued: state.queued, sent: state.sent.slice(0, 20) }));
    },
  };
}

/**
 * Adds a report to the queue under its idempotency key (fresh unless given: a report whose
 * photos were stored first under that key).
 */
export function enqueue(
  store: QueueStore,
  input: CaseRegistration,
  options: { key?: string; position?: ReportPosition | null; photos?: number; now?: Date } = {},
): QueuedReport {
  const report: QueuedReport = {
    key: options.key ?? crypto.randomUUID(),
    input,
    filedAt: (options.now ?? new Date()).toISOString(),
    ...(options.position ? { position: options.position } : {}),
    ...(options.photos ? { photos: options.photos } : {}),
  };
  const state = store.read();
  store.write({ ...state, queued: [...state.queued, report] });
  return report;
}

/**
 * How a send ended: registered, refused by the server (kept with its message), no network (kept
 * as it is), or not taken now (the server busy or unavailable, the session expired: kept as it
 * is, with the server's words, to be sent again later).
 */
export type SendOutcome =
  | { ok: true; code: string }
  | { ok: false; refused: string }
  | { ok: false; offline: true }
  | { ok: false; later: string };

/**
 * Sends every queued report that the server has not refused, in order, each with its own key;
 * stops at the first network failure or the first "later" (the rest wait for the next chance,
 * and `later` says why).
 */
export async function flush(
  store: QueueStore,
  send: (report: QueuedReport) => Promise<SendOutcome>,
  now = () => new Date(),
): Promise<{ sent: number; left: number; later?: string }> {
  let sent = 0;
  for (const report of store.read().queued.filter((r) => !r.refused)) {
    const outcome = await send(report);
    if (!outcome.ok && "offline" in outcome) break;
    if (!outcome.ok && "later" in outcome) return { sent, left: store.read().queued.length, later: outcome.later };
    const state = store.read();
    if (outcome.ok) {
      sent += 1;
      store.write({
        queued: state.queued.filter((r) => r.key !== report.key),
        sent: [
          { key: report.key, code: outcome.code, title: report.input.title, sentAt: now().toISOString() },
          ...state.sent.filter((s) => s.key !== report.key),
        ],
      });
    } else if ("refused" in outcome) {
      store.write({
        ...state,
        queued: state.queued.map((r) => (r.key === report.key ? { ...r, refused: outcome.refused } : r)),
      });
    }
  }
  return { sent, left: store.read().queued.length };
}

/** Removes a refused report the user has read. */
export function discard(store: QueueStore, key: string): void {
  const state = store.read();
  store.write({ ...state, queued: state.queued.filter((r) => r.key !== key) });
}

/**
 * The photos of queued reports, in IndexedDB (localStorage holds only text, and too little for
 * photos): one entry per report, under the report's key, removed once the report was sent or
 * discarded. Stored before the report is queued, so a report never leaves without its photos.
 */
export interface PhotoStore {
  save(key: string, photos: Blob[]): Promise<void>;
  load(key: string): Promise<Blob[]>;
  remove(key: string): Promise<void>;
}

/** The photo store of one user in this browser. */
export function browserPhotoStore(userId: string): PhotoStore {
  const db = createStore(`zz-field-photos-${userId}`, "photos");
  return {
    save: (key, photos) => set(key, photos, db),
    load: async (key) => ((await get<Blob[]>(key, db)) ?? []).filter((b) => b instanceof Blob),
    remove: (key) => del(key, db),
  };
}
