import type { FieldCipher } from "@zongzhi/crypto";
import type { ScopeContext, Sql } from "@zongzhi/db/client";
import { AppError, type Level, type Message, passwordProblems } from "@zongzhi/domain";
import { hashPassword, verifyPassword } from "./password.ts";
import { assertPasswordStrength } from "./password-strength.ts";
import { hashRecoveryCode, normalizeRecoveryCode } from "./recovery-codes.ts";
import { hashSecret, mintToken, parseToken, secretMatches } from "./tokens.ts";
import { decryptTotpKey, isReplay, LOGIN_CHALLENGE_TTL_MS, matchTotpStep, totpRequiredFor } from "./totp.ts";

/** Idle limit: a session unused this long is gone (MLPS level 3: 30 minutes). */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** Absolute limit: no session outlives this, however active (12 hours). */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Failed passwords in a row that lock an account. */
export const MAX_FAILED_LOGINS = 5;
/** How long a lock lasts. */
export const LOCK_MS = 30 * 60 * 1000;
/**
 * Failed sign-ins allowed per client address per window (successful ones do not count: a centre
 * behind one government-network address signs everyone in at shift start).
 */
export const LOGIN_FAILURE_RATE = { limit: 30, windowMs: 10 * 60 * 1000 };
/** Setup-link attempts allowed per client address per window. */
export const SETUP_RATE = { limit: 30, windowMs: 10 * 60 * 1000 };

const interval = (ms: number) => `${Math.round(ms / 1000)} seconds`;

/** The signed-in user, as every request sees it. */
export interface SessionUser {
  sessionId: string;
  sessionCreatedAt: Date;
  userId: string;
  tenantId: string | null;
  scope: string;
  username: string;
  displayName: string;
  roles: string[];
  mustChangePassword: boolean;
  tenant: { name: string; level: Level; rootCode: string } | null;
  /** The user has a confirmed second factor (TOTP). */
  totpEnabled: boolean;
  /** The user's deployment (or, for operators, the installation) requires a second factor of this user. */
  totpRequired: boolean;
  /** The switch on the user's deployment root (false for operators). */
  deploymentRequiresTotp: boolean;
}

/** Installation-wide options of session validation. */
export interface SessionOptions {
  /** Operators (platform_admin) must have a second factor (env REQUIRE_OPERATOR_TOTP=1). */
  requireOperatorTotp?: boolean;
  /** Every staff role and operator must have a second factor (env REQUIRE_STAFF_TOTP; on in production). */
  requireStaffTotp?: boolean;
}

/** Procedures a user may still call while an initial password is pending. */
export const PASSWORD_CHANGE_PATHS: readonly string[] = ["auth.me", "auth.changePassword"];
/** Procedures a user may still call while a required second factor is not enrolled. */
export const MFA_ENROLMENT_PATHS: readonly string[] = [
  ...PASSWORD_CHANGE_PATHS,
  "mfa.status",
  "mfa.begin",
  "mfa.confirm",
];

/** The tenant transaction a signed-in user's request runs in (see withScope). */
export function scopeOf(user: SessionUser, requestId?: string, ip?: string): ScopeContext {
  return {
    userId: user.userId,
    tenantId: user.tenantId,
    scope: user.scope,
    roles: user.roles,
    requestId,
    sessionId: user.sessionId,
    ...(ip ? { ip } : {}),
  };
}

/**
 * Throws unless the signed-in user may call `path` now: an initial password must be changed
 * first, then a required second factor enrolled; until then only those steps are open.
 * `path` is a tRPC path, or null for the plain HTTP routes (attachments, events).
 */
export function assertSessionReady(user: SessionUser, path: string | null): void {
  if (user.mustChangePassword && !(path && PASSWORD_CHANGE_PATHS.includes(path))) {
    throw new AppError("PASSWORD_CHANGE_REQUIRED", {
      zh: "首次登录须先修改初始密码",
      en: "Change your initial password first",
    });
  }
  if (user.totpRequired && !user.totpEnabled && !(path && MFA_ENROLMENT_PATHS.includes(path))) {
    throw new AppError("MFA_ENROLMENT_REQUIRED", {
      zh: "本单位要求启用两步验证，请先绑定验证器",
      en: "Your deployment requires a second factor; set up an authenticator first",
    });
  }
}

