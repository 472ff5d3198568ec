import { createStore } from "solid-js/store";
import { t } from "../i18n.ts";
import { TextField } from "../ui/text-field.tsx";
import { PasswordRules, passwordAcceptable } from "./password-rules.tsx";

/** A new password and its confirmation as typed, for {@link NewPasswordFields}. */
export function createNewPassword() {
  const [draft, setDraft] = createStore({ password: "", confirm: "" });
  return {
    draft,
    set: (field: "password" | "confirm", value: string) => setDraft(field, value),
    /** Whether the password keeps the rules for this account and its confirmation matches. */
    acceptable: (username: string) => passwordAcceptable(draft.password, username) && draft.password === draft.confirm,
  };
}

/**
 * A new password and its confirmation, as the set-up and change-password forms ask for them:
 * the rules under the first field (the server's refusal, or the rules once submitted), a
 * mismatch under the second once it is typed or the form submitted.
 */
export function NewPasswordFields(props: {
  username: string;
  passwordLabel: string;
  confirmLabel: string;
  value: ReturnType<typeof createNewPassword>;
  submitted: boolean;
  /** The server's refusal of the password (PASSWORD_POLICY), in the current language. */
  refused?: string;
}) {
  const password = () => props.value.draft.password;
  const confirm = () => props.value.draft.confirm;
  const passwordError = () =>
    props.refused ??
    (props.submitted && !passwordAcceptable(password(), props.username) ? t("password.policyTitle") : undefined);
  return (
    <>
      <TextField
        label={props.passwordLabel}
        type="password"
        autocomplete="new-password"
        value={password()}
        onChange={(v) => props.value.set("password", v)}
        error={passwordError()}
        description={<PasswordRules password={password()} username={props.username} />}
        required
      />
      <TextField
        label={props.confirmLabel}
        type="password"
        autocomplete="new-password"
        value={confirm()}
        onChange={(v) => props.value.set("confirm", v)}
        error={(confirm() !== "" || props.submitted) && confirm() !== password() ? t("password.mismatch") : undefined}
        required
      />
    </>
  );
}
