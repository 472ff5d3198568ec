import type { Sql } from "@zongzhi/db/client";
import type { Logger } from "./logger.ts";

/** A browser listening for its unit's notifications. */
interface Listener {
  scope: string;
  userId: string;
  /** Writes one Server-Sent Event: `notification` (an item for the unit) or `figures` (its cockpit moved). */
  send(event: "notification" | "figures", data: string): void;
}

/**
 * Fans PostgreSQL NOTIFY messages out to open Server-Sent-Event streams. Each API instance
 * LISTENs once; whichever instance wrote the notification, every instance hears it, so a
 * browser connected anywhere is told within milliseconds. The message carries only the
 * notification's id and unit: browsers fetch the item itself through RLS. The same streams carry
 * `figures` events: a case of a unit in the listener's subtree arrived or changed state, so the
 * cockpit reads its figures again (through RLS too).
 */
export function createNotificationHub(sql: Sql, logger: Logger) {
  const listeners = new Set<Listener>();
  let started: Promise<unknown> | null = null;
  const start = () => {
    started ??= Promise.all([
      sql.listen("zz_notifications", (payload) => {
        let message: { id: number; scope: string; user: string | null };
        try {
          message = JSON.parse(payload);
        } catch {
          return;
        }
        for (const l of listeners) {
          if (l.scope === message.scope && (!message.user || message.user === l.userId)) {
            l.send("notification", JSON.stringify({ id: message.id }));
          }
        }
      }),
      // A case of this origin unit arrived or changed state (migration 0160): its figures and those
      // of every unit above it (a prefix of its code) moved.
      sql.listen("zz_figures", (code) => {
        if (!/^\d{2,12}$/.test(code)) return;
        const data = JSON.stringify({ unit: code });
        for (const l of listeners) if (l.scope !== "" && code.startsWith(l.scope)) l.send("figures", data);
      }),
    ]).catch((error: unknown) => {
      started = null;
      logger.error({ err: error }, "LISTEN failed");
    });
    return started;
  };
  return {
    /** Registers a listener; returns the function that removes it. */
    async subscribe(listener: Listener): Promise<() => void> {
      await start();
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get size() {
      return listeners.size;
    },
  };
}

/** The hub's type. */
export type NotificationHub = ReturnType<typeof createNotificationHub>;
