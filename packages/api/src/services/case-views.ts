import type { z } from "zod";
import type {
  agreementView,
  attachmentView,
  attendee,
  caseColumns,
  caseCounts,
  caseDetail,
  caseEvent,
  casePage,
  caseSummary,
  caseTotal,
  confirmationView,
  deadlineView,
  followUpRate,
  followUpView,
  holdingView,
  linkView,
  partyView,
  referralView,
  routeView,
  sessionView,
  summonsView,
} from "../schemas/case-views.ts";

// The declared shapes of what the case services return: the types of the procedures' output
// schemas (schemas/case-views.ts), so that a shape is written once and the UI takes its types
// from the router's output instead of a hand-written mirror.

export type PartyView = z.output<typeof partyView>;
export type CaseEvent = z.output<typeof caseEvent>;
export type LinkView = z.output<typeof linkView>;
export type SummonsView = z.output<typeof summonsView>;
export type Attendee = z.output<typeof attendee>;
export type SessionView = z.output<typeof sessionView>;
export type AgreementView = z.output<typeof agreementView>;
export type PerformanceStatus = AgreementView["performanceStatus"];
export type ConfirmationView = z.output<typeof confirmationView>;
export type ReferralView = z.output<typeof referralView>;
export type FollowUpView = z.output<typeof followUpView>;
export type AttachmentView = z.output<typeof attachmentView>;
export type RouteView = z.output<typeof routeView>;
export type CaseColumns = z.output<typeof caseColumns>;
export type CaseDetail = z.output<typeof caseDetail>;
export type DeadlineView = z.output<typeof deadlineView>;
export type Holding = z.output<typeof holdingView>;
export type CaseSummary = z.output<typeof caseSummary>;
export type CaseTotal = z.output<typeof caseTotal>;
export type CasePage = z.output<typeof casePage>;
export type CaseCounts = z.output<typeof caseCounts>;
export type FollowUpRate = z.output<typeof followUpRate>;
