import { A } from "@solidjs/router";
import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import type { CaseState } from "@zongzhi/domain/case-workflow";
import { createSignal, Show } from "solid-js";
import { type LiaisonItem, trpc } from "../api.ts";
import { StatusBadge } from "../components/case-common.tsx";
import { TextArea } from "../components/case-fields.tsx";
import { actionsColumn, DataTable, labels, RowAction } from "../components/config-page.tsx";
import { errorText, Forbidden, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { formatDateTime, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Badge, type BadgeTone } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { Select } from "../ui/select.tsx";
import { TextField } from "../ui/text-field.tsx";
import { notify } from "../ui/toast.tsx";
import { MutationError, problemOf } from "./case-actions.tsx";
import "./cases.css";

type SummonsStatus = LiaisonItem["status"];
const STATUSES: SummonsStatus[] = ["pending", "acknowledged", "objected", "done"];
const TONE: Record<SummonsStatus, BadgeTone> = {
  pending: "warning",
  acknowledged: "info",
  objected: "danger",
  done: "success",
};

/** /liaison: summons addressed to the caller's departments — report (报到), object within 8 hours, feed back. */
export function LiaisonPage() {
  const me = useMe();
  return (
    <Show when={can(me(), "summons.answer")} fallback={<Forbidden />}>
      <LiaisonInbox />
    </Show>
  );
}

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
      <section class="card" aria-labelledby="liaison-title">
        <div class="card-head">
          <h2 id="liaison-title" class="card-title">
            {t("cases.liaison.table")}
          </h2>
          <Select
            class="unit-select"
            label={t("cases.liaison.statusFilter")}
            options={[
              { value: "*", label: t("cases.all") },
              ...STATUSES.map((s) => ({ value: s, label: t(`cases.summonsStatus.${s}`) })),
            ]}
            value={status() ?? "*"}
            onChange={(v) => setStatus(v && v !== "*" ? (v as SummonsStatus) : null)}
          />
        </div>
        <QueryState query={inbox} empty={t("cases.liaison.empty")}>
          {(items) => (
            <div class="table-scroll">
              <DataTable
                caption={t("cases.liaison.table")}
                columns={[
                  ...labels(
                    "cases.code cases.title cases.detail.department cases.detail.summonedAt cases.detail.dueAt cases.detail.objectionDeadline cases.status",
                  ),
                  actionsColumn(),
                ]}
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
                        <Badge tone={TONE[s.status]}>{t(`cases.summonsStatus.${s.status}`)}</Badge>
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
      </section>
      <Dialog
        open={objecting() !== null}
        onOpenChange={(o) => !o && setObjecting(null)}
        title={t("cases.liaison.objectTitle")}
      >
        <Show when={objecting()} keyed>
          {(s) => <ObjectForm summons={s} onDone={refresh} onClose={() => setObjecting(null)} />}
        </Show>
      </Dialog>
      <Dialog
        open={feeding() !== null}
        onOpenChange={(o) => !o && setFeeding(null)}
        title={t("cases.liaison.feedbackTitle")}
      >
        <Show when={feeding()} keyed>
          {(s) => <FeedbackForm summons={s} onDone={refresh} onClose={() => setFeeding(null)} />}
        </Show>
      </Dialog>
    </>
  );
}

function ObjectForm(props: { summons: LiaisonItem; onDone: () => Promise<unknown>; onClose: () => void }) {
  const [reason, setReason] = createSignal("");
  const [responsible, setResponsible] = createSignal("");
  const [submitted, setSubmitted] = createSignal(false);
  const object = createMutation(() => ({
    mutationFn: () =>
      trpc.cases.objectToSummons.mutate({
        id: props.summons.id,
        version: props.summons.version,
        reason: reason().trim(),
        responsible: responsible().trim() || null,
      }),
    onSuccess: async () => {
      notify(t("cases.liaison.objected"));
      await props.onDone();
      props.onClose();
    },
  }));
  const reasonError = () =>
    submitted() && !reason().trim() ? t("cases.act.reasonRequired") : problemOf(object.error, "reason");
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (!reason().trim()) return;
        object.mutate();
      }}
    >
      <p class="muted small">
        {props.summons.code} · {props.summons.departmentName}
      </p>
      <p>{t("cases.liaison.objectIntro", { deadline: formatDateTime(props.summons.objectionDeadline) })}</p>
      <TextArea
        label={t("cases.liaison.reason")}
        value={reason()}
        onChange={setReason}
        error={reasonError()}
        required
      />
      <TextField label={t("cases.liaison.responsible")} value={responsible()} onChange={setResponsible} />
      <MutationError error={object.error} fields={["reason"]} onReload={() => void props.onDone()} />
      <div class="dialog-footer">
        <Button onClick={() => props.onClose()}>{t("common.cancel")}</Button>
        <Button type="submit" variant="danger" disabled={object.isPending}>
          {t("cases.liaison.object")}
        </Button>
      </div>
    </form>
  );
}

function FeedbackForm(props: { summons: LiaisonItem; onDone: () => Promise<unknown>; onClose: () => void }) {
  const [action, setAction] = createSignal("");
  const [feedback, setFeedback] = createSignal("");
  const [submitted, setSubmitted] = createSignal(false);
  const save = createMutation(() => ({
    mutationFn: () =>
      trpc.cases.summonsFeedback.mutate({
        id: props.summons.id,
        version: props.summons.version,
        action: action().trim(),
        feedback: feedback().trim(),
      }),
    onSuccess: async () => {
      notify(t("cases.liaison.fed"));
      await props.onDone();
      props.onClose();
    },
  }));
  const required = (v: string, path: string) =>
    submitted() && !v.trim() ? t("cases.act.outcomeRequired") : problemOf(save.error, path);
  return (
    <form
      class="form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        setSubmitted(true);
        if (!action().trim() || !feedback().trim()) return;
        save.mutate();
      }}
    >
      <p class="muted small">
        {props.summons.code} · {props.summons.departmentName}
      </p>
      <TextArea
        label={t("cases.liaison.action")}
        value={action()}
        onChange={setAction}
        error={required(action(), "action")}
        required
      />
      <TextArea
        label={t("cases.liaison.feedbackText")}
        value={feedback()}
        onChange={setFeedback}
        error={required(feedback(), "feedback")}
        rows={4}
        required
      />
      <MutationError error={save.error} fields={["action", "feedback"]} onReload={() => void props.onDone()} />
      <div class="dialog-footer">
        <Button onClick={() => props.onClose()}>{t("common.cancel")}</Button>
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {t("cases.liaison.feedback")}
        </Button>
      </div>
    </form>
  );
}
