import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { supervisionAnswerInput, supervisionInput } from "@zongzhi/api/schemas/cases";
import { createSignal, Show } from "solid-js";
import { type Outputs, trpc } from "../../api.ts";
import { Form } from "../../components/save-form.tsx";
import { t } from "../../i18n.ts";
import { notify } from "../../ui/toast.tsx";
import { FieldError, RadioGroup } from "../case-fields.tsx";
import { FormDialog, FormFooter, InlineSearch } from "../config-page.tsx";
import { createDialogForm, MutationError } from "../dialog-form.tsx";
import { FreshDialog } from "../dialogs.tsx";
import {
  DueDateField,
  dueDay,
  EscalationForm,
  endOfChinaDay,
  StepText,
  SUPERVISIONS_KEY,
} from "./escalation-common.tsx";

/** One supervision as the list shows it. */
export type SupervisionRow = Outputs["escalation"]["supervisions"][number];

/** A case named in a supervision action; the version is looked up when not known. */
export interface SupervisedCase {
  id: string;
  code: string;
  title: string;
  version?: number;
}

function useSupervisionRefresh() {
  const queryClient = useQueryClient();
  return (caseId?: string) =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: SUPERVISIONS_KEY }),
      caseId ? queryClient.invalidateQueries({ queryKey: ["cases.get", caseId] }) : undefined,
      queryClient.invalidateQueries({ queryKey: ["cases.list"] }),
    ]);
}

/**
 * 督办 by hand: a leader addresses a supervision with instructions and a reply deadline to the
 * unit that owns the case. Without a case given, the leader finds one first.
 */
export function OpenSupervisionDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  case?: SupervisedCase;
}) {
  return (
    <FreshDialog
      open={props.open}
      onOpenChange={props.onOpenChange}
      title={t("escalation.supervise.title")}
      description={t("escalation.supervise.intro")}
      size="lg"
    >
      <OpenForm case={props.case} onClose={() => props.onOpenChange(false)} />
    </FreshDialog>
  );
}

function OpenForm(props: { case?: SupervisedCase | undefined; onClose: () => void }) {
  const refresh = useSupervisionRefresh();
  const due = dueDay(1);
  const [picked, setPicked] = createSignal<SupervisedCase | null>(props.case ?? null);
  const form = createDialogForm({
    schema: supervisionInput,
    initial: { instructions: "", dueAt: due.initial },
    toInput: (d) => ({ caseId: picked()?.id ?? "", instructions: d.instructions, dueAt: endOfChinaDay(d.dueAt) }),
    // Only the page knows which case was picked.
    extra: (d) => ({
      caseId: picked() ? undefined : t("escalation.supervise.caseRequired"),
      dueAt: due.problem(d.dueAt),
    }),
    send: (input) => trpc.escalation.openSupervision.mutate(input),
    done: () => t("escalation.supervise.done", { code: picked()?.code ?? "" }),
    refresh: () => refresh(picked()?.id),
    onClose: props.onClose,
  });
  return (
    <EscalationForm form={form} refresh={refresh} submitLabel={t("escalation.supervise.submit")}>
      <Show
        when={props.case}
        fallback={<CasePicker value={picked()} onChange={setPicked} error={form.error("caseId")} />}
      >
        {(c) => <p>{t("escalation.supervise.for", { code: c().code, title: c().title })}</p>}
      </Show>
      <StepText label={t("escalation.supervise.instructions")} {...form.text("instructions")} maxLength={2000} />
      <DueDateField
        label={t("escalation.supervise.due")}
        {...form.text("dueAt")}
        description={t("escalation.supervise.dueHint")}
      />
    </EscalationForm>
  );
}

