import pino from "pino";

/**
 * Structured logs. Why the redaction list: logs leave the trust boundary (shippers, support
 * staff), so secrets and personal numbers must never reach them, whatever a caller logs.
 */
export function createLogger(level: string) {
  return pino({
    level,
    base: { service: "zongzhi-api" },
    redact: {
      paths: [
        "password",
        "*.password",
        "*.current",
        "*.next",
        "token",
        "*.token",
        "cookie",
        "*.cookie",
        "authorization",
        "*.authorization",
        "headers.cookie",
        "headers.authorization",
        "idNumber",
        "*.idNumber",
        "phone",
        "*.phone",
      ],
      censor: "[redacted]",
    },
  });
}

/** The logger type used across the server. */
export type Logger = ReturnType<typeof createLogger>;
