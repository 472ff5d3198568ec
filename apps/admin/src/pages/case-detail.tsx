import { A, useParams } from "@solidjs/router";
import { createMutation, createQuery, useQueryClient } from "@tanstack/solid-query";
import {
  AGREEMENT_STATES,
  type CaseAction,
  FOLLOW_UP_STATES,
  ROUTE_KINDS,
  type RouteKind,
  SCHEDULING_STATES,
  TERMINAL_STATES,
  TRANSITIONS,
} from "@zongzhi/domain/case-workflow";
import { createSignal, For, type JSX, Match, Show, Switch } from "solid-js";
import { type Me, trpc } from "../api.ts";
import {
  type AgreementView,
  asCaseDetail,
  type CaseDetail,
  type CaseEvent,
  type ConfirmationView,
  type PartyView,
  type SessionView,
  uploadAttachment,
} from "../case-api.ts";
import {
  actionName,
  categoryName,
  channelName,
  chinaToday,
  DeadlineBadge,
  formatAmount,
  formatDay,
  GroupBadge,
  RiskBadge,
  StatusBadge,
  stateName,
} from "../components/case-common.tsx";
import { CasePath } from "../components/escalation/case-path.tsx";
import { DeadlineChips } from "../components/escalation/deadline-chip.tsx";
import { createHopRights, EscalationActions } from "../components/escalation/escalation-actions.tsx";
import { escalationEventTitle } from "../components/escalation/escalation-common.tsx";
import { errorText, Forbidden, LoadError, Loading, PageHeader } from "../components/page.tsx";
import { useMe } from "../components/shell.tsx";
import { casesZh } from "../i18n/cases.ts";
import { formatDateTime, type MessageKey, t } from "../i18n.ts";
import { mayOn, readsCases, worksOnCases } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge, type BadgeTone } from "../ui/badge.tsx";
import { Button } from "../ui/button.tsx";
import { Dialog } from "../ui/dialog.tsx";
import { notify } from "../ui/toast.tsx";
import { TransitionForm, useCaseRefresh } from "./case-actions.tsx";
import {
  AgreementForm,
  ConfirmationForm,
  type ConfirmationStep,
  ConfirmationStepForm,
  FollowUpForm,
  nextSteps,
  PerformanceForm,
  RecordSessionForm,
  ScheduleForm,
  SummonForm,
  sessionLabel,
} from "./case-dialogs.tsx";
import "./cases.css";

/** Which dialog of the case page is open. */
type DialogState =
  | { kind: "transition"; action: CaseAction }
  | { kind: "summon" }
  | { kind: "schedule" }
  | { kind: "record"; session: SessionView }
  | { kind: "agreement" }
  | { kind: "performance"; agreement: AgreementView }
  | { kind: "confirm" }
  | { kind: "step"; confirmation: ConfirmationView; step: ConfirmationStep }
  | { kind: "followUp" };

/** /cases/:id: the whole case with its timeline, the actions the caller may take, and their dialogs. */
export function CaseDetailPage() {
  const me = useMe();
  const params = useParams<{ id: string }>();
  return (
    <Show when={readsCases(me())} fallback={<Forbidden />}>
      <Show when={params.id} keyed>
        {(id) => <CaseView id={id} me={me()} />}
      </Show>
    </Show>
  );
}

