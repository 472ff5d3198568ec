import { LEVELS } from "@zongzhi/domain";
import { z } from "zod";
import { id, int32, longText, strict, text } from "../input.ts";
import { noticeList, noticeReceiptsView, noticeRef } from "../schemas/notices.ts";
import { acknowledgeNotice, listNotices, noticeReceipts, publishNotice } from "../services/notices.ts";
import { allowed, router } from "../trpc.ts";

/** Notices (通知公告): a unit publishes to its subtree, readers acknowledge, the sender sees who has read. */
export const noticesRouter = router({
  /** The notices addressed to my unit (or, `sent`, my unit's own with read counts), newest first. */
  list: allowed("notice.read")
    .input(
      strict({
        box: z.enum(["received", "sent"]).default("received"),
        unread: z.boolean().optional(),
        limit: int32({ min: 1, max: 200 }).default(50),
      }),
    )
    .output(noticeList)
    .query(({ ctx, input }) => ctx.run((tx) => listNotices(tx, input))),

  /** Who has read a notice of my subtree, and who has not yet. */
  receipts: allowed("notice.read")
    .input(strict({ id: id() }))
    .output(noticeReceiptsView)
    .query(({ ctx, input }) => ctx.run((tx) => noticeReceipts(tx, input.id))),

  /** Publishes a notice to my subtree: every tier, or the tiers chosen. */
  publish: allowed("notice.publish")
    .input(
      strict({
        title: text(100),
        body: longText(5000),
        levels: z.array(z.enum(LEVELS)).max(LEVELS.length).default([]),
      }),
    )
    .output(noticeRef)
    .mutation(({ ctx, input }) => ctx.run((tx) => publishNotice(tx, input))),

  /** Acknowledges a notice addressed to my unit (已读确认). */
  acknowledge: allowed("notice.acknowledge")
    .input(strict({ id: id() }))
    .output(noticeRef)
    .mutation(({ ctx, input }) => ctx.run((tx) => acknowledgeNotice(tx, input.id))),
});
