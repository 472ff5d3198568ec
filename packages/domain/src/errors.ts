/** Stable error codes; each maps once to a tRPC code and an HTTP status (see packages/api). */
export type ErrorCode =
  | "VALIDATION"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "PAYLOAD_TOO_LARGE"
  | "ACCOUNT_LOCKED"
  | "PASSWORD_CHANGE_REQUIRED"
  | "MFA_ENROLMENT_REQUIRED"
  | "REAUTH_REQUIRED"
  | "PASSWORD_POLICY"
  | "PRECONDITION_FAILED"
  | "UNAVAILABLE";

/** A message in both of the product's languages. */
export interface Message {
  zh: string;
  en: string;
}

/** The single error type domain and service code throws; users see `message`, never a stack. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly messages: Message;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, messages: Message, details?: Record<string, unknown>) {
    super(messages.en);
    this.name = "AppError";
    this.code = code;
    this.messages = messages;
    this.details = details;
  }
}

/** A foreign id and a missing id must look the same: both are NOT_FOUND. */
export function notFound(what: Message = { zh: "记录", en: "record" }): AppError {
  return new AppError("NOT_FOUND", { zh: `${what.zh}不存在或无权访问`, en: `${what.en} not found` });
}

/** The caller's role does not allow this action. */
export function forbidden(): AppError {
  return new AppError("FORBIDDEN", { zh: "您没有执行此操作的权限", en: "You are not allowed to do this" });
}

/** Someone else changed the record first (optimistic concurrency). */
export function conflict(messages?: Message): AppError {
  return new AppError(
    "CONFLICT",
    messages ?? {
      zh: "记录已被他人修改，请刷新后重试",
      en: "The record was changed by someone else; reload and retry",
    },
  );
}

/** Bad input with a field-level reason. */
export function invalid(messages: Message, details?: Record<string, unknown>): AppError {
  return new AppError("VALIDATION", messages, details);
}
