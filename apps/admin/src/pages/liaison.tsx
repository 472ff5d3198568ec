import { A } from "@solidjs/router";
import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import { objectionInput, summonsFeedbackInput } from "@zongzhi/api/schemas/cases";
import { SUMMONS_STATE_NAMES, SUMMONS_STATES } from "@zongzhi/domain/case-records";
import type { CaseState } from "@zongzhi/domain/case-workflow";
import { createSignal, type JSX, Show } from "solid-js";
import { type LiaisonItem, trpc } from "../api.ts";
import { StatusBadge } from "../components/case-common.tsx";
import { TextArea } from "../components/case-fields.tsx";
import { DataTable, FormDialog, labels, RowAction } from "../components/config-page.tsx";
import { createDialogForm, DialogForm, type DialogFormHandle } from "../components/dialog-form.tsx";
import { gated } from "../components/dialogs.tsx";
import { errorText, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { formatDateTime, named, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge, type BadgeTone } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";
import "./cases.css";
import { ListCard } from "../components/config-page.tsx";

type SummonsStatus = LiaisonItem["status"];
const STATUSES = SUMMONS_STATES;
const TONE: Record<SummonsStatus, BadgeTone> = {
  pending: "warning",
  acknowledged: "info",
  objected: "danger",
  done: "success",
};

/** /liaison: summons addressed to the caller's departments — report (报到), object within 8 hours, feed back. */
export const LiaisonPage = gated((me) => can(me, "summons.answer"), LiaisonInbox);

function LiaisonInbox() {
  const queryClient = useQueryClient();
  const [status, setStatus] = createSignal<SummonsStatus | null>(null);
  const [objecting, setObjecting] = createSignal<LiaisonItem | null>(null);
  const [feeding, setFeeding] = createSignal<LiaisonItem | null>(null);
  const inbox = createQuery(() => ({
    queryKey: ["cases.liaisonInbox", status()],
    queryFn: () => trpc.cases.liaisonInbox.query({ status: status() ?? undefined }),
  }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ["cases.liaisonInbox"] }),
      queryClient.invalidateQueries({ queryKey: ["cases.get"] }),
    ]);
  const acknowledge = createMutation(() => ({
    mutationFn: (s: LiaisonItem) => trpc.cases.acknowledgeSummons.mutate({ id: s.id, version: s.version }),
    onSuccess: (_r, s) => notify(t("cases.liaison.acknowledged", { code: s.code })),
    onError: (e) => notify(errorText(e), "error"),
    onSettled: refresh,
  }));
  const now = () => Date.now();
  const mayObject = (s: LiaisonItem) =>
    (s.status === "pending" || s.status === "acknowledged") && new Date(s.objectionDeadline).getTime() > now();
  return (
    <>
      <PageHeader title={t("cases.liaison.title")} intro={t("cases.liaison.intro")} />
      <ListCard
        id="liaison-title"
        title={t("cases.liaison.table")}
        actions={
          <Select
            class="unit-select"
            label={t("cases.liaison.statusFilter")}
            options={[
              { value: "*", label: t("cases.all") },
              ...STATUSES.map((s) => ({ value: s, label: named(SUMMONS_STATE_NAMES, s) })),
            ]}
            value={status() ?? "*"}
            onChange={(v) => setStatus(v && v !== "*" ? (v as SummonsStatus) : null)}
          />
        }
      >
        <QueryState query={inbox} empty={t("cases.liaison.empty")}>
          {(items) => (
            <div class="table-scroll">
              <DataTable
                caption={t("cases.liaison.table")}
                actions
                columns={labels(
                  "cases.code cases.title cases.detail.department cases.detail.summonedAt cases.detail.dueAt cases.detail.objectionDeadline cases.status",
                )}
                rows={items()}
              >
                {(s) => (
                  <tr>
                    <td class="mono nowrap">
                      <A href={`/cases/${s.caseId}`}>{s.code}</A>
                    </td>
                    <td>
                      <div>{s.title}</div>
                      <Show when={s.instructions}>
                        <div class="muted small">{s.instructions}</div>
                      </Show>
                    </td>
                    <td>{s.departmentName}</td>
                    <td class="nowrap">{formatDateTime(s.summonedAt)}</td>
                    <td class="nowrap">{formatDateTime(s.dueAt)}</td>
                    <td class="nowrap">
                      {formatDateTime(s.objectionDeadline)}
                      <Show when={!mayObject(s) && s.status !== "objected"}>
                        <div class="muted small">{t("cases.liaison.objectionClosed")}</div>
                      </Show>
                    </td>
                    <td>
                      <div class="badge-row">
                        <Badge tone={TONE[s.status]}>{named(SUMMONS_STATE_NAMES, s.status)}</Badge>
                        <StatusBadge state={s.caseStatus as CaseState} />
                      </div>
                    </td>
                    <td class="col-actions">
                      <div class="row-actions">
                        <Show when={s.status === "pending"}>
                          <Button
                            size="sm"
                            variant="primary"
                            aria-label={t("cases.liaison.acknowledgeLabel", { code: s.code })}
                            disabled={acknowledge.isPending}
                            onClick={() => acknowledge.mutate(s)}
                          >
                            {t("cases.liaison.acknowledge")}
                          </Button>
                        </Show>
                        <Show when={s.status === "acknowledged"}>
                          <RowAction
                            label={t("cases.liaison.feedback")}
                            ariaLabel={t("cases.liaison.feedbackLabel", { code: s.code })}
                            onClick={() => setFeeding(s)}
                            variant="secondary"
                          />
                        </Show>
                        <Show when={mayObject(s)}>
                          <RowAction
                            label={t("cases.liaison.object")}
                            ariaLabel={t("cases.liaison.objectLabel", { code: s.code })}
                            onClick={() => setObjecting(s)}
                            danger
                          />
                        </Show>
                      </div>
                    </td>
                  </tr>
                )}
              </DataTable>
            </div>
          )}
        </QueryState>
      </ListCard>
      <FormDialog target={objecting()} onClose={() => setObjecting(null)} title={() => t("cases.liaison.objectTitle")}>
        {(s) => <ObjectForm summons={s} onDone={refresh} onClose={() => setObjecting(null)} />}
      </FormDialog>
      <FormDialog target={feeding()} onClose={() => setFeeding(null)} title={() => t("cases.liaison.feedbackTitle")}>
        {(s) => <FeedbackForm summons={s} onDone={refresh} onClose={() => setFeeding(null)} />}
      </FormDialog>
    </>
  );
}