/** Where a request came from, for the audit trail. */
export interface ClientInfo {
  ip: string;
  userAgent: string;
}

function lockedError(until: Date): AppError {
  return new AppError(
    "ACCOUNT_LOCKED",
    {
      zh: `密码连续错误次数过多，账号已锁定至 ${until.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false })}，或请管理员解锁`,
      en: `Too many failed attempts; the account is locked until ${until.toISOString()} or until an administrator unlocks it`,
    },
    { lockedUntil: until.toISOString() },
  );
}

const badCredentials = () =>
  new AppError("UNAUTHENTICATED", { zh: "用户名或密码错误", en: "Wrong login name or password" });

/** "3 分钟" / "3 minutes" (seconds below a minute), for messages that say how long to wait. */
export function waitMessage(seconds: number): Message {
  if (seconds < 60) return { zh: `${seconds} 秒`, en: `${seconds} second${seconds === 1 ? "" : "s"}` };
  const minutes = Math.ceil(seconds / 60);
  return { zh: `${minutes} 分钟`, en: `${minutes} minute${minutes === 1 ? "" : "s"}` };
}

/** RATE_LIMITED, saying how long to wait; `details.retryAfterSeconds` becomes the Retry-After header. */
export function rateLimitedError(retryAfterSeconds: number): AppError {
  const wait = waitMessage(retryAfterSeconds);
  return new AppError(
    "RATE_LIMITED",
    { zh: `请求过于频繁，请 ${wait.zh}后再试`, en: `Too many requests; try again in ${wait.en}` },
    { retryAfterSeconds },
  );
}

/** A shared per-key limit (fixed window, one counter for every API instance). */
export interface RateLimit {
  limit: number;
  windowMs: number;
}

/** Counts one hit against a shared per-key limit; throws RATE_LIMITED (with Retry-After) past it. */
export async function rateLimit(sql: Sql, key: string, limit: number, windowMs: number): Promise<void> {
  const [row] = await sql<{ allowed: boolean; retry_after: number }[]>`select * from auth.rate_limit(${key},
    ${limit}, ${interval(windowMs)}::interval)`;
  if (!row?.allowed) throw rateLimitedError(row?.retry_after ?? Math.ceil(windowMs / 1000));
}

/**
 * A limit on failures only: {@link rateLimit} takes a hit before the attempt (so that parallel
 * attempts cannot all pass under the limit) and `succeeded()` gives it back.
 */
export async function failureLimit(sql: Sql, key: string, rate: RateLimit): Promise<{ succeeded(): Promise<void> }> {
  await rateLimit(sql, key, rate.limit, rate.windowMs);
  return {
    async succeeded() {
      await sql`select auth.rate_refund(${key})`;
    },
  };
}

/** What a right password leads to: a session, or (with a second factor) a challenge for the code. */
export type LoginResult =
  | { kind: "session"; token: string; user: SessionUser }
  | { kind: "totp"; challenge: string; expiresAt: Date };

/**
 * Checks a login name and password and starts a session — or, when the account has a second
 * factor, opens a 5-minute challenge (`<id>.<secret>`, only SHA-256(secret) stored) that
 * {@link completeTotpLogin} turns into a session with the code. Every outcome is audited by the
 * database functions it calls; the 5th failure in a row (wrong password or wrong code) locks the
 * login name for 30 minutes, whether or not an account has it, so that a lockout reveals nothing;
 * an unknown name also spends the work of a password hash. Failures (not successes) are limited
 * per client address ({@link LOGIN_FAILURE_RATE}).
 */
