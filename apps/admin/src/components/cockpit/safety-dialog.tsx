import { createQuery, useQueryClient } from "@tanstack/solid-query";
import { cockpitSettingsInput } from "@zongzhi/api/schemas/cockpit";
import {
  DEFAULT_SAFETY,
  DEFAULT_WEIGHT_NOTES,
  SAFETY_COMPONENT_LABELS,
  SAFETY_COMPONENTS,
  type SafetyComponent,
  type SafetyDefinition,
  safetyDefinitionProblem,
  safetyIndexOfShares,
  WEIGHT_TOTAL,
} from "@zongzhi/domain/figures";
import { For, type JSX, Show } from "solid-js";
import { type Outputs, trpc } from "../../api.ts";
import { type MessageKey, pick, t } from "../../i18n.ts";
import { Alert } from "../../ui/alert.tsx";
import { Button } from "../../ui/button.tsx";
import { InputField } from "../../ui/input-field.tsx";
import { createDialogForm, DialogForm } from "../dialog-form.tsx";
import { FreshDialog } from "../dialogs.tsx";
import { QueryState } from "../query-state.tsx";

type Settings = Outputs["cockpit"]["settings"];
type Text = Record<SafetyComponent, string>;
/** What the fields show: whole-number weights, thresholds in per cent, the bands' floors. */
interface Draft {
  safety: { weights: Text; thresholds: Text; bands: { blue: string; yellow: string } };
}

const each = (f: (k: SafetyComponent) => string): Text =>
  Object.fromEntries(SAFETY_COMPONENTS.map((k) => [k, f(k)])) as Text;
/** A share as the per cent a person types (0.05 → "5"). */
const percent = (share: number) => String(+(share * 100).toFixed(4));
const draftOf = (d: SafetyDefinition): Draft => ({
  safety: {
    weights: each((k) => String(d.weights[k])),
    thresholds: each((k) => percent(d.thresholds[k])),
    bands: { blue: String(d.bands.blue), yellow: String(d.bands.yellow) },
  },
});
/** A typed number; an empty field is no number (the schema refuses it). */
const num = (v: string) => (v.trim() === "" ? Number.NaN : Number(v));
const definitionOf = (d: Draft): SafetyDefinition => ({
  weights: Object.fromEntries(
    SAFETY_COMPONENTS.map((k) => [k, num(d.safety.weights[k])]),
  ) as SafetyDefinition["weights"],
  thresholds: Object.fromEntries(
    SAFETY_COMPONENTS.map((k) => [k, num(d.safety.thresholds[k]) / 100]),
  ) as SafetyDefinition["thresholds"],
  bands: { blue: num(d.safety.bands.blue), yellow: num(d.safety.bands.yellow) },
});

/**
 * 平安指数设置: the safety index definition of the caller's own unit (weights, the share at which a
 * component takes its whole weight, the bands' floors), validated by cockpit.saveSettings' own
 * schema, with the index the unit's current shares would get under the draft. Saving is audited
 * by the server; "restore defaults" drops the unit's own definition.
 */
export function SafetyDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The unit's current component shares, for the preview. */
  shares: Record<SafetyComponent, number> | undefined;
}) {
  const settings = createQuery(() => ({
    queryKey: ["cockpit.settings"],
    queryFn: () => trpc.cockpit.settings.query({}),
    enabled: props.open,
  }));
  return (
    <FreshDialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title={t("cockpit.safety.title")}
      description={t("cockpit.safety.intro")}
      size="lg"
    >
      <QueryState query={settings}>
        {(s) => (
          <SafetyForm
            settings={s()}
            shares={props.shares}
            onClose={() => props.onOpenChange(false)}
            reload={() => void settings.refetch()}
          />
        )}
      </QueryState>
    </FreshDialog>
  );
}

