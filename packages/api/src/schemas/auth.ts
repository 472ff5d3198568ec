import { LEVELS } from "@zongzhi/domain/division";
import { PERMISSIONS, type Permission } from "@zongzhi/domain/permissions";
import { z } from "zod";
import { secret, strict, text } from "../input.ts";

// The session's contracts: the plain HTTP endpoints /auth/* (which set or clear the HttpOnly
// session cookie; apps/api parses their bodies with these inputs and answers with these shapes)
// and the auth procedures (auth.me, auth.changePassword, auth.reauthenticate). The admin UI takes
// its types from here, so that a change of an answer on the server fails the UI's typecheck.
// Only zod, the domain's pure modules and input.ts: the browser may load this module.

/** POST /auth/login. */
export const loginInput = strict({ username: text(48), password: secret(200) });
/** POST /auth/login/totp: the second step of a sign-in with a second factor. */
export const totpLoginInput = strict({ challenge: secret(100), code: text(20) });
/** POST /auth/setup: the one-time setup link's token and the new password. */
export const setupInput = strict({ token: secret(100), password: secret(200) });
/** POST /auth/setup/inspect: whose setup link this is. */
export const setupTokenInput = setupInput.pick({ token: true });

/** A session was opened: what the UI must do first (an initial password, then second-factor enrolment). */
export const signedIn = z.object({
  ok: z.literal(true),
  mustChangePassword: z.boolean(),
  mfaEnrolmentRequired: z.boolean(),
});
/** The password was right and the account has a second factor: the code is asked next (no session yet). */
export const totpChallenge = z.object({ ok: z.literal(false), totp: z.literal(true), challenge: z.string() });
/** What POST /auth/login answers. */
export const loginAnswer = z.union([signedIn, totpChallenge]);
/** What POST /auth/setup/inspect answers. */
export const setupInspection = z.object({ username: z.string(), displayName: z.string() });
/** What POST /auth/setup answers; `signIn`: the account has a second factor, so no session was opened. */
export const setupDone = z.object({ ok: z.literal(true), signIn: z.literal(true).optional() });
/** What POST /auth/logout (and auth.changePassword) answers. */
export const done = z.object({ ok: z.literal(true) });

export type SignedIn = z.output<typeof signedIn>;
export type TotpChallenge = z.output<typeof totpChallenge>;
export type LoginAnswer = z.output<typeof loginAnswer>;
export type SetupInspection = z.output<typeof setupInspection>;
export type SetupDone = z.output<typeof setupDone>;
export type Done = z.output<typeof done>;

const unitRef = z.object({ code: z.string(), name: z.string(), level: z.enum(LEVELS) });

/** auth.me: who am I (user, unit, its path from the top) and the permissions the UI may offer. */
export const me = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  permissions: z.array(z.enum(PERMISSIONS as [Permission, ...Permission[]])),
  mustChangePassword: z.boolean(),
  totpEnabled: z.boolean(),
  /** A second factor is required and not yet set up: the UI holds the user at /mfa. */
  mfaEnrolmentRequired: z.boolean(),
  /** The user's unit (null for the installation's operators). */
  tenant: z
    .object({ id: z.string(), code: z.string(), name: z.string(), level: z.enum(LEVELS), rootCode: z.string() })
    .nullable(),
  /** The units from the top of the tree down to the user's own. */
  path: z.array(unitRef),
  sessionExpiresAt: z.date(),
});

/** auth.reauthenticate: until when sensitive operations are open. */
export const reauthenticated = z.object({ until: z.date() });
