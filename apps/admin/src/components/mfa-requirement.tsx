import { A } from "@solidjs/router";
import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { Show } from "solid-js";
import { errorCode, trpc } from "../api.ts";
import { t } from "../i18n.ts";
import { MFA_STATUS_KEY } from "../pages/mfa.tsx";
import { Alert } from "../ui/alert.tsx";
import { Checkbox } from "../ui/checkbox.tsx";
import { notify } from "../ui/toast.tsx";
import { errorText } from "./page.tsx";

/**
 * The deployment-wide switch "staff must use two-step verification", shown only to a security
 * administrator of the deployment's top unit (三权分立; the server checks that again).
 */
export function MfaRequirement() {
  const queryClient = useQueryClient();
  const status = createQuery(() => ({ queryKey: MFA_STATUS_KEY, queryFn: () => trpc.mfa.status.query() }));
  const set = createMutation(() => ({
    mutationFn: (required: boolean) => trpc.mfa.setRequired.mutate({ required }),
    onSuccess: async (result) => {
      await queryClient.invalidateQueries({ queryKey: MFA_STATUS_KEY });
      notify(result.required ? t("mfa.requirement.on") : t("mfa.requirement.off"));
    },
  }));
  return (
    <Show when={status.data?.canConfigure}>
      <section class="card" aria-labelledby="mfa-requirement-title">
        <h2 id="mfa-requirement-title" class="card-title">
          {t("mfa.requirement.title")}
        </h2>
        <Show when={set.error}>
          <Alert>
            <Show when={errorCode(set.error) === "PRECONDITION_FAILED"} fallback={errorText(set.error)}>
              {t("mfa.requirement.needOwn")} <A href="/mfa">{t("mfa.header")}</A>
            </Show>
          </Alert>
        </Show>
        <Checkbox
          label={t("mfa.requirement.label")}
          description={t("mfa.requirement.hint")}
          checked={status.data?.deploymentRequired ?? false}
          disabled={set.isPending}
          onChange={(on) => set.mutate(on)}
        />
      </section>
    </Show>
  );
}
