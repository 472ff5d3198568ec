import { t } from "../i18n.ts";
import { TextField } from "../ui/text-field.tsx";
import { PasswordRules, passwordAcceptable } from "./password-rules.tsx";

/**
 * A new password and its confirmation, as the set-up and change-password forms ask for them:
 * the rules under the first field (the server's refusal, or the rules once submitted), a
 * mismatch under the second once it is typed or the form submitted.
 */
export function NewPasswordFields(props: {
  username: string;
  passwordLabel: string;
  confirmLabel: string;
  password: string;
  onPassword: (value: string) => void;
  confirm: string;
  onConfirm: (value: string) => void;
  submitted: boolean;
  /** The server's refusal of the password (PASSWORD_POLICY), in the current language. */
  refused?: string;
}) {
  const passwordError = () =>
    props.refused ??
    (props.submitted && !passwordAcceptable(props.password, props.username) ? t("password.policyTitle") : undefined);
  return (
    <>
      <TextField
        label={props.passwordLabel}
        type="password"
        autocomplete="new-password"
        value={props.password}
        onChange={props.onPassword}
        error={passwordError()}
        description={<PasswordRules password={props.password} username={props.username} />}
        required
      />
      <TextField
        label={props.confirmLabel}
        type="password"
        autocomplete="new-password"
        value={props.confirm}
        onChange={props.onConfirm}
        error={
          (props.confirm !== "" || props.submitted) && props.confirm !== props.password
            ? t("password.mismatch")
            : undefined
        }
        required
      />
    </>
  );
}
