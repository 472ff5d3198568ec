import { useNavigate, useSearchParams } from "@solidjs/router";
import { useQueryClient } from "@tanstack/solid-query";
import { createSignal, onMount, Show } from "solid-js";
import { authHttp, type ServerError, type SignedIn, toServerError } from "../api.ts";
import { AuthLayout } from "../components/auth-layout.tsx";
import { Form } from "../components/save-form.tsx";
import { formatDateTime, pick, t } from "../i18n.ts";
import { rememberSession } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/text-field.tsx";

/** Only same-site paths: `next` must never send the user to another site after signing in. */
function safeNext(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  return value?.startsWith("/") && !value.startsWith("//") && !value.startsWith("/login") ? value : "/";
}

/** Where a fresh session goes first: the initial password change, the required second factor, or `next`. */
function landing(result: SignedIn, next: string | string[] | undefined): string {
  if (result.mustChangePassword) return "/change-password";
  if (result.mfaEnrolmentRequired) return "/mfa";
  return safeNext(next);
}

/**
 * Sign-in with login name and password, then — for an account with a second factor — the
 * 6-digit code of its authenticator app; explains locks (with their end) and ended sessions.
 */
export function LoginPage() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [username, setUsername] = createSignal("");
  const [password, setPassword] = createSignal("");
  const [error, setError] = createSignal<ServerError | null>(null);
  const [missing, setMissing] = createSignal(false);
  const [pending, setPending] = createSignal(false);
  const [tried, setTried] = createSignal(false);
  // The second step: the challenge from a right password (kept in memory only).
  const [challenge, setChallenge] = createSignal<string | null>(null);
  let usernameInput: HTMLInputElement | undefined;
  let passwordInput: HTMLInputElement | undefined;
  onMount(() => usernameInput?.focus());

  const notice = () => {
    if (tried()) return null;
    if (params.expired) return t("login.expired");
    if (params.signedOut) return t("login.loggedOut");
    return null;
  };
  const message = () => {
    const e = error();
    if (!e) return null;
    const until = e.details.lockedUntil;
    if (e.code === "ACCOUNT_LOCKED" && typeof until === "string") {
      return t(e.details.mfaLocked ? "mfa.login.locked" : "login.locked", { until: formatDateTime(until) });
    }
    return pick(e);
  };

  const signedIn = (result: SignedIn) => {
    queryClient.clear();
    rememberSession(true);
    navigate(landing(result, params.next), { replace: true });
  };

  const submit = async () => {
    setTried(true);
    setError(null);
    if (!username().trim() || !password()) {
      setMissing(true);
      return;
    }
    setMissing(false);
    setPending(true);
    try {
      const result = await authHttp.login({ username: username().trim(), password: password() });
      if (!result.ok) {
        setPassword("");
        setChallenge(result.challenge);
        return;
      }
      signedIn(result);
    } catch (e) {
      setError(toServerError(e));
      setPassword("");
      passwordInput?.focus();
    } finally {
      setPending(false);
    }
  };

  /** Back to the first step, with a message (an expired challenge, a lock). */
  const restart = (e: ServerError | null) => {
    setChallenge(null);
    setError(e);
    queueMicrotask(() => passwordInput?.focus());
  };

  return (
    <Show
      when={challenge()}
      fallback={
        <PasswordStep
          notice={notice()}
          message={message()}
          missing={missing()}
          pending={pending()}
          username={username()}
          setUsername={setUsername}
          password={password()}
          setPassword={setPassword}
          submit={submit}
          usernameRef={(el) => {
            usernameInput = el;
          }}
          passwordRef={(el) => {
            passwordInput = el;
          }}
        />
      }
    >
      {(current) => <CodeStep challenge={current()} onSignedIn={signedIn} onRestart={restart} />}
    </Show>
  );
}

