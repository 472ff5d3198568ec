import { createTRPCClient, httpLink } from "@trpc/client";
import type { AppRouter } from "@zongzhi/api";
import type { CaseAction, CaseState, Channel, RiskGrade } from "@zongzhi/domain/case-workflow";
import superjson from "superjson";
import { type FieldProblem, HttpError, type Inputs, type Outputs, type ServerError } from "./api.ts";

/**
 * A client for intake only: its link sends the `Idempotency-Key` a call carries in its context,
 * so that a retried registration returns the first case instead of creating a second one.
 */
const intakeClient = createTRPCClient<AppRouter>({
  links: [
    httpLink({
      url: "/trpc",
      transformer: superjson,
      headers: ({ op }) => {
        const key = op.context.idempotencyKey;
        return typeof key === "string" ? { "idempotency-key": key } : {};
      },
    }),
  ],
});

/** What intake sends (cases.register). */
export type CaseRegistration = Inputs["cases"]["register"];

/** Registers a case under an idempotency key (one key per distinct submission). */
export function registerCase(input: CaseRegistration, idempotencyKey: string) {
  return intakeClient.cases.register.mutate(input, { context: { idempotencyKey } });
}

/** A case as the inbox lists it. */
export type CaseRow = Outputs["cases"]["list"]["items"][number];
/** A party as cases.get shows it (masked unless revealed). */
export type PartyView = Outputs["cases"]["get"]["parties"][number];
/** A summons in a liaison's inbox. */
export type LiaisonItem = Outputs["cases"]["liaisonInbox"][number];
/** A mediator proposed for a case. */
export type MediatorSuggestion = Outputs["cases"]["suggestMediators"][number];

/** A date-only column: superjson brings it as a Date at UTC midnight; older payloads as text. */
export type DayValue = Date | string;

/** One entry of a case's hash-chained timeline. */
export interface CaseEvent {
  seq: number;
  at: Date;
  kind: string;
  payload: Record<string, unknown>;
  actorId: string | null;
  actorName: string | null;
  hash: string;
}

/** A department summoned to a case (吹哨报到). */
export interface SummonsView {
  id: string;
  stationingId: string;
  departmentName: string;
  residency: "permanent" | "rotating" | "on_call";
  summonedAt: Date;
  dueAt: Date;
  objectionDeadline: Date;
  instructions: string | null;
  status: "pending" | "acknowledged" | "objected" | "done";
  acknowledgedAt: Date | null;
  objectedAt: Date | null;
  objectionReason: string | null;
  objectionResponsible: string | null;
  action: string | null;
  feedback: string | null;
  feedbackAt: Date | null;
  version: number;
}

/** One attendee of a mediation session. */
export interface Attendee {
  name: string;
  role: string;
  present: boolean;
}

/** A mediation session (booked room, attendance, notes, outcome). */
export interface SessionView {
  id: string;
  startsAt: Date;
  endsAt: Date;
  attendance: Attendee[] | null;
  notes: string | null;
  outcome: "continued" | "agreement" | "failed" | null;
  bookingId: string | null;
  roomName: string | null;
  version: number;
}

/** Performance of an agreement. */
export type PerformanceStatus = "pending" | "partly" | "performed" | "breached";

/** A mediation agreement with the content the law requires. */
export interface AgreementView {
  id: string;
  signedOn: DayValue;
  facts: string;
  disputedMatters: string;
  terms: string;
  performanceManner: string;
  performancePlace: string;
  performanceDeadline: DayValue;
  mediatorNames: string[];
  performanceStatus: PerformanceStatus;
  performanceNote: string | null;
  version: number;
}

/** A judicial confirmation with its statutory deadlines. */
export interface ConfirmationView {
  id: string;
  agreementId: string;
  courtName: string;
  appliedOn: DayValue;
  acceptDue: DayValue;
  acceptedOn: DayValue | null;
  ruleDue: DayValue | null;
  extended: boolean;
  ruledOn: DayValue | null;
  result: "pending" | "accepted" | "not_accepted" | "confirmed" | "rejected";
  resultNote: string | null;
  version: number;
}

/** A referral to arbitration, litigation or an administrative procedure. */
export interface ReferralView {
  id: string;
  kind: "arbitration" | "litigation" | "administrative";
  receivingBody: string;
  referredAt: Date;
  result: string | null;
  resultAt: Date | null;
}

/** A follow-up visit (回访). */
export interface FollowUpView {
  id: string;
  method: "phone" | "visit" | "on_site";
  satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
  notes: string | null;
  overrideReason: string | null;
  at: Date;
  byName: string | null;
}

