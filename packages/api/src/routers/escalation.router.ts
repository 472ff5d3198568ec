import { DEADLINE_STAGES } from "@zongzhi/domain";
import { z } from "zod";
import {
  answerSupervision,
  deadlineCounts,
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
import { allowed, authedProcedure, router, selfProcedure } from "../trpc.ts";

const ref = { id: z.uuid(), version: z.number().int() };

/** Escalation across tiers (上报 / 签收 / 交办 / 退回) and the notification inbox. */
export const escalationRouter = router({
  /** Units above the caller: where it may escalate. */
  ancestors: allowed("case.read").query(({ ctx }) => ctx.run((tx) => ancestorUnits(tx))),
  escalate: allowed("case.escalate")
    .input(
      z.object({
        ...ref,
        toCode: z.string().regex(/^\d{2,9}$/),
        reason: z.string().trim().min(1).max(1000),
        urgency: z.enum(["normal", "urgent"]).default("normal"),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => escalateCase(tx, input))),
  signFor: allowed("case.sign_for")
    .input(z.object(ref))
    .mutation(({ ctx, input }) => ctx.run((tx) => signForCase(tx, input))),
  assignDown: allowed("case.assign_down")
    .input(
      z.object({
        ...ref,
        toCode: z.string().regex(/^\d{4,12}$/),
        instructions: z.string().trim().min(1).max(2000),
        deadline: z.date(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => assignDown(tx, input))),
  returnCase: allowed("case.return_hop")
    .input(z.object({ ...ref, reason: z.string().trim().min(1).max(1000) }))
    .mutation(({ ctx, input }) => ctx.run((tx) => returnCase(tx, input))),
  path: allowed("case.read", "case.read_summoned")
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => ctx.run((tx) => casePath(tx, input.id))),

  supervisions: allowed("case.read")
    .input(z.object({ status: z.enum(["open", "answered"]).optional() }))
    .query(({ ctx, input }) => ctx.run((tx) => listSupervisions(tx, input))),
  openSupervision: allowed("supervision.open")
    .input(z.object({ caseId: z.uuid(), instructions: z.string().trim().min(1).max(2000), dueAt: z.date() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => openSupervision(tx, input))),
  answerSupervision: allowed("supervision.answer")
    .input(z.object({ ...ref, answer: z.string().trim().min(1).max(2000) }))
    .mutation(({ ctx, input }) => ctx.run((tx) => answerSupervision(tx, input))),
  takeCharge: allowed("case.take_charge")
    .input(z.object({ caseId: z.uuid(), version: z.number().int() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => takeCharge(tx, input))),
  deadlineCounts: allowed("stats.read").query(({ ctx }) => ctx.run((tx) => deadlineCounts(tx))),
  /** How long each tier held the subtree's cases (per-tier holding periods, for the cockpit). */
  holdingByTier: allowed("stats.read").query(({ ctx }) => ctx.run((tx) => holdingByTier(tx))),

  policies: allowed("centre.read").query(({ ctx }) => ctx.run((tx) => listPolicies(tx))),
  effectivePolicy: allowed("centre.read")
    .input(
      z.object({ categoryCode: z.string().max(40), stage: z.enum(DEADLINE_STAGES), complex: z.boolean().optional() }),
    )
    .query(({ ctx, input }) => ctx.run((tx) => effectiveRule(tx, { unitCode: ctx.user.scope, ...input }))),
  setPolicy: allowed("centre.configure")
    .input(
      z.object({
        categoryCode: z.string().max(40).nullable(),
        stage: z.enum(DEADLINE_STAGES),
        amount: z.number().int().min(1).max(3650),
        unit: z.enum(["hours", "working_days", "calendar_days"]),
        yellowShare: z
          .number()
          .gt(0)
          .lt(1)
          .default(1 / 3),
        note: z.string().max(200).nullish(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => setPolicy(tx, input))),

  inbox: authedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(30), before: z.number().int().optional() }))
    .query(({ ctx, input }) => ctx.run((tx) => listInbox(tx, input))),
  markRead: selfProcedure
    .input(z.object({ ids: z.array(z.number().int()).max(500).default([]) }))
    .mutation(({ ctx, input }) => ctx.run((tx) => markRead(tx, input.ids))),
});
