import { A } from "@solidjs/router";
import { usePageTitle } from "../components/page.tsx";
import { t } from "../i18n.ts";

/** Any unknown path inside the app. */
export function NotFoundPage() {
  usePageTitle(() => t("app.notFound"));
  return (
    <div class="empty-state">
      <h1 class="page-title">{t("app.notFound")}</h1>
      <A href="/">{t("app.backHome")}</A>
    </div>
  );
}
