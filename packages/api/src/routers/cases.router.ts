import {
  CASE_ACTIONS,
  CASE_STATES,
  type CaseAction,
  CHANNELS,
  EXCLUDED_MATTERS,
  isIsoDate,
  RISK_GRADES,
  ROUTE_KINDS,
  TRANSITIONS,
} from "@zongzhi/domain";
import { z } from "zod";
import { getCase, listCases, registerCase, transitionCase } from "../services/cases.ts";
import {
  applyForConfirmation,
  followUpRate,
  recordAgreement,
  recordConfirmationStep,
  recordFollowUp,
  recordSession,
  scheduleSession,
  updatePerformance,
} from "../services/mediation.ts";
import {
  acknowledgeSummons,
  liaisonInbox,
  objectToSummons,
  recordSummonsFeedback,
  summonDepartments,
} from "../services/summons.ts";
import { suggestMediators } from "../services/triage.ts";
import { allowed, router } from "../trpc.ts";

const bilingual = (zh: string, en: string) => ({ params: { zh, en } });
const isoDate = z.string().refine(isIsoDate, bilingual("日期格式应为 YYYY-MM-DD", "a date as YYYY-MM-DD"));
const text = (max: number) => z.string().trim().min(1).max(max);
const ref = { id: z.uuid(), version: z.number().int() };

/** Every permission a workflow action may take: the gate; the action's own is checked with the owner. */
const TRANSITION_PERMISSIONS = [...new Set(CASE_ACTIONS.map((a) => TRANSITIONS[a].permission))] as [
  (typeof TRANSITIONS)[CaseAction]["permission"],
  ...(typeof TRANSITIONS)[CaseAction]["permission"][],
];

const party = z.object({
  role: z.enum(["applicant", "respondent", "third_party"]),
  kind: z.enum(["person", "organisation"]),
  name: text(60),
  idNumber: z.string().trim().max(30).nullish(),
  phone: z.string().trim().max(20).nullish(),
  address: z.string().trim().max(200).nullish(),
  orgCode: z.string().trim().max(30).nullish(),
});

const caseInput = z.object({
  categoryCode: text(40),
  channel: z.enum(CHANNELS),
  title: text(100),
  description: text(5000),
  locationCode: z.string().regex(/^\d{6,12}$/),
  address: z.string().trim().max(200).nullish(),
  peopleCount: z.number().int().min(1).max(100000).default(1),
  amountYuan: z.number().min(0).max(1e12).nullish(),
  groupDispute: z.boolean().default(false),
  riskGrade: z.enum(RISK_GRADES).default("none"),
  difficulty: z.enum(["simple", "complex"]).default("simple"),
  parties: z.array(party).min(1).max(50),
});

const route = z.object({
  kind: z.enum(ROUTE_KINDS),
  windowId: z.uuid().nullish(),
  roomId: z.uuid().nullish(),
  committeeId: z.uuid().nullish(),
  mediatorId: z.uuid().nullish(),
  stationingIds: z.array(z.uuid()).max(20).optional(),
  note: z.string().max(500).nullish(),
});

