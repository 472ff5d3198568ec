import { KEY_PERMISSIONS } from "@zongzhi/domain";
import { z } from "zod";
import { id, int32, noInput, pattern, strict, text, version } from "../input.ts";
import { createApiKey, KEY_CHANNELS, listApiKeys, revokeApiKey } from "../services/channels.ts";
import { checkWebhookTarget, PUBLIC_ONLY } from "../services/webhook-targets.ts";
import { createWebhook, listDeliveries, listWebhooks, replayDelivery } from "../services/webhooks.ts";
import { allowed, router } from "../trpc.ts";

/** A webhook's URL: https, or plain http to this machine only (a receiver beside the server). */
const webhookUrl = pattern(
  /^(https:\/\/[^\s/?#]+[^\s]*|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?(\/[^\s]*)?)$/,
  "推送地址须为 https 地址（或本机的 http 地址）",
  "a webhook URL is https (or http to this machine)",
  { max: 500 },
);

/** Open channels: the API keys of integrators (12345, apps) of the caller's unit. */
export const channelsRouter = router({
  keys: allowed("channel.read")
    .input(noInput())
    .query(({ ctx }) => ctx.run((tx) => listApiKeys(tx))),
  /** Issues a key; the answer carries the key itself, which is never shown again. */
  createKey: allowed("channel.manage")
    .input(
      strict({
        name: text(60),
        channel: z.enum(KEY_CHANNELS),
        permissions: z.array(z.enum(KEY_PERMISSIONS)).min(1).max(KEY_PERMISSIONS.length),
        ratePerMinute: int32({ min: 1, max: 6000 }).default(60),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => createApiKey(tx, input))),
  revokeKey: allowed("channel.manage")
    .input(strict({ id: id(), version: version() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => revokeApiKey(tx, input))),
  webhooks: allowed("channel.read")
    .input(noInput())
    .query(({ ctx }) => ctx.run((tx) => listWebhooks(tx))),
  /** Adds a signed webhook to a key; the answer carries the signing secret, shown once. */
  createWebhook: allowed("channel.manage")
    .input(strict({ apiKeyId: id(), url: webhookUrl }))
    .mutation(async ({ ctx, input }) => {
      // Resolved and checked before the transaction opens (a slow resolver holds no connection).
      await checkWebhookTarget(input.url, ctx.webhookNetwork ?? PUBLIC_ONLY);
      return ctx.run((tx) => createWebhook(tx, ctx.cipher, input));
    }),
  /** The delivery log (推送记录), newest first. */
  deliveries: allowed("channel.read")
    .input(strict({ webhookId: id().optional(), limit: int32({ min: 1, max: 500 }).default(100) }).optional())
    .query(({ ctx, input }) =>
      ctx.run((tx) => listDeliveries(tx, { webhookId: input?.webhookId, limit: input?.limit ?? 100 })),
    ),
  replayDelivery: allowed("channel.manage")
    .input(strict({ id: id(), version: version() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => replayDelivery(tx, input))),
});
