import { A, useParams, useSearchParams } from "@solidjs/router";
import { createQuery } from "@tanstack/solid-query";
import { type JSX, Show } from "solid-js";
import { type CaseDetail, type SummonsView, trpc } from "../api.ts";
import { categoryName, channelName, formatAmount } from "../components/case-common.tsx";
import { contactQuery } from "../components/centre-contact.tsx";
import { Forbidden, usePageTitle } from "../components/page.tsx";
import { QrCode } from "../components/qr-code.tsx";
import { QueryState } from "../components/query-state.tsx";
import { useMe } from "../components/shell.tsx";
import { formatDateTime, formatDay, formatPaperDate, t } from "../i18n.ts";
import { readsCases } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Button } from "../ui/button.tsx";
import "./cases.css";

/** The case for a printable page (shares the case page's cache entry). */
function createCase(id: () => string) {
  return createQuery(() => ({
    queryKey: ["cases.get", id()],
    queryFn: async () => await trpc.cases.get.query({ id: id() }),
  }));
}

/** The frame of a printable document: a toolbar that does not print, and the A4 sheet. */
function PrintFrame(props: { caseId: string; title: string; children: JSX.Element }) {
  usePageTitle(() => props.title);
  return (
    <div class="print-page">
      <div class="print-toolbar no-print">
        <A href={`/cases/${props.caseId}`} class="btn btn-secondary btn-sm">
          {t("cases.back")}
        </A>
        <Button variant="primary" size="sm" onClick={() => window.print()}>
          {t("cases.print")}
        </Button>
      </div>
      {props.children}
    </div>
  );
}

/** The public lookup address a receipt's QR code holds. */
export function lookupUrl(code: string): string {
  return `${location.origin}/lookup?code=${encodeURIComponent(code)}`;
}

/** /cases/:id/receipt: the printable intake receipt (受理回执) with the lookup QR code. */
export function CaseReceiptPage() {
  const me = useMe();
  const params = useParams<{ id: string }>();
  const detail = createCase(() => params.id);
  return (
    <Show when={readsCases(me())} fallback={<Forbidden />}>
      <QueryState query={detail}>{(c) => <Receipt detail={c()} />}</QueryState>
    </Show>
  );
}

function Receipt(props: { detail: CaseDetail }) {
  const c = () => props.detail;
  const url = () => lookupUrl(c().code);
  const applicant = () => c().parties.find((p) => p.role === "applicant");
  const respondents = () =>
    c()
      .parties.filter((p) => p.role === "respondent")
      .map((p) => p.name)
      .join("、");
  // The time limit the case is handled within: its resolution clock, else the first open one.
  const limit = () => {
    const open = (c().deadlines ?? []).filter((d) => !d.completedAt);
    return open.find((d) => d.stage === "resolution") ?? open[0];
  };
  // The first receiver (首问负责): whoever registered the case, from the first timeline entry.
  const clerk = () => c().events.find((e) => e.kind === "case.registered")?.actorName ?? "";
  // Where to call: the registering unit's centre, or the nearest one above it.
  const contact = createQuery(contactQuery(() => c().scopeCode));
  const ofCentre = (value: string) => {
    const k = contact.data;
    return k && !k.own ? t("cases.receipt.inherited", { value, unit: k.unitName ?? k.scopeCode }) : value;
  };
  return (
    <PrintFrame caseId={c().id} title={t("cases.receipt.title")}>
      <article class="paper receipt" aria-labelledby="receipt-title">
        <h1 id="receipt-title" class="paper-title">
          {t("cases.receipt.heading", { unit: c().unitName })}
        </h1>
        <p class="paper-no mono">{t("cases.paper.no", { no: c().code })}</p>
        <table class="paper-table">
          <tbody>
            <Row label={t("cases.code")} value={<strong class="mono receipt-code">{c().code}</strong>} />
            <Row label={t("cases.title")} value={c().title} />
            <Row label={t("cases.registeredAt")} value={formatDateTime(c().registeredAt)} />
            <Row label={t("cases.category")} value={categoryName(c().categoryCode, c().categoryName)} />
            <Row label={t("cases.channel")} value={channelName(c().channel)} />
            <Row label={t("cases.unit")} value={c().unitName} />
            <Show when={applicant()}>{(p) => <Row label={t("cases.receipt.applicant")} value={p().name} />}</Show>
            <Show when={respondents()}>{(names) => <Row label={t("cases.receipt.respondent")} value={names()} />}</Show>
            <Show when={limit()}>
              {(d) => (
                <Row
                  label={t("cases.receipt.timeLimit")}
                  value={t("cases.receipt.timeLimitValue", {
                    date: formatDay(d().dueAt),
                    stage: t(`cases.deadline.stage.${d().stage}`),
                  })}
                />
              )}
            </Show>
            <Show when={contact.data}>
              {(k) => (
                <>
                  <Row label={t("cases.receipt.phone")} value={<span class="mono">{ofCentre(k().phone)}</span>} />
                  <Show when={k().address}>{(a) => <Row label={t("cases.receipt.address")} value={a()} />}</Show>
                  <Show when={k().openingHours}>{(h) => <Row label={t("cases.receipt.hours")} value={h()} />}</Show>
                </>
              )}
            </Show>
          </tbody>
        </table>
        <Show when={contact.isSuccess && contact.data === null}>
          <Alert tone="warning" class="no-print">
            {t("cases.receipt.noContact")}
          </Alert>
        </Show>
        <div class="receipt-lookup">
          <QrCode text={url()} alt={t("cases.receipt.qrAlt", { code: c().code })} size={160} class="receipt-qr" />
          <div>
            <p>{t("cases.receipt.howTo")}</p>
            <p class="mono receipt-url">{url()}</p>
            <p class="muted small">{t("cases.receipt.privacy")}</p>
          </div>
        </div>
        <div class="paper-signatures">
          <span>
            {t("cases.receipt.clerk")}：{clerk()}
          </span>
          <span>{t("cases.receipt.seal")}</span>
          <span>
            {t("cases.receipt.date")}：{formatPaperDate(c().registeredAt)}
          </span>
        </div>
      </article>
    </PrintFrame>
  );
}

