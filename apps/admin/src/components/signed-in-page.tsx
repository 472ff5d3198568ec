import { Navigate } from "@solidjs/router";
import { type JSX, Match, Switch } from "solid-js";
import { errorCode, type Me } from "../api.ts";
import { createMe } from "../session.ts";
import { AuthLayout } from "./auth-layout.tsx";
import { LoadError, Loading } from "./page.tsx";

/**
 * A page of the sign-in layout for the signed-in user (change the password, second factor):
 * loading, a failed load with a retry (a missing session is the guard's to handle), then the
 * page for the caller. `passwordFirst` sends a user who still has to change the password there.
 */
export function SignedInPage(props: { title: string; passwordFirst?: boolean; children: (me: Me) => JSX.Element }) {
  const me = createMe();
  return (
    <AuthLayout title={props.title}>
      <Switch fallback={<Loading />}>
        <Match when={me.isError && errorCode(me.error) !== "UNAUTHENTICATED"}>
          <LoadError error={me.error} retry={() => me.refetch()} />
        </Match>
        <Match when={props.passwordFirst && me.data?.mustChangePassword}>
          <Navigate href="/change-password" />
        </Match>
        <Match when={me.data}>{(data) => props.children(data())}</Match>
      </Switch>
    </AuthLayout>
  );
}
