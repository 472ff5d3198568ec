import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { AppError, type ErrorCode, type Message } from "@zongzhi/domain";
import { z } from "zod";
import { CONSTRAINT_MESSAGES } from "./constraint-messages.ts";
import { type FieldIssue, zodIssues } from "./input.ts";

/** The one map from a stable error code to its tRPC code and HTTP status. */
export const ERROR_STATUS: Record<ErrorCode, { trpc: TRPC_ERROR_CODE_KEY; http: number }> = {
  VALIDATION: { trpc: "BAD_REQUEST", http: 400 },
  PASSWORD_POLICY: { trpc: "BAD_REQUEST", http: 400 },
  UNAUTHENTICATED: { trpc: "UNAUTHORIZED", http: 401 },
  FORBIDDEN: { trpc: "FORBIDDEN", http: 403 },
  PASSWORD_CHANGE_REQUIRED: { trpc: "FORBIDDEN", http: 403 },
  MFA_ENROLMENT_REQUIRED: { trpc: "FORBIDDEN", http: 403 },
  REAUTH_REQUIRED: { trpc: "FORBIDDEN", http: 403 },
  NOT_FOUND: { trpc: "NOT_FOUND", http: 404 },
  CONFLICT: { trpc: "CONFLICT", http: 409 },
  PRECONDITION_FAILED: { trpc: "PRECONDITION_FAILED", http: 412 },
  ACCOUNT_LOCKED: { trpc: "FORBIDDEN", http: 423 },
  RATE_LIMITED: { trpc: "TOO_MANY_REQUESTS", http: 429 },
  PAYLOAD_TOO_LARGE: { trpc: "PAYLOAD_TOO_LARGE", http: 413 },
  UNAVAILABLE: { trpc: "SERVICE_UNAVAILABLE", http: 503 },
};

/**
 * Errors that mean the database is not there right now (restarting, recovering, unreachable):
 * postgres.js's connection errors, socket errors, and SQLSTATE classes 08 and 57P.
 */
const UNREACHABLE = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
]);

/**
 * The driver's own error behind `error`: Drizzle wraps what postgres.js throws in a
 * DrizzleQueryError (its message names the query, its `cause` is the PostgresError with the
 * SQLSTATE and constraint); raw `tx.sql` errors are returned as they are.
 */
export function databaseError(error: unknown): unknown {
  let e = error;
  while (e instanceof Error && e.name !== "PostgresError" && e.constructor.name === "DrizzleQueryError" && e.cause) {
    e = e.cause;
  }
  return e;
}

/** Whether `error` says the database is not there right now (see UNREACHABLE), not that a statement failed. */
export function isUnreachable(error: unknown): boolean {
  const code = (databaseError(error) as { code?: unknown } | null)?.code;
  return typeof code === "string" && (UNREACHABLE.has(code) || /^(08|57P)/.test(code));
}

/** What a PostgreSQL error means to a user, or null when it is not a user's fault. */
export function fromPostgresError(thrown: unknown): AppError | null {
  const error = databaseError(thrown);
  const e = error as { code?: string; constraint_name?: string; message?: string };
  // Every constraint a user can reach has its own message (constraint-messages.ts); the
  // generic answers below remain for what the catalog test lists as unreachable.
  const known = e?.constraint_name ? CONSTRAINT_MESSAGES[e.constraint_name] : undefined;
  if (known && e.code?.startsWith("23")) {
    return new AppError(known.code, { zh: known.zh, en: known.en }, { constraint: e.constraint_name });
  }
  switch (e?.code) {
    case "23505":
    case "23P01":
      return new AppError(
        "CONFLICT",
        { zh: "该记录已存在", en: "This record already exists" },
        { constraint: e.constraint_name },
      );
    case "23514":
    case "23502":
      return new AppError(
        "VALIDATION",
        { zh: "输入不符合规则", en: "The input breaks a rule" },
        { constraint: e.constraint_name },
      );
    // A row of another tenant, or one that does not exist: both are NOT_FOUND (no oracle).
    case "23503":
    case "42501":
      return new AppError("NOT_FOUND", { zh: "记录不存在或无权访问", en: "Not found" });
    case "40001":
    case "40P01":
      return new AppError("CONFLICT", { zh: "并发冲突，请重试", en: "Concurrent change; retry" });
    default:
      if (isUnreachable(e)) {
        // Nothing of the request is kept (its transaction did not commit, or its outcome is for a retry to learn).
        return new AppError(
          "UNAVAILABLE",
          { zh: "服务暂时不可用，请稍后重试", en: "The service is briefly unavailable; retry in a moment" },
          { retryAfterSeconds: 2 },
        );
      }
      return isDataException(error) ? dataException(error) : null;
  }
}

