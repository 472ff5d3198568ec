import { CASE_ACTIONS, type CaseAction, TRANSITIONS } from "@zongzhi/domain";
import { SUMMONS_STATES } from "@zongzhi/domain/case-records";
import { z } from "zod";
import { id, int32, keysetCursor, noInput, pattern, strict, version } from "../input.ts";
import { caseFilterFields } from "../schemas/case-filter.ts";
import {
  caseDetail,
  casePage,
  confirmationApplied,
  caseCounts as countsAnswer,
  followUpRate as followUpAnswer,
  followUpRecorded,
  caseIntegrity as integrityAnswer,
  liaisonItem,
  mediatorSuggestion,
  myReport,
  registeredCase,
  scheduledSession,
  summoned,
  transitionedCase,
} from "../schemas/case-views.ts";
import {
  agreementInput,
  caseInput,
  confirmationInput,
  confirmationStepInput,
  followUpInput,
  objectionInput,
  performanceInput,
  sessionInput,
  sessionRecordInput,
  summonInput,
  summonsFeedbackInput,
  transitionDataInput,
} from "../schemas/cases.ts";
import { created, versioned } from "../schemas/common.ts";
import { caseIntegrity } from "../services/case-integrity.ts";
import { getCase, listCases, registerCase, transitionCase } from "../services/cases.ts";
import { listMyReports } from "../services/field-reports.ts";
import {
  applyForConfirmation,
  recordAgreement,
  recordConfirmationStep,
  recordFollowUp,
  recordSession,
  scheduleSession,
  updatePerformance,
} from "../services/mediation.ts";
import { caseCounts, followUpRate } from "../services/rollups.ts";
import {
  acknowledgeSummons,
  liaisonInbox,
  objectToSummons,
  recordSummonsFeedback,
  summonDepartments,
} from "../services/summons.ts";
import { suggestMediators } from "../services/triage.ts";
import { allowed, router } from "../trpc.ts";

const ref = { id: id(), version: version() };

/** Every permission a workflow action may take: the gate; the action's own is checked with the owner. */
const TRANSITION_PERMISSIONS = [...new Set(CASE_ACTIONS.map((a) => TRANSITIONS[a].permission))] as [
  (typeof TRANSITIONS)[CaseAction]["permission"],
  ...(typeof TRANSITIONS)[CaseAction]["permission"][],
];

/** Cases: intake, the inbox, the workflow, summons, mediation, agreements, confirmation, follow-up. */

