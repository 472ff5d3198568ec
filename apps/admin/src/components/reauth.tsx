import { createSignal, Show } from "solid-js";
import { errorCode, fieldProblem, toServerError, trpc } from "../api.ts";
import { pick, t } from "../i18n.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog, DialogFooter } from "../ui/dialog.tsx";
import { RadioGroup } from "../ui/radio-group.tsx";
import { TextField } from "../ui/text-field.tsx";

/**
 * Re-authentication (MLPS level 3): the server answers REAUTH_REQUIRED to a sensitive
 * operation (revealing personal numbers, a revealing export, a role grant) when the session
 * proved nothing in the last minutes. {@link withReauth} then opens this prompt (password, or a
 * code of the second factor), and retries the operation once the proof is accepted.
 */
const [pending, setPending] = createSignal<{ resolve: (ok: boolean) => void; message: string } | null>(null);

/** Asks for a proof; true once the server accepted one, false when the user cancelled. */
function requestReauth(message: string): Promise<boolean> {
  return new Promise((resolve) => setPending({ resolve, message }));
}

/** Whether an error (tRPC, or a fetch body made into an HttpError) asks for a fresh proof. */
export function needsReauth(error: unknown): boolean {
  return errorCode(error) === "REAUTH_REQUIRED";
}

/** Runs `fn`; on REAUTH_REQUIRED asks for the password or a code and runs it once more. */
export async function withReauth<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!needsReauth(error)) throw error;
    if (!(await requestReauth(pick(toServerError(error))))) throw error;
    return fn();
  }
}

/** The prompt, mounted once in the shell. `totp`: the account has a second factor to offer. */
export function ReauthDialog(props: { totp: boolean }) {
  const [method, setMethod] = createSignal<"password" | "totp">("password");
  const [secret, setSecret] = createSignal("");
  const [error, setError] = createSignal<unknown>(null);
  const [busy, setBusy] = createSignal(false);
  const finish = (ok: boolean) => {
    pending()?.resolve(ok);
    setPending(null);
    setSecret("");
    setError(null);
  };
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    try {
      await trpc.auth.reauthenticate.mutate({ method: method(), secret: secret() });
      finish(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const problem = () => (error() ? (fieldProblem(error(), "secret") ?? toServerError(error())) : undefined);
  return (
    <Dialog
      open={pending() !== null}
      onOpenChange={(open) => !open && finish(false)}
      title={t("reauth.title")}
      description={pending()?.message}
    >
      <form class="form" onSubmit={submit} noValidate>
        <Show when={props.totp}>
          <RadioGroup
            label={t("reauth.method")}
            value={method()}
            onChange={(v) => {
              setMethod(v === "totp" ? "totp" : "password");
              setSecret("");
            }}
            options={[
              { value: "password", label: t("reauth.password") },
              { value: "totp", label: t("reauth.code") },
            ]}
          />
        </Show>
        <TextField
          label={method() === "totp" ? t("reauth.code") : t("reauth.password")}
          type={method() === "totp" ? "text" : "password"}
          inputMode={method() === "totp" ? "numeric" : undefined}
          autocomplete={method() === "totp" ? "one-time-code" : "current-password"}
          value={secret()}
          onChange={setSecret}
          error={problem() ? pick(problem()!) : undefined}
          required
        />
        <Show when={error() && !fieldProblem(error(), "secret")}>
          <Alert tone="error">{pick(toServerError(error()))}</Alert>
        </Show>
        <DialogFooter>
          <Button variant="secondary" type="button" onClick={() => finish(false)}>
            {t("common.cancel")}
          </Button>
          <Button variant="primary" type="submit" disabled={busy() || secret() === ""}>
            {t("reauth.confirm")}
          </Button>
        </DialogFooter>
      </form>
    </Dialog>
  );
}
