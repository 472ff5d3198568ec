import { createQuery } from "@tanstack/solid-query";
import { CASE_ACTIONS, TRANSITIONS } from "@zongzhi/domain/case-workflow";
import { authorizeOn, INSTALLATION_CODE, type Permission } from "@zongzhi/domain/permissions";
import { type Me, trpc } from "./api.ts";

/** Query key of the signed-in user. */
export const ME_KEY = ["auth.me"] as const;

const HAD_SESSION = "zz.hadSession";

/** The signed-in user (auth.me), shared by every page through the query cache. */
export function createMe() {
  return createQuery(() => ({
    queryKey: ME_KEY,
    queryFn: async () => {
      const me = await trpc.auth.me.query();
      rememberSession(true);
      return me;
    },
    staleTime: 60_000,
  }));
}

/** True when the user's roles grant the permission for some relation (the server checks again; this only hides). */
export function can(me: Me | undefined, permission: Me["permissions"][number]): boolean {
  return me?.permissions.includes(permission) ?? false;
}

/** True when the user reads cases at all: every case it can see, or those its department is summoned to. */
export function readsCases(me: Me | undefined): boolean {
  return can(me, "case.read") || can(me, "case.read_summoned");
}

/** True when the user's roles take part in the workflow at all (not an auditor or a liaison only). */
export function worksOnCases(me: Me | undefined): boolean {
  return CASE_ACTIONS.some((a) => can(me, TRANSITIONS[a].permission));
}

/**
 * True when the user may exercise `permission` on something of unit `subjectCode` (a case's
 * owner, a row's unit): the API's own table (`@zongzhi/domain/permissions`), asked with the
 * user's roles and its unit's relation to that unit. The server checks again; this only hides.
 */
export function mayOn(me: Me | undefined, permission: Permission, subjectCode: string): boolean {
  if (!me) return false;
  return authorizeOn({ roles: me.roles, scope: me.tenant?.code ?? INSTALLATION_CODE }, permission, subjectCode);
}

/**
 * Remembers that this browser had a session, so that a later UNAUTHENTICATED reads as
 * "expired" rather than "never signed in". Holds no secret.
 */
export function rememberSession(on: boolean): void {
  try {
    if (on) localStorage.setItem(HAD_SESSION, "1");
    else localStorage.removeItem(HAD_SESSION);
  } catch {
    // Storage unavailable: the expiry notice is a nicety.
  }
}

/** Whether this browser had a session before (and forgets it). */
export function takeHadSession(): boolean {
  try {
    const had = localStorage.getItem(HAD_SESSION) === "1";
    localStorage.removeItem(HAD_SESSION);
    return had;
  } catch {
    return false;
  }
}