/** Cases: intake, the inbox, the workflow, summons, mediation, agreements, confirmation, follow-up. */
export const casesRouter = router({
  /** Registers a case; honours the Idempotency-Key header (a retry returns the first result). */
  register: allowed("case.register")
    .input(caseInput)
    .mutation(({ ctx, input }) => ctx.run((tx) => registerCase(tx, input, ctx.cipher, ctx.idempotencyKey))),

  list: allowed("case.read", "case.read_summoned")
    .input(
      z.object({
        status: z.array(z.enum(CASE_STATES)).max(CASE_STATES.length).optional(),
        categoryCode: z.string().max(40).optional(),
        channel: z.enum(CHANNELS).optional(),
        riskGrade: z.enum(RISK_GRADES).optional(),
        deadlineColour: z.enum(["blue", "yellow", "red"]).optional(),
        level: z.enum(["province", "city", "county", "township", "village"]).optional(),
        unitCode: z
          .string()
          .regex(/^\d{2,12}$/)
          .optional(),
        q: z.string().trim().max(60).optional(),
        before: z.string().max(80).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => ctx.run((tx) => listCases(tx, input))),

  /** One case; personal numbers masked unless `reveal` and the caller may reveal (audited). */
  get: allowed("case.read", "case.read_summoned")
    .input(z.object({ id: z.uuid(), reveal: z.boolean().default(false) }))
    .query(({ ctx, input }) => ctx.run((tx) => getCase(tx, input.id, { reveal: input.reveal, cipher: ctx.cipher }))),

  /** Moves a case through the workflow (version-checked). */
  transition: allowed(...TRANSITION_PERMISSIONS)
    .meta({ permissionOf: (input) => TRANSITIONS[(input as { action: CaseAction }).action].permission })
    .input(
      z.object({
        ...ref,
        action: z.enum(CASE_ACTIONS),
        data: z
          .object({
            reason: z.string().trim().max(1000).optional(),
            route: route.optional(),
            outcome: z.string().trim().max(2000).optional(),
            referral: z
              .object({ kind: z.enum(["arbitration", "litigation", "administrative"]), receivingBody: text(100) })
              .optional(),
            duplicateOf: z.uuid().optional(),
            holdUntil: isoDate.optional(),
          })
          .default({}),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => transitionCase(tx, input))),

  /** Mediators ranked for a case: specialty, grade, current load, conflicts of interest. */
  suggestMediators: allowed("case.read")
    .input(z.object({ caseId: z.uuid() }))
    .query(({ ctx, input }) => ctx.run((tx) => suggestMediators(tx, input.caseId, ctx.cipher))),

  summon: allowed("case.summon")
    .input(
      z.object({
        caseId: z.uuid(),
        stationingIds: z.array(z.uuid()).min(1).max(20),
        dueHours: z
          .number()
          .int()
          .min(1)
          .max(24 * 30),
        instructions: z.string().trim().max(1000).nullish(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => summonDepartments(tx, input))),
  acknowledgeSummons: allowed("summons.answer", "summons.answer_any")
    .input(z.object(ref))
    .mutation(({ ctx, input }) => ctx.run((tx) => acknowledgeSummons(tx, input))),
  objectToSummons: allowed("summons.answer", "summons.answer_any")
    .input(z.object({ ...ref, reason: text(1000), responsible: z.string().trim().max(100).nullish() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => objectToSummons(tx, input))),
  summonsFeedback: allowed("summons.answer", "summons.answer_any")
    .input(z.object({ ...ref, action: text(1000), feedback: text(2000) }))
    .mutation(({ ctx, input }) => ctx.run((tx) => recordSummonsFeedback(tx, input))),
  liaisonInbox: allowed("summons.answer")
    .input(z.object({ status: z.enum(["pending", "acknowledged", "objected", "done"]).optional() }))
    .query(({ ctx, input }) => ctx.run((tx) => liaisonInbox(tx, input))),

  scheduleSession: allowed("case.session")
    .input(
      z.object({
        caseId: z.uuid(),
        roomId: z.uuid(),
        startsAt: z.date(),
        endsAt: z.date(),
        mediatorIds: z.array(z.uuid()).max(10).default([]),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => scheduleSession(tx, input))),
  recordSession: allowed("case.session")
    .input(
      z.object({
        ...ref,
        attendance: z.array(z.object({ name: text(60), role: text(30), present: z.boolean() })).max(100),
        notes: z.string().max(10000),
        outcome: z.enum(["continued", "agreement", "failed"]),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => recordSession(tx, input))),

  recordAgreement: allowed("case.agreement")
    .input(
      z.object({
        caseId: z.uuid(),
        signedOn: isoDate,
        facts: text(10000),
        disputedMatters: text(5000),
        terms: text(10000),
        performanceManner: text(1000),
        performancePlace: text(200),
        performanceDeadline: isoDate,
        mediatorNames: z.array(text(30)).min(1).max(10),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => recordAgreement(tx, input))),
  updatePerformance: allowed("case.agreement")
    .input(
      z.object({
        ...ref,
        status: z.enum(["pending", "partly", "performed", "breached"]),
        note: z.string().max(1000).nullish(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => updatePerformance(tx, input))),

  applyForConfirmation: allowed("case.agreement")
    .input(
      z.object({
        agreementId: z.uuid(),
        courtName: text(60),
        appliedOn: isoDate,
        matters: z.array(z.enum(EXCLUDED_MATTERS)).max(3).default([]),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => applyForConfirmation(tx, input))),
  recordConfirmationStep: allowed("case.agreement")
    .input(
      z.object({
        ...ref,
        step: z.enum(["accepted", "not_accepted", "extended", "confirmed", "rejected"]),
        on: isoDate,
        note: z.string().max(1000).nullish(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => recordConfirmationStep(tx, input))),

  recordFollowUp: allowed("case.follow_up")
    .input(
      z.object({
        caseId: z.uuid(),
        method: z.enum(["phone", "visit", "on_site"]),
        satisfaction: z.enum(["satisfied", "basically_satisfied", "unsatisfied"]),
        notes: z.string().max(2000).nullish(),
        overrideReason: z.string().trim().max(1000).nullish(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => recordFollowUp(tx, input))),

  followUpRate: allowed("stats.read").query(({ ctx }) => ctx.run((tx) => followUpRate(tx))),
});
