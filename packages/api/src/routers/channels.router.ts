import { z } from "zod";
import { id, int32, noInput, strict, version } from "../input.ts";
import {
  apiKeyInput,
  apiKeyView,
  createdApiKey,
  createdWebhook,
  deliveryView,
  webhookInput,
  webhookView,
} from "../schemas/channels.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../services/channels.ts";
import { checkWebhookTarget, PUBLIC_ONLY } from "../services/webhook-targets.ts";
import { createWebhook, listDeliveries, listWebhooks, replayDelivery } from "../services/webhooks.ts";
import { allowed, router } from "../trpc.ts";

/** Open channels: the API keys of integrators (12345, apps) of the caller's unit. */
export const channelsRouter = router({
  keys: allowed("channel.read")
    .input(noInput())
    .output(z.array(apiKeyView))
    .query(({ ctx }) => ctx.run((tx) => listApiKeys(tx))),
  /** Issues a key; the answer carries the key itself, which is never shown again. */
  createKey: allowed("channel.manage")
    .input(apiKeyInput)
    .output(createdApiKey)
    .mutation(({ ctx, input }) => ctx.run((tx) => createApiKey(tx, input))),
  revokeKey: allowed("channel.manage")
    .input(strict({ id: id(), version: version() }))
    .output(apiKeyView)
    .mutation(({ ctx, input }) => ctx.run((tx) => revokeApiKey(tx, input))),
  webhooks: allowed("channel.read")
    .input(noInput())
    .output(z.array(webhookView))
    .query(({ ctx }) => ctx.run((tx) => listWebhooks(tx))),
  /** Adds a signed webhook to a key; the answer carries the signing secret, shown once. */
  createWebhook: allowed("channel.manage")
    .input(webhookInput)
    .output(createdWebhook)
    .mutation(async ({ ctx, input }) => {
      // Resolved and checked before the transaction opens (a slow resolver holds no connection).
      await checkWebhookTarget(input.url, ctx.webhookNetwork ?? PUBLIC_ONLY);
      return ctx.run((tx) => createWebhook(tx, ctx.cipher, input));
    }),
  /** The delivery log (推送记录), newest first. */
  deliveries: allowed("channel.read")
    .input(strict({ webhookId: id().optional(), limit: int32({ min: 1, max: 500 }).default(100) }).optional())
    .output(z.array(deliveryView))
    .query(({ ctx, input }) =>
      ctx.run((tx) => listDeliveries(tx, { webhookId: input?.webhookId, limit: input?.limit ?? 100 })),
    ),
  replayDelivery: allowed("channel.manage")
    .input(strict({ id: id(), version: version() }))
    .output(deliveryView)
    .mutation(({ ctx, input }) => ctx.run((tx) => replayDelivery(tx, input))),
});