export async function login(
  sql: Sql,
  input: { username: string; password: string },
  client: ClientInfo,
  options: SessionOptions = {},
): Promise<LoginResult> {
  const attempt = await failureLimit(sql, `login-fail:${client.ip}`, LOGIN_FAILURE_RATE);
  const username = input.username.trim().toLowerCase();
  const [row] = await sql<
    {
      user_id: string | null;
      password_hash: string | null;
      status: string | null;
      tenant_blocked: boolean;
      locked_until: Date | null;
      totp_enabled: boolean;
    }[]
  >`select * from auth.login_begin(${username})`;
  const account = row ?? {
    user_id: null,
    password_hash: null,
    status: null,
    tenant_blocked: false,
    locked_until: null,
  };
  const passwordOk = await verifyPassword(account.password_hash, input.password);
  if (account.locked_until && account.locked_until > new Date()) {
    await sql`select auth.login_refused(${account.user_id}, ${username}, ${client.ip}, 'locked')`;
    throw lockedError(account.locked_until);
  }
  if (!passwordOk || !account.user_id) {
    const [failed] = await sql<{ until: Date | null }[]>`select auth.login_name_failed(${account.user_id},
      ${username}, ${client.ip}, ${MAX_FAILED_LOGINS}, ${interval(LOCK_MS)}::interval) as until`;
    if (failed?.until && failed.until > new Date()) throw lockedError(failed.until);
    throw badCredentials();
  }
  const userId = account.user_id;
  // The password was right: this attempt is not a failure of the address, whatever follows.
  await attempt.succeeded();
  if (account.status !== "active") {
    await sql`select auth.login_refused(${userId}, ${username}, ${client.ip}, 'disabled')`;
    throw new AppError("FORBIDDEN", { zh: "账号已停用，请联系管理员", en: "This account is disabled" });
  }
  if (account.tenant_blocked) {
    await sql`select auth.login_refused(${userId}, ${username}, ${client.ip}, 'tenant_suspended')`;
    throw new AppError("FORBIDDEN", { zh: "所属单位已暂停使用，请联系上级管理员", en: "Your unit is suspended" });
  }
  if (row?.totp_enabled) {
    const minted = mintToken();
    await sql`select auth.challenge_create(${minted.id}, ${Buffer.from(minted.secretHash)}, ${userId},
      ${client.ip})`;
    return { kind: "totp", challenge: minted.token, expiresAt: new Date(Date.now() + LOGIN_CHALLENGE_TTL_MS) };
  }
  const token = await startSession(sql, userId, client);
  const user = await validateSession(sql, token, options);
  if (!user) throw badCredentials();
  return { kind: "session", token, user };
}

const challengeExpired = () =>
  new AppError(
    "UNAUTHENTICATED",
    { zh: "验证码已过期，请重新登录", en: "The sign-in has expired; sign in again" },
    { totp: "expired" },
  );

/**
 * The second step of a sign-in with a second factor: checks the 6-digit code against the key of
 * the challenge's account (decrypted here with the FieldCipher; the database holds only
 * ciphertext) and opens the session. A wrong code counts as a failed sign-in (the 5-failure lock
 * applies) and a code whose time step was already used is refused; both are audited
 * (auth.totp_failed), as is the success (auth.login with {mfa: true}). A recovery code (migration
 * 0073) may stand in for the code, once.
 */
