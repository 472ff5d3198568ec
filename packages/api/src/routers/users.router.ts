import { AppError } from "@zongzhi/domain";
import { z } from "zod";
import { id, int32, noInput, pattern, strict, text, version } from "../input.ts";
import {
  createdAccount,
  onlineSessionView,
  reset,
  securityAdminCount,
  setupLink,
  signedOut,
  userPage,
  userView,
} from "../schemas/accounts.ts";
import { userInput } from "../schemas/users.ts";
import { resetUserTotp } from "../services/mfa.ts";
import { forceSignOut, listOnline } from "../services/online.ts";
import { getTenant } from "../services/tenants.ts";
import {
  authorizeUserManagement,
  countRootSecurityAdmins,
  createUser,
  editUser,
  issueSetupLink,
  listUsers,
  setUserStatus,
  unlockUser,
} from "../services/users.ts";
import { allowed, router } from "../trpc.ts";

const ref = strict({ id: id(), version: version() });

/** Users of the caller's tenant (and, for ancestors, of units below it). */
export const usersRouter = router({
  /** One page of a unit's users (default: the caller's own unit). */
  list: allowed("user.read")
    .input(
      strict({
        tenantId: id().optional(),
        q: text(40, { min: 0 }).optional(),
        after: pattern(/^[a-z0-9._-]{0,48}$/, "分页位置应为登录名", "a page cursor is a login name", {
          max: 48,
        }).optional(),
        limit: int32({ min: 1, max: 200 }).default(50),
      }),
    )
    .output(userPage)
    .query(({ ctx, input }) =>
      ctx.run((tx) => listUsers(tx, { ...input, tenantId: input.tenantId ?? ctx.user.tenantId })),
    ),

  /** Creates a user; returns a one-time setup link to hand over. */
  create: allowed("user.manage")
    .input(userInput.extend({ tenantId: id().optional() }))
    .output(createdAccount)
    .mutation(({ ctx, input }) =>
      ctx.run(async (tx) => {
        const tenantId = input.tenantId ?? ctx.user.tenantId;
        if (!tenantId) {
          throw new AppError("VALIDATION", { zh: "请选择所属单位", en: "Choose the user's unit" });
        }
        await getTenant(tx, tenantId); // NOT_FOUND outside the subtree
        return createUser(tx, { ...input, tenantId }, ctx.origin);
      }),
    ),

  /** Edits name and roles. */
  edit: allowed("user.manage")
    .input(ref.extend(userInput.pick({ displayName: true, roles: true }).shape))
    .output(userView)
    .mutation(({ ctx, input }) => ctx.run((tx) => editUser(tx, input))),

  /** Disables (ends all its sessions) or re-enables a user. */
  setStatus: allowed("user.manage")
    .input(ref.extend({ status: z.enum(["active", "disabled"]) }))
    .output(userView)
    .mutation(({ ctx, input }) => ctx.run((tx) => setUserStatus(tx, input))),

  /** Lifts a lock after failed logins. */
  unlock: allowed("user.manage")
    .input(ref)
    .output(userView)
    .mutation(({ ctx, input }) => ctx.run((tx) => unlockUser(tx, input))),

  /** Clears a user's second factor (a lost phone; the security administrator's power); the user enrols again at the next sign-in. */
  resetTotp: allowed("mfa.reset")
    .input(strict({ id: id() }))
    .output(reset)
    .mutation(({ ctx, input }) => ctx.run((tx) => resetUserTotp(tx, input.id))),

  /**
   * At a deployment's root unit: how many active security administrators it has (0 on a deployment
   * made before the role existed: nobody grants roles, watches sessions or sets the second-factor
   * rule). Null below the root, whose users the caller does not see.
   */
  securityAdmins: allowed("user.read")
    .input(noInput())
    .output(securityAdminCount)
    .query(({ ctx }) => ctx.run((tx) => countRootSecurityAdmins(tx, ctx.user))),

  /** Who is signed in now in the caller's subtree (在线用户). */
  online: allowed("session.read")
    .input(noInput())
    .output(z.array(onlineSessionView))
    .query(({ ctx }) => ctx.run((tx) => listOnline(tx, ctx.user.sessionId))),

  /** Ends a user's session (强制退出); its next request is signed out. */
  signOut: allowed("session.revoke")
    .input(
      strict({
        sessionId: pattern(/^[a-z2-7]{24}$/, "会话编号格式不正确", "a session id is 24 base32 characters", { max: 24 }),
      }),
    )
    .output(signedOut)
    .mutation(({ ctx, input }) => ctx.run((tx) => forceSignOut(tx, input.sessionId, ctx.client.ip))),

  /** Issues a new one-time setup link (e.g. a forgotten password). */
  setupLink: allowed("user.manage")
    .input(strict({ id: id() }))
    .output(setupLink)
    .mutation(({ ctx, input }) =>
      ctx.run(async (tx) => {
        await authorizeUserManagement(tx, input.id);
        return issueSetupLink(tx, input.id, ctx.origin);
      }),
    ),
});
