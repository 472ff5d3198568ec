import { assertPasswordPolicy, type ClientInfo, hashPassword, startSession, verifyPassword } from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";
import { users } from "@zongzhi/db/schema";
import { AppError } from "@zongzhi/domain";
import { eq, sql } from "drizzle-orm";
import { recordAudit } from "./audit.ts";

/**
 * Changes the caller's own password after checking the current one. Every session of the
 * user ends (database trigger), including this one; a fresh session token is returned.
 */
export async function changeOwnPassword(
  tx: Tx,
  input: { current: string; next: string; username: string; displayName?: string },
  client: ClientInfo,
): Promise<{ token: string }> {
  const [row] = await tx.sql<{ hash: string | null }[]>`select auth.own_password_hash() as hash`;
  if (!(await verifyPassword(row?.hash, input.current))) {
    throw new AppError(
      "VALIDATION",
      { zh: "当前密码不正确", en: "The current password is wrong" },
      { fields: [{ path: "current", zh: "当前密码不正确", en: "wrong password" }] },
    );
  }
  if (input.current === input.next) {
    throw new AppError("PASSWORD_POLICY", { zh: "新密码不能与当前密码相同", en: "Choose a different password" });
  }
  await assertPasswordPolicy(input.next, input.username, input.displayName ? [input.displayName] : []);
  const userId = tx.ctx.userId!;
  await tx.db
    .update(users)
    .set({
      passwordHash: await hashPassword(input.next),
      mustChangePassword: false,
      passwordChangedAt: sql`now()`,
      updatedAt: sql`now()`,
      version: sql`version + 1`,
    })
    .where(eq(users.id, userId));
  await recordAudit(tx, { kind: "auth.password_changed", subjectId: userId, ip: client.ip });
  return { token: await startSession(tx.sql, userId, client, "auth.session_renewed") };
}