/** Finds a case by code or title among those the caller sees. */
function CasePicker(props: {
  value: SupervisedCase | null;
  onChange: (c: SupervisedCase | null) => void;
  error?: string | undefined;
}) {
  const [q, setQ] = createSignal("");
  const found = createQuery(() => ({
    queryKey: ["cases.list", { supervisionSearch: q() }],
    queryFn: () => trpc.cases.list.query({ q: q(), limit: 10 }),
    enabled: q().length > 0,
  }));
  const items = () => found.data?.items ?? [];
  return (
    <div class="form">
      <InlineSearch label={t("escalation.supervise.search")} onSearch={setQ} />
      <Show when={q() && found.data && items().length === 0}>
        <p class="muted small">{t("escalation.supervise.noCase")}</p>
      </Show>
      <Show when={items().length > 0}>
        <RadioGroup
          legend={t("escalation.supervise.pick")}
          name="supervisedCase"
          options={items().map((c) => ({ value: c.id, label: `${c.code} ${c.title}` }))}
          value={props.value?.id ?? null}
          onChange={(id) => {
            const c = items().find((i) => i.id === id);
            props.onChange(c ? { id: c.id, code: c.code, title: c.title, version: c.version } : null);
          }}
        />
      </Show>
      <FieldError error={props.error} />
    </div>
  );
}

/** The addressed unit answers a supervision (what it did, what it will do by when). */
export function AnswerSupervisionDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  supervision: SupervisionRow | null;
}) {
  return (
    <FormDialog
      target={props.open ? props.supervision : null}
      onClose={() => props.onOpenChange(false)}
      title={() => t("escalation.answer.title")}
    >
      {(s) => <AnswerForm supervision={s} onClose={() => props.onOpenChange(false)} />}
    </FormDialog>
  );
}

function AnswerForm(props: { supervision: SupervisionRow; onClose: () => void }) {
  const refresh = useSupervisionRefresh();
  const form = createDialogForm({
    schema: supervisionAnswerInput,
    initial: { answer: "" },
    toInput: (d) => ({ id: props.supervision.id, version: props.supervision.version, answer: d.answer }),
    send: (input) => trpc.escalation.answerSupervision.mutate(input),
    done: () => t("escalation.answer.done"),
    refresh: () => refresh(props.supervision.caseId),
    onClose: props.onClose,
  });
  return (
    <EscalationForm form={form} refresh={refresh} submitLabel={t("escalation.answer.submit")}>
      <p>{t("escalation.supervise.for", { code: props.supervision.code, title: props.supervision.title })}</p>
      <Show when={props.supervision.instructions}>
        <p class="muted">{t("escalation.answer.instructions", { text: props.supervision.instructions ?? "" })}</p>
      </Show>
      <StepText label={t("escalation.answer.label")} {...form.text("answer")} maxLength={2000} />
    </EscalationForm>
  );
}

/** 包案: a leader takes personal charge of a case (recorded on its timeline). */
export function TakeChargeDialog(props: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  case: SupervisedCase | null;
}) {
  return (
    <FormDialog
      target={props.open ? props.case : null}
      onClose={() => props.onOpenChange(false)}
      title={() => t("escalation.charge.title")}
    >
      {(c) => <ChargeForm case={c} onClose={() => props.onOpenChange(false)} />}
    </FormDialog>
  );
}

function ChargeForm(props: { case: SupervisedCase; onClose: () => void }) {
  const refresh = useSupervisionRefresh();
  const take = createMutation(() => ({
    mutationFn: async () => {
      let version = props.case.version;
      if (version === undefined) {
        const page = await trpc.cases.list.query({ q: props.case.code, limit: 5 });
        version = page.items.find((c) => c.id === props.case.id)?.version;
      }
      if (version === undefined) {
        const detail = await trpc.cases.get.query({ id: props.case.id });
        version = detail.version as number;
      }
      return trpc.escalation.takeCharge.mutate({ caseId: props.case.id, version });
    },
    onSuccess: async () => {
      notify(t("escalation.charge.done", { code: props.case.code }));
      await refresh(props.case.id);
      props.onClose();
    },
  }));
  return (
    <Form
      onSubmit={() => {
        take.mutate();
      }}
    >
      <p>{t("escalation.charge.confirm", { code: props.case.code, title: props.case.title })}</p>
      <p class="muted small">{t("escalation.charge.note")}</p>
      <MutationError error={take.error} onReload={() => void refresh(props.case.id).then(props.onClose)} />
      <FormFooter onCancel={props.onClose} pending={take.isPending} submitLabel={t("escalation.charge.submit")} />
    </Form>
  );
}
