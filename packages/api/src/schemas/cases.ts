import {
  PARTY_ROLES,
  PERFORMANCE_STATUSES,
  REFERRAL_KINDS,
  SATISFACTIONS,
  SESSION_OUTCOMES,
  STAFF_FOLLOW_UP_METHODS,
} from "@zongzhi/domain/case-records";
import { CHANNELS, RISK_GRADES, ROUTE_KINDS } from "@zongzhi/domain/case-workflow";
import { EXCLUDED_MATTERS } from "@zongzhi/domain/judicial-confirmation";
import { z } from "zod";
import { decimal, id, instant, int32, isoDate, longText, pattern, say, strict, text, version } from "../input.ts";
import { timeSpan } from "./common.ts";

// Input schemas of the case procedures. Intake: the tRPC procedure and the field report's
// multipart route (apps/api) parse with the same rules and bilingual messages. The dialogs of the
// admin UI (summons, mediation sessions, agreements, judicial confirmation, follow-up, the
// workflow actions, escalation and supervision) validate with these too, so a form refuses
// exactly what the procedure would, with the same message. Only zod, the domain's pure modules
// and input.ts here: the browser bundles this module.

const optionalText = (max: number) => text(max, { min: 0 }).nullish();

const party = strict({
  role: z.enum(PARTY_ROLES),
  kind: z.enum(["person", "organisation"]),
  name: text(60),
  idNumber: optionalText(30),
  phone: optionalText(20),
  address: optionalText(200),
  orgCode: optionalText(30),
});

/** A case as intake registers it (cases.register). */
export const caseInput = strict({
  categoryCode: text(40),
  channel: z.enum(CHANNELS),
  title: text(100),
  description: longText(5000),
  locationCode: pattern(/^\d{6,12}$/, "地点应为6–12位区划代码", "a location is a 6–12 digit division code"),
  address: optionalText(200),
  peopleCount: int32({ min: 1, max: 100000 }).default(1),
  amountYuan: decimal({ min: 0, max: 1e12 }).nullish(),
  groupDispute: z.boolean().default(false),
  riskGrade: z.enum(RISK_GRADES).default("none"),
  difficulty: z.enum(["simple", "complex"]).default("simple"),
  parties: z.array(party).min(1).max(50),
});

/** Where the reporter stood: the phone's position (WGS 84 degrees, accuracy in metres). */
export const reportPosition = strict({
  lat: decimal({ min: -90, max: 90 }),
  lng: decimal({ min: -180, max: 180 }),
  accuracy: int32({ min: 0, max: 100000 }).nullish(),
});

/** A field report (现场上报): the case, and the phone's position when the worker gave it. */
export const fieldReportInput = strict({
  report: caseInput,
  position: reportPosition.nullish(),
});

const ref = { id: id(), version: version() };

/** Where triage sends a case (the route of a triage transition). */
const route = strict({
  kind: z.enum(ROUTE_KINDS),
  windowId: id().nullish(),
  roomId: id().nullish(),
  committeeId: id().nullish(),
  mediatorId: id().nullish(),
  stationingIds: z.array(id()).max(20).optional(),
  note: longText(500, { min: 0 }).nullish(),
});

/**
 * The data a workflow transition carries; which of it an action needs is TRANSITIONS[action].needs,
 * checked by the domain's `missingFields` (the service and the action dialog alike).
 */
export const transitionDataInput = strict({
  reason: longText(1000, { min: 0 }).optional(),
  route: route.optional(),
  outcome: longText(2000, { min: 0 }).optional(),
  referral: strict({
    kind: z.enum(REFERRAL_KINDS),
    receivingBody: text(100),
  }).optional(),
  duplicateOf: id().optional(),
  holdUntil: isoDate().optional(),
});

/** 吹哨: stationed or on-call departments summoned to a case, with the hours they have. */
export const summonInput = strict({
  caseId: id(),
  stationingIds: z.array(id()).min(1, say("请至少选择一个部门", "choose at least one department")).max(20),
  dueHours: int32({ min: 1, max: 24 * 30 }),
  instructions: longText(1000, { min: 0 }).nullish(),
});