/** An attachment's metadata. */
export interface AttachmentView {
  id: string;
  filename: string;
  mime: string;
  sizeBytes: number;
  uploadedAt: Date;
}

/** A related case (repeat claimant, duplicate). */
export interface LinkView {
  reason: string;
  id: string;
  code: string;
  title: string;
  status: CaseState;
}

/** Where triage sent the case. */
export interface RouteView {
  kind: "window" | "room" | "committee" | "mediator" | "joint_consultation" | "litigation_docking";
  note?: string | null;
  stationingIds?: string[];
}

/** A clock of the case (deadline policies, #5), coloured now; null colour once completed. */
export interface DeadlineView {
  id: string;
  stage: "sign_for" | "first_contact" | "resolution" | "summons_acknowledgement" | "objection_window" | "follow_up";
  ownerCode: string;
  startedAt: Date;
  dueAt: Date;
  completedAt: Date | null;
  paused: boolean;
  colour: "blue" | "yellow" | "red" | null;
}

/**
 * Everything cases.get returns. Why a declared shape: the service's return type is an open
 * record for the case columns, so the UI states here which of them it reads.
 */
export interface CaseDetail {
  id: string;
  code: string;
  title: string;
  description: string;
  status: CaseState;
  heldFrom: CaseState | null;
  holdUntil: DayValue | null;
  categoryCode: string;
  categoryName: string;
  channel: Channel;
  locationCode: string;
  locationName: string | null;
  address: string | null;
  peopleCount: number;
  /** Bigint column: arrives as text. */
  amountCents: string | number | null;
  groupDispute: boolean;
  riskGrade: RiskGrade;
  difficulty: "simple" | "complex";
  route: RouteView | null;
  mediatorId: string | null;
  mediatorName: string | null;
  roomId: string | null;
  roomName: string | null;
  scopeCode: string;
  unitName: string;
  ownerCode: string;
  registeredAt: Date;
  acceptedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  archivedAt: Date | null;
  version: number;
  parties: PartyView[];
  events: CaseEvent[];
  links: LinkView[];
  summons: SummonsView[];
  sessions: SessionView[];
  agreements: AgreementView[];
  confirmations: ConfirmationView[];
  referrals: ReferralView[];
  followUps: FollowUpView[];
  attachments: AttachmentView[];
  deadlines?: DeadlineView[];
  actions: CaseAction[];
}

/** Reads cases.get's answer through the declared shape. */
export function asCaseDetail(raw: Outputs["cases"]["get"]): CaseDetail {
  return raw as unknown as CaseDetail;
}

/** Turns a failed plain-HTTP answer into the UI's error type. */
async function httpFailure(response: Response): Promise<HttpError> {
  const json = (await response.json().catch(() => null)) as Record<string, unknown> | null;
  const details = (json?.details as Record<string, unknown> | undefined) ?? {};
  const body: ServerError = {
    code: typeof json?.code === "string" ? json.code : `HTTP_${response.status}`,
    zh: typeof json?.zh === "string" ? json.zh : "请求失败，请稍后重试",
    en: typeof json?.en === "string" ? json.en : "The request failed; please retry",
    fields: Array.isArray(details.fields) ? (details.fields as FieldProblem[]) : [],
    details,
  };
  return new HttpError(response.status, body);
}

const NETWORK: ServerError = {
  code: "NETWORK",
  zh: "网络异常，请检查网络后重试",
  en: "Network error; check your connection and retry",
  fields: [],
  details: {},
};

/** Uploads an attachment to a case (multipart; the server sniffs the type and limits the size). */
export async function uploadAttachment(caseId: string, file: File): Promise<{ id: string }> {
  const form = new FormData();
  form.append("file", file);
  let response: Response;
  try {
    response = await fetch(`/cases/${encodeURIComponent(caseId)}/attachments`, {
      method: "POST",
      body: form,
      credentials: "same-origin",
    });
  } catch {
    throw new HttpError(0, NETWORK);
  }
  if (!response.ok) throw await httpFailure(response);
  return (await response.json()) as { id: string };
}

/** What the public lookup shows: stages and dates only. */
export interface PublicCase {
  code: string;
  status: CaseState;
  category: string;
  stages: { kind: string; at: string }[];
}

/** 一码可查: the public view of a case by its code and the last 4 digits of the applicant's phone. */
export async function lookupCase(input: { code: string; phoneLast4: string }): Promise<PublicCase> {
  let response: Response;
  try {
    response = await fetch("/public/lookup", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(input),
      credentials: "omit",
    });
  } catch {
    throw new HttpError(0, NETWORK);
  }
  if (!response.ok) throw await httpFailure(response);
  return (await response.json()) as PublicCase;
}
