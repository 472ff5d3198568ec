import { useSearchParams } from "@solidjs/router";
import { createMutation } from "@tanstack/solid-query";
import type { Satisfaction } from "@zongzhi/domain/case-records";
import { type CaseAction, TRANSITIONS } from "@zongzhi/domain/case-workflow";
import { createSignal, For, Show } from "solid-js";
import { answerCase, lookupCase, type PublicLookup } from "../api.ts";
import { AuthLayout } from "../components/auth-layout.tsx";
import { actionName, stateName } from "../components/case-common.tsx";
import { InputField } from "../components/case-fields.tsx";
import { errorText } from "../components/page.tsx";
import { formatDateTime, t } from "../i18n.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { TextArea, TextField } from "../ui/text-field.tsx";
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
 * applicant's phone show the case's stages and dates; for a case brought through a public channel,
 * also its result, which the person confirms or rejects with a reason (重办).
 */
export function LookupPage() {
  const [params] = useSearchParams<{ code?: string }>();
  const [code, setCode] = createSignal(params.code ?? "");
  const [digits, setDigits] = createSignal("");
  const [submitted, setSubmitted] = createSignal(false);
  const [shown, setShown] = createSignal<PublicLookup | null>(null);
  const [said, setSaid] = createSignal<string | null>(null);
  const lookup = createMutation(() => ({
    mutationFn: () => lookupCase({ code: code().trim(), phoneLast4: digits().trim() }),
    onSuccess: (found: PublicLookup) => {
      setSaid(null);
      setShown(found);
    },
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
      <Show when={shown()}>
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
            <Show when={found().result}>
              {(result) => (
                <CaseResult
                  result={result()}
                  said={said()}
                  answer={(satisfaction, comment) =>
                    answerCase({
                      code: found().code,
                      phoneLast4: digits().trim(),
                      satisfaction,
                      ...(comment ? { comment } : {}),
                    }).then((next) => {
                      setShown(next);
                      setSaid(next.reopened ? t("cases.lookup.reopened") : t("cases.lookup.thanks"));
                    })
                  }
                />
              )}
            </Show>
          </Section>
        )}
      </Show>
    </AuthLayout>
  );
}

/**
 * The result of a case brought through a public channel, and the person's answer to it: confirm
 * (满意, 基本满意) or reject with a reason (不满意), which sends the case back for rework (重办).
 */
function CaseResult(props: {
  result: NonNullable<PublicLookup["result"]>;
  said: string | null;
  answer: (satisfaction: Satisfaction, comment: string) => Promise<void>;
}) {
  const [comment, setComment] = createSignal("");
  const [missing, setMissing] = createSignal(false);
  const send = createMutation(() => ({
    mutationFn: (satisfaction: Satisfaction) => props.answer(satisfaction, comment().trim()),
  }));
  const choose = (satisfaction: Satisfaction) => {
    setMissing(satisfaction === "unsatisfied" && !comment().trim());
    if (!missing()) send.mutate(satisfaction);
  };
  return (
    <div class="lookup-answer" data-testid="lookup-answer">
      <h3 class="field-label">{t("cases.lookup.outcomeTitle")}</h3>
      <p>{props.result.outcome ?? t("cases.lookup.noOutcome")}</p>
      <Show when={props.result.reworks > 0}>
        <p class="muted small">{t("cases.lookup.reworks", { n: props.result.reworks })}</p>
      </Show>
      <Show when={props.said}>{(text) => <Alert tone="success">{text()}</Alert>}</Show>
      <Show when={props.result.answered && !props.said}>
        <p class="muted small">{t("cases.lookup.answered")}</p>
      </Show>
      <Show when={props.result.canAnswer}>
        <TextArea
          label={t("cases.lookup.comment")}
          value={comment()}
          onChange={setComment}
          maxLength={1000}
          error={missing() ? t("cases.lookup.reasonRequired") : undefined}
        />
        <Show when={send.error}>
          <Alert>{errorText(send.error)}</Alert>
        </Show>
        <div class="lookup-answer-buttons">
          <Button variant="primary" disabled={send.isPending} onClick={() => choose("satisfied")}>
            {t("cases.lookup.satisfied")}
          </Button>
          <Button disabled={send.isPending} onClick={() => choose("basically_satisfied")}>
            {t("cases.lookup.basically")}
          </Button>
          <Button disabled={send.isPending} onClick={() => choose("unsatisfied")}>
            {t("cases.lookup.unsatisfied")}
          </Button>
        </div>
      </Show>
    </div>
  );
}
