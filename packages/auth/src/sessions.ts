import type { Sql } from "@zongzhi/db/client";
import { AppError, type Level, passwordProblems } from "@zongzhi/domain";
import { hashPassword, verifyPassword } from "./password.ts";
import { mintToken, parseToken, secretMatches } from "./tokens.ts";

/** Idle limit: a session unused this long is gone (MLPS level 3: 30 minutes). */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** Absolute limit: no session outlives this, however active (12 hours). */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Failed passwords in a row that lock an account. */
export const MAX_FAILED_LOGINS = 5;
/** How long a lock lasts. */
export const LOCK_MS = 30 * 60 * 1000;
/** Login attempts allowed per IP address per window. */
export const LOGIN_RATE = { limit: 30, windowMs: 10 * 60 * 1000 };

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

/** Counts one hit against a shared per-key limit; throws RATE_LIMITED past it. */
export async function rateLimit(sql: Sql, key: string, limit: number, windowMs: number): Promise<void> {
  const [row] = await sql<
    { ok: boolean }[]
  >`select auth.rate_hit(${key}, ${limit}, ${interval(windowMs)}::interval) as ok`;
  if (!row?.ok) {
    throw new AppError("RATE_LIMITED", { zh: "请求过于频繁，请稍后再试", en: "Too many requests; try again later" });
  }
}

/**
 * Checks a login name and password and starts a session. Every outcome is audited by the
 * database functions it calls; the 5th wrong password in a row locks the account.
 */
export async function login(
  sql: Sql,
  input: { username: string; password: string },
  client: ClientInfo,
): Promise<{ token: string; user: SessionUser }> {
  await rateLimit(sql, `login:${client.ip}`, LOGIN_RATE.limit, LOGIN_RATE.windowMs);
  const username = input.username.trim().toLowerCase();
  const [account] = await sql<
    {
      user_id: string;
      password_hash: string | null;
      status: string;
      tenant_blocked: boolean;
      locked_until: Date | null;
    }[]
  >`select * from auth.login_lookup(${username})`;
  const passwordOk = await verifyPassword(account?.password_hash, input.password);
  if (!account) {
    await sql`select auth.login_refused(null, ${username}, ${client.ip}, 'unknown_user')`;
    throw badCredentials();
  }
  if (account.locked_until && account.locked_until > new Date()) {
    await sql`select auth.login_refused(${account.user_id}, ${username}, ${client.ip}, 'locked')`;
    throw lockedError(account.locked_until);
  }
  if (!passwordOk) {
    const [row] = await sql<{ until: Date | null }[]>`select auth.login_failed(${account.user_id}, ${client.ip},
      ${MAX_FAILED_LOGINS}, ${interval(LOCK_MS)}::interval) as until`;
    if (row?.until && row.until > new Date()) throw lockedError(row.until);
    throw badCredentials();
  }
  if (account.status !== "active") {
    await sql`select auth.login_refused(${account.user_id}, ${username}, ${client.ip}, 'disabled')`;
    throw new AppError("FORBIDDEN", { zh: "账号已停用，请联系管理员", en: "This account is disabled" });
  }
  if (account.tenant_blocked) {
    await sql`select auth.login_refused(${account.user_id}, ${username}, ${client.ip}, 'tenant_suspended')`;
    throw new AppError("FORBIDDEN", { zh: "所属单位已暂停使用，请联系上级管理员", en: "Your unit is suspended" });
  }
  const token = await startSession(sql, account.user_id, client);
  const user = await validateSession(sql, token);
  if (!user) throw badCredentials();
  return { token, user };
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
export async function validateSession(sql: Sql, token: string): Promise<SessionUser | null> {
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
    }[]
  >`select * from auth.session_validate(${parsed.id}, ${interval(SESSION_IDLE_MS)}::interval,
      ${interval(SESSION_ABSOLUTE_MS)}::interval)`;
  // Why constant time: the id is public, the secret is the credential.
  if (!row || !secretMatches(parsed.secret, new Uint8Array(row.secret_hash))) return null;
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
  };
}

/** Ends one session. */
export async function logout(sql: Sql, token: string, client: ClientInfo): Promise<void> {
  const parsed = parseToken(token);
  if (parsed) await sql`select auth.session_delete(${parsed.id}, ${client.ip})`;
}

/** Throws PASSWORD_POLICY with every problem when a new password is not acceptable. */
export function assertPasswordPolicy(password: string, username?: string): void {
  const problems = passwordProblems(password, username);
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
 * password; then signs the user in. The link works once and only before it expires.
 */
export async function completeSetup(
  sql: Sql,
  input: { token: string; password: string },
  client: ClientInfo,
): Promise<{ token: string }> {
  await rateLimit(sql, `setup:${client.ip}`, LOGIN_RATE.limit, LOGIN_RATE.windowMs);
  const info = await inspectSetupToken(sql, input.token);
  assertPasswordPolicy(input.password, info.username);
  const parsed = parseToken(input.token)!;
  const hash = await hashPassword(input.password);
  const [row] = await sql<{ user_id: string | null }[]>`select auth.setup_token_complete(${parsed.id}, ${hash},
    ${client.ip}) as user_id`;
  if (!row?.user_id) throw setupInvalid();
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
