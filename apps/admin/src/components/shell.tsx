import { A, Navigate, type RouteSectionProps, useLocation, useNavigate } from "@solidjs/router";
import { useQueryClient } from "@tanstack/solid-query";
import { createContext, createEffect, For, type JSX, Match, onCleanup, Show, Switch, useContext } from "solid-js";
import { authHttp, errorCode, type Me } from "../api.ts";
import { levelName, type MessageKey, t } from "../i18n.ts";
import { mayVisit, menuFor } from "../menu.ts";
import "./console.css";
import { createMe, ME_KEY, rememberSession } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { NotificationBell } from "./escalation/notification-bell.tsx";
import { LanguageSwitch } from "./language-switch.tsx";
import { Forbidden, LoadError, Loading } from "./page.tsx";
import { ReauthDialog } from "./reauth.tsx";

const MeContext = createContext<() => Me>();

/** The signed-in user inside the shell. */
export function useMe(): () => Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe outside the shell");
  return me;
}

/** Signed-in pages: checks the session, forces the initial password change, draws the frame. */
export function Shell(props: RouteSectionProps) {
  const me = createMe();
  const authError = () =>
    ["UNAUTHENTICATED", "PASSWORD_CHANGE_REQUIRED", "MFA_ENROLMENT_REQUIRED"].includes(errorCode(me.error));
  return (
    <Switch fallback={<Loading />}>
      <Match when={me.isError && !authError()}>
        <main class="centered">
          <LoadError error={me.error} retry={() => me.refetch()} />
        </main>
      </Match>
      <Match when={me.data?.mustChangePassword}>
        <Navigate href="/change-password" />
      </Match>
      <Match when={me.data?.mfaEnrolmentRequired}>
        <Navigate href="/mfa" />
      </Match>
      <Match when={me.data}>
        {(data) => (
          <MeContext.Provider value={data}>
            <Frame me={data()}>{props.children}</Frame>
            <ReauthDialog totp={data().totpEnabled} />
          </MeContext.Provider>
        )}
      </Match>
    </Switch>
  );
}

function Frame(props: { me: Me; children: JSX.Element }) {
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const logout = async () => {
    await authHttp.logout().catch(() => undefined);
    rememberSession(false);
    queryClient.clear();
    navigate("/login?signedOut=1", { replace: true });
  };
  // At the absolute session limit, ask the server again: its UNAUTHENTICATED leads to /login.
  createEffect(() => {
    const delay = new Date(props.me.sessionExpiresAt).getTime() - Date.now() + 1000;
    const timer = setTimeout(
      () => queryClient.invalidateQueries({ queryKey: ME_KEY }),
      Math.min(Math.max(delay, 0), 2 ** 31 - 1),
    );
    onCleanup(() => clearTimeout(timer));
  });
  return (
    <div class="app">
      <a class="skip-link" href="#main">
        {t("nav.label")}
      </a>
      <header class="app-header">
        <A href="/" class="brand">
          <img src="/favicon.svg" alt="" class="brand-mark" />
          <span class="brand-name">{t("app.name")}</span>
        </A>
        <div class="header-unit">
          <span class="sr-only">{t("header.unit")}</span>
          <Show when={props.me.tenant} fallback={<span class="unit-name">{t("header.platformOperator")}</span>}>
            {(tenant) => (
              <>
                <span class="unit-name">{tenant().name}</span>
                <Badge tone="tier">{levelName(tenant().level)}</Badge>
              </>
            )}
          </Show>
        </div>
        <div class="header-user">
          <Show when={props.me.tenant}>
            <NotificationBell />
          </Show>
          <span class="user-name" title={props.me.username}>
            {props.me.displayName}
          </span>
          <A href="/change-password" class="header-link">
            {t("header.changePassword")}
          </A>
          <A href="/mfa" class="header-link">
            {t("mfa.header")}
          </A>
          <LanguageSwitch class="header-button" />
          <Button variant="ghost" size="sm" class="header-button" onClick={logout}>
            {t("header.logout")}
          </Button>
        </div>
      </header>
      <div class="app-body">
        <nav class="side-nav" aria-label={t("nav.label")}>
          <For each={menuFor(props.me)}>
            {(group) => (
              <div class="nav-group">
                <h2 class="nav-group-title" id={`nav-${group.group}`}>
                  {t(`console.group.${group.group}`)}
                </h2>
                <ul aria-labelledby={`nav-${group.group}`}>
                  <For each={group.items}>
                    {(item) => (
                      <li>
                        <A
                          href={item.href}
                          end={item.href === "/" || item.href === "/cases"}
                          activeClass="active"
                          class="nav-link"
                        >
                          {t(item.label as MessageKey)}
                        </A>
                      </li>
                    )}
                  </For>
                </ul>
              </div>
            )}
          </For>
        </nav>
        <main id="main" class="app-main" tabindex="-1">
          {/* A page hidden from the menu is not reachable by its address either (the same rule). */}
          <Show when={mayVisit(props.me, location.pathname.replace(/\/+$/, "") || "/")} fallback={<Forbidden />}>
            {props.children}
          </Show>
        </main>
      </div>
    </div>
  );
}
