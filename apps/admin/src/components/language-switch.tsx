import { locale, setLocale, t } from "../i18n.ts";
import { Button } from "../ui/button.tsx";

/** Switches between Chinese and English; the label names the language it switches to. */
export function LanguageSwitch(props: { class?: string }) {
  return (
    <Button
      variant="ghost"
      size="sm"
      class={props.class}
      lang={locale() === "en" ? "zh-CN" : "en"}
      title={t("lang.switchLabel")}
      onClick={() => setLocale(locale() === "en" ? "zh-CN" : "en")}
    >
      {t("lang.switch")}
    </Button>
  );
}
