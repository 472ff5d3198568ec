import type { CaseAction, CaseState, Channel, RiskGrade, RouteKind } from "@zongzhi/domain";
import type { DeadlineView } from "./deadlines.ts";
import type { Holding } from "./holdings.ts";

// The declared shapes of what `getCase` returns (cases.get), so that the UI takes its types
// from the router's output instead of a hand-written mirror. Date-only columns arrive as Date
// (UTC midnight); bigint columns as text.

/** A party as cases.get shows it: masked unless the caller asked to reveal and may. */
export interface PartyView {
  id: string;
  role: "applicant" | "respondent" | "third_party";
  kind: "person" | "organisation";
  name: string;
  idNumber: string | null;
  phone: string | null;
  address: string | null;
  orgCode: string | null;
  revealed: boolean;
}

/** One entry of a case's timeline (its digests are only in the auditors' integrity view, cases.integrity). */
export interface CaseEvent {
  seq: number;
  at: Date;
  kind: string;
  payload: Record<string, unknown>;
  actorId: string | null;
  actorName: string | null;
}

/** A related case (repeat claimant, duplicate). */
export interface LinkView {
  reason: string;
  id: string;
  code: string;
  title: string;
  status: CaseState;
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
  signedOn: Date;
  facts: string;
  disputedMatters: string;
  terms: string;
  performanceManner: string;
  performancePlace: string;
  performanceDeadline: Date;
  mediatorNames: string[];
  performanceStatus: PerformanceStatus;
  performanceNote: string | null;
  version: number;
}

/** A judicial confirmation (司法确认) with its statutory deadlines. */
export interface ConfirmationView {
  id: string;
  agreementId: string;
  courtName: string;
  appliedOn: Date;
  acceptDue: Date;
  acceptedOn: Date | null;
  ruleDue: Date | null;
  extended: boolean;
  ruledOn: Date | null;
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

/** Where triage sent the case (the stored `route` document). */
export interface RouteView {
  kind: RouteKind;
  windowId?: string | null;
  roomId?: string | null;
  committeeId?: string | null;
  mediatorId?: string | null;
  stationingIds?: string[];
  note?: string | null;
}

/** The case's own columns as cases.get reads them. */
export interface CaseColumns {
  id: string;
  code: string;
  title: string;
  description: string;
  status: CaseState;
  heldFrom: CaseState | null;
  holdUntil: Date | null;
  categoryCode: string;
  categoryName: string;
  channel: Channel;
  locationCode: string;
  locationName: string | null;
  /** Masked unless revealed. */
  address: string | null;
  /** Where the event happened as a point (a field report: the phone's position or a photo's EXIF GPS). */
  position: { lat: number; lng: number; source: "device" | "photo" | "channel" } | null;
  peopleCount: number;
  /** A bigint column: text. */
  amountCents: string | null;
  groupDispute: boolean;
  riskGrade: RiskGrade;
  difficulty: "simple" | "complex";
  route: RouteView | null;
  mediatorId: string | null;
  roomId: string | null;
  windowId: string | null;
  committeeId: string | null;
  scopeCode: string;
  unitName: string;
  ownerCode: string;
  handlerCode: string | null;
  hopState: "settled" | "awaiting_sign_for";
  bounces: number;
  needsLeaderDecision: boolean;
  leaderId: string | null;
  leaderName: string | null;
  registeredAt: Date;
  acceptedAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  archivedAt: Date | null;
  version: number;
  mediatorName: string | null;
  roomName: string | null;
}

/** Everything about one case the caller may see (cases.get). */
export interface CaseDetail extends CaseColumns {
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
  deadlines: DeadlineView[];
  holdings: Holding[];
  actions: CaseAction[];
}