function Row(props: { label: string; value: JSX.Element }) {
  return (
    <tr>
      <th scope="row">{props.label}</th>
      <td>{props.value}</td>
    </tr>
  );
}

/** A collaboration paper generated from a summons. */
type PaperKind = "contact" | "entrust" | "reply" | "assign";
const PAPERS: PaperKind[] = ["contact", "entrust", "reply", "assign"];
const PAPER_ABBREV: Record<PaperKind, string> = { contact: "XZ", entrust: "WT", reply: "HF", assign: "JB" };

/** /cases/:id/papers/:kind?summons=…: 协作联系单, 委托调处函, 调处回复函, 事件交办单 from the case and a summons. */
export function CasePaperPage() {
  const me = useMe();
  const params = useParams<{ id: string; kind: string }>();
  const [search] = useSearchParams<{ summons?: string }>();
  const detail = createCase(() => params.id);
  const kind = () => (PAPERS.includes(params.kind as PaperKind) ? (params.kind as PaperKind) : null);
  return (
    <Show when={readsCases(me()) && kind()} fallback={<Forbidden />}>
      {(k) => (
        <QueryState query={detail}>{(c) => <Paper detail={c()} kind={k()} summonsId={search.summons} />}</QueryState>
      )}
    </Show>
  );
}

function Paper(props: { detail: CaseDetail; kind: PaperKind; summonsId: string | undefined }) {
  const c = () => props.detail;
  const index = () => c().summons.findIndex((s) => s.id === props.summonsId);
  const summons = () => c().summons[index()];
  const title = () => t(`cases.paper.${props.kind}`);
  return (
    <PrintFrame caseId={c().id} title={title()}>
      <Show
        when={summons()}
        fallback={
          <Alert tone="warning">{props.summonsId ? t("cases.paper.notFound") : t("cases.paper.pickSummons")}</Alert>
        }
      >
        {(s) => (
          <Show
            when={props.kind !== "reply" || s().feedback}
            fallback={<Alert tone="warning">{t("cases.paper.noFeedback")}</Alert>}
          >
            <PaperSheet
              detail={c()}
              kind={props.kind}
              summons={s()}
              no={`${c().code}-${PAPER_ABBREV[props.kind]}${index() + 1}`}
            />
          </Show>
        )}
      </Show>
    </PrintFrame>
  );
}

function PaperSheet(props: { detail: CaseDetail; kind: PaperKind; summons: SummonsView; no: string }) {
  const c = () => props.detail;
  const s = () => props.summons;
  const reply = () => props.kind === "reply";
  const body = () =>
    props.kind === "contact"
      ? t("cases.paper.contactBody", { unit: c().unitName })
      : props.kind === "entrust"
        ? t("cases.paper.entrustBody")
        : props.kind === "assign"
          ? t("cases.paper.assignBody")
          : t("cases.paper.replyBody");
  return (
    <article class="paper" aria-labelledby="paper-title">
      <h1 id="paper-title" class="paper-title">
        {reply() ? s().departmentName : t("cases.paper.centre", { unit: c().unitName })}
        <br />
        {t(`cases.paper.${props.kind}`)}
      </h1>
      <p class="paper-no mono">{t("cases.paper.no", { no: props.no })}</p>
      <p class="paper-to">
        {t("cases.paper.to", {
          department: reply() ? t("cases.paper.centre", { unit: c().unitName }) : s().departmentName,
        })}
      </p>
      <p class="paper-body">{body()}</p>
      <table class="paper-table">
        <tbody>
          <Row label={t("cases.code")} value={<span class="mono">{c().code}</span>} />
          <Row label={t("cases.title")} value={c().title} />
          <Row label={t("cases.category")} value={categoryName(c().categoryCode, c().categoryName)} />
          <Row label={t("cases.location")} value={[c().locationName, c().address].filter(Boolean).join(" ")} />
          <Row
            label={t("cases.peopleCount")}
            value={`${t("cases.peopleUnit", { n: c().peopleCount })}${c().amountCents ? ` · ${t("cases.amount")} ${formatAmount(c().amountCents)}` : ""}`}
          />
          <Row label={t("cases.paper.summary")} value={<span class="pre-line">{c().description}</span>} />
          <Show when={!reply()}>
            <Row label={t("cases.paper.requirements")} value={s().instructions ?? "—"} />
            <Row
              label={t("cases.paper.deadlines")}
              value={t("cases.paper.deadlineText", {
                due: formatDateTime(s().dueAt),
                objection: formatDateTime(s().objectionDeadline),
              })}
            />
          </Show>
          <Show when={reply()}>
            <Row label={t("cases.paper.action")} value={s().action ?? "—"} />
            <Row label={t("cases.paper.result")} value={s().feedback ?? "—"} />
            <Row label={t("cases.paper.replyAt")} value={s().feedbackAt ? formatDateTime(s().feedbackAt!) : "—"} />
          </Show>
        </tbody>
      </table>
      <div class="paper-signatures">
        <span>{reply() ? t("cases.paper.replyFrom") : t("cases.paper.issuer", { unit: c().unitName })}</span>
        <span>{formatPaperDate(reply() && s().feedbackAt ? s().feedbackAt! : s().summonedAt)}</span>
      </div>
    </article>
  );
}