function CaseView(props: { id: string; me: Me }) {
  const queryClient = useQueryClient();
  const detail = createQuery(() => ({
    queryKey: ["cases.get", props.id],
    queryFn: async () => asCaseDetail(await trpc.cases.get.query({ id: props.id })),
  }));
  // Revealing is audited on every read: fetch it once, keep it out of the refetches of the case.
  const [reveal, setReveal] = createSignal(false);
  const revealed = createQuery(() => ({
    queryKey: ["cases.reveal", props.id],
    queryFn: async () => (await trpc.cases.get.query({ id: props.id, reveal: true })).parties,
    enabled: reveal(),
    staleTime: Number.POSITIVE_INFINITY,
    gcTime: 0,
  }));
  const hide = () => {
    setReveal(false);
    queryClient.removeQueries({ queryKey: ["cases.reveal", props.id] });
  };
  const [dialog, setDialog] = createSignal<DialogState | null>(null);
  const close = () => setDialog(null);

  return (
    <Switch fallback={<Loading />}>
      <Match when={detail.isError}>
        <PageHeader title={t("cases.detail.overview")} />
        <LoadError error={detail.error} retry={() => detail.refetch()} />
      </Match>
      <Match when={detail.data}>
        {(c) => (
          <>
            <Header detail={c()} me={props.me} onDialog={setDialog} />
            <div class="case-layout">
              <div class="case-main">
                <Parties
                  parties={reveal() && revealed.data ? revealed.data : c().parties}
                  canReveal={mayOn(props.me, "personal.reveal", c().ownerCode)}
                  revealed={reveal() && Boolean(revealed.data)}
                  revealing={reveal() && revealed.isFetching}
                  onReveal={() => setReveal(true)}
                  onHide={hide}
                />
                <CasePath case={c()} me={props.me} />
                <Deadlines detail={c()} />
                <Summons detail={c()} me={props.me} onDialog={setDialog} />
                <Sessions detail={c()} me={props.me} onDialog={setDialog} />
                <Agreements detail={c()} me={props.me} onDialog={setDialog} />
                <Confirmations detail={c()} me={props.me} onDialog={setDialog} />
                <Referrals detail={c()} />
                <FollowUps detail={c()} me={props.me} onDialog={setDialog} />
                <Attachments detail={c()} />
                <Related detail={c()} />
              </div>
              <Timeline events={c().events} />
            </div>
            <Dialog
              open={dialog() !== null}
              onOpenChange={(open) => !open && close()}
              title={dialogTitle(dialog())}
              size="lg"
            >
              <Show when={dialog()} keyed>
                {(d) => <DialogBody state={d} detail={c()} me={props.me} onClose={close} />}
              </Show>
            </Dialog>
          </>
        )}
      </Match>
    </Switch>
  );
}

function dialogTitle(d: DialogState | null): string {
  if (!d) return "";
  switch (d.kind) {
    case "transition":
      return actionName(d.action);
    case "summon":
      return t("cases.summon.title");
    case "schedule":
      return t("cases.session.title");
    case "record":
      return t("cases.record.title");
    case "agreement":
      return t("cases.agreement.title");
    case "performance":
      return t("cases.perf.title");
    case "confirm":
      return t("cases.conf.title");
    case "step":
      return t("cases.step.title", { step: t(`cases.step.${d.step}`) });
    case "followUp":
      return t("cases.follow.title");
  }
}

function DialogBody(props: { state: DialogState; detail: CaseDetail; me: Me; onClose: () => void }) {
  const d = props.state;
  switch (d.kind) {
    case "transition":
      return <TransitionForm detail={props.detail} action={d.action} onClose={props.onClose} />;
    case "summon":
      return <SummonForm detail={props.detail} onClose={props.onClose} />;
    case "schedule":
      return <ScheduleForm detail={props.detail} roomId={props.detail.roomId} onClose={props.onClose} />;
    case "record":
      return <RecordSessionForm detail={props.detail} session={d.session} onClose={props.onClose} />;
    case "agreement":
      return <AgreementForm detail={props.detail} onClose={props.onClose} />;
    case "performance":
      return <PerformanceForm detail={props.detail} agreement={d.agreement} onClose={props.onClose} />;
    case "confirm":
      return (
        <ConfirmationForm
          detail={props.detail}
          agreements={props.detail.agreements.filter(
            (a) => !props.detail.confirmations.some((c) => c.agreementId === a.id && c.result !== "not_accepted"),
          )}
          onClose={props.onClose}
        />
      );
    case "step":
      return (
        <ConfirmationStepForm
          detail={props.detail}
          confirmation={d.confirmation}
          step={d.step}
          onClose={props.onClose}
        />
      );
    case "followUp":
      return <FollowUpForm detail={props.detail} me={props.me} onClose={props.onClose} />;
  }
}

type SectionProps = { detail: CaseDetail; me: Me; onDialog: (d: DialogState) => void };

/** Whether the table lets the caller do `permission` on this case (its unit's relation to the owner). */
const may = (me: Me, c: CaseDetail, permission: Parameters<typeof mayOn>[1]) => mayOn(me, permission, c.ownerCode);
const open = (c: CaseDetail) => !TERMINAL_STATES.includes(c.status) && c.status !== "closed";

