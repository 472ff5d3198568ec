import { decryptTotpKey, matchTotpStep, verifyPassword } from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";
import { AppError } from "@zongzhi/domain";
import type { FieldCipher } from "./personal-data.ts";

/**
 * How recent a proof of the password or a second-factor code must be before a sensitive
 * operation (MLPS level 3): revealing personal numbers, exporting ledgers with personal data,
 * granting roles, replacing recovery codes. The sign-in itself counts as a proof.
 */
export const REAUTH_WINDOW_MS = 5 * 60 * 1000;

/** How a caller proves itself again. */
export type ReauthMethod = "password" | "totp";

/**
 * Throws REAUTH_REQUIRED unless the caller's session proved the password or a code within
 * {@link REAUTH_WINDOW_MS}. Callers without a session (system actors, API keys) never reach a
 * sensitive operation; they are refused too.
 */
export async function assertRecentAuth(tx: Tx, now: Date = new Date()): Promise<void> {
  const sessionId = tx.ctx.sessionId;
  const [row] = sessionId
    ? await tx.sql<{ at: Date | null }[]>`select auth.session_last_proof(${sessionId}) as at`
    : [];
  if (row?.at && now.getTime() - row.at.getTime() <= REAUTH_WINDOW_MS) return;
  const minutes = REAUTH_WINDOW_MS / 60_000;
  throw new AppError(
    "REAUTH_REQUIRED",
    {
      zh: `此操作须在最近 ${minutes} 分钟内验证身份：请重新输入密码或两步验证码`,
      en: `This needs a proof of identity within the last ${minutes} minutes: enter your password or a verification code again`,
    },
    { reauth: { windowMinutes: minutes } },
  );
}

const refused = (path: "secret", zh: string, en: string) =>
  new AppError("VALIDATION", { zh, en }, { fields: [{ path, zh, en }] });

/**
 * Proves the caller again with its password or a current code of its second factor, for this
 * session only; audited (auth.reauthenticated). A code already used (at sign-in or before) is
 * refused like at sign-in. Returns until when sensitive operations are open.
 */
export async function reauthenticate(
  tx: Tx,
  cipher: FieldCipher,
  input: { method: ReauthMethod; secret: string },
  ip: string,
): Promise<{ until: Date }> {
  const userId = tx.ctx.userId;
  const sessionId = tx.ctx.sessionId;
  if (!userId || !sessionId) throw new AppError("UNAUTHENTICATED", { zh: "请先登录", en: "Please sign in" });
  let step: number | null = null;
  if (input.method === "password") {
    const [row] = await tx.sql<{ hash: string | null }[]>`select auth.own_password_hash() as hash`;
    if (!(await verifyPassword(row?.hash, input.secret))) {
      throw refused("secret", "密码不正确", "The password is wrong");
    }
  } else {
    const [own] = await tx.sql<{ totp_key: Buffer }[]>`select totp_key from auth.own_totp_key()`;
    if (!own) {
      throw new AppError("PRECONDITION_FAILED", {
        zh: "尚未启用两步验证，请用密码验证",
        en: "No second factor is set up; use your password",
      });
    }
    const matched = matchTotpStep(decryptTotpKey(cipher, userId, own.totp_key), input.secret);
    if (matched === null) throw refused("secret", "验证码错误", "Wrong verification code");
    step = matched;
  }
  const [done] = await tx.sql<{ outcome: string }[]>`select auth.session_reauthenticate(${sessionId},
    ${step}::bigint, ${input.method}, ${ip}) as outcome`;
  if (done?.outcome === "replayed") {
    throw refused(
      "secret",
      "该验证码已使用过，请等待验证器显示新的验证码",
      "This code was used already; wait for the next one",
    );
  }
  if (done?.outcome !== "ok") throw new AppError("UNAUTHENTICATED", { zh: "请先登录", en: "Please sign in" });
  return { until: new Date(Date.now() + REAUTH_WINDOW_MS) };
}
