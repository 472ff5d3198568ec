import { t } from "../i18n.ts";
import { TextField } from "../ui/text-field.tsx";

/**
 * A new account's login and name side by side (the first administrator of a tenant or a
 * deployment, a security administrator), each with the server's problem of its field.
 */
export function AccountFields(props: {
  usernameLabel: string;
  nameLabel: string;
  username: string;
  onUsername: (value: string) => void;
  displayName: string;
  onDisplayName: (value: string) => void;
  usernameError?: string;
  nameError?: string;
  required?: boolean;
}) {
  return (
    <div class="field-row">
      <TextField
        label={props.usernameLabel}
        value={props.username}
        onChange={props.onUsername}
        autocomplete="off"
        description={t("users.usernameHint")}
        error={props.usernameError}
        required={props.required}
      />
      <TextField
        label={props.nameLabel}
        value={props.displayName}
        onChange={props.onDisplayName}
        autocomplete="off"
        error={props.nameError}
        required={props.required}
      />
    </div>
  );
}
