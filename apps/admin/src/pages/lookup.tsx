import { useSearchParams } from "@solidjs/router";
import { createMutation } from "@tanstack/solid-query";
import { type CaseAction, TRANSITIONS } from "@zongzhi/domain/case-workflow";
import { createSignal, For, Show } from "solid-js";
import { lookupCase } from "../api.ts";
import { AuthLayout } from "../components/auth-layout.tsx";
import { actionName, stateName } from "../components/case-common.tsx";
import { InputField } from "../components/case-fields.tsx";
import { errorText } from "../components/page.tsx";
import { formatDateTime, t } from "../i18n.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/text-field.tsx";
import "./cases.css";
import { Form } from "../components/save-form.tsx";
import { Section } from "../components/section.tsx";

const CODE = /^\d{2,12}-\d{4}-\d{6}$/;

/** A stage of the public view: the registration, or the workflow step an event records. */
function stageName(kind: string): string {
  if (kind === "case.registered") return t("cases.event.case.registered");
  const action = kind.startsWith("case.") ? kind.slice(5) : "";
  return action in TRANSITIONS ? actionName(action as CaseAction) : kind;
}

/**
 * /lookup (public, no sign-in): 一码可查 — the case code and the last 4 digits of the
 * applicant's phone show the case's stages and dates, nothing else.
 */
export function LookupPage() {
  const [params] = useSearchParams<{ code?: string }>();
  const [code, setCode] = createSignal(params.code ?? "");
  const [digits, setDigits] = createSignal("");
  const [submitted, setSubmitted] = createSignal(false);
  const lookup = createMutation(() => ({
    mutationFn: () => lookupCase({ code: code().trim(), phoneLast4: digits().trim() }),
  }));
  const codeError = () => (submitted() && !CODE.test(code().trim()) ? t("cases.lookup.codeInvalid") : undefined);
  const digitsError = () =>
    submitted() && !/^\d{4}$/.test(digits().trim()) ? t("cases.lookup.phoneInvalid") : undefined;
  return (
    <AuthLayout title={t("cases.lookup.title")} footer={t("cases.lookup.footer")}>
      <p class="auth-subtitle">{t("cases.lookup.intro")}</p>
      <Form
        noValidate
        onSubmit={() => {
          setSubmitted(true);
          if (codeError() || digitsError()) return;
          lookup.mutate();
        }}
      >
        <TextField
          label={t("cases.lookup.code")}
          value={code()}
          onChange={setCode}
          description={t("cases.lookup.codeHint")}
          error={codeError()}
          inputClass="mono"
          required
        />
        <InputField
          type="text"
          label={t("cases.lookup.phone")}
          value={digits()}
          onChange={setDigits}
          inputMode="numeric"
          error={digitsError()}
          inputClass="mono"
          required
        />
        <Show when={lookup.error}>
          <Alert>{errorText(lookup.error)}</Alert>
        </Show>
        <Button type="submit" variant="primary" class="btn-block" disabled={lookup.isPending}>
          {t("cases.lookup.submit")}
        </Button>
      </Form>
      <Show when={lookup.data}>
        {(found) => (
          <Section id="lookup-result-title" title={t("cases.lookup.result")} class="lookup-result">
            <dl class="case-facts">
              <div class="case-fact">
                <dt>{t("cases.lookup.code")}</dt>
                <dd class="mono">{found().code}</dd>
              </div>
              <div class="case-fact">
                <dt>{t("cases.category")}</dt>
                <dd>{found().category}</dd>
              </div>
              <div class="case-fact">
                <dt>{t("cases.lookup.current")}</dt>
                <dd>{stateName(found().status)}</dd>
              </div>
            </dl>
            <h3 class="field-label">{t("cases.lookup.stages")}</h3>
            <ol class="case-events" aria-label={t("cases.lookup.stages")}>
              <For each={found().stages}>
                {(stage) => (
                  <li class="case-event">
                    <div class="case-event-title">{stageName(stage.kind)}</div>
                    <div class="muted small">
                      <time datetime={stage.at}>{formatDateTime(stage.at)}</time>
                    </div>
                  </li>
                )}
              </For>
            </ol>
          </Section>
        )}
      </Show>
    </AuthLayout>
  );
}