export const casesRouter = router({
  /** Registers a case; honours the Idempotency-Key header (a retry returns the first result). */
  register: allowed("case.register")
    .input(caseInput)
    // A contract: an idempotent retry must get exactly the first answer's shape.
    .output(registeredCase)
    .mutation(({ ctx, input }) =>
      ctx.run((tx) => registerCase(tx, input, ctx.cipher, ctx.idempotencyKey, { last: true })),
    ),

  list: allowed("case.read", "case.read_summoned")
    .meta({ reads: "replica" })
    .input(
      strict({
        ...caseFilterFields,
        before: keysetCursor().optional(),
        limit: int32({ min: 1, max: 200 }).default(50),
      }),
    )
    .output(casePage)
    .query(({ ctx, input }) => ctx.run((tx) => listCases(tx, input))),

  /** One case; personal numbers masked unless `reveal` and the caller may reveal (audited). */
  get: allowed("case.read", "case.read_summoned")
    .input(strict({ id: id(), reveal: z.boolean().default(false) }))
    .output(caseDetail)
    .query(({ ctx, input }) => ctx.run((tx) => getCase(tx, input.id, { reveal: input.reveal, cipher: ctx.cipher }))),

  /** The integrity view: the timeline's hash chain recomputed (auditors only; cases.get carries no digests). */
  integrity: allowed("case.integrity")
    .input(strict({ id: id() }))
    .output(integrityAnswer)
    .query(({ ctx, input }) => ctx.run((tx) => caseIntegrity(tx, input.id))),

  /** Moves a case through the workflow (version-checked). */
  transition: allowed(...TRANSITION_PERMISSIONS)
    .meta({ permissionOf: (input) => TRANSITIONS[(input as { action: CaseAction }).action].permission })
    .input(
      strict({
        ...ref,
        action: z.enum(CASE_ACTIONS),
        data: transitionDataInput.default({}),
      }),
    )
    // A contract: the caller's next transition sends this version.
    .output(transitionedCase)
    .mutation(({ ctx, input }) => ctx.run((tx) => transitionCase(tx, input))),

  /** Mediators ranked for a case: specialty, grade, current load, conflicts of interest. */
  suggestMediators: allowed("case.read")
    .input(strict({ caseId: id() }))
    .output(z.array(mediatorSuggestion))
    .query(({ ctx, input }) => ctx.run((tx) => suggestMediators(tx, input.caseId, ctx.cipher))),

  summon: allowed("case.summon")
    .input(summonInput)
    .output(summoned)
    .mutation(({ ctx, input }) => ctx.run((tx) => summonDepartments(tx, input))),
  acknowledgeSummons: allowed("summons.answer", "summons.answer_any")
    .input(strict(ref))
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => acknowledgeSummons(tx, input))),
  objectToSummons: allowed("summons.answer", "summons.answer_any")
    .input(objectionInput)
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => objectToSummons(tx, input))),
  summonsFeedback: allowed("summons.answer", "summons.answer_any")
    .input(summonsFeedbackInput)
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => recordSummonsFeedback(tx, input))),
  liaisonInbox: allowed("summons.answer")
    .input(strict({ status: z.enum(SUMMONS_STATES).optional() }))
    .output(z.array(liaisonItem))
    .query(({ ctx, input }) => ctx.run((tx) => liaisonInbox(tx, input))),

  scheduleSession: allowed("case.session")
    .input(sessionInput)
    .output(scheduledSession)
    .mutation(({ ctx, input }) => ctx.run((tx) => scheduleSession(tx, input))),
  recordSession: allowed("case.session")
    .input(sessionRecordInput)
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => recordSession(tx, input))),

  recordAgreement: allowed("case.agreement")
    .input(agreementInput)
    .output(created)
    .mutation(({ ctx, input }) => ctx.run((tx) => recordAgreement(tx, input))),
  updatePerformance: allowed("case.agreement")
    .input(performanceInput)
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => updatePerformance(tx, input))),

  applyForConfirmation: allowed("case.agreement")
    .input(confirmationInput)
    .output(confirmationApplied)
    .mutation(({ ctx, input }) => ctx.run((tx) => applyForConfirmation(tx, input))),
  recordConfirmationStep: allowed("case.agreement")
    .input(confirmationStepInput)
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => recordConfirmationStep(tx, input))),

  recordFollowUp: allowed("case.follow_up")
    .input(followUpInput)
    .output(followUpRecorded)
    .mutation(({ ctx, input }) => ctx.run((tx) => recordFollowUp(tx, input))),

  /** The caller's own field reports with their results and reworks (the reporter's loop, 现场确认). */
  myReports: allowed("case.register")
    .input(noInput())
    .output(z.array(myReport))
    .query(({ ctx }) => ctx.run((tx) => listMyReports(tx))),

  followUpRate: allowed("stats.read")
    .meta({ reads: "replica" })
    .input(noInput())
    .output(followUpAnswer)
    .query(({ ctx }) => ctx.run((tx) => followUpRate(tx))),

  /** A subtree's cases as they stand now, by state, colour, category, channel, risk and tier (from rollups). */
  counts: allowed("stats.read")
    .meta({ reads: "replica" })
    .input(strict({ unitCode: unitCode().optional() }))
    .output(countsAnswer)
    .query(({ ctx, input }) => ctx.run((tx) => caseCounts(tx, input.unitCode))),
});

function unitCode() {
  return pattern(/^\d{2,12}$/, "单位应为2–12位区划代码", "a unit is a 2–12 digit division code");
}
