import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";
import { notFound } from "@zongzhi/domain";
import { authorizeFor } from "./actor.ts";

/** One live session of the caller's subtree (在线用户); the secret's hash never leaves the database. */
export interface OnlineSession {
  id: string;
  userId: string;
  username: string;
  displayName: string;
  scopeCode: string;
  unitName: string | null;
  signedInAt: Date;
  lastActiveAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** The caller's own session (it signs out from the header, not from this list). */
  current: boolean;
}

const interval = (ms: number) => `${Math.round(ms / 1000)} seconds`;

/** The live sessions (within the idle and absolute limits) of the caller's subtree, most recently active first. */
export async function listOnline(tx: Tx, currentSessionId: string): Promise<OnlineSession[]> {
  const rows = await tx.sql<
    {
      id: string;
      user_id: string;
      username: string;
      display_name: string;
      scope_code: string;
      unit_name: string | null;
      created_at: Date;
      last_active_at: Date;
      ip: string | null;
      user_agent: string | null;
    }[]
  >`select * from auth.sessions_online(${interval(SESSION_IDLE_MS)}::interval, ${interval(SESSION_ABSOLUTE_MS)}::interval)`;
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    username: r.username,
    displayName: r.display_name,
    scopeCode: r.scope_code,
    unitName: r.unit_name,
    signedInAt: r.created_at,
    lastActiveAt: r.last_active_at,
    ip: r.ip,
    userAgent: r.user_agent,
    current: r.id === currentSessionId,
  }));
}

/**
 * Ends a session of the caller's subtree (强制退出): the user's next request is signed out.
 * NOT_FOUND for a session outside the subtree or already gone; FORBIDDEN unless the table lets
 * the caller revoke sessions of that unit. The sign-in log records it (auth.forced_logout).
 */
export async function forceSignOut(tx: Tx, sessionId: string, ip: string): Promise<{ userId: string }> {
  const [row] = await tx.sql<{ unit: string | null }[]>`select auth.session_unit(${sessionId}) as unit`;
  if (!row?.unit) throw notFound({ zh: "会话", en: "session" });
  authorizeFor(tx, "session.revoke", row.unit);
  const [done] = await tx.sql<{ user_id: string | null }[]>`select auth.session_revoke(${sessionId}, ${ip}) as user_id`;
  if (!done?.user_id) throw notFound({ zh: "会话", en: "session" });
  return { userId: done.user_id };
}
