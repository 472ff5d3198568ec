import { A, Navigate, type RouteSectionProps, useNavigate } from "@solidjs/router";
import { useQueryClient } from "@tanstack/solid-query";
import { createContext, createEffect, For, type JSX, Match, onCleanup, Show, Switch, useContext } from "solid-js";
import { authHttp, errorCode, type Me } from "../api.ts";
import { levelName, type MessageKey, t } from "../i18n.ts";
import { can, createMe, ME_KEY, rememberSession } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { isLiaisonOnly } from "./case-common.tsx";
import { NotificationBell } from "./escalation/notification-bell.tsx";
import { LanguageSwitch } from "./language-switch.tsx";
import { LoadError, Loading } from "./page.tsx";

const MeContext = createContext<() => Me>();

/** The signed-in user inside the shell. */
export function useMe(): () => Me {
  const me = useContext(MeContext);
  if (!me) throw new Error("useMe outside the shell");
  return me;
}

type NavItem = { href: string; label: MessageKey; show: (me: Me) => boolean };

/** The centre-configuration pages: for the staff of a centre (not the platform operators). */
const showCentre = (me: Me) => me.tenant !== null && can(me, "centre.read");

const NAV: NavItem[] = [
  { href: "/", label: "nav.dashboard", show: () => true },
  { href: "/tenants", label: "nav.tenants", show: (me) => me.tenant !== null && can(me, "tenant.read") },
  { href: "/users", label: "nav.users", show: (me) => can(me, "user.read") },
  { href: "/platform", label: "nav.platform", show: (me) => can(me, "platform.deployments") },
  { href: "/audit", label: "nav.audit", show: (me) => can(me, "audit.read") },
  { href: "/cases", label: "cases.nav.inbox", show: (me) => can(me, "case.read") && !isLiaisonOnly(me) },
  { href: "/liaison", label: "cases.nav.liaison", show: (me) => can(me, "summons.answer") },
  {
    href: "/supervision",
    label: "escalation.nav.supervision",
    show: (me) => me.tenant !== null && can(me, "case.read") && !isLiaisonOnly(me),
  },
  { href: "/centre/departments", label: "centre.nav.departments", show: showCentre },
  { href: "/centre/roster", label: "centre.nav.roster", show: showCentre },
  { href: "/centre/windows", label: "centre.nav.windows", show: showCentre },
  { href: "/centre/rooms", label: "centre.nav.rooms", show: showCentre },
  { href: "/centre/committees", label: "centre.nav.committees", show: showCentre },
  { href: "/centre/mediators", label: "centre.nav.mediators", show: showCentre },
  { href: "/policies", label: "escalation.nav.policies", show: showCentre },
];

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
          </MeContext.Provider>
        )}
      </Match>
    </Switch>
  );
}

function Frame(props: { me: Me; children: JSX.Element }) {
  const navigate = useNavigate();
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
          <ul>
            <For each={NAV.filter((item) => item.show(props.me))}>
              {(item) => (
                <li>
                  <A href={item.href} end={item.href === "/"} activeClass="active" class="nav-link">
                    {t(item.label)}
                  </A>
                </li>
              )}
            </For>
          </ul>
        </nav>
        <main id="main" class="app-main" tabindex="-1">
          {props.children}
        </main>
      </div>
    </div>
  );
}
