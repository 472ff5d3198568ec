import {
  authorizeOn,
  decryptTotpKey,
  encryptTotpKey,
  generateRecoveryCodes,
  generateTotpKey,
  hashRecoveryCode,
  matchTotpStep,
  normalizeRecoveryCode,
  type SessionUser,
  TOTP_PENDING_TTL_MS,
  totpKeyUri,
  totpSecretBase32,
  verifyPassword,
} from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";
import { users } from "@zongzhi/db/schema";
import { AppError } from "@zongzhi/domain";
import { eq, sql } from "drizzle-orm";
import type { MfaEnrolment, MfaStatus } from "../schemas/accounts.ts";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import type { FieldCipher } from "./personal-data.ts";
import { assertRecentAuth } from "./reauth.ts";

/** The caller's second factor as the UI shows it, and an enrolment in progress (schemas/accounts.ts). */
export type { MfaEnrolment, MfaStatus };

/** What an update sets to clear an account's second factor (its key, its confirmation, its last code). */
const withoutFactor = () => ({
  totpKey: null,
  totpEnabledAt: null,
  totpLastStep: null,
  updatedAt: sql`now()`,
  version: sql`version + 1`,
});

const wrongCode = () =>
  new AppError(
    "VALIDATION",
    { zh: "验证码错误", en: "Wrong verification code" },
    { fields: [{ path: "code", zh: "验证码错误", en: "wrong code" }] },
  );

/** Whether the user may set its deployment's requirement: mfa.require on the deployment's root unit. */
export function isDeploymentRootAdmin(user: SessionUser): boolean {
  return user.tenant !== null && authorizeOn(user, "mfa.require", user.tenant.rootCode);
}

/** Where the caller stands. */
export async function mfaStatus(tx: Tx, user: SessionUser): Promise<MfaStatus> {
  const [row] = await tx.sql<{ n: number }[]>`select auth.recovery_codes_left() as n`;
  return {
    enabled: user.totpEnabled,
    required: user.totpRequired,
    deploymentRequired: user.deploymentRequiresTotp,
    canConfigure: isDeploymentRootAdmin(user),
    recoveryCodesLeft: row?.n ?? 0,
  };
}

/**
 * A new set of recovery codes for the caller's second factor, replacing every earlier one:
 * returned once, here, and kept only as SHA-256 hashes (migration 0073). Needs a proof of
 * identity within the last minutes (re-authentication).
 */
export async function regenerateRecoveryCodes(tx: Tx, user: SessionUser): Promise<{ codes: string[] }> {
  const noFactor = () =>
    new AppError("PRECONDITION_FAILED", {
      zh: "请先启用两步验证，再生成恢复码",
      en: "Set up a second factor before making recovery codes",
    });
  if (!user.totpEnabled) throw noFactor();
  await assertRecentAuth(tx);
  const codes = generateRecoveryCodes();
  const hashes = codes.map((c) => Buffer.from(hashRecoveryCode(normalizeRecoveryCode(c)!)).toString("hex"));
  const [row] = await tx.sql<{ n: number | null }[]>`select auth.recovery_codes_replace(
    array(select decode(h, 'hex') from unnest(${hashes}::text[]) h)) as n`;
  if (row?.n !== codes.length) throw noFactor();
  return { codes };
}

/**
 * Starts (or restarts) an enrolment: a fresh random key, kept encrypted as pending for 10 minutes
 * until a code from it is confirmed. The key is shown to the user once, here, and never again.
 */
export async function beginEnrolment(tx: Tx, cipher: FieldCipher, user: SessionUser): Promise<MfaEnrolment> {
  if (user.totpEnabled) {
    throw new AppError("CONFLICT", {
      zh: "已启用两步验证；如需更换验证器，请先停用",
      en: "A second factor is already set up; turn it off first to replace it",
    });
  }
  const key = generateTotpKey();
  await tx.sql`select auth.totp_begin(${encryptTotpKey(cipher, user.userId, key)})`;
  return {
    uri: totpKeyUri(user.username, key),
    secretBase32: totpSecretBase32(key),
    expiresAt: new Date(Date.now() + TOTP_PENDING_TTL_MS),
  };
}

