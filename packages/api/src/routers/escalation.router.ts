import { z } from "zod";
import { ancestorUnits, assignDown, casePath, escalateCase, returnCase, signForCase } from "../services/escalation.ts";
import { listInbox, markRead } from "../services/notifications.ts";
import { allowed, authedProcedure, router } from "../trpc.ts";

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
  signFor: allowed("case.escalate")
    .input(z.object(ref))
    .mutation(({ ctx, input }) => ctx.run((tx) => signForCase(tx, input))),
  assignDown: allowed("case.escalate")
    .input(
      z.object({
        ...ref,
        toCode: z.string().regex(/^\d{4,12}$/),
        instructions: z.string().trim().min(1).max(2000),
        deadline: z.date(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => assignDown(tx, input))),
  returnCase: allowed("case.escalate")
    .input(z.object({ ...ref, reason: z.string().trim().min(1).max(1000) }))
    .mutation(({ ctx, input }) => ctx.run((tx) => returnCase(tx, input))),
  path: allowed("case.read")
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => ctx.run((tx) => casePath(tx, input.id))),

  inbox: authedProcedure
    .input(z.object({ limit: z.number().int().min(1).max(100).default(30), before: z.number().int().optional() }))
    .query(({ ctx, input }) => ctx.run((tx) => listInbox(tx, input))),
  markRead: authedProcedure
    .input(z.object({ ids: z.array(z.number().int()).max(500).default([]) }))
    .mutation(({ ctx, input }) => ctx.run((tx) => markRead(tx, input.ids))),
});
