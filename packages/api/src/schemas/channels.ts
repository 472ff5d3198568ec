import { KEY_PERMISSIONS } from "@zongzhi/domain/permissions";
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
