import { ROLES } from "@zongzhi/domain/roles";
import { z } from "zod";

// The output contracts of the accounts (the users and mfa routers, and the first administrators
// the tenants and platform routers create): what their procedures answer. The services' return
// types are these schemas' types, the procedures declare them with `.output()`, and the UI reads
// them through inferRouterOutputs. Never a password hash, a TOTP key or a session's secret.
// Only zod and the domain's pure modules: the browser may load this module.

/** A user as administrators see it. */
export const userView = z.object({
  id: z.string(),
  tenantId: z.string().nullable(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(ROLES)),
  status: z.enum(["active", "disabled"]),
  mustChangePassword: z.boolean(),
  locked: z.boolean(),
  lockedUntil: z.date().nullable(),
  passwordSet: z.boolean(),
  /** A second factor (TOTP) is set up. */
  totpEnabled: z.boolean(),
  createdAt: z.date(),
  version: z.number(),
});

/** A one-time link that lets a new user choose a password (its token travels in the fragment). */
export const setupLink = z.object({ url: z.string(), expiresAt: z.date() });

/** A new account with its setup link (users.create, a first administrator). */
export const createdAccount = z.object({ user: userView, setupLink });

/** One page of a unit's users by login name; `next` is the cursor of the next page (null: the last). */
export const userPage = z.object({ items: z.array(userView), next: z.string().nullable() });

/** users.securityAdmins: the root unit's active security administrators (null below the root). */
export const securityAdminCount = z.object({ securityAdmins: z.number().nullable() });

/** One live session of the caller's subtree (在线用户, users.online). */
export const onlineSessionView = z.object({
  id: z.string(),
  userId: z.string(),
  username: z.string(),
  displayName: z.string(),
  scopeCode: z.string(),
  unitName: z.string().nullable(),
  signedInAt: z.date(),
  lastActiveAt: z.date(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  /** The caller's own session (it signs out from the header, not from this list). */
  current: z.boolean(),
});

/** users.signOut: whose session was ended. */
export const signedOut = z.object({ userId: z.string() });

/** The caller's second factor as the UI shows it (mfa.status). */
export const mfaStatusView = z.object({
  /** A confirmed authenticator is bound to the account. */
  enabled: z.boolean(),
  /** The account must have one (its deployment, or for operators the installation, requires it). */
  required: z.boolean(),
  /** The deployment's switch (false for operators). */
  deploymentRequired: z.boolean(),
  /** The caller may flip the deployment's switch (a security administrator of the deployment root). */
  canConfigure: z.boolean(),
  /** Unused recovery codes left (0 when none were made). */
  recoveryCodesLeft: z.number(),
});

/** An enrolment in progress: what the authenticator app needs (mfa.begin). */
export const mfaEnrolmentView = z.object({
  /** otpauth:// URI, shown as a QR code. */
  uri: z.string(),
  /** The key in base32, for typing in by hand. */
  secretBase32: z.string(),
  expiresAt: z.date(),
});

/** mfa.recoveryCodes: the new codes, shown once. */
export const recoveryCodes = z.object({ codes: z.array(z.string()) });
/** mfa.confirm and mfa.disable: whether a second factor is now set up. */
export const mfaEnabled = z.object({ enabled: z.literal(true) });
export const mfaDisabled = z.object({ enabled: z.literal(false) });
/** mfa.setRequired: the deployment's rule now. */
export const mfaRequirement = z.object({ required: z.boolean() });
/** users.resetTotp. */
export const reset = z.object({ ok: z.literal(true) });

export type UserView = z.output<typeof userView>;
export type SetupLink = z.output<typeof setupLink>;
export type CreatedAccount = z.output<typeof createdAccount>;
export type UserPage = z.output<typeof userPage>;
export type MfaStatus = z.output<typeof mfaStatusView>;
export type MfaEnrolment = z.output<typeof mfaEnrolmentView>;
