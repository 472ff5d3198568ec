import { DEADLINE_STAGES, DEADLINE_UNITS, type EffectiveRule, WARNING_COLOURS } from "@zongzhi/domain/deadlines";
import { LEVELS } from "@zongzhi/domain/division";
import { SUPERVISION_LEVELS, SUPERVISION_STATUSES } from "@zongzhi/domain/supervision";
import { z } from "zod";

// The output contracts of the escalation procedures (escalation.*): the tiers above, a case's
// path across tiers, supervisions, the deadline policies, the dashboard's clocks and holdings,
// the notification inbox. The services' return types are these schemas' types; the procedures
// declare them with `.output()`. Only zod and the domain's pure modules: the browser may load it.

/** escalation.ancestors: a unit above the caller (where it may escalate), nearest last. */
export const ancestorUnit = z.object({ id: z.string(), code: z.string(), name: z.string(), level: z.enum(LEVELS) });

/** The kinds of a hop across tiers (app.case_hops' CHECK, 0008). */
export const HOP_KINDS = ["escalate", "sign_for", "assign_down", "return", "leader_decision"] as const;

/** escalation.path: one hop of a case across tiers (village → township → county …). */
export const caseHop = z.object({
  kind: z.enum(HOP_KINDS),
  fromCode: z.string(),
  toCode: z.string(),
  reason: z.string().nullable(),
  instructions: z.string().nullable(),
  urgency: z.enum(["normal", "urgent"]),
  deadline: z.date().nullable(),
  at: z.date(),
});

/** escalation.returnCase: the case's new version, and whether the owning tier's leader must now decide (past 2 returns). */
export const returnedCase = z.object({ version: z.number().int(), needsLeader: z.boolean() });

/** escalation.supervisions: a supervision (督办) as the list shows it. */
export const supervisionRow = z.object({
  id: z.string(),
  caseId: z.string(),
  code: z.string(),
  title: z.string(),
  addressedTo: z.string(),
  unitName: z.string().nullable(),
  level: z.enum(SUPERVISION_LEVELS),
  openedBy: z.enum(["system", "leader"]),
  instructions: z.string().nullable(),
  dueAt: z.date(),
  status: z.enum(SUPERVISION_STATUSES),
  answer: z.string().nullable(),
  createdAt: z.date(),
  version: z.number(),
});

/** escalation.policies: a deadline rule as the policies page lists it. */
export const policyRow = z.object({
  id: z.string(),
  scopeCode: z.string(),
  unitName: z.string().nullable(),
  categoryCode: z.string().nullable(),
  stage: z.enum(DEADLINE_STAGES),
  amount: z.number(),
  unit: z.enum(DEADLINE_UNITS),
  yellowShare: z.number(),
  version: z.number(),
  note: z.string().nullable(),
  createdAt: z.date(),
});

/** escalation.effectivePolicy: the rule in force for a unit, category and stage (domain `EffectiveRule`). */
export const effectiveRule = z.object({
  id: z.string().nullable(),
  amount: z.number(),
  unit: z.enum(DEADLINE_UNITS),
  yellowShare: z.number(),
  version: z.number(),
  scopeCode: z.string().nullable(),
}) satisfies z.ZodType<EffectiveRule, EffectiveRule>;

/** Running clocks by colour (红黄蓝). */
const colourCounts = z.object(
  Object.fromEntries(WARNING_COLOURS.map((c) => [c, z.number()])) as Record<
    (typeof WARNING_COLOURS)[number],
    z.ZodNumber
  >,
);

/** escalation.deadlineCounts: the dashboard's deadline block, the subtree's totals and the units with the most red first. */
export const deadlineCounts = z.object({
  totals: colourCounts,
  /** The first units with running clocks: most red, then most yellow, then by code. */
  units: z.array(colourCounts.extend({ unitCode: z.string(), unitName: z.string().nullable() })),
  /** How many units have running clocks (the list shows the first few). */
  unitCount: z.number(),
});

/** escalation.holdingByTier: how long one tier held the subtree's cases. */
export const tierHolding = z.object({
  level: z.enum(LEVELS).nullable(),
  /** Cases that tier held at some time. */
  cases: z.number(),
  /** Holding periods (a case bounced back to a tier counts again). */
  periods: z.number(),
  /** Periods still running. */
  current: z.number(),
  totalHours: z.number(),
  /** Average hours per period. */
  averageHours: z.number(),
});

/** One notification of the inbox. */
export const inboxItem = z.object({
  id: z.number(),
  kind: z.string(),
  caseId: z.string().nullable(),
  caseCode: z.string().nullable(),
  title: z.string(),
  createdAt: z.date(),
  read: z.boolean(),
});

/** escalation.inbox: the caller's unit's notifications, newest first, with the unread counts. */
export const inboxPage = z.object({
  items: z.array(inboxItem),
  unread: z.number(),
  unreadByKind: z.record(z.string(), z.number()),
});
