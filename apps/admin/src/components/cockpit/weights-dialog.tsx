import { createQuery, useQueryClient } from "@tanstack/solid-query";
import {
  DEFAULT_RANKING_WEIGHTS,
  DEFAULT_WEIGHT_NOTES,
  FIGURE_DEFINITIONS,
  RANKING_FIGURES,
  type RankingFigure,
  rankingFormula,
  rankingWeightsProblem,
  WEIGHT_TOTAL,
} from "@zongzhi/domain/figures";
import { createEffect, createSignal, For, Show } from "solid-js";
import { trpc } from "../../api.ts";
import { Form } from "../../components/save-form.tsx";
import { locale, pick, t } from "../../i18n.ts";
import { Alert } from "../../ui/alert.tsx";
import { Button } from "../../ui/button.tsx";
import { Dialog, DialogFooter } from "../../ui/dialog.tsx";
import { InputField } from "../../ui/input-field.tsx";

type Weights = Record<RankingFigure, number>;

/**
 * 考评权重设置: the ranking weights of the caller's own unit (whole numbers adding up to 100),
 * checked here as the server checks them (the domain's rankingWeightsProblem), with the formula
 * they give; saving is audited by the server. "Restore defaults" saves no weights of its own.
 */
export function WeightsDialog(props: { open: boolean; onOpenChange: (open: boolean) => void }) {
  const queryClient = useQueryClient();
  const settings = createQuery(() => ({
    queryKey: ["cockpit.settings"],
    queryFn: () => trpc.cockpit.settings.query({}),
    enabled: props.open,
  }));
  const [weights, setWeights] = createSignal<Weights>({ ...DEFAULT_RANKING_WEIGHTS });
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);
  createEffect(() => {
    const s = settings.data;
    if (s && props.open) setWeights({ ...s.ranking });
  });
  const total = () => RANKING_FIGURES.reduce((sum, k) => sum + (weights()[k] || 0), 0);
  const problem = () => rankingWeightsProblem(weights());
  const lang = () => (locale() === "en" ? "en" : "zh");

  const save = async (ranking: Weights | null) => {
    const s = settings.data;
    if (!s) return;
    setSaving(true);
    setError(null);
    try {
      await trpc.cockpit.saveSettings.mutate({
        ranking,
        safety: s.custom.safety ? s.safety : null,
        version: s.version,
      });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ["cockpit.settings"] }),
        queryClient.invalidateQueries({ queryKey: ["cockpit.ranking"] }),
        queryClient.invalidateQueries({ queryKey: ["cockpit.figures"] }),
      ]);
      props.onOpenChange(false);
    } catch (e) {
      const data = (e as { data?: { zh: string; en: string } }).data;
      setError(data ? pick(data) : String(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title={t("cockpit.weights.title")}
      description={t("cockpit.weights.intro")}
    >
      <Form
        class="weights-form"
        testId="weights-form"
        onSubmit={() => {
          if (!problem()) void save(weights());
        }}
      >
        <div class="weights-grid">
          <For each={RANKING_FIGURES}>
            {(k) => (
              <InputField
                label={pick(FIGURE_DEFINITIONS[k].label)}
                type="number"
                min={0}
                max={WEIGHT_TOTAL}
                step={1}
                description={DEFAULT_WEIGHT_NOTES[k] ? pick(DEFAULT_WEIGHT_NOTES[k]) : undefined}
                value={String(weights()[k])}
                onChange={(v) => setWeights({ ...weights(), [k]: v === "" ? 0 : Number(v) })}
              />
            )}
          </For>
        </div>
        <p class="muted small" data-testid="weights-total" classList={{ error: total() !== WEIGHT_TOTAL }}>
          {t("cockpit.weights.total", { total: String(total()) })}
        </p>
        <Show when={!problem()}>
          <p class="muted small" data-testid="weights-formula">
            {rankingFormula(weights(), lang())}
          </p>
        </Show>
        <Show when={problem() ?? error()}>
          {(m) => <Alert>{typeof m() === "string" ? (m() as string) : pick(m() as { zh: string; en: string })}</Alert>}
        </Show>
        <DialogFooter>
          <Button
            type="button"
            variant="secondary"
            disabled={saving() || !settings.data?.custom.ranking}
            onClick={() => void save(null)}
          >
            {t("cockpit.weights.defaults")}
          </Button>
          <Button type="submit" variant="primary" disabled={saving() || problem() !== null || !settings.data}>
            {t("cockpit.weights.save")}
          </Button>
        </DialogFooter>
      </Form>
    </Dialog>
  );
}
