import { A, useNavigate } from "@solidjs/router";
import { createMutation, useQueryClient } from "@tanstack/solid-query";
import { createSignal, Show } from "solid-js";
import { errorCode, fieldProblem, trpc } from "../api.ts";
import { createNewPassword, NewPasswordFields } from "../components/new-password-fields.tsx";
import { errorText } from "../components/page.tsx";
import { Form } from "../components/save-form.tsx";
import { SignedInPage } from "../components/signed-in-page.tsx";
import { pick, t } from "../i18n.ts";
import { ME_KEY } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";

/** Changes the signed-in user's password; forced after sign-in while an initial password is pending. */
export function ChangePasswordPage() {
  return (
    <SignedInPage title={t("changePassword.title")}>
      {(me) => <ChangePasswordForm username={me.username} forced={me.mustChangePassword} />}
    </SignedInPage>
  );
}

function ChangePasswordForm(props: { username: string; forced: boolean }) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [current, setCurrent] = createSignal("");
  const next = createNewPassword();
  const [submitted, setSubmitted] = createSignal(false);
  const change = createMutation(() => ({
    mutationFn: (input: { current: string; next: string }) => trpc.auth.changePassword.mutate(input),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ME_KEY });
      notify(t("changePassword.done"));
      navigate("/", { replace: true });
    },
  }));
  const currentError = () => {
    const f = fieldProblem(change.error, "current");
    return f ? pick(f) : undefined;
  };
  const otherError = () =>
    change.error && !currentError() && errorCode(change.error) !== "PASSWORD_POLICY" ? errorText(change.error) : null;

  const submit = () => {
    setSubmitted(true);
    if (!current() || !next.acceptable(props.username)) return;
    change.mutate({ current: current(), next: next.draft.password });
  };

  return (
    <>
      <Show when={props.forced}>
        <Alert tone="warning">{t("changePassword.forced")}</Alert>
      </Show>
      <Show when={otherError()}>
        <Alert>{otherError()}</Alert>
      </Show>
      <Form onSubmit={submit} noValidate>
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
        <NewPasswordFields
          username={props.username}
          passwordLabel={t("changePassword.next")}
          confirmLabel={t("changePassword.confirm")}
          value={next}
          submitted={submitted()}
          refused={errorCode(change.error) === "PASSWORD_POLICY" ? errorText(change.error) : undefined}
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
      </Form>
    </>
  );
}
