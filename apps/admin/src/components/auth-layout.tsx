import type { JSX } from "solid-js";
import { t } from "../i18n.ts";
import { LanguageSwitch } from "./language-switch.tsx";
import { usePageTitle } from "./page.tsx";

/** The frame of the pages used before entering the app: sign-in, setup link, password change. */
export function AuthLayout(props: { title: string; children: JSX.Element; footer?: JSX.Element }) {
  usePageTitle(() => props.title);
  return (
    <div class="auth-page">
      <header class="auth-top">
        <div class="brand">
          <img src="/favicon.svg" alt="" class="brand-mark" />
          <span class="brand-name">{t("app.name")}</span>
        </div>
        <LanguageSwitch />
      </header>
      <main class="auth-main">
        <section class="auth-card" aria-labelledby="auth-title">
          <h1 id="auth-title" class="auth-title">
            {props.title}
          </h1>
          {props.children}
        </section>
        <p class="auth-footer">{props.footer ?? t("login.footer")}</p>
      </main>
    </div>
  );
}
