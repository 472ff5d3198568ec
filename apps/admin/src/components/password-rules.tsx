import { passwordProblems } from "@zongzhi/domain/password-policy";
import { For } from "solid-js";
import { pick, t } from "../i18n.ts";
import { cx } from "../ui/cx.ts";

/**
 * The password policy as a live checklist. The rules come from the domain package (the same
 * function the server applies), so the UI never restates them.
 */
export function PasswordRules(props: { password: string; username?: string | undefined; id?: string }) {
  const rules = passwordProblems("");
  const problems = () => passwordProblems(props.password, props.username);
  const extra = () => problems().filter((p) => !rules.some((r) => r.zh === p.zh));
  const broken = (zh: string) => problems().some((p) => p.zh === zh);
  return (
    <div class="password-rules" id={props.id}>
      <p class="password-rules-title">{t("password.policyTitle")}</p>
      <ul>
        <For each={rules}>
          {(rule) => (
            <li class={cx("rule", broken(rule.zh) ? "rule-todo" : "rule-ok")}>
              <span aria-hidden="true">{broken(rule.zh) ? "○" : "✓"}</span> {pick(rule)}
            </li>
          )}
        </For>
        <For each={extra()}>
          {(p) => (
            <li class="rule rule-bad">
              <span aria-hidden="true">✕</span> {pick(p)}
            </li>
          )}
        </For>
      </ul>
    </div>
  );
}

/** True when the password satisfies the policy. */
export function passwordAcceptable(password: string, username?: string): boolean {
  return passwordProblems(password, username).length === 0;
}