function SafetyForm(props: {
  settings: Settings;
  shares: Record<SafetyComponent, number> | undefined;
  onClose: () => void;
  reload: () => void;
}) {
  const queryClient = useQueryClient();
  const form = createDialogForm({
    schema: cockpitSettingsInput,
    initial: draftOf(props.settings.safety),
    toInput: (d) => ({
      ranking: props.settings.custom.ranking ? props.settings.ranking : null,
      safety: definitionOf(d),
      version: props.settings.version,
    }),
    // Thresholds are typed in per cent: say so in per cent before the schema speaks of shares.
    extra: (d) =>
      Object.fromEntries(
        SAFETY_COMPONENTS.map((k) => {
          const v = num(d.safety.thresholds[k]);
          return [`safety.thresholds.${k}`, v > 0 && v <= 100 ? undefined : t("cockpit.safety.thresholdRange")];
        }),
      ),
    send: (input) => trpc.cockpit.saveSettings.mutate(input),
    done: (_r, input) => t(input.safety ? "cockpit.safety.saved" : "cockpit.safety.restored"),
    refresh: () =>
      Promise.all(
        ["cockpit.settings", "cockpit.figures", "cockpit.ranking"].map((k) =>
          queryClient.invalidateQueries({ queryKey: [k] }),
        ),
      ),
    onClose: props.onClose,
  });
  const definition = () => definitionOf(form.draft);
  const total = () => SAFETY_COMPONENTS.reduce((n, k) => n + (num(form.draft.safety.weights[k]) || 0), 0);
  const preview = () => {
    const d = definition();
    return props.shares && !safetyDefinitionProblem(d) ? safetyIndexOfShares(props.shares, d) : null;
  };
  const group = (path: string) => form.error(path);
  return (
    <DialogForm form={form} submitLabel={t("cockpit.safety.save")} onReload={props.reload}>
      <div data-testid="safety-form">
        <Fieldset legend={t("cockpit.safety.weights")} error={group("safety.weights")}>
          <For each={SAFETY_COMPONENTS}>
            {(k) => (
              <InputField
                label={pick(SAFETY_COMPONENT_LABELS[k])}
                type="number"
                min={0}
                max={WEIGHT_TOTAL}
                step={1}
                description={DEFAULT_WEIGHT_NOTES[k] ? pick(DEFAULT_WEIGHT_NOTES[k]) : undefined}
                {...form.text(`safety.weights.${k}`)}
              />
            )}
          </For>
          <p class="muted small" data-testid="safety-total" classList={{ error: total() !== WEIGHT_TOTAL }}>
            {t("cockpit.weights.total", { total: String(total()) })}
          </p>
        </Fieldset>
        <Fieldset legend={t("cockpit.safety.thresholds")} error={group("safety.thresholds")}>
          <For each={SAFETY_COMPONENTS}>
            {(k) => (
              <InputField
                label={`${pick(SAFETY_COMPONENT_LABELS[k])}（%）`}
                type="number"
                min={0}
                max={100}
                step="any"
                inputMode="decimal"
                {...form.text(`safety.thresholds.${k}`)}
              />
            )}
          </For>
        </Fieldset>
        <Fieldset legend={t("cockpit.safety.bands")} error={group("safety.bands")}>
          <For each={["blue", "yellow"] as const}>
            {(b) => (
              <InputField
                label={t(`cockpit.safety.band.${b}` as MessageKey)}
                type="number"
                min={0}
                max={100}
                step="any"
                inputMode="decimal"
                {...form.text(`safety.bands.${b}`)}
              />
            )}
          </For>
        </Fieldset>
        <p class="muted small" data-testid="safety-preview">
          <Show when={preview()} fallback={t("cockpit.safety.noPreview")}>
            {(p) =>
              t("cockpit.safety.preview", {
                index: p().index.toFixed(1),
                band: t(`cockpit.band.${p().band}` as MessageKey),
              })
            }
          </Show>
        </p>
        <Button
          type="button"
          variant="ghost"
          size="sm"
          disabled={form.save.isPending || !props.settings.custom.safety}
          onClick={() =>
            form.save.mutate({
              ranking: props.settings.custom.ranking ? props.settings.ranking : null,
              safety: null,
              version: props.settings.version,
            })
          }
        >
          {t("cockpit.safety.defaults", {
            weights: SAFETY_COMPONENTS.map((k) => DEFAULT_SAFETY.weights[k]).join("/"),
          })}
        </Button>
      </div>
    </DialogForm>
  );
}

function Fieldset(props: { legend: string; error: string | undefined; children: JSX.Element }) {
  return (
    <fieldset class="fieldset safety-group">
      <legend>{props.legend}</legend>
      <div class="weights-grid">{props.children}</div>
      <Show when={props.error}>{(e) => <Alert>{e()}</Alert>}</Show>
    </fieldset>
  );
}