/**
 * True for a PostgreSQL data exception (SQLSTATE class 22: NUL in text, a number out of range, a
 * date PostgreSQL cannot hold, a malformed value). The input checks should refuse all of them
 * first; this is the backstop, and the server logs each one (with the request id) as a gap to close.
 */
export function isDataException(error: unknown): error is { code: string; message?: string; routine?: string } {
  const e = error as { name?: unknown; code?: unknown } | null | undefined;
  return e?.name === "PostgresError" && typeof e.code === "string" && /^22[0-9A-Z]{3}$/.test(e.code);
}

function dataException(error: { code: string }): AppError {
  const app = new AppError("VALIDATION", {
    zh: "输入的值超出允许范围或格式不正确，请检查后重试",
    en: "A value is out of range or malformed; check the input and retry",
  });
  // Kept for the server's log (never sent): which check the database had to make instead of us.
  app.cause = error;
  return app;
}

/** The database error behind a backstop VALIDATION, for the log: SQLSTATE and a message without values. */
export function dataExceptionOf(error: unknown): { sqlstate: string; reason: string } | null {
  const cause = databaseError(error instanceof AppError ? error.cause : error);
  if (!isDataException(cause)) return null;
  // Quoted parts of PostgreSQL's message are the offending values: typed by users, not logged.
  return { sqlstate: cause.code, reason: (cause.message ?? "").replace(/"[^"]*"/g, '"…"').slice(0, 200) };
}

/** Normalises anything thrown into an AppError, or null for unexpected failures (→ 500). */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) {
    const fields = zodIssues(error);
    const at = (f: FieldIssue, whole: string) => (f.path ? `${f.path} ` : whole);
    return new AppError(
      "VALIDATION",
      {
        zh: `输入有误：${fields.map((f) => `${at(f, "输入")}${f.zh}`).join("；")}`,
        en: `Invalid input: ${fields.map((f) => `${at(f, "input ")}${f.en}`).join("; ")}`,
      },
      { fields },
    );
  }
  return fromPostgresError(error);
}

/**
 * What the user reads when tRPC itself refused a request (a body it could not decode, no such
 * procedure, a wrong method), keyed by tRPC's code. The decoder's own message is never shown:
 * it names internals ("Cannot convert zz to a BigInt", "Maximum call stack size exceeded").
 */
export function transportRefusal(code: TRPC_ERROR_CODE_KEY): { appCode: string } & Message {
  switch (code) {
    case "PARSE_ERROR":
    case "BAD_REQUEST":
      return {
        appCode: "VALIDATION",
        zh: "请求内容无法解析，请检查输入格式",
        en: "The request could not be read; check the input's format",
      };
    case "NOT_FOUND":
      return { appCode: "NOT_FOUND", zh: "接口不存在", en: "No such procedure" };
    case "METHOD_NOT_SUPPORTED":
      return { appCode: code, zh: "该接口不支持此请求方法", en: "This procedure does not take this request method" };
    case "PAYLOAD_TOO_LARGE":
      return { appCode: code, zh: "请求内容过大", en: "The request is too large" };
    case "INTERNAL_SERVER_ERROR":
      return { appCode: "INTERNAL", zh: "服务器内部错误，请稍后重试", en: "Internal error; please retry later" };
    default:
      return { appCode: code, zh: "请求无效", en: "Invalid request" };
  }
}
