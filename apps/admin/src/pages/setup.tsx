import { A, useLocation, useNavigate } from "@solidjs/router";
import { createQuery, useQueryClient } from "@tanstack/solid-query";
import { createSignal, Match, Show, Switch } from "solid-js";
import { authHttp, type ServerError, toServerError } from "../api.ts";
import { AuthLayout } from "../components/auth-layout.tsx";
import { createNewPassword, NewPasswordFields } from "../components/new-password-fields.tsx";
import { Loading } from "../components/page.tsx";
import { Form } from "../components/save-form.tsx";
import { pick, t } from "../i18n.ts";
import { rememberSession } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";

/**
 * The one-time setup link (/setup#<token>): shows whom it is for, lets them choose a password
 * under the policy, and signs them in. The token travels in the fragment, never to a server log.
 */
export function SetupPage() {
  const location = useLocation();
  const token = () => decodeURIComponent(location.hash.replace(/^#/, ""));
  const inspect = createQuery(() => ({
    queryKey: ["auth.setup.inspect", token()],
    queryFn: () => authHttp.inspectSetup(token()),
    enabled: token() !== "",
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  }));
  return (
    <AuthLayout title={t("setup.title")}>
      <Switch fallback={<Loading />}>
        <Match when={token() === ""}>
          <Alert>{t("setup.noToken")}</Alert>
        </Match>
        <Match when={inspect.isError}>
          <Alert>{pick(toServerError(inspect.error))}</Alert>
          <p>
            <A href="/login">{t("setup.toLogin")}</A>
          </p>
        </Match>
        <Match when={inspect.data}>
          {(who) => <SetupForm token={token()} username={who().username} displayName={who().displayName} />}
        </Match>
      </Switch>
    </AuthLayout>
  );
}

function SetupForm(props: { token: string; username: string; displayName: string }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const password = createNewPassword();
  const [submitted, setSubmitted] = createSignal(false);
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<ServerError | null>(null);

  const submit = async () => {
    setSubmitted(true);
    setError(null);
    if (!password.acceptable(props.username)) return;
    setPending(true);
    try {
      const result = await authHttp.completeSetup({ token: props.token, password: password.draft.password });
      queryClient.clear();
      if (result.signIn) {
        // Two-step verification is on for this account: sign in with the new password and a code.
        navigate("/login", { replace: true });
        return;
      }
      rememberSession(true);
      navigate("/", { replace: true });
    } catch (e) {
      setError(toServerError(e));
    } finally {
      setPending(false);
    }
  };

  return (
    <>
      <p class="auth-subtitle">{t("setup.for", { name: props.displayName, username: props.username })}</p>
      <Show when={error() && error()?.code !== "PASSWORD_POLICY"}>
        <Alert>{pick(error()!)}</Alert>
      </Show>
      <Form onSubmit={submit} noValidate>
        <input type="text" name="username" autocomplete="username" value={props.username} hidden readOnly />
        <NewPasswordFields
          username={props.username}
          passwordLabel={t("setup.password")}
          confirmLabel={t("setup.confirm")}
          value={password}
          submitted={submitted()}
          refused={error()?.code === "PASSWORD_POLICY" ? pick(error()!) : undefined}
        />
        <Button type="submit" variant="primary" class="btn-block" disabled={pending()}>
          {t("setup.submit")}
        </Button>
      </Form>
    </>
  );
}
