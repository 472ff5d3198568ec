import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { AppError, type ErrorCode, type Message } from "@zongzhi/domain";
import { z } from "zod";
import { CONSTRAINT_MESSAGES } from "./constraint-messages.ts";

/** The one map from a stable error code to its tRPC code and HTTP status. */
export const ERROR_STATUS: Record<ErrorCode, { trpc: TRPC_ERROR_CODE_KEY; http: number }> = {
  VALIDATION: { trpc: "BAD_REQUEST", http: 400 },
  PASSWORD_POLICY: { trpc: "BAD_REQUEST", http: 400 },
  UNAUTHENTICATED: { trpc: "UNAUTHORIZED", http: 401 },
  FORBIDDEN: { trpc: "FORBIDDEN", http: 403 },
  PASSWORD_CHANGE_REQUIRED: { trpc: "FORBIDDEN", http: 403 },
  MFA_ENROLMENT_REQUIRED: { trpc: "FORBIDDEN", http: 403 },
  NOT_FOUND: { trpc: "NOT_FOUND", http: 404 },
  CONFLICT: { trpc: "CONFLICT", http: 409 },
  PRECONDITION_FAILED: { trpc: "PRECONDITION_FAILED", http: 412 },
  ACCOUNT_LOCKED: { trpc: "FORBIDDEN", http: 423 },
  RATE_LIMITED: { trpc: "TOO_MANY_REQUESTS", http: 429 },
  PAYLOAD_TOO_LARGE: { trpc: "PAYLOAD_TOO_LARGE", http: 413 },
};

/** A field-level problem shown next to the field. */
export interface FieldIssue {
  path: string;
  zh: string;
  en: string;
}

function issueMessage(issue: z.core.$ZodIssue): Message {
  const i = issue as z.core.$ZodIssue & { minimum?: number; maximum?: number; origin?: string; format?: string };
  switch (i.code) {
    case "too_small":
      return i.origin === "string"
        ? { zh: `至少${i.minimum}个字符`, en: `at least ${i.minimum} characters` }
        : { zh: `不能少于${i.minimum}`, en: `must be at least ${i.minimum}` };
    case "too_big":
      return i.origin === "string"
        ? { zh: `不能超过${i.maximum}个字符`, en: `at most ${i.maximum} characters` }
        : { zh: `不能超过${i.maximum}`, en: `must be at most ${i.maximum}` };
    case "invalid_format":
      return { zh: "格式不正确", en: `invalid ${i.format ?? "format"}` };
    case "invalid_type":
      return { zh: "缺少或类型不正确", en: "missing or of the wrong type" };
    case "invalid_value":
      return { zh: "取值不在允许范围内", en: "not one of the allowed values" };
    case "unrecognized_keys":
      return { zh: "包含未知字段", en: "unknown fields" };
    default:
      return { zh: i.message || "输入不正确", en: i.message || "invalid input" };
  }
}

/** Turns a zod error into bilingual field issues. */
export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => {
    const custom = (issue as { params?: { zh?: string; en?: string } }).params;
    const m = custom?.zh && custom.en ? { zh: custom.zh, en: custom.en } : issueMessage(issue);
    return { path: issue.path.join("."), ...m };
  });
}

/** What a PostgreSQL error means to a user, or null when it is not a user's fault. */
export function fromPostgresError(error: unknown): AppError | null {
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
    case "22P02":
    case "22001":
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
      return null;
  }
}

/** Normalises anything thrown into an AppError, or null for unexpected failures (→ 500). */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  if (error instanceof z.ZodError) {
    const fields = zodIssues(error);
    return new AppError(
      "VALIDATION",
      {
        zh: `输入有误：${fields.map((f) => `${f.path} ${f.zh}`).join("；")}`,
        en: `Invalid input: ${fields.map((f) => `${f.path} ${f.en}`).join("; ")}`,
      },
      { fields },
    );
  }
  return fromPostgresError(error);
}
