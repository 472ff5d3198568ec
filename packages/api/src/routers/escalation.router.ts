import { DEADLINE_STAGES, DEADLINE_UNITS, YELLOW_SHARE } from "@zongzhi/domain";
import { SUPERVISION_STATUSES } from "@zongzhi/domain/supervision";
import { z } from "zod";
import { decimal, id, int32, longText, noInput, pattern, serialId, strict, text, version } from "../input.ts";
import {
  assignDownInput,
  escalateInput,
  refInput,
  returnInput,
  supervisionAnswerInput,
  supervisionInput,
} from "../schemas/cases.ts";
import { created, nothing, versioned } from "../schemas/common.ts";
import {
  ancestorUnit,
  caseHop,
  deadlineCounts as deadlineAnswer,
  effectiveRule as effectiveAnswer,
  inboxPage,
  policyRow,
  returnedCase,
  supervisionRow,
  tierHolding,
} from "../schemas/escalation.ts";
import {
  answerSupervision,
  effectiveRule,
  listPolicies,
  listSupervisions,
  openSupervision,
  setPolicy,
  takeCharge,
} from "../services/deadlines.ts";
import { ancestorUnits, assignDown, casePath, escalateCase, returnCase, signForCase } from "../services/escalation.ts";
import { holdingByTier } from "../services/holdings.ts";
import { listInbox, markRead } from "../services/notifications.ts";
import { deadlineCounts } from "../services/rollups.ts";
import { allowed, authedProcedure, router, selfProcedure } from "../trpc.ts";

const _ref = { id: id(), version: version() };

/** Escalation across tiers (上报 / 签收 / 交办 / 退回) and the notification inbox. */
export const escalationRouter = router({
  /** Units above the caller: where it may escalate. */
  ancestors: allowed("case.read")
    .input(noInput())
    .output(z.array(ancestorUnit))
    .query(({ ctx }) => ctx.run((tx) => ancestorUnits(tx))),
  escalate: allowed("case.escalate")
    .input(escalateInput)
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => escalateCase(tx, input))),
  signFor: allowed("case.sign_for")
    .input(refInput)
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => signForCase(tx, input))),
  assignDown: allowed("case.assign_down")
    .input(assignDownInput)
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => assignDown(tx, input))),
  returnCase: allowed("case.return_hop")
    .input(returnInput)
    .output(returnedCase)
    .mutation(({ ctx, input }) => ctx.run((tx) => returnCase(tx, input))),
  path: allowed("case.read", "case.read_summoned")
    .input(strict({ id: id() }))
    .output(z.array(caseHop))
    .query(({ ctx, input }) => ctx.run((tx) => casePath(tx, input.id))),

  supervisions: allowed("case.read")
    .input(strict({ status: z.enum(SUPERVISION_STATUSES).optional() }))
    .output(z.array(supervisionRow))
    .query(({ ctx, input }) => ctx.run((tx) => listSupervisions(tx, input))),
  openSupervision: allowed("supervision.open")
    .input(supervisionInput)
    .output(created)
    .mutation(({ ctx, input }) => ctx.run((tx) => openSupervision(tx, input))),
  answerSupervision: allowed("supervision.answer")
    .input(supervisionAnswerInput)
    .output(nothing)
    .mutation(({ ctx, input }) => ctx.run((tx) => answerSupervision(tx, input))),
  takeCharge: allowed("case.take_charge")
    .input(strict({ caseId: id(), version: version() }))
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => takeCharge(tx, input))),
  deadlineCounts: allowed("stats.read")
    .meta({ reads: "replica" })
    .input(noInput())
    .output(deadlineAnswer)
    .query(({ ctx }) => ctx.run((tx) => deadlineCounts(tx))),
  /** How long each tier held the subtree's cases (per-tier holding periods, for the cockpit). */
  holdingByTier: allowed("stats.read")
    .meta({ reads: "replica" })
    .input(noInput())
    .output(z.array(tierHolding))
    .query(({ ctx }) => ctx.run((tx) => holdingByTier(tx))),

  policies: allowed("centre.read")
    .input(noInput())
    .output(z.array(policyRow))
    .query(({ ctx }) => ctx.run((tx) => listPolicies(tx))),
  effectivePolicy: allowed("centre.read")
    .input(
      strict({ categoryCode: text(40, { min: 0 }), stage: z.enum(DEADLINE_STAGES), complex: z.boolean().optional() }),
    )
    .output(effectiveAnswer)
    .query(({ ctx, input }) => ctx.run((tx) => effectiveRule(tx, { unitCode: ctx.user.scope, ...input }))),
  setPolicy: allowed("centre.configure")
    .input(
      strict({
        categoryCode: text(40, { min: 0 }).nullable(),
        stage: z.enum(DEADLINE_STAGES),
        amount: int32({ min: 1, max: 3650 }),
        unit: z.enum(DEADLINE_UNITS),
        yellowShare: decimal({ min: 0, max: 1, exclusive: true }).default(YELLOW_SHARE),
        note: longText(200, { min: 0 }).nullish(),
      }),
    )
    .output(versioned)
    .mutation(({ ctx, input }) => ctx.run((tx) => setPolicy(tx, input))),

  inbox: authedProcedure
    .input(
      strict({
        limit: int32({ min: 1, max: 100 }).default(30),
        before: serialId().optional(),
        unread: z.boolean().optional(),
        kind: pattern(/^[a-z_.]{1,60}$/, "消息类型格式不正确", "a notification kind such as case.escalated").optional(),
      }),
    )
    .output(inboxPage)
    .query(({ ctx, input }) => ctx.run((tx) => listInbox(tx, input))),
  markRead: selfProcedure
    .input(strict({ ids: z.array(serialId()).max(500).default([]) }))
    .output(nothing)
    .mutation(({ ctx, input }) => ctx.run((tx) => markRead(tx, input.ids))),
});