function PasswordStep(props: {
  notice: string | null;
  message: string | null;
  missing: boolean;
  pending: boolean;
  username: string;
  setUsername: (v: string) => void;
  password: string;
  setPassword: (v: string) => void;
  submit: () => void;
  usernameRef: (el: HTMLInputElement) => void;
  passwordRef: (el: HTMLInputElement) => void;
}) {
  return (
    <AuthLayout title={t("login.title")}>
      <p class="auth-subtitle">{t("login.subtitle")}</p>
      <Show when={props.notice}>
        <Alert tone="info">{props.notice}</Alert>
      </Show>
      <Show when={props.message}>
        <Alert>{props.message}</Alert>
      </Show>
      <Show when={props.missing}>
        <Alert>{t("login.required")}</Alert>
      </Show>
      <Form onSubmit={props.submit} noValidate>
        <TextField
          label={t("login.username")}
          value={props.username}
          onChange={props.setUsername}
          name="username"
          autocomplete="username"
          required
          ref={props.usernameRef}
        />
        <TextField
          label={t("login.password")}
          value={props.password}
          onChange={props.setPassword}
          type="password"
          name="password"
          autocomplete="current-password"
          required
          ref={props.passwordRef}
        />
        <Button type="submit" variant="primary" class="btn-block" disabled={props.pending}>
          {props.pending ? t("login.submitting") : t("login.submit")}
        </Button>
      </Form>
    </AuthLayout>
  );
}

/** The second step: the 6-digit code for the challenge a right password opened. */
function CodeStep(props: {
  challenge: string;
  onSignedIn: (result: SignedIn) => void;
  onRestart: (error: ServerError | null) => void;
}) {
  const [code, setCode] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [pending, setPending] = createSignal(false);
  // A recovery code (16 letters and digits, shown once when made) in place of the 6 digits.
  const [recovery, setRecovery] = createSignal(false);
  let codeInput: HTMLInputElement | undefined;
  onMount(() => codeInput?.focus());

  const submit = async () => {
    const digits = recovery() ? code().replace(/[\s-]/g, "") : code().replace(/\D/g, "");
    if (digits.length !== (recovery() ? 16 : 6)) {
      setError(t(recovery() ? "mfa.login.recoveryRequired" : "mfa.codeRequired"));
      codeInput?.focus();
      return;
    }
    setError(null);
    setPending(true);
    try {
      props.onSignedIn(await authHttp.loginTotp({ challenge: props.challenge, code: digits }));
    } catch (e) {
      const problem = toServerError(e);
      const until = problem.details.lockedUntil;
      if (problem.code === "ACCOUNT_LOCKED" && typeof until === "string") {
        // The lock ends the challenge too: back to the password, with the lock's end.
        props.onRestart({ ...problem, zh: "", en: "", details: { ...problem.details, mfaLocked: true } });
        return;
      }
      if (problem.details.totp === "expired") {
        props.onRestart({ ...problem, zh: t("mfa.login.expired"), en: t("mfa.login.expired") });
        return;
      }
      setError(problem.details.totp === "wrong" ? t("mfa.login.wrong") : pick(problem));
      setCode("");
      codeInput?.focus();
    } finally {
      setPending(false);
    }
  };

  return (
    <AuthLayout title={t("mfa.login.title")}>
      <p class="auth-subtitle">{t("mfa.login.prompt")}</p>
      <Show when={error()}>
        <Alert>{error()}</Alert>
      </Show>
      <Form onSubmit={submit} noValidate>
        <Show
          when={recovery()}
          fallback={
            <TextField
              label={t("mfa.code")}
              value={code()}
              onChange={(v) => setCode(v.replace(/[^0-9]/g, "").slice(0, 6))}
              name="one-time-code"
              autocomplete="one-time-code"
              inputMode="numeric"
              maxLength={6}
              description={t("mfa.codeHint")}
              inputClass="otp-input"
              required
              ref={(el) => {
                codeInput = el;
              }}
            />
          }
        >
          <TextField
            label={t("mfa.login.recoveryCode")}
            value={code()}
            onChange={(v) => setCode(v.slice(0, 19))}
            autocomplete="off"
            maxLength={19}
            description={t("mfa.login.recoveryHint")}
            inputClass="mono"
            required
            ref={(el) => {
              codeInput = el;
            }}
          />
        </Show>
        <Button type="submit" variant="primary" class="btn-block" disabled={pending()}>
          {pending() ? t("mfa.login.submitting") : t("mfa.login.submit")}
        </Button>
        <Button
          variant="link"
          class="btn-block"
          onClick={() => {
            setRecovery(!recovery());
            setCode("");
            setError(null);
          }}
        >
          {recovery() ? t("mfa.login.useCode") : t("mfa.login.useRecovery")}
        </Button>
        <Button variant="ghost" class="btn-block" onClick={() => props.onRestart(null)}>
          {t("mfa.login.back")}
        </Button>
      </Form>
    </AuthLayout>
  );
}
