import { A } from "@solidjs/router";
import { createQuery } from "@tanstack/solid-query";
import { createSignal, Show } from "solid-js";
import { type Me, trpc } from "../api.ts";
import { isLiaisonOnly } from "../components/case-common.tsx";
import { DataTable, labels, RowAction } from "../components/config-page.tsx";
import { gated } from "../components/dialogs.tsx";
import { DeadlineChip } from "../components/escalation/deadline-chip.tsx";
import { SUPERVISIONS_KEY } from "../components/escalation/escalation-common.tsx";
import {
  AnswerSupervisionDialog,
  OpenSupervisionDialog,
  type SupervisedCase,
  type SupervisionRow,
  TakeChargeDialog,
} from "../components/escalation/supervision-dialogs.tsx";
import { AddButton, PageHeader } from "../components/page.tsx";
import { QueryState } from "../components/query-state.tsx";
import { Segmented } from "../components/segmented.tsx";
import { formatDateTime, named, t } from "../i18n.ts";
import { can, mayOn } from "../session.ts";
import { Badge } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import "../components/escalation/escalation.css";
import { SUPERVISION_LEVEL_NAMES, SUPERVISION_STATUSES, type SupervisionStatus } from "@zongzhi/domain/supervision";
import { ListCard } from "../components/config-page.tsx";

type Filter = SupervisionStatus | "all";

/** /supervision: supervisions (督办) of the caller's subtree; leaders open one by hand and take charge (包案). */
export const SupervisionPage = gated(
  (me) => me.tenant !== null && can(me, "case.read") && !isLiaisonOnly(me),
  SupervisionList,
);

function SupervisionList(props: { me: Me }) {
  const [filter, setFilter] = createSignal<Filter>("open");
  const [opening, setOpening] = createSignal(false);
  const [answering, setAnswering] = createSignal<SupervisionRow | null>(null);
  const [charging, setCharging] = createSignal<SupervisedCase | null>(null);
  const list = createQuery(() => ({
    queryKey: [...SUPERVISIONS_KEY, filter()],
    queryFn: () => {
      const f = filter();
      return trpc.escalation.supervisions.query({ status: f === "all" ? undefined : f });
    },
  }));
  const leader = () => can(props.me, "supervision.open");
  const mayAnswer = (s: SupervisionRow) =>
    s.status === "open" &&
    s.addressedTo === props.me.tenant?.code &&
    mayOn(props.me, "supervision.answer", s.addressedTo);
  const filters: Filter[] = [...SUPERVISION_STATUSES, "all"];
  return (
    <>
      <PageHeader
        title={t("escalation.supervision.title")}
        intro={t("escalation.supervision.intro")}
        actions={<AddButton when={leader()} label={t("escalation.supervise.open")} onClick={() => setOpening(true)} />}
      />
      <ListCard
        id="supervision-list-title"
        title={t("escalation.supervision.list")}
        actions={
          <Segmented
            legend={t("escalation.supervision.filter")}
            options={filters}
            value={filter()}
            onChange={setFilter}
            label={(f) => t(`escalation.supervision.filter.${f}`)}
          />
        }
      >
        <QueryState query={list}>
          {(rows) => (
            <Show when={rows().length > 0} fallback={<p class="empty-state">{t("escalation.supervision.empty")}</p>}>
              <DataTable
                class="supervision-table"
                caption={t("escalation.supervision.list")}
                actions
                columns={labels(
                  "escalation.supervision.case escalation.supervision.addressedTo escalation.supervision.level escalation.supervision.instructions escalation.supervision.due escalation.supervision.status",
                )}
                rows={rows()}
              >
                {(s) => (
                  <tr>
                    <td>
                      <A href={`/cases/${s.caseId}`} class="mono">
                        {s.code}
                      </A>
                      <div class="small">{s.title}</div>
                    </td>
                    <td>
                      {s.unitName ?? s.addressedTo}
                      <Show when={s.addressedTo === props.me.tenant?.code}>
                        {" "}
                        <Badge tone="tier">{t("escalation.supervision.mine")}</Badge>
                      </Show>
                    </td>
                    <td class="nowrap">
                      <Badge tone={s.level === "notice" ? "danger" : "warning"}>
                        {named(SUPERVISION_LEVEL_NAMES, s.level)}
                      </Badge>
                      <div class="muted small">
                        {s.openedBy === "leader"
                          ? t("escalation.supervision.byLeader")
                          : t("escalation.supervision.bySystem")}
                      </div>
                    </td>
                    <td class="supervision-text">{s.instructions ?? "—"}</td>
                    <td class="nowrap">
                      <div>{formatDateTime(s.dueAt)}</div>
                      <Show when={s.status === "open"}>
                        <DeadlineChip colour="blue" dueAt={s.dueAt} />
                      </Show>
                    </td>
                    <td>
                      <Show
                        when={s.status === "answered"}
                        fallback={<Badge tone="warning">{t("escalation.supervision.open")}</Badge>}
                      >
                        <Badge tone="success">{t("escalation.supervision.answered")}</Badge>
                        <p class="supervision-text small">{s.answer}</p>
                      </Show>
                    </td>
                    <td class="col-actions">
                      <div class="row-actions">
                        <Show when={mayAnswer(s)}>
                          <Button
                            size="sm"
                            variant="primary"
                            aria-label={t("escalation.answer.aria", { code: s.code })}
                            onClick={() => setAnswering(s)}
                          >
                            {t("escalation.answer.submit")}
                          </Button>
                        </Show>
                        <Show when={leader()}>
                          <RowAction
                            label={t("escalation.charge.submit")}
                            ariaLabel={t("escalation.charge.aria", { code: s.code })}
                            onClick={() => setCharging({ id: s.caseId, code: s.code, title: s.title })}
                            variant="secondary"
                          />
                        </Show>
                      </div>
                    </td>
                  </tr>
                )}
              </DataTable>
            </Show>
          )}
        </QueryState>
      </ListCard>
      <OpenSupervisionDialog open={opening()} onOpenChange={setOpening} />
      <AnswerSupervisionDialog
        open={answering() !== null}
        onOpenChange={(on) => !on && setAnswering(null)}
        supervision={answering()}
      />
      <TakeChargeDialog open={charging() !== null} onOpenChange={(on) => !on && setCharging(null)} case={charging()} />
    </>
  );
}