/** A mediation session booked in a room (scheduleSession). */
export const sessionInput = timeSpan(
  strict({
    caseId: id(),
    roomId: id(),
    startsAt: instant(),
    endsAt: instant(),
    mediatorIds: z.array(id()).max(10).default([]),
  }),
);

/** What a session recorded: attendance, notes, outcome (recordSession). */
export const sessionRecordInput = strict({
  ...ref,
  attendance: z.array(strict({ name: text(60), role: text(30), present: z.boolean() })).max(100),
  notes: longText(10000, { min: 0 }),
  outcome: z.enum(SESSION_OUTCOMES),
});

/** The agreement with every item the People's Mediation Law requires (recordAgreement). */
export const agreementInput = strict({
  caseId: id(),
  signedOn: isoDate(),
  facts: longText(10000),
  disputedMatters: longText(5000),
  terms: longText(10000),
  performanceManner: longText(1000),
  performancePlace: text(200),
  performanceDeadline: isoDate(),
  mediatorNames: z.array(text(30)).min(1, say("请填写调解员姓名", "name the mediators")).max(10),
}).refine((a) => a.performanceDeadline >= a.signedOn, {
  path: ["performanceDeadline"],
  params: { zh: "履行期限不能早于签订日期", en: "the performance deadline is before the signing date" },
});

/** Whether an agreement was performed (updatePerformance). */
export const performanceInput = strict({
  ...ref,
  status: z.enum(PERFORMANCE_STATUSES),
  note: longText(1000, { min: 0 }).nullish(),
});

/** An application for judicial confirmation (applyForConfirmation). */
export const confirmationInput = strict({
  agreementId: id(),
  courtName: text(60),
  appliedOn: isoDate(),
  matters: z.array(z.enum(EXCLUDED_MATTERS)).max(3).default([]),
});

/** A step of the court (recordConfirmationStep). */
export const confirmationStepInput = strict({
  ...ref,
  step: z.enum(["accepted", "not_accepted", "extended", "confirmed", "rejected"]),
  on: isoDate(),
  note: longText(1000, { min: 0 }).nullish(),
});

/** A follow-up visit (recordFollowUp). */
export const followUpInput = strict({
  caseId: id(),
  method: z.enum(STAFF_FOLLOW_UP_METHODS),
  satisfaction: z.enum(SATISFACTIONS),
  notes: longText(2000, { min: 0 }).nullish(),
  overrideReason: longText(1000, { min: 0 }).nullish(),
});

/** 督办: instructions and a reply deadline for the unit owning a case (openSupervision). */
export const supervisionInput = strict({ caseId: id(), instructions: longText(2000), dueAt: instant() });

/** The addressed unit's answer to a supervision (answerSupervision). */
export const supervisionAnswerInput = strict({ ...ref, answer: longText(2000) });

/** A version-checked act on a row that carries nothing else (签收 signFor). */
export const refInput = strict(ref);

/** 上报: to the parent or an ancestor, with a reason and urgency (escalate). */
export const escalateInput = strict({
  ...ref,
  toCode: pattern(/^\d{2,9}$/, "上级单位应为2–9位区划代码", "the unit above is a 2–9 digit division code"),
  reason: longText(1000),
  urgency: z.enum(["normal", "urgent"]).default("normal"),
});

/** 交办: to a unit below, with instructions and a deadline (assignDown). */
export const assignDownInput = strict({
  ...ref,
  toCode: pattern(/^\d{4,12}$/, "下级单位应为4–12位区划代码", "the unit below is a 4–12 digit division code"),
  instructions: longText(2000),
  deadline: instant(),
});

/** 退回: back to where the case came from, with the reason (returnCase). */
export const returnInput = strict({ ...ref, reason: longText(1000) });

/** A liaison's objection to a summons (objectToSummons). */
export const objectionInput = strict({ ...ref, reason: longText(1000), responsible: text(100, { min: 0 }).nullish() });

/** A liaison's report on a summons: what was done, the feedback (summonsFeedback). */
export const summonsFeedbackInput = strict({ ...ref, action: longText(1000), feedback: longText(2000) });
