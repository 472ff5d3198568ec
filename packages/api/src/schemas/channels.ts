import { KEY_PERMISSIONS, PERMISSIONS, type Permission } from "@zongzhi/domain/permissions";
import { z } from "zod";
import { id, int32, pattern, say, strict, text } from "../input.ts";

/**
 * The inputs of the open channels' mutations (channels.createKey, channels.createWebhook). The
 * channels page validates its forms with these same schemas (createDialogForm), so the browser
 * refuses exactly what the server would, in the server's words.
 */

/** The intake channels an API key may register cases through. */
export const KEY_CHANNELS = ["hotline_12345", "online", "department_transfer"] as const;

/** A key to issue: its name, channel, permissions (at least one) and rate limit. */
export const apiKeyInput = strict({
  name: text(60),
  channel: z.enum(KEY_CHANNELS),
  permissions: z
    .array(z.enum(KEY_PERMISSIONS))
    .min(1, say("请至少选择一项权限", "choose at least one permission"))
    .max(KEY_PERMISSIONS.length),
  ratePerMinute: int32({ min: 1, max: 6000 }).default(60),
});

/** A webhook's URL: https, or plain http to this machine only (a receiver beside the server). */
export const webhookUrl = pattern(
  /^(https:\/\/[^\s/?#]+[^\s]*|http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?(\/[^\s]*)?)$/,
  "推送地址须为 https 地址（或本机的 http 地址）",
  "a webhook URL is https (or http to this machine)",
  { max: 500 },
);

/** A webhook to register for one of the unit's keys. */
export const webhookInput = strict({ apiKeyId: id(), url: webhookUrl });

// ---------- answers (channels.*) ----------
// The services' return types are these schemas' types (services/channels.ts, services/webhooks.ts);
// the procedures declare them with `.output()` and the channels page reads them through inferRouterOutputs.

/** An API key as its unit's administrators see it (never its secret), with the requests it brought in. */
export const apiKeyView = z.object({
  id: z.string(),
  name: z.string(),
  keyId: z.string(),
  channel: z.enum(KEY_CHANNELS),
  permissions: z.array(z.enum(PERMISSIONS as [Permission, ...Permission[]])),
  ratePerMinute: z.number(),
  createdAt: z.date(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  version: z.number(),
  requests: z.number(),
});

/** channels.createKey: the key, and the token itself (shown once, never again). */
export const createdApiKey = z.object({ key: apiKeyView, token: z.string() });

/** A webhook as the unit's administrators see it (never its secret), with its pending and failed deliveries. */
export const webhookView = z.object({
  id: z.string(),
  apiKeyId: z.string(),
  apiKeyName: z.string(),
  url: z.string(),
  active: z.boolean(),
  createdAt: z.date(),
  version: z.number(),
  pending: z.number(),
  failed: z.number(),
});

/** channels.createWebhook: the webhook, and its signing secret (shown once). */
export const createdWebhook = z.object({ webhook: webhookView, secret: z.string() });

/** One line of the delivery log (推送记录). */
export const deliveryView = z.object({
  id: z.string(),
  webhookId: z.string(),
  caseId: z.string(),
  code: z.string(),
  event: z.string(),
  status: z.enum(["pending", "delivered", "failed"]),
  attempts: z.number(),
  nextAttemptAt: z.date(),
  lastStatus: z.number().nullable(),
  lastError: z.string().nullable(),
  deliveredAt: z.date().nullable(),
  createdAt: z.date(),
  version: z.number(),
  payload: z.record(z.string(), z.unknown()),
});
