import { KEY_PERMISSIONS } from "@zongzhi/domain";
import { z } from "zod";
import { id, int32, noInput, strict, text, version } from "../input.ts";
import { createApiKey, KEY_CHANNELS, listApiKeys, revokeApiKey } from "../services/channels.ts";
import { allowed, router } from "../trpc.ts";

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
});