/** Props of a liaison's dialog on one summons. */
interface SummonsFormProps {
  summons: LiaisonItem;
  onDone: () => Promise<unknown>;
  onClose: () => void;
}

/** The body of a liaison's dialog: the summons named, its fields, the failed save's message, the buttons. */
function SummonsForm<I>(props: {
  form: DialogFormHandle<I>;
  summons: LiaisonItem;
  onDone: () => Promise<unknown>;
  submitLabel: string;
  danger?: boolean;
  children: JSX.Element;
}) {
  return (
    <DialogForm
      form={props.form}
      submitLabel={props.submitLabel}
      danger={props.danger}
      onReload={() => void props.onDone()}
    >
      <p class="muted small">
        {props.summons.code} · {props.summons.departmentName}
      </p>
      {props.children}
    </DialogForm>
  );
}

function ObjectForm(props: SummonsFormProps) {
  const form = createDialogForm({
    schema: objectionInput,
    initial: { reason: "", responsible: "" },
    toInput: (d) => ({ ...versionOf(props.summons), reason: d.reason, responsible: d.responsible.trim() || null }),
    send: (input) => trpc.cases.objectToSummons.mutate(input),
    done: () => t("cases.liaison.objected"),
    refresh: props.onDone,
    onClose: props.onClose,
  });
  return (
    <SummonsForm
      form={form}
      summons={props.summons}
      onDone={props.onDone}
      submitLabel={t("cases.liaison.object")}
      danger
    >
      <p>{t("cases.liaison.objectIntro", { deadline: formatDateTime(props.summons.objectionDeadline) })}</p>
      <TextArea label={t("cases.liaison.reason")} {...form.text("reason")} required />
      <TextField label={t("cases.liaison.responsible")} {...form.text("responsible")} />
    </SummonsForm>
  );
}

function FeedbackForm(props: SummonsFormProps) {
  const form = createDialogForm({
    schema: summonsFeedbackInput,
    initial: { action: "", feedback: "" },
    toInput: (d) => ({ ...versionOf(props.summons), ...d }),
    send: (input) => trpc.cases.summonsFeedback.mutate(input),
    done: () => t("cases.liaison.fed"),
    refresh: props.onDone,
    onClose: props.onClose,
  });
  return (
    <SummonsForm form={form} summons={props.summons} onDone={props.onDone} submitLabel={t("cases.liaison.feedback")}>
      <TextArea label={t("cases.liaison.action")} {...form.text("action")} required />
      <TextArea label={t("cases.liaison.feedbackText")} {...form.text("feedback")} rows={4} required />
    </SummonsForm>
  );
}

/** The id and version of a row, as a version-checked procedure takes them. */
function versionOf(row: { id: string; version: number }) {
  return { id: row.id, version: row.version };
}
