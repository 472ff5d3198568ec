import { permissionsOf, rateLimit, SESSION_ABSOLUTE_MS } from "@zongzhi/auth";
import { z } from "zod";
import { noInput, secret, strict } from "../input.ts";
import { done, me, reauthenticated } from "../schemas/auth.ts";
import { changeOwnPassword } from "../services/account.ts";
import { reauthenticate } from "../services/reauth.ts";
import { pathOf } from "../services/tenants.ts";
import { authedProcedure, router, selfProcedure } from "../trpc.ts";

/** Proofs per user per 10 minutes (a wrong password here does not lock the account; this limit does). */
const REAUTH_RATE = { limit: 10, windowMs: 10 * 60 * 1000 };

/** The signed-in user's own account. */
export const authRouter = router({
  /** Who am I: user, tenant, tier path and the permissions the UI may offer. */
  me: authedProcedure
    .input(noInput())
    .output(me)
    .query(async ({ ctx }) => {
      const u = ctx.user;
      const path = u.tenantId ? await ctx.run((tx) => pathOf(tx, u.scope)) : [];
      return {
        id: u.userId,
        username: u.username,
        displayName: u.displayName,
        roles: u.roles,
        permissions: permissionsOf(u.roles),
        mustChangePassword: u.mustChangePassword,
        totpEnabled: u.totpEnabled,
        /** A second factor is required and not yet set up: the UI holds the user at /mfa. */
        mfaEnrolmentRequired: u.totpRequired && !u.totpEnabled,
        tenant: u.tenant && u.tenantId ? { id: u.tenantId, code: u.scope, ...u.tenant } : null,
        path,
        sessionExpiresAt: new Date(u.sessionCreatedAt.getTime() + SESSION_ABSOLUTE_MS),
      };
    }),

  /** Changes the caller's password; the session is renewed, all others end. */
  changePassword: selfProcedure
    .input(strict({ current: secret(200), next: secret(200) }))
    .output(done)
    .mutation(async ({ ctx, input }) => {
      const { token } = await ctx.run((tx) =>
        changeOwnPassword(tx, { ...input, username: ctx.user.username, displayName: ctx.user.displayName }, ctx.client),
      );
      ctx.setSessionToken(token);
      return { ok: true as const };
    }),

  /**
   * Proves the caller again (password, or a code of its second factor) before a sensitive
   * operation: revealing personal numbers, exporting them, granting roles, new recovery codes.
   */
  reauthenticate: selfProcedure
    .input(strict({ method: z.enum(["password", "totp"]), secret: secret(200) }))
    .output(reauthenticated)
    .mutation(async ({ ctx, input }) => {
      // Counted outside the transaction: a refused proof rolls the transaction back, not the count.
      await rateLimit(ctx.sql, `reauth:${ctx.user.userId}`, REAUTH_RATE.limit, REAUTH_RATE.windowMs);
      return ctx.run((tx) => reauthenticate(tx, ctx.cipher, input, ctx.client.ip));
    }),
});
