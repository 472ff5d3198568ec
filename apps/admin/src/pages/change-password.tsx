import { A, useNavigate } from "@solidjs/router";
import { createMutation, useQueryClient } from "@tanstack/solid-query";
import { createSignal, Match, Show, Switch } from "solid-js";
import { errorCode, fieldProblem, trpc } from "../api.ts";
import { AuthLayout } from "../components/auth-layout.tsx";
import { errorText, LoadError, Loading } from "../components/page.tsx";
import { PasswordRules, passwordAcceptable } from "../components/password-rules.tsx";
import { pick, t } from "../i18n.ts";
import { createMe, ME_KEY } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

/** Changes the signed-in user's password; forced after sign-in while an initial password is pending. */
export function ChangePasswordPage() {
  const me = createMe();
  return (
    <AuthLayout title={t("changePassword.title")}>
      <Switch fallback={<Loading />}>
        <Match when={me.isError && errorCode(me.error) !== "UNAUTHENTICATED"}>
          <LoadError error={me.error} retry={() => me.refetch()} />
        </Match>
        <Match when={me.data}>
          {(data) => <ChangePasswordForm username={data().username} forced={data().mustChangePassword} />}
        </Match>
      </Switch>
    </AuthLayout>
  );
}

function ChangePasswordForm(props: { username: string; forced: boolean }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [current, setCurrent] = createSignal("");
  const [next, setNext] = createSignal("");
  const [confirm, setConfirm] = createSignal("");
  const [submitted, setSubmitted] = createSignal(false);
  const change = createMutation(() => ({
    mutationFn: (input: { current: string; next: string }) => trpc.auth.changePassword.mutate(input),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ME_KEY });
      notify(t("changePassword.done"));
      navigate("/", { replace: true });
    },
  }));
  const mismatch = () => confirm() !== "" && confirm() !== next();
  const nextError = () => {
    if (errorCode(change.error) === "PASSWORD_POLICY") return errorText(change.error);
    if (submitted() && !passwordAcceptable(next(), props.username)) return t("password.policyTitle");
    return undefined;
  };
  const currentError = () => {
    const f = fieldProblem(change.error, "current");
    return f ? pick(f) : undefined;
  };
  const otherError = () =>
    change.error && !currentError() && errorCode(change.error) !== "PASSWORD_POLICY" ? errorText(change.error) : null;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!current() || !passwordAcceptable(next(), props.username) || next() !== confirm()) return;
    change.mutate({ current: current(), next: next() });
  };

  return (
    <>
      <Show when={props.forced}>
        <Alert tone="warning">{t("changePassword.forced")}</Alert>
      </Show>
      <Show when={otherError()}>
        <Alert>{otherError()}</Alert>
      </Show>
      <form class="form" onSubmit={submit} noValidate>
        <input type="text" name="username" autocomplete="username" value={props.username} hidden readOnly />
        <TextField
          label={t("changePassword.current")}
          type="password"
          autocomplete="current-password"
          value={current()}
          onChange={setCurrent}
          error={currentError()}
          required
        />
        <TextField
          label={t("changePassword.next")}
          type="password"
          autocomplete="new-password"
          value={next()}
          onChange={setNext}
          error={nextError()}
          description={<PasswordRules password={next()} username={props.username} />}
          required
        />
        <TextField
          label={t("changePassword.confirm")}
          type="password"
          autocomplete="new-password"
          value={confirm()}
          onChange={setConfirm}
          error={mismatch() || (submitted() && confirm() !== next()) ? t("password.mismatch") : undefined}
          required
        />
        <div class="form-actions">
          <Button type="submit" variant="primary" disabled={change.isPending}>
            {t("changePassword.submit")}
          </Button>
          <Show when={!props.forced}>
            <A href="/" class="btn btn-secondary">
              {t("common.cancel")}
            </A>
          </Show>
        </div>
      </form>
    </>
  );
}