export async function completeTotpLogin(
  sql: Sql,
  cipher: FieldCipher,
  input: { challenge: string; code: string },
  client: ClientInfo,
  options: SessionOptions = {},
): Promise<{ token: string; user: SessionUser }> {
  const attempt = await failureLimit(sql, `login-fail:${client.ip}`, LOGIN_FAILURE_RATE);
  const parsed = parseToken(input.challenge);
  if (!parsed) throw challengeExpired();
  const [row] = await sql<
    {
      secret_hash: Buffer;
      user_id: string;
      totp_key: Buffer | null;
      totp_last_step: string | null;
      status: string;
      tenant_blocked: boolean;
      locked_until: Date | null;
    }[]
  >`select * from auth.challenge_totp_key(${parsed.id})`;
  // Why constant time: the id is known to the browser, the secret is what proves the password step.
  if (!row || !secretMatches(parsed.secret, new Uint8Array(row.secret_hash)) || !row.totp_key) {
    throw challengeExpired();
  }
  if (row.locked_until && row.locked_until > new Date()) throw lockedError(row.locked_until);
  if (row.status !== "active" || row.tenant_blocked) {
    throw new AppError("FORBIDDEN", { zh: "账号已停用，请联系管理员", en: "This account is disabled" });
  }
  const fail = async (reason: "wrong" | "replayed"): Promise<never> => {
    const [failed] = await sql<{ until: Date | null }[]>`select auth.challenge_failed(${parsed.id}, ${client.ip},
      ${reason}, ${MAX_FAILED_LOGINS}, ${interval(LOCK_MS)}::interval) as until`;
    if (failed?.until && failed.until > new Date()) throw lockedError(failed.until);
    throw reason === "replayed"
      ? new AppError(
          "UNAUTHENTICATED",
          {
            zh: "该验证码已使用过，请等待验证器显示新的验证码",
            en: "This code was used already; wait for the next one",
          },
          { totp: "replayed" },
        )
      : new AppError("UNAUTHENTICATED", { zh: "验证码错误", en: "Wrong verification code" }, { totp: "wrong" });
  };
  // A recovery code (16 base32 characters) stands in for the TOTP code, once (migration 0073).
  const recovery = normalizeRecoveryCode(input.code);
  const step = recovery === null ? matchTotpStep(decryptTotpKey(cipher, row.user_id, row.totp_key), input.code) : null;
  if (recovery === null && step === null) return fail("wrong");
  if (step !== null && isReplay(step, row.totp_last_step)) return fail("replayed");
  const minted = mintToken();
  const [done] = await (recovery !== null
    ? sql<{ outcome: string }[]>`select auth.challenge_recover(${parsed.id},
        ${Buffer.from(hashRecoveryCode(recovery))}, ${minted.id}, ${Buffer.from(minted.secretHash)}, ${client.ip},
        ${client.userAgent}) as outcome`
    : sql<{ outcome: string }[]>`select auth.challenge_complete(${parsed.id}, ${step},
        ${minted.id}, ${Buffer.from(minted.secretHash)}, ${client.ip}, ${client.userAgent}) as outcome`);
  if (done?.outcome === "replayed") return fail("replayed");
  if (done?.outcome === "wrong") return fail("wrong");
  if (done?.outcome !== "ok") throw challengeExpired();
  await attempt.succeeded();
  const user = await validateSession(sql, minted.token, options);
  if (!user) throw challengeExpired();
  return { token: minted.token, user };
}

/** Creates a session row for a user whose credentials were just verified. */
export async function startSession(sql: Sql, userId: string, client: ClientInfo, kind = "auth.login"): Promise<string> {
  const minted = mintToken();
  await sql`select auth.session_create(${minted.id}, ${Buffer.from(minted.secretHash)}, ${userId},
    ${client.ip}, ${client.userAgent}, ${kind})`;
  return minted.token;
}

/**
 * Resolves a session token to its user, or null when it is malformed, unknown, expired
 * (30 minutes idle, 12 hours absolute), or its user or any unit above it is disabled.
 */
export async function validateSession(
  sql: Sql,
  token: string,
  options: SessionOptions = {},
): Promise<SessionUser | null> {
  const parsed = parseToken(token);
  if (!parsed) return null;
  const [row] = await sql<
    {
      secret_hash: Buffer;
      session_created_at: Date;
      user_id: string;
      tenant_id: string | null;
      scope_code: string;
      username: string;
      display_name: string;
      roles: string[];
      must_change_password: boolean;
      tenant_name: string | null;
      tenant_level: Level | null;
      root_code: string | null;
      totp_enabled: boolean;
      deployment_requires_totp: boolean;
      touch_due: boolean;
    }[]
  >`select * from auth.session_validate(${parsed.id}, ${interval(SESSION_IDLE_MS)}::interval,
      ${interval(SESSION_ABSOLUTE_MS)}::interval)`;
  // Why constant time: the id is public, the secret is the credential.
  if (!row || !secretMatches(parsed.secret, new Uint8Array(row.secret_hash))) return null;
  // Only now, with the secret proved, does the idle window slide (lucia-auth.com); the touch
  // writes at most every 30 seconds, and the validation says when it would (migration 0034).
  if (row.touch_due) {
    await sql`select auth.session_touch(${parsed.id}, ${Buffer.from(hashSecret(parsed.secret))},
      ${interval(SESSION_IDLE_MS)}::interval)`;
  }
  return {
    sessionId: parsed.id,
    sessionCreatedAt: row.session_created_at,
    userId: row.user_id,
    tenantId: row.tenant_id,
    scope: row.scope_code,
    username: row.username,
    displayName: row.display_name,
    roles: row.roles,
    mustChangePassword: row.must_change_password,
    tenant:
      row.tenant_name && row.tenant_level && row.root_code
        ? { name: row.tenant_name, level: row.tenant_level, rootCode: row.root_code }
        : null,
    totpEnabled: row.totp_enabled,
    totpRequired: totpRequiredFor(row.roles, {
      operator: row.tenant_id === null,
      deploymentRequires: row.deployment_requires_totp,
      requireOperatorTotp: options.requireOperatorTotp ?? false,
      requireStaffTotp: options.requireStaffTotp ?? false,
    }),
    deploymentRequiresTotp: row.deployment_requires_totp,
  };
}

