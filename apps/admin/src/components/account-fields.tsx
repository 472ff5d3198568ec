import { createStore } from "solid-js/store";
import { type MessageKey, t } from "../i18n.ts";
import { TextField } from "../ui/text-field.tsx";

/** The two fields of a new account. */
export type AccountField = "username" | "displayName";

/**
 * A new account's login and name as typed (the first administrator of a tenant or a
 * deployment, a security administrator): the draft, and what it sends (trimmed).
 */
export function createAccountDraft() {
  const [draft, setDraft] = createStore({ username: "", displayName: "" });
  return {
    draft,
    set: (field: AccountField, value: string) => setDraft(field, value),
    /** The login and name without surrounding spaces, as the procedures take them. */
    trimmed: () => ({ username: draft.username.trim(), displayName: draft.displayName.trim() }),
  };
}

/** The prefix of the labels of an account's fields: `<prefix>Username` and `<prefix>DisplayName` exist. */
type AccountWords = {
  [K in MessageKey]: K extends `${infer P}Username` ? (`${P}DisplayName` extends MessageKey ? P : never) : never;
}[MessageKey];

/**
 * A new account's login and name side by side, labelled `<words>Username` and
 * `<words>DisplayName`, each with the server's problem of its field (`error`).
 */
export function AccountFields(props: {
  account: ReturnType<typeof createAccountDraft>;
  words: AccountWords;
  error: (field: AccountField) => string | undefined;
  required?: boolean;
}) {
  return (
    <div class="field-row">
      <TextField
        label={t(`${props.words}Username`)}
        value={props.account.draft.username}
        onChange={(v) => props.account.set("username", v)}
        autocomplete="off"
        description={t("users.usernameHint")}
        error={props.error("username")}
        required={props.required}
      />
      <TextField
        label={t(`${props.words}DisplayName`)}
        value={props.account.draft.displayName}
        onChange={(v) => props.account.set("displayName", v)}
        autocomplete="off"
        error={props.error("displayName")}
        required={props.required}
      />
    </div>
  );
}
