import { rateLimit } from "@zongzhi/auth";
import { z } from "zod";
import { noInput, secret, strict, text } from "../input.ts";
import {
  mfaDisabled,
  mfaEnabled,
  mfaEnrolmentView,
  mfaRequirement,
  mfaStatusView,
  recoveryCodes,
} from "../schemas/accounts.ts";
import {
  beginEnrolment,
  confirmEnrolment,
  disableOwn,
  mfaStatus,
  regenerateRecoveryCodes,
  setDeploymentRequirement,
} from "../services/mfa.ts";
import { allowed, authedProcedure, router, selfProcedure } from "../trpc.ts";

const code = text(12, { min: 6 });
/** Code guesses per user per 10 minutes on enrolment and withdrawal (sign-in has its own lock). */
const CODE_RATE = { limit: 10, windowMs: 10 * 60 * 1000 };

/** The caller's second factor (TOTP): enrolment, withdrawal, and the deployment's requirement. */
export const mfaRouter = router({
  /** Whether the caller has a second factor, must have one, and may set the deployment's rule. */
  status: authedProcedure
    .input(noInput())
    .output(mfaStatusView)
    .query(({ ctx }) => ctx.run((tx) => mfaStatus(tx, ctx.user))),

  /** A new set of 10 recovery codes (shown once; earlier ones stop working); needs a fresh proof. */
  recoveryCodes: selfProcedure
    .input(noInput())
    .output(recoveryCodes)
    .mutation(({ ctx }) => ctx.run((tx) => regenerateRecoveryCodes(tx, ctx.user))),

  /** Starts an enrolment: a new key as an otpauth URI (QR code) and in base32; 10 minutes to confirm. */
  begin: selfProcedure
    .input(noInput())
    .output(mfaEnrolmentView)
    .mutation(({ ctx }) => ctx.run((tx) => beginEnrolment(tx, ctx.cipher, ctx.user))),

  /** Confirms the enrolment with a code from the authenticator app. */
  confirm: selfProcedure
    .input(strict({ code }))
    .output(mfaEnabled)
    .mutation(async ({ ctx, input }) => {
      // Counted outside the transaction: a refused code rolls the transaction back, not the count.
      await rateLimit(ctx.sql, `mfa:${ctx.user.userId}`, CODE_RATE.limit, CODE_RATE.windowMs);
      return ctx.run((tx) => confirmEnrolment(tx, ctx.cipher, ctx.user, input.code, ctx.client.ip));
    }),

  /** Turns the caller's own second factor off (password and a current code; not where required). */
  disable: selfProcedure
    .input(strict({ password: secret(200), code }))
    .output(mfaDisabled)
    .mutation(async ({ ctx, input }) => {
      await rateLimit(ctx.sql, `mfa:${ctx.user.userId}`, CODE_RATE.limit, CODE_RATE.windowMs);
      return ctx.run((tx) => disableOwn(tx, ctx.cipher, ctx.user, input, ctx.client.ip));
    }),

  /** Requires (or stops requiring) a second factor of every staff member of the deployment. */
  setRequired: allowed("mfa.require")
    .input(strict({ required: z.boolean() }))
    .output(mfaRequirement)
    .mutation(({ ctx, input }) => ctx.run((tx) => setDeploymentRequirement(tx, ctx.user, input.required))),
});