/** Confirms an enrolment with a code from the new key: from now on sign-in asks for a code. */
export async function confirmEnrolment(
  tx: Tx,
  cipher: FieldCipher,
  user: SessionUser,
  code: string,
  ip: string,
): Promise<{ enabled: true }> {
  const [row] = await tx.sql<{ key: Buffer | null }[]>`select auth.totp_pending_key() as key`;
  if (!row?.key) {
    throw new AppError("PRECONDITION_FAILED", {
      zh: "二维码已过期，请重新开始绑定",
      en: "The enrolment has expired; start again",
    });
  }
  const step = matchTotpStep(decryptTotpKey(cipher, user.userId, row.key), code);
  if (step === null) throw wrongCode();
  const [done] = await tx.sql<{ ok: boolean }[]>`select auth.totp_confirm(${step}) as ok`;
  if (!done?.ok) {
    throw new AppError("PRECONDITION_FAILED", {
      zh: "二维码已过期，请重新开始绑定",
      en: "The enrolment has expired; start again",
    });
  }
  await recordAudit(tx, { kind: "auth.totp_enabled", subjectId: user.userId, ip });
  return { enabled: true };
}

/**
 * Withdraws the caller's own second factor after checking the password and a current code.
 * Refused while the deployment (or the installation, for operators) requires one.
 */
export async function disableOwn(
  tx: Tx,
  cipher: FieldCipher,
  user: SessionUser,
  input: { password: string; code: string },
  ip: string,
): Promise<{ enabled: false }> {
  if (user.totpRequired) {
    throw new AppError("FORBIDDEN", {
      zh: "本单位要求启用两步验证，不能停用",
      en: "Your deployment requires a second factor; it cannot be turned off",
    });
  }
  const [hash] = await tx.sql<{ hash: string | null }[]>`select auth.own_password_hash() as hash`;
  if (!(await verifyPassword(hash?.hash, input.password))) {
    throw new AppError(
      "VALIDATION",
      { zh: "当前密码不正确", en: "The current password is wrong" },
      { fields: [{ path: "password", zh: "当前密码不正确", en: "wrong password" }] },
    );
  }
  const [own] = await tx.sql<{ totp_key: Buffer }[]>`select totp_key from auth.own_totp_key()`;
  if (!own) {
    throw new AppError("PRECONDITION_FAILED", { zh: "尚未启用两步验证", en: "No second factor is set up" });
  }
  if (matchTotpStep(decryptTotpKey(cipher, user.userId, own.totp_key), input.code) === null) throw wrongCode();
  await tx.db.update(users).set(withoutFactor()).where(eq(users.id, user.userId));
  await recordAudit(tx, { kind: "auth.totp_disabled", subjectId: user.userId, ip });
  return { enabled: false };
}

/**
 * Turns the deployment-wide requirement on or off (tenant_admin of the deployment root only;
 * the database function checks that again and audits it). Turning it on requires the caller's
 * own second factor first, so that the person who imposes it has proved the setup works.
 */
export async function setDeploymentRequirement(
  tx: Tx,
  user: SessionUser,
  required: boolean,
): Promise<{ required: boolean }> {
  if (!isDeploymentRootAdmin(user)) {
    throw new AppError("FORBIDDEN", {
      zh: "只有本部署最高一级单位的中心管理员可以设置",
      en: "Only an administrator of the deployment's top unit may set this",
    });
  }
  if (required && !user.totpEnabled) {
    throw new AppError("PRECONDITION_FAILED", {
      zh: "请先为自己的账号启用两步验证",
      en: "Set up your own second factor first",
    });
  }
  await tx.sql`select auth.set_require_totp(${required})`;
  return { required };
}

/**
 * A security administrator clears a user's second factor (a lost phone): the user enrols again.
 * Separation of duties (三权分立): an authentication power (mfa.reset), not the centre
 * administrator's; the database refuses it to any other role as well (migration 0110).
 */
export async function resetUserTotp(tx: Tx, id: string): Promise<{ ok: true }> {
  if (id === tx.ctx.userId) {
    throw new AppError("FORBIDDEN", {
      zh: "不能重置自己的两步验证，请在“两步验证”页面操作",
      en: "Use the second-factor page for your own account",
    });
  }
  const [subject] = await tx.db.select({ scopeCode: users.scopeCode }).from(users).where(eq(users.id, id));
  if (!subject) throw new AppError("NOT_FOUND", { zh: "用户不存在或无权访问", en: "user not found" });
  authorizeFor(tx, "mfa.reset", subject.scopeCode);
  const [row] = await tx.db.update(users).set(withoutFactor()).where(eq(users.id, id)).returning({ id: users.id });
  if (!row) throw new AppError("NOT_FOUND", { zh: "用户不存在或无权访问", en: "user not found" });
  await recordAudit(tx, { kind: "user.totp_reset", subjectId: id });
  return { ok: true };
}
