import {
  FOLLOW_UP_METHODS,
  PARTY_ROLES,
  PERFORMANCE_STATUSES,
  REFERRAL_KINDS,
  SATISFACTIONS,
  SESSION_OUTCOMES,
  SUMMONS_STATES,
} from "@zongzhi/domain/case-records";
import { CASE_ACTIONS, CASE_STATES, CHANNELS, RISK_GRADES, ROUTE_KINDS } from "@zongzhi/domain/case-workflow";
import { DEADLINE_STAGES, WARNING_COLOURS } from "@zongzhi/domain/deadlines";
import { LEVELS } from "@zongzhi/domain/division";
import { RANK_REASONS } from "@zongzhi/domain/mediator-ranking";
import { z } from "zod";

// The output contracts of the case procedures: what cases.list, cases.get, cases.register and
// the other cases.* procedures answer. The services' return types are these schemas' types (services/case-views.ts), the
// procedures declare them with `.output()`, and the UI reads them through inferRouterOutputs.
// Date-only columns arrive as Date (UTC midnight); bigint columns as text. Only zod and the
// domain's pure modules: the browser may load this module.

const nullableDate = z.date().nullable();

/** A case's clock (`case_deadlines`) as the case page shows it, with its colour now. */
export const deadlineView = z.object({
  id: z.string(),
  stage: z.enum(DEADLINE_STAGES),
  ownerCode: z.string(),
  startedAt: z.date(),
  dueAt: z.date(),
  completedAt: nullableDate,
  paused: z.boolean(),
  policyVersion: z.number(),
  /** Null once completed. */
  colour: z.enum(WARNING_COLOURS).nullable(),
  /**
   * A working-day clock that reaches a year with no calendar data (neither the package nor an
   * entry of the owner's): the first such date. Its deadline treats holidays as working days
   * and is shown with a warning.
   */
  calendarGap: z.string().nullable(),
});

/** One period a unit held a case (kept by the database on every change of owner; 0022). */
export const holdingView = z.object({
  holderCode: z.string(),
  holderName: z.string().nullable(),
  level: z.enum(LEVELS).nullable(),
  heldFrom: z.date(),
  heldUntil: nullableDate,
  /** handover: the case moved on; finished: closed, cancelled or merged; null: still held. */
  ended: z.enum(["handover", "finished"]).nullable(),
  /** Hours held, up to `now` for the current holder. */
  hours: z.number(),
});

/** A party as cases.get shows it: masked unless the caller asked to reveal and may. */
export const partyView = z.object({
  id: z.string(),
  role: z.enum(PARTY_ROLES),
  kind: z.enum(["person", "organisation"]),
  name: z.string(),
  idNumber: z.string().nullable(),
  phone: z.string().nullable(),
  address: z.string().nullable(),
  orgCode: z.string().nullable(),
  revealed: z.boolean(),
});

/** One entry of a case's timeline (its digests are only in the auditors' integrity view, cases.integrity). */
export const caseEvent = z.object({
  seq: z.number(),
  at: z.date(),
  kind: z.string(),
  payload: z.record(z.string(), z.unknown()),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
});

/** A related case (repeat claimant, duplicate). */
export const linkView = z.object({
  reason: z.string(),
  id: z.string(),
  code: z.string(),
  title: z.string(),
  status: z.enum(CASE_STATES),
});

/** A department summoned to a case (吹哨报到). */
export const summonsView = z.object({
  id: z.string(),
  stationingId: z.string(),
  departmentName: z.string(),
  residency: z.enum(["permanent", "rotating", "on_call"]),
  summonedAt: z.date(),
  dueAt: z.date(),
  objectionDeadline: z.date(),
  instructions: z.string().nullable(),
  status: z.enum(SUMMONS_STATES),
  acknowledgedAt: nullableDate,
  objectedAt: nullableDate,
  objectionReason: z.string().nullable(),
  objectionResponsible: z.string().nullable(),
  action: z.string().nullable(),
  feedback: z.string().nullable(),
  feedbackAt: nullableDate,
  version: z.number(),
});

/** One attendee of a mediation session. */
export const attendee = z.object({ name: z.string(), role: z.string(), present: z.boolean() });

/** A mediation session (booked room, attendance, notes, outcome). */
export const sessionView = z.object({
  id: z.string(),
  startsAt: z.date(),
  endsAt: z.date(),
  attendance: z.array(attendee).nullable(),
  notes: z.string().nullable(),
  outcome: z.enum(SESSION_OUTCOMES).nullable(),
  bookingId: z.string().nullable(),
  roomName: z.string().nullable(),
  version: z.number(),
});

/** A mediation agreement with the content the law requires. */
export const agreementView = z.object({
  id: z.string(),
  signedOn: z.date(),
  facts: z.string(),
  disputedMatters: z.string(),
  terms: z.string(),
  performanceManner: z.string(),
  performancePlace: z.string(),
  performanceDeadline: z.date(),
  mediatorNames: z.array(z.string()),
  performanceStatus: z.enum(PERFORMANCE_STATUSES),
  performanceNote: z.string().nullable(),
  version: z.number(),
});

