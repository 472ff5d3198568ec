import { A, useNavigate } from "@solidjs/router";
import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, For, Match, Show, Switch } from "solid-js";
import { authHttp, fieldProblem, type Me, trpc } from "../api.ts";
import { errorText, LoadError, Loading } from "../components/page.tsx";
import { QrCode } from "../components/qr-code.tsx";
import { needsReauth, ReauthDialog, withReauth } from "../components/reauth.tsx";
import { Form } from "../components/save-form.tsx";
import { Section } from "../components/section.tsx";
import { SignedInPage } from "../components/signed-in-page.tsx";
import { formatDateTime, pick, t } from "../i18n.ts";
import { ME_KEY, rememberSession } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

/** Query key of the caller's second-factor status. */
export const MFA_STATUS_KEY = ["mfa.status"] as const;

/** Only digits, at most six (authenticator apps show "123 456"). */
const digitsOf = (value: string) => value.replace(/[^0-9]/g, "").slice(0, 6);
/** The key in groups of four, as authenticator apps accept it typed in. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, "$1 ");

/**
 * Two-step verification (TOTP): set up an authenticator (QR code or typed key, then a code to
 * confirm), or turn it off. Forced right after sign-in while the deployment requires it.
 */
export function MfaPage() {
  return (
    <SignedInPage title={t("mfa.title")} passwordFirst>
      {(me) => <MfaPanel me={me} />}
    </SignedInPage>
  );
}

/** Recovery codes: made (after a fresh proof of identity), shown once, each signs in once. */
function RecoveryCodes(props: { left: number }) {
  const queryClient = useQueryClient();
  const make = createMutation(() => ({
    mutationFn: () => withReauth(() => trpc.mfa.recoveryCodes.mutate()),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: MFA_STATUS_KEY }),
  }));
  return (
    <Section id="mfa-recovery" title={t("mfa.recovery.title")} titleClass="mfa-step">
      <p class="muted small">{t("mfa.recovery.intro", { left: String(props.left) })}</p>
      <Show when={make.error && !needsReauth(make.error)}>
        <Alert>{errorText(make.error)}</Alert>
      </Show>
      <Show
        when={make.data}
        fallback={
          <Button variant="secondary" class="btn-block" disabled={make.isPending} onClick={() => make.mutate()}>
            {props.left > 0 ? t("mfa.recovery.regenerate") : t("mfa.recovery.make")}
          </Button>
        }
      >
        {(data) => (
          <>
            <Alert tone="warning">{t("mfa.recovery.showOnce")}</Alert>
            <ol class="recovery-codes mono" aria-label={t("mfa.recovery.title")}>
              <For each={data().codes}>{(code) => <li>{code}</li>}</For>
            </ol>
          </>
        )}
      </Show>
    </Section>
  );
}

function MfaPanel(props: { me: Me }) {
  const status = createQuery(() => ({ queryKey: MFA_STATUS_KEY, queryFn: () => trpc.mfa.status.query() }));
  return (
    <>
      <p class="auth-subtitle">{t("mfa.intro")}</p>
      <Show when={props.me.mfaEnrolmentRequired}>
        <Alert tone="warning">{t("mfa.forced")}</Alert>
      </Show>
      <Switch fallback={<Loading />}>
        <Match when={status.isError}>
          <LoadError error={status.error} retry={() => status.refetch()} />
        </Match>
        <Match when={status.data?.enabled}>
          <Alert tone="success">{t("mfa.enabledSince")}</Alert>
          <RecoveryCodes left={status.data?.recoveryCodesLeft ?? 0} />
          <ReauthDialog totp />
          <Show when={status.data?.required} fallback={<DisableForm />}>
            <p class="muted small">{t("mfa.disableRequired")}</p>
          </Show>
          <A href="/" class="btn btn-secondary btn-block">
            {t("mfa.toHome")}
          </A>
        </Match>
        <Match when={status.data}>
          <Enrolment forced={props.me.mfaEnrolmentRequired} />
        </Match>
      </Switch>
    </>
  );
}

