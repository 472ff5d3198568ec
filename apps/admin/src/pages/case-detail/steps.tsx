import type { CaseState } from "@zongzhi/domain/case-workflow";
import { For, Show } from "solid-js";
import type { CaseDetail } from "../../api.ts";
import { CASE_STEPS, stepOf } from "../../case-steps.ts";
import { type MessageKey, t } from "../../i18n.ts";

/** The state a cancelled or duplicate case had before it was stopped (from its timeline). */
function stoppedAfter(detail: CaseDetail): CaseState | null {
  const last = [...detail.events].reverse().find((e) => e.payload.to === detail.status);
  const from = last?.payload.from;
  return typeof from === "string" ? (from as CaseState) : null;
}

/** 办理进度: a step bar of the case's life, the current step marked, and how it stands there. */
export function Steps(props: { detail: CaseDetail }) {
  const position = () => stepOf(props.detail.status, props.detail.heldFrom, stoppedAfter(props.detail));
  const state = (i: number) => {
    const p = position();
    if (i < p.current || (i === p.current && p.done)) return "done";
    return i === p.current ? "current" : "upcoming";
  };
  return (
    <section class="card case-steps-card" aria-label={t("steps.title")}>
      <ol class="case-steps">
        <For each={CASE_STEPS}>
          {(step, i) => (
            <li
              class={`case-step case-step-${state(i())}`}
              aria-current={state(i()) === "current" ? "step" : undefined}
            >
              <span class="case-step-dot" aria-hidden="true">
                {state(i()) === "done" ? "✓" : i() + 1}
              </span>
              <span class="case-step-label">{t(`steps.${step}` as MessageKey)}</span>
              <Show when={i() === position().current && position().note}>
                {(note) => <span class="case-step-note">{t(`steps.note.${note()}` as MessageKey)}</span>}
              </Show>
              <span class="sr-only">{t(`steps.state.${state(i())}` as MessageKey)}</span>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