/** A judicial confirmation (司法确认) with its statutory deadlines. */
export const confirmationView = z.object({
  id: z.string(),
  agreementId: z.string(),
  courtName: z.string(),
  appliedOn: z.date(),
  acceptDue: z.date(),
  acceptedOn: nullableDate,
  ruleDue: nullableDate,
  extended: z.boolean(),
  ruledOn: nullableDate,
  result: z.enum(["pending", "accepted", "not_accepted", "confirmed", "rejected"]),
  resultNote: z.string().nullable(),
  version: z.number(),
});

/** A referral to arbitration, litigation or an administrative procedure. */
export const referralView = z.object({
  id: z.string(),
  kind: z.enum(REFERRAL_KINDS),
  receivingBody: z.string(),
  referredAt: z.date(),
  result: z.string().nullable(),
  resultAt: nullableDate,
});

/** A follow-up visit (回访). */
export const followUpView = z.object({
  id: z.string(),
  method: z.enum(FOLLOW_UP_METHODS),
  satisfaction: z.enum(SATISFACTIONS),
  notes: z.string().nullable(),
  overrideReason: z.string().nullable(),
  at: z.date(),
  byName: z.string().nullable(),
});

/** An attachment's metadata. */
export const attachmentView = z.object({
  id: z.string(),
  filename: z.string(),
  mime: z.string(),
  sizeBytes: z.number(),
  uploadedAt: z.date(),
});

/** Where triage sent the case (the stored `route` document). */
export const routeView = z.object({
  kind: z.enum(ROUTE_KINDS),
  windowId: z.string().nullish(),
  roomId: z.string().nullish(),
  committeeId: z.string().nullish(),
  mediatorId: z.string().nullish(),
  stationingIds: z.array(z.string()).optional(),
  note: z.string().nullish(),
});

/** The case's own columns as cases.get reads them. */
export const caseColumns = z.object({
  id: z.string(),
  code: z.string(),
  title: z.string(),
  description: z.string(),
  status: z.enum(CASE_STATES),
  heldFrom: z.enum(CASE_STATES).nullable(),
  holdUntil: nullableDate,
  categoryCode: z.string(),
  categoryName: z.string(),
  channel: z.enum(CHANNELS),
  locationCode: z.string(),
  locationName: z.string().nullable(),
  /** Masked unless revealed. */
  address: z.string().nullable(),
  /** Where the event happened as a point (a field report: the phone's position or a photo's EXIF GPS). */
  position: z.object({ lat: z.number(), lng: z.number(), source: z.enum(["device", "photo", "channel"]) }).nullable(),
  peopleCount: z.number(),
  /** A bigint column: text. */
  amountCents: z.string().nullable(),
  groupDispute: z.boolean(),
  riskGrade: z.enum(RISK_GRADES),
  difficulty: z.enum(["simple", "complex"]),
  route: routeView.nullable(),
  mediatorId: z.string().nullable(),
  roomId: z.string().nullable(),
  windowId: z.string().nullable(),
  committeeId: z.string().nullable(),
  scopeCode: z.string(),
  unitName: z.string(),
  ownerCode: z.string(),
  handlerCode: z.string().nullable(),
  hopState: z.enum(["settled", "awaiting_sign_for"]),
  bounces: z.number(),
  needsLeaderDecision: z.boolean(),
  leaderId: z.string().nullable(),
  leaderName: z.string().nullable(),
  registeredAt: z.date(),
  acceptedAt: nullableDate,
  resolvedAt: nullableDate,
  closedAt: nullableDate,
  archivedAt: nullableDate,
  version: z.number(),
  mediatorName: z.string().nullable(),
  roomName: z.string().nullable(),
});

/** Everything about one case the caller may see (cases.get). */
export const caseDetail = caseColumns.extend({
  parties: z.array(partyView),
  events: z.array(caseEvent),
  links: z.array(linkView),
  summons: z.array(summonsView),
  sessions: z.array(sessionView),
  agreements: z.array(agreementView),
  confirmations: z.array(confirmationView),
  referrals: z.array(referralView),
  followUps: z.array(followUpView),
  attachments: z.array(attachmentView),
  deadlines: z.array(deadlineView),
  holdings: z.array(holdingView),
  /** The workflow actions the caller may take now. */
  actions: z.array(z.enum(CASE_ACTIONS)),
});

/** A case as its list shows it. */
export const caseSummary = z.object({
  id: z.string(),
  code: z.string(),
  title: z.string(),
  status: z.enum(CASE_STATES),
  categoryCode: z.string(),
  categoryName: z.string(),
  channel: z.enum(CHANNELS),
  riskGrade: z.enum(RISK_GRADES),
  groupDispute: z.boolean(),
  peopleCount: z.number(),
  scopeCode: z.string(),
  unitName: z.string(),
  ownerCode: z.string(),
  registeredAt: z.date(),
  version: z.number(),
  /** The most urgent running clock's due time, and the worst running clock's colour (red/yellow/blue), if any. */
  nextDueAt: nullableDate,
  deadlineColour: z.enum(WARNING_COLOURS).nullable(),
});

