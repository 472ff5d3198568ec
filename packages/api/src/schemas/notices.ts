import { LEVELS } from "@zongzhi/domain/division";
import { z } from "zod";

// The output contracts of the notices (通知公告): what notices.list, .receipts, .publish and
// .acknowledge answer. The service's return types are these schemas' types (services/notices.ts),
// the procedures declare them with `.output()`, and the notices page reads them through
// inferRouterOutputs. Only zod and the domain's pure modules: the browser may load this module.

/** A file that goes with a notice (通知附件), as its readers see it (also the upload's answer). */
export const noticeFile = z.object({ id: z.string(), filename: z.string(), mime: z.string(), sizeBytes: z.number() });

/** A notice as its readers and its sender see it. */
export const noticeView = z.object({
  id: z.string(),
  scopeCode: z.string(),
  unitName: z.string().nullable(),
  title: z.string(),
  body: z.string(),
  levels: z.array(z.enum(LEVELS)),
  publishedAt: z.date(),
  authorName: z.string().nullable(),
  /** When the caller acknowledged it (received notices), null when not yet. */
  readAt: z.date().nullable(),
  /** How many have acknowledged it (the sender's own notices; null for received ones). */
  reads: z.number().nullable(),
  /** Its files, in the order they were attached. */
  attachments: z.array(noticeFile),
});

/** notices.list: a page of notices, newest first, and how many received ones the caller has not read. */
export const noticeList = z.object({ items: z.array(noticeView), unread: z.number() });

const recipient = z.object({
  userId: z.string(),
  displayName: z.string(),
  username: z.string(),
  unitName: z.string().nullable(),
});

/** notices.receipts: how many the notice reaches, who has read it (when) and who has not yet (500 each at most). */
export const noticeReceiptsView = z.object({
  recipients: z.number(),
  read: z.array(recipient.extend({ readAt: z.date() })),
  unread: z.array(recipient),
});

/** notices.publish and .acknowledge: the notice's id. */
export const noticeRef = z.object({ id: z.string() });