/** Ends one session. */
export async function logout(sql: Sql, token: string, client: ClientInfo): Promise<void> {
  const parsed = parseToken(token);
  if (parsed) await sql`select auth.session_delete(${parsed.id}, ${client.ip})`;
}

/**
 * Throws PASSWORD_POLICY with every problem when a new password is not acceptable: the domain's
 * rules (length, 4 classes, no login name), then the strength estimate (common passwords, words,
 * keyboard runs, dates; see password-strength.ts). `context` holds words the password must not
 * lean on (the display name).
 */
export async function assertPasswordPolicy(password: string, username?: string, context: string[] = []): Promise<void> {
  const problems = passwordProblems(password, username);
  if (problems.length === 0) await assertPasswordStrength(password, [...(username ? [username] : []), ...context]);
  if (problems.length > 0) {
    throw new AppError(
      "PASSWORD_POLICY",
      {
        zh: `密码不符合要求：${problems.map((p) => p.zh).join("；")}`,
        en: `Password rejected: ${problems.map((p) => p.en).join("; ")}`,
      },
      { problems },
    );
  }
}

/**
 * Spends a one-time setup link: checks it, applies the password policy and sets the
 * password; then signs the user in — unless the account has a second factor, which a setup
 * link (a password reset) must not bypass: then `token` is null and the user signs in with
 * password and code. The link works once and only before it expires.
 */
export async function completeSetup(
  sql: Sql,
  input: { token: string; password: string },
  client: ClientInfo,
): Promise<{ token: string | null }> {
  await rateLimit(sql, `setup:${client.ip}`, SETUP_RATE.limit, SETUP_RATE.windowMs);
  const info = await inspectSetupToken(sql, input.token);
  await assertPasswordPolicy(input.password, info.username, [info.displayName]);
  const parsed = parseToken(input.token)!;
  const hash = await hashPassword(input.password);
  const [row] = await sql<{ user_id: string | null }[]>`select auth.setup_token_complete(${parsed.id}, ${hash},
    ${client.ip}) as user_id`;
  if (!row?.user_id) throw setupInvalid();
  const [account] = await sql<
    { totp_enabled: boolean }[]
  >`select totp_enabled from auth.login_lookup(${info.username})`;
  if (account?.totp_enabled) return { token: null };
  return { token: await startSession(sql, row.user_id, client) };
}

const setupInvalid = () =>
  new AppError("NOT_FOUND", {
    zh: "设置链接无效、已使用或已过期，请联系管理员重新生成",
    en: "This setup link is invalid, used or expired; ask an administrator for a new one",
  });

/** Who a setup link is for, if it is still usable. */
export async function inspectSetupToken(sql: Sql, token: string): Promise<{ username: string; displayName: string }> {
  const parsed = parseToken(token);
  if (!parsed) throw setupInvalid();
  const [row] = await sql<
    {
      secret_hash: Buffer;
      username: string;
      display_name: string;
      expires_at: Date;
      used_at: Date | null;
      blocked: boolean;
    }[]
  >`select * from auth.setup_token_lookup(${parsed.id})`;
  if (!row || !secretMatches(parsed.secret, new Uint8Array(row.secret_hash))) throw setupInvalid();
  if (row.used_at || row.expires_at <= new Date() || row.blocked) throw setupInvalid();
  return { username: row.username, displayName: row.display_name };
}