/**
 * How many cases an inbox filter matches ("共 N 件"): exact, or at least `n` when only bounded
 * (by the count's bound, or for a text search by the page: `n` is then one more than the page holds).
 */
export const caseTotal = z.object({ n: z.number(), exact: z.boolean() });

/** One page of cases (cases.list): the next page's cursor, and the total with the first page. */
export const casePage = z.object({
  items: z.array(caseSummary),
  next: z.string().nullable(),
  total: caseTotal.nullable(),
});

/** What cases.register answers: the case, and whether this was a retry of an earlier request. */
export const registeredCase = z.object({ id: z.uuid(), code: z.string(), replayed: z.boolean() });

/** What cases.transition answers: the state reached and the case's new version. */
export const transitionedCase = z.object({ status: z.enum(CASE_STATES), version: z.number().int() });

const tally = z.record(z.string(), z.number());

/** cases.counts: a subtree's cases as they stand now (from the rollups). */
export const caseCounts = z.object({
  unitCode: z.string(),
  total: z.number(),
  byState: tally,
  byColour: tally,
  byCategory: tally,
  byChannel: tally,
  byRisk: tally,
  /** By the tier that owns the case now (where it is handled). */
  byTier: tally,
  /** By the tier of the unit that registered it. */
  byLevel: tally,
  groupDisputes: z.number(),
  /** Closed or archived cases, and those of them followed up (回访). */
  closed: z.number(),
  followedUp: z.number(),
});

/** cases.followUpRate: closed cases of the subtree and the share of them followed up (null: none closed). */
export const followUpRate = z.object({ closed: z.number(), followedUp: z.number(), rate: z.number().nullable() });

// ---------- the other cases.* answers ----------

/** One link of a case's timeline as the integrity view shows it, with its digests. */
export const integrityLink = z.object({
  seq: z.number(),
  at: z.date(),
  kind: z.string(),
  payload: z.record(z.string(), z.unknown()),
  actorName: z.string().nullable(),
  /** Hex SHA-256 of the previous link (null for the first). */
  prevHash: z.string().nullable(),
  hash: z.string(),
  /** Why this link does not hold (null when it does): recomputed, not read from a flag. */
  problem: z.enum(["hash_mismatch", "prev_mismatch", "seq_gap"]).nullable(),
});

/** cases.integrity (完整性校验): every link with its digests, and whether the chain holds. */
export const caseIntegrity = z.object({
  code: z.string(),
  intact: z.boolean(),
  /** The digest of the last link, as the case row keeps it (the chain head). */
  head: z.string().nullable(),
  headMatches: z.boolean(),
  links: z.array(integrityLink),
});

/** cases.suggestMediators: a mediator proposed for a case, with the reasons for its rank. */
export const mediatorSuggestion = z.object({
  id: z.string(),
  name: z.string(),
  grade: z.string(),
  poolName: z.string(),
  specialties: z.array(z.string()),
  openCases: z.number(),
  conflict: z.boolean(),
  score: z.number(),
  reasons: z.array(z.enum(RANK_REASONS)),
});

/** cases.liaisonInbox: a summons as a liaison's inbox lists it. */
export const liaisonItem = z.object({
  id: z.string(),
  caseId: z.string(),
  code: z.string(),
  title: z.string(),
  caseStatus: z.enum(CASE_STATES),
  departmentName: z.string(),
  summonedAt: z.date(),
  dueAt: z.date(),
  objectionDeadline: z.date(),
  status: z.enum(SUMMONS_STATES),
  instructions: z.string().nullable(),
  version: z.number(),
});

/** cases.myReports: one of the caller's field reports as the phone page shows it (the reporter's loop). */
export const myReport = z.object({
  id: z.string(),
  code: z.string(),
  title: z.string(),
  status: z.enum(CASE_STATES),
  registeredAt: z.date(),
  /** The handler's result (the last resolve's outcome), once there is one. */
  outcome: z.string().nullable(),
  /** How often the result was rejected and the case sent back for rework (重办). */
  reworks: z.number(),
  /** The result awaits the reporter's confirmation on site: followed up, and not yet answered by the reporter. */
  awaitingConfirmation: z.boolean(),
});

/** cases.summon: one summons per department summoned. */
export const summoned = z.array(z.object({ id: z.string(), stationingId: z.string() }));

/** cases.scheduleSession: the session and its room booking. */
export const scheduledSession = z.object({ id: z.string(), bookingId: z.string() });

/** cases.applyForConfirmation: the application and the court's acceptance deadline (a date, YYYY-MM-DD). */
export const confirmationApplied = z.object({ id: z.string(), acceptDue: z.string() });

/** cases.recordFollowUp: whether the follow-up sent the case back for rework (重办). */
export const followUpRecorded = z.object({ reopened: z.boolean() });
