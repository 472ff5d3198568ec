import { createQuery } from "@tanstack/solid-query";
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

/** True when the user's roles grant the permission (the server checks again; this only hides). */
export function can(me: Me | undefined, permission: Me["permissions"][number]): boolean {
  return me?.permissions.includes(permission) ?? false;
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