function Header(props: SectionProps) {
  const c = () => props.detail;
  const hop = createHopRights(c, () => props.me);
  const route = () => {
    const r = c().route;
    if (!r) return null;
    const place = [c().roomName, c().mediatorName].filter(Boolean).join(" · ");
    return `${t(`cases.route.${r.kind}`)}${place ? `（${place}）` : ""}`;
  };
  return (
    <>
      <PageHeader
        title={c().title}
        actions={
          <A href={`/cases/${c().id}/receipt`} class="btn btn-secondary">
            {t("cases.detail.receipt")}
          </A>
        }
      />
      <section class="card case-header" aria-labelledby="overview-title">
        <h2 id="overview-title" class="sr-only">
          {t("cases.detail.overview")}
        </h2>
        <div class="case-badges">
          <span class="case-code mono">{c().code}</span>
          <StatusBadge state={c().status} />
          <RiskBadge grade={c().riskGrade} showNone />
          <Show when={c().groupDispute}>
            <GroupBadge />
          </Show>
          <DeadlineChips deadlines={c().deadlines ?? []} />
        </div>
        <dl class="case-facts">
          <Fact label={t("cases.code")} value={c().code} mono />
          <Fact label={t("cases.status")} value={stateName(c().status)} />
          <Fact label={t("cases.category")} value={categoryName(c().categoryCode, c().categoryName)} />
          <Fact label={t("cases.channel")} value={channelName(c().channel)} />
          <Fact label={t("cases.unit")} value={c().unitName} />
          <Fact
            label={t("cases.location")}
            value={[c().locationName ?? c().locationCode, c().address].filter(Boolean).join(" ")}
          />
          <Fact label={t("cases.peopleCount")} value={t("cases.peopleUnit", { n: c().peopleCount })} />
          <Fact label={t("cases.amount")} value={formatAmount(c().amountCents)} />
          <Fact label={t("cases.difficulty")} value={t(`cases.difficulty.${c().difficulty}`)} />
          <Fact label={t("cases.registeredAt")} value={formatDateTime(c().registeredAt)} />
          <Show when={c().acceptedAt}>
            {(at) => <Fact label={t("cases.detail.acceptedAt")} value={formatDateTime(at())} />}
          </Show>
          <Show when={route()}>{(r) => <Fact label={t("cases.detail.route")} value={r()} />}</Show>
          <Show when={c().holdUntil}>
            {(until) => <Fact label={t("cases.detail.holdUntil")} value={formatDay(until())} />}
          </Show>
          <Show when={c().closedAt}>
            {(at) => <Fact label={t("cases.detail.closedAt")} value={formatDateTime(at())} />}
          </Show>
        </dl>
        <h3 class="field-label">{t("cases.detail.description")}</h3>
        <p class="case-description">{c().description}</p>
        <Show when={worksOnCases(props.me)}>
          <fieldset class="case-actions">
            <legend class="sr-only">{t("cases.detail.actions")}</legend>
            <For each={hop.canWork() ? c().actions : []}>
              {(action) => (
                <Button
                  size="sm"
                  variant={action === "cancel" || action === "mark_duplicate" ? "ghost" : "primary"}
                  class={action === "cancel" ? "btn-danger-text" : undefined}
                  onClick={() => props.onDialog({ kind: "transition", action })}
                >
                  {actionName(action)}
                </Button>
              )}
            </For>
            <EscalationActions case={c()} me={props.me} />
            <Show when={c().actions.length === 0}>
              <span class="muted small">{t("cases.detail.noActions")}</span>
            </Show>
          </fieldset>
        </Show>
      </section>
    </>
  );
}

function Fact(props: { label: string; value: string; mono?: boolean }) {
  return (
    <div class="case-fact">
      <dt>{props.label}</dt>
      <dd class={props.mono ? "mono" : undefined}>{props.value || "—"}</dd>
    </div>
  );
}

function Section(props: { id: string; title: string; actions?: JSX.Element; children: JSX.Element }) {
  return (
    <section class="card" aria-labelledby={props.id}>
      <div class="card-head">
        <h2 id={props.id} class="card-title">
          {props.title}
        </h2>
        <Show when={props.actions}>
          <div class="toolbar">{props.actions}</div>
        </Show>
      </div>
      {props.children}
    </section>
  );
}

