import { useNavigate, useSearchParams } from "@solidjs/router";
import { useQueryClient } from "@tanstack/solid-query";
import { createSignal, onMount, Show } from "solid-js";
import { authHttp, type ServerError, toServerError } from "../api.ts";
import { AuthLayout } from "../components/auth-layout.tsx";
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

/** Sign-in with login name and password; explains locks (with their end) and ended sessions. */
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
      return t("login.locked", { until: formatDateTime(until) });
    }
    return pick(e);
  };

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
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
      queryClient.clear();
      rememberSession(true);
      navigate(result.mustChangePassword ? "/change-password" : safeNext(params.next), { replace: true });
    } catch (e) {
      setError(toServerError(e));
      setPassword("");
      passwordInput?.focus();
    } finally {
      setPending(false);
    }
  };

  return (
    <AuthLayout title={t("login.title")}>
      <p class="auth-subtitle">{t("login.subtitle")}</p>
      <Show when={notice()}>
        <Alert tone="info">{notice()}</Alert>
      </Show>
      <Show when={message()}>
        <Alert>{message()}</Alert>
      </Show>
      <Show when={missing()}>
        <Alert>{t("login.required")}</Alert>
      </Show>
      <form class="form" onSubmit={submit} noValidate>
        <TextField
          label={t("login.username")}
          value={username()}
          onChange={setUsername}
          name="username"
          autocomplete="username"
          required
          ref={(el) => {
            usernameInput = el;
          }}
        />
        <TextField
          label={t("login.password")}
          value={password()}
          onChange={setPassword}
          type="password"
          name="password"
          autocomplete="current-password"
          required
          ref={(el) => {
            passwordInput = el;
          }}
        />
        <Button type="submit" variant="primary" class="btn-block" disabled={pending()}>
          {pending() ? t("login.submitting") : t("login.submit")}
        </Button>
      </form>
    </AuthLayout>
  );
}
