import pino from "pino";

/**
 * Structured logs. Why the redaction list: logs leave the trust boundary (shippers, support
 * staff), so secrets and personal numbers must never reach them, whatever a caller logs.
 */
export function createLogger(level: string, fd: 1 | 2 = 1) {
  return pino(
    {
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
    },
    pino.destination({ fd, sync: true }),
  );
}

/** The logger type used across the server. */
export type Logger = ReturnType<typeof createLogger>;