function Parties(props: {
  parties: PartyView[];
  canReveal: boolean;
  revealed: boolean;
  revealing: boolean;
  onReveal: () => void;
  onHide: () => void;
}) {
  return (
    <Section
      id="parties-title"
      title={t("cases.detail.parties")}
      actions={
        <Show when={props.canReveal}>
          <Show
            when={props.revealed}
            fallback={
              <Button size="sm" disabled={props.revealing} onClick={() => props.onReveal()}>
                {t("cases.detail.reveal")}
              </Button>
            }
          >
            <Button size="sm" onClick={() => props.onHide()}>
              {t("cases.detail.hide")}
            </Button>
          </Show>
        </Show>
      }
    >
      <Show when={props.canReveal}>
        <p class="muted small">{props.revealed ? t("cases.detail.revealed") : t("cases.detail.revealNote")}</p>
      </Show>
      <table class="table table-dense">
        <caption class="sr-only">{t("cases.detail.parties")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("cases.detail.partyRole")}</th>
            <th scope="col">{t("cases.detail.partyName")}</th>
            <th scope="col">{t("cases.detail.partyId")}</th>
            <th scope="col">{t("cases.detail.partyPhone")}</th>
            <th scope="col">{t("cases.detail.partyAddress")}</th>
          </tr>
        </thead>
        <tbody>
          <For each={props.parties}>
            {(p) => (
              <tr>
                <td>
                  {t(`cases.role.${p.role}`)}
                  <span class="muted small">
                    {" "}
                    · {p.kind === "person" ? t("cases.new.person") : t("cases.new.organisation")}
                  </span>
                </td>
                <td>{p.name}</td>
                <td class="mono">{p.kind === "person" ? (p.idNumber ?? "—") : (p.orgCode ?? "—")}</td>
                <td class="mono">{p.phone ?? "—"}</td>
                <td>{p.address ?? "—"}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </Section>
  );
}

function Deadlines(props: { detail: CaseDetail }) {
  return (
    <Show when={(props.detail.deadlines ?? []).length > 0}>
      <Section id="deadlines-title" title={t("cases.deadline.title")}>
        <table class="table table-dense">
          <caption class="sr-only">{t("cases.deadline.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("cases.deadline.stage")}</th>
              <th scope="col">{t("cases.deadline.startedAt")}</th>
              <th scope="col">{t("cases.deadline.dueAt")}</th>
              <th scope="col">{t("cases.deadline.completedAt")}</th>
              <th scope="col">{t("cases.deadline")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.detail.deadlines ?? []}>
              {(d) => (
                <tr>
                  <td>{t(`cases.deadline.stage.${d.stage}`)}</td>
                  <td class="nowrap">{formatDateTime(d.startedAt)}</td>
                  <td class="nowrap">{formatDateTime(d.dueAt)}</td>
                  <td class="nowrap">{d.completedAt ? formatDateTime(d.completedAt) : "—"}</td>
                  <td>
                    <div class="badge-row">
                      <DeadlineBadge colour={d.colour} />
                      <Show when={d.paused}>
                        <Badge tone="neutral">{t("cases.deadline.paused")}</Badge>
                      </Show>
                    </div>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Section>
    </Show>
  );
}

const SUMMONS_TONE: Record<string, BadgeTone> = {
  pending: "warning",
  acknowledged: "info",
  objected: "danger",
  done: "success",
};

function Summons(props: SectionProps) {
  const c = () => props.detail;
  const mayAct = () => may(props.me, c(), "case.summon") && open(c());
  const now = Date.now();
  return (
    <Section
      id="summons-title"
      title={t("cases.detail.summons")}
      actions={
        <Show when={mayAct()}>
          <Button size="sm" variant="primary" onClick={() => props.onDialog({ kind: "summon" })}>
            {t("cases.detail.summon")}
          </Button>
        </Show>
      }
    >
      <Show when={c().summons.length > 0} fallback={<p class="muted">{t("cases.detail.noSummons")}</p>}>
        <table class="table">
          <caption class="sr-only">{t("cases.detail.summons")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("cases.detail.department")}</th>
              <th scope="col">{t("cases.status")}</th>
              <th scope="col">{t("cases.detail.summonedAt")}</th>
              <th scope="col">{t("cases.detail.dueAt")}</th>
              <th scope="col">{t("cases.detail.objectionDeadline")}</th>
              <th scope="col">{t("cases.detail.papers")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={c().summons}>
              {(s) => (
                <tr>
                  <td>
                    <div>{s.departmentName}</div>
                    <div class="muted small">{t(`cases.residency.${s.residency}`)}</div>
                    <Show when={s.feedback}>
                      <div class="small">
                        {t("cases.detail.feedback")}：{s.action}；{s.feedback}
                      </div>
                    </Show>
                    <Show when={s.objectionReason}>
                      <div class="small">
                        {t("cases.detail.objection", { reason: s.objectionReason ?? "" })}
                        {s.objectionResponsible
                          ? t("cases.detail.objectionResponsible", { who: s.objectionResponsible })
                          : ""}
                      </div>
                    </Show>
                  </td>
                  <td>
                    <div class="badge-row">
                      <Badge tone={SUMMONS_TONE[s.status] ?? "neutral"}>{t(`cases.summonsStatus.${s.status}`)}</Badge>
                      <Show when={s.status !== "done" && s.status !== "objected" && new Date(s.dueAt).getTime() < now}>
                        <Badge tone="danger">{t("cases.detail.overdue")}</Badge>
                      </Show>
                    </div>
                  </td>
                  <td class="nowrap">{formatDateTime(s.summonedAt)}</td>
                  <td class="nowrap">{formatDateTime(s.dueAt)}</td>
                  <td class="nowrap">{formatDateTime(s.objectionDeadline)}</td>
                  <td>
                    <div class="paper-links">
                      <For each={["contact", "entrust", "assign"] as const}>
                        {(kind) => (
                          <A
                            href={`/cases/${c().id}/papers/${kind}?summons=${s.id}`}
                            aria-label={t("cases.detail.paperFor", {
                              paper: t(`cases.paper.${kind}`),
                              department: s.departmentName,
                            })}
                          >
                            {t(`cases.paper.${kind}`)}
                          </A>
                        )}
                      </For>
                      <Show when={s.feedback}>
                        <A
                          href={`/cases/${c().id}/papers/reply?summons=${s.id}`}
                          aria-label={t("cases.detail.paperFor", {
                            paper: t("cases.paper.reply"),
                            department: s.departmentName,
                          })}
                        >
                          {t("cases.paper.reply")}
                        </A>
                      </Show>
                    </div>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Show>
    </Section>
  );
}

function Sessions(props: SectionProps) {
  const c = () => props.detail;
  const manage = () => may(props.me, c(), "case.session");
  return (
    <Section
      id="sessions-title"
      title={t("cases.detail.sessions")}
      actions={
        <Show when={manage() && SCHEDULING_STATES.includes(c().status)}>
          <Button size="sm" variant="primary" onClick={() => props.onDialog({ kind: "schedule" })}>
            {t("cases.detail.schedule")}
          </Button>
        </Show>
      }
    >
      <Show when={c().sessions.length > 0} fallback={<p class="muted">{t("cases.detail.noSessions")}</p>}>
        <ul class="case-list">
          <For each={c().sessions}>
            {(s) => (
              <li class="session">
                <div class="session-head">
                  <strong>{sessionLabel(s)}</strong>
                  <span class="muted">{s.roomName}</span>
                  <Show when={s.outcome}>{(o) => <Badge tone="info">{t(`cases.outcome.${o()}`)}</Badge>}</Show>
                  <Show when={manage() && !s.outcome}>
                    {/* What happened is recorded from the session's day on (the API refuses earlier). */}
                    <Show
                      when={chinaToday(new Date(s.startsAt)) <= chinaToday()}
                      fallback={<span class="muted small">{t("cases.detail.sessionAhead")}</span>}
                    >
                      <Button
                        size="sm"
                        aria-label={t("cases.detail.recordSessionFor", { time: sessionLabel(s) })}
                        onClick={() => props.onDialog({ kind: "record", session: s })}
                      >
                        {t("cases.detail.recordSession")}
                      </Button>
                    </Show>
                  </Show>
                </div>
                <Show when={s.attendance?.length}>
                  <p class="small">
                    {t("cases.detail.attendance")}：
                    {(s.attendance ?? [])
                      .map((a) => `${a.name}（${a.role}${a.present ? "" : `，${t("cases.record.absent")}`}）`)
                      .join("、")}
                  </p>
                </Show>
                <Show when={s.notes}>
                  <p class="small pre-line">{s.notes}</p>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </Section>
  );
}

function Agreements(props: SectionProps) {
  const c = () => props.detail;
  const manage = () => may(props.me, c(), "case.agreement");
  return (
    <Section
      id="agreements-title"
      title={t("cases.detail.agreements")}
      actions={
        <Show when={manage() && AGREEMENT_STATES.includes(c().status)}>
          <Button size="sm" variant="primary" onClick={() => props.onDialog({ kind: "agreement" })}>
            {t("cases.detail.addAgreement")}
          </Button>
        </Show>
      }
    >
      <Show when={c().agreements.length > 0} fallback={<p class="muted">{t("cases.detail.noAgreements")}</p>}>
        <For each={c().agreements}>
          {(a) => (
            <article class="agreement">
              <div class="session-head">
                <strong>
                  {t("cases.detail.signedOn")} {formatDay(a.signedOn)}
                </strong>
                <Badge
                  tone={
                    a.performanceStatus === "performed"
                      ? "success"
                      : a.performanceStatus === "breached"
                        ? "danger"
                        : "warning"
                  }
                >
                  {t(`cases.perf.${a.performanceStatus}`)}
                </Badge>
                <Show when={manage() && !TERMINAL_STATES.includes(c().status)}>
                  <Button size="sm" onClick={() => props.onDialog({ kind: "performance", agreement: a })}>
                    {t("cases.detail.updatePerformance")}
                  </Button>
                </Show>
              </div>
              <dl class="case-facts wide">
                <Fact label={t("cases.detail.facts")} value={a.facts} />
                <Fact label={t("cases.detail.disputedMatters")} value={a.disputedMatters} />
                <Fact label={t("cases.detail.terms")} value={a.terms} />
                <Fact
                  label={t("cases.detail.performance")}
                  value={`${a.performanceManner}；${a.performancePlace}；${formatDay(a.performanceDeadline)}`}
                />
                <Fact label={t("cases.detail.mediatorNames")} value={a.mediatorNames.join("、")} />
                <Show when={a.performanceNote}>{(n) => <Fact label={t("cases.perf.note")} value={n()} />}</Show>
              </dl>
            </article>
          )}
        </For>
      </Show>
    </Section>
  );
}

const CONF_TONE: Record<ConfirmationView["result"], BadgeTone> = {
  pending: "warning",
  accepted: "info",
  not_accepted: "danger",
  confirmed: "success",
  rejected: "danger",
};

function Confirmations(props: SectionProps) {
  const c = () => props.detail;
  const manage = () => may(props.me, c(), "case.agreement");
  const applicable = () =>
    c().agreements.some((a) => !c().confirmations.some((x) => x.agreementId === a.id && x.result !== "not_accepted"));
  return (
    <Section
      id="confirmations-title"
      title={t("cases.detail.confirmations")}
      actions={
        <Show when={manage() && applicable()}>
          <Button size="sm" variant="primary" onClick={() => props.onDialog({ kind: "confirm" })}>
            {t("cases.detail.applyConfirmation")}
          </Button>
        </Show>
      }
    >
      <Show when={c().confirmations.length > 0} fallback={<p class="muted">{t("cases.detail.noConfirmations")}</p>}>
        <For each={c().confirmations}>
          {(j) => (
            <article class="confirmation">
              <div class="session-head">
                <strong>{j.courtName}</strong>
                <Badge tone={CONF_TONE[j.result]}>{t(`cases.confResult.${j.result}`)}</Badge>
                <Show when={j.extended}>
                  <Badge tone="neutral">{t("cases.detail.extended")}</Badge>
                </Show>
              </div>
              <dl class="case-facts">
                <Fact label={t("cases.detail.appliedOn")} value={formatDay(j.appliedOn)} />
                <Fact label={t("cases.detail.acceptDue")} value={formatDay(j.acceptDue)} />
                <Fact label={t("cases.detail.acceptedOn")} value={formatDay(j.acceptedOn)} />
                <Fact label={t("cases.detail.ruleDue")} value={formatDay(j.ruleDue)} />
                <Fact label={t("cases.detail.ruledOn")} value={formatDay(j.ruledOn)} />
              </dl>
              <Show when={manage() && nextSteps(j).length > 0}>
                <div class="toolbar">
                  <For each={nextSteps(j)}>
                    {(step) => (
                      <Button size="sm" onClick={() => props.onDialog({ kind: "step", confirmation: j, step })}>
                        {t("cases.detail.recordStep", { step: t(`cases.step.${step}`) })}
                      </Button>
                    )}
                  </For>
                </div>
              </Show>
            </article>
          )}
        </For>
      </Show>
    </Section>
  );
}

function Referrals(props: { detail: CaseDetail }) {
  return (
    <Show when={props.detail.referrals.length > 0}>
      <Section id="referrals-title" title={t("cases.detail.referrals")}>
        <table class="table table-dense">
          <caption class="sr-only">{t("cases.detail.referrals")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("cases.act.referralKind")}</th>
              <th scope="col">{t("cases.detail.receivingBody")}</th>
              <th scope="col">{t("cases.detail.referredAt")}</th>
              <th scope="col">{t("cases.detail.referralResult")}</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.detail.referrals}>
              {(r) => (
                <tr>
                  <td>{t(`cases.referral.${r.kind}`)}</td>
                  <td>{r.receivingBody}</td>
                  <td class="nowrap">{formatDateTime(r.referredAt)}</td>
                  <td>{r.result ?? "—"}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </Section>
    </Show>
  );
}

function FollowUps(props: SectionProps) {
  const c = () => props.detail;
  return (
    <Section
      id="followups-title"
      title={t("cases.detail.followUps")}
      actions={
        <Show when={may(props.me, c(), "case.follow_up") && FOLLOW_UP_STATES.includes(c().status)}>
          <Button size="sm" variant="primary" onClick={() => props.onDialog({ kind: "followUp" })}>
            {t("cases.detail.addFollowUp")}
          </Button>
        </Show>
      }
    >
      <Show when={c().followUps.length > 0} fallback={<p class="muted">{t("cases.detail.noFollowUps")}</p>}>
        <ul class="case-list">
          <For each={c().followUps}>
            {(f) => (
              <li>
                <div class="session-head">
                  <strong>{formatDateTime(f.at)}</strong>
                  <span>{t(`cases.method.${f.method}`)}</span>
                  <Badge tone={f.satisfaction === "unsatisfied" ? "danger" : "success"}>
                    {t(`cases.satisfaction.${f.satisfaction}`)}
                  </Badge>
                  <span class="muted small">
                    {t("cases.detail.followUpBy")}：{f.byName ?? "—"}
                  </span>
                </div>
                <Show when={f.notes}>
                  <p class="small">{f.notes}</p>
                </Show>
                <Show when={f.overrideReason}>
                  <p class="small">{t("cases.detail.override", { reason: f.overrideReason ?? "" })}</p>
                </Show>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </Section>
  );
}

const MAX_BYTES = 10 * 1024 * 1024;

function Attachments(props: { detail: CaseDetail }) {
  const refresh = useCaseRefresh(() => props.detail.id);
  const [file, setFile] = createSignal<File | null>(null);
  const [localError, setLocalError] = createSignal<string | null>(null);
  let input: HTMLInputElement | undefined;
  const upload = createMutation(() => ({
    mutationFn: (f: File) => uploadAttachment(props.detail.id, f),
    onSuccess: async (_r, f) => {
      notify(t("cases.detail.uploaded", { name: f.name }));
      setFile(null);
      if (input) input.value = "";
      await refresh();
    },
  }));
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const f = file();
    if (!f) return setLocalError(t("cases.detail.fileRequired"));
    if (f.size > MAX_BYTES) return setLocalError(t("cases.detail.fileTooLarge"));
    setLocalError(null);
    upload.mutate(f);
  };
  return (
    <Section id="attachments-title" title={t("cases.detail.attachments")}>
      <Show
        when={props.detail.attachments.length > 0}
        fallback={<p class="muted">{t("cases.detail.noAttachments")}</p>}
      >
        <ul class="case-list">
          <For each={props.detail.attachments}>
            {(a) => (
              <li class="attachment">
                <a
                  href={`/attachments/${a.id}`}
                  download={a.filename}
                  aria-label={t("cases.detail.download", { name: a.filename })}
                >
                  {a.filename}
                </a>
                <span class="muted small">
                  {a.mime} · {(a.sizeBytes / 1024).toFixed(0)} KB · {formatDateTime(a.uploadedAt)}
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
      <Show when={!TERMINAL_STATES.includes(props.detail.status)}>
        <form class="upload-form" onSubmit={submit}>
          <div class="field">
            <label class="field-label" for="case-file">
              {t("cases.detail.file")}
            </label>
            <input
              ref={input}
              id="case-file"
              class="input file-input"
              type="file"
              accept="image/jpeg,image/png,image/webp,application/pdf"
              aria-describedby="case-file-hint"
              onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
            />
            <p id="case-file-hint" class="field-hint">
              {t("cases.detail.fileHint")}
            </p>
          </div>
          <Button type="submit" size="sm" disabled={upload.isPending}>
            {t("cases.detail.upload")}
          </Button>
        </form>
      </Show>
      <Show when={localError() ?? (upload.error ? errorText(upload.error) : null)}>
        {(message) => <Alert>{message()}</Alert>}
      </Show>
    </Section>
  );
}

function Related(props: { detail: CaseDetail }) {
  return (
    <Section id="related-title" title={t("cases.detail.related")}>
      <Show when={props.detail.links.length > 0} fallback={<p class="muted">{t("cases.detail.noRelated")}</p>}>
        <ul class="case-list">
          <For each={props.detail.links}>
            {(l) => (
              <li>
                <A href={`/cases/${l.id}`} class="mono">
                  {l.code}
                </A>{" "}
                {l.title} <StatusBadge state={l.status} />{" "}
                <Badge tone="neutral">
                  {l.reason === "repeat_claimant" || l.reason === "duplicate" ? t(`cases.link.${l.reason}`) : l.reason}
                </Badge>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </Section>
  );
}

/** A readable line for a timeline event (the raw kind when it is one this page does not know). */
export function eventTitle(e: CaseEvent): string {
  const str = (k: string) => (typeof e.payload[k] === "string" ? (e.payload[k] as string) : "");
  const action = e.kind.startsWith("case.") ? e.kind.slice(5) : "";
  if (action in TRANSITIONS) return actionName(action as CaseAction);
  const key = `cases.event.${e.kind}`;
  if (!(key in casesZh)) return escalationEventTitle(e.kind) ?? e.kind;
  return t(key as MessageKey, { department: str("department"), room: str("room"), court: str("court") });
}

function eventDetails(e: CaseEvent): string[] {
  const p = e.payload;
  const out: string[] = [];
  const text = (k: string) => (typeof p[k] === "string" && p[k] ? (p[k] as string) : null);
  if (text("reason")) out.push(t("cases.event.detail.reason", { text: text("reason")! }));
  if (e.kind !== "mediation.recorded" && text("outcome"))
    out.push(t("cases.event.detail.outcome", { text: text("outcome")! }));
  if (e.kind === "case.triage" && text("route")) {
    const r = text("route")!;
    out.push(
      t("cases.event.detail.route", {
        text: (ROUTE_KINDS as readonly string[]).includes(r) ? t(`cases.route.${r as RouteKind}`) : r,
      }),
    );
  }
  if (text("holdUntil")) out.push(t("cases.event.detail.holdUntil", { text: text("holdUntil")! }));
  const referral = p.referral as { kind?: string; receivingBody?: string } | undefined;
  if (referral?.receivingBody) out.push(t("cases.event.detail.referral", { text: referral.receivingBody }));
  if (typeof p.dueHours === "number") out.push(t("cases.event.detail.dueHours", { text: p.dueHours }));
  const sat = text("satisfaction");
  if (sat === "satisfied" || sat === "basically_satisfied" || sat === "unsatisfied") {
    out.push(t("cases.event.detail.satisfaction", { text: t(`cases.satisfaction.${sat}`) }));
  }
  const outcome = text("outcome");
  if (e.kind === "mediation.recorded" && (outcome === "continued" || outcome === "agreement" || outcome === "failed")) {
    out.push(t("cases.event.detail.outcomeKind", { text: t(`cases.outcome.${outcome}`) }));
  }
  return out;
}

function Timeline(props: { events: CaseEvent[] }) {
  return (
    <section class="card case-timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title" class="card-title">
        {t("cases.detail.timeline")}
      </h2>
      <p class="muted small">{t("cases.detail.timelineIntro")}</p>
      <ol class="case-events" aria-labelledby="timeline-title">
        <For each={props.events}>
          {(e) => (
            <li class="case-event">
              <div class="case-event-title">{eventTitle(e)}</div>
              <For each={eventDetails(e)}>{(line) => <div class="small">{line}</div>}</For>
              <div class="muted small">
                <time datetime={new Date(e.at).toISOString()}>{formatDateTime(e.at)}</time> ·{" "}
                {e.actorName ?? t("cases.detail.system")}
              </div>
              <div class="muted small mono" title={e.hash}>
                #{e.seq} {t("cases.detail.hash", { hash: `${e.hash.slice(0, 12)}…` })}
              </div>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