/** Begin → QR code and key → a code from the app → on. */
function Enrolment(props: { forced: boolean }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [code, setCode] = createSignal("");
  const [missing, setMissing] = createSignal(false);
  const begin = createMutation(() => ({ mutationFn: () => trpc.mfa.begin.mutate() }));
  const confirm = createMutation(() => ({
    // `forced` travels with the call: once enrolled, the refreshed user is no longer forced.
    mutationFn: (input: { code: string; forced: boolean }) => trpc.mfa.confirm.mutate({ code: input.code }),
    onSuccess: async (_result, input) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ME_KEY }),
        queryClient.invalidateQueries({ queryKey: MFA_STATUS_KEY }),
      ]);
      notify(t("mfa.enabled"));
      if (input.forced) navigate("/", { replace: true });
    },
    onError: () => setCode(""),
  }));
  const codeError = () => {
    if (missing()) return t("mfa.codeRequired");
    const f = fieldProblem(confirm.error, "code");
    return f ? t("mfa.login.wrong") : undefined;
  };
  const otherError = () =>
    confirm.error && !fieldProblem(confirm.error, "code")
      ? errorText(confirm.error)
      : begin.error && errorText(begin.error);
  const logout = async () => {
    await authHttp.logout().catch(() => undefined);
    rememberSession(false);
    queryClient.clear();
    navigate("/login?signedOut=1", { replace: true });
  };

  const submit = () => {
    const digits = digitsOf(code());
    setMissing(digits.length !== 6);
    if (digits.length === 6) confirm.mutate({ code: digits, forced: props.forced });
  };

  return (
    <>
      <Show when={otherError()}>
        <Alert>{otherError()}</Alert>
      </Show>
      <Show
        when={begin.data}
        fallback={
          <div class="form-actions">
            <Button variant="primary" class="btn-block" disabled={begin.isPending} onClick={() => begin.mutate()}>
              {t("mfa.start")}
            </Button>
            <Show when={props.forced}>
              <Button variant="ghost" class="btn-block" onClick={logout}>
                {t("mfa.logout")}
              </Button>
            </Show>
          </div>
        }
      >
        {(enrolment) => (
          <Section id="mfa-step1" title={t("mfa.step1")} class="mfa-enrol" titleClass="mfa-step">
            <div class="mfa-qr">
              <QrCode text={enrolment().uri} alt={t("mfa.qrAlt")} size={192} />
            </div>
            <p class="small">{t("mfa.manual")}</p>
            <TextField
              label={t("mfa.secretLabel")}
              value={grouped(enrolment().secretBase32)}
              readOnly
              inputClass="mono mfa-secret-input"
            />
            <p class="muted small">
              {t("mfa.secretWarning")} {t("mfa.expiresAt", { time: formatDateTime(enrolment().expiresAt) })}
            </p>
            <h2 class="mfa-step">{t("mfa.step2")}</h2>
            <Form onSubmit={submit} noValidate>
              <TextField
                label={t("mfa.code")}
                value={code()}
                onChange={(v) => setCode(digitsOf(v))}
                name="one-time-code"
                autocomplete="one-time-code"
                inputMode="numeric"
                maxLength={6}
                description={t("mfa.codeHint")}
                error={codeError()}
                inputClass="otp-input"
                required
              />
              <Button type="submit" variant="primary" class="btn-block" disabled={confirm.isPending}>
                {t("mfa.confirm")}
              </Button>
              <Button variant="ghost" class="btn-block" disabled={begin.isPending} onClick={() => begin.mutate()}>
                {t("mfa.restart")}
              </Button>
            </Form>
          </Section>
        )}
      </Show>
    </>
  );
}

/** Turns the caller's own second factor off: current password and a current code. */
function DisableForm() {
  const queryClient = useQueryClient();
  const [password, setPassword] = createSignal("");
  const [code, setCode] = createSignal("");
  const disable = createMutation(() => ({
    mutationFn: (input: { password: string; code: string }) => trpc.mfa.disable.mutate(input),
    onSuccess: async () => {
      setPassword("");
      setCode("");
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ME_KEY }),
        queryClient.invalidateQueries({ queryKey: MFA_STATUS_KEY }),
      ]);
      notify(t("mfa.disabled"));
    },
  }));
  const problem = (path: string) => {
    const f = fieldProblem(disable.error, path);
    return f ? pick(f) : undefined;
  };
  const otherError = () =>
    disable.error && !problem("password") && !problem("code") ? errorText(disable.error) : undefined;
  return (
    <Section id="mfa-disable" title={t("mfa.disableTitle")} titleClass="mfa-step">
      <p class="muted small">{t("mfa.disableIntro")}</p>
      <Show when={otherError()}>
        <Alert>{otherError()}</Alert>
      </Show>
      <Form
        noValidate
        onSubmit={() => {
          if (password() && digitsOf(code()).length === 6)
            disable.mutate({ password: password(), code: digitsOf(code()) });
        }}
      >
        <TextField
          label={t("mfa.password")}
          type="password"
          autocomplete="current-password"
          value={password()}
          onChange={setPassword}
          error={problem("password")}
          required
        />
        <TextField
          label={t("mfa.code")}
          value={code()}
          onChange={(v) => setCode(digitsOf(v))}
          autocomplete="one-time-code"
          inputMode="numeric"
          maxLength={6}
          error={problem("code") ? t("mfa.login.wrong") : undefined}
          required
        />
        <Button type="submit" variant="danger" class="btn-block" disabled={disable.isPending}>
          {t("mfa.disable")}
        </Button>
      </Form>
    </Section>
  );
}
