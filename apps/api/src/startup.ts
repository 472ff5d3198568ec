import { EmbeddedPostgresError, portIsFree } from "@zongzhi/db/embedded";
import { ZodError } from "zod";

/**
 * A start-up failure the person at the terminal can fix. The message is one line: what
 * happened, a colon, what to do. main.ts prints it instead of a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

/** Fails early, before the database starts, when the HTTP port is taken. */
export async function assertHttpPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  if (!(await portIsFree(port, host))) throw httpPortInUse(port, host);
}

/** The message for an HTTP port someone else listens on. */
export function httpPortInUse(port: number, host: string): StartupError {
  return new StartupError(
    `port ${port} on ${host} is in use (another \`pnpm start\`?): stop that program, or choose another port, e.g. PORT=${port === 3000 ? 3005 : port + 1} pnpm start`,
  );
}

function codeOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
}

/**
 * One line for any start-up failure. Known causes get their own advice; anything else says
 * where to find the details, which LOG_LEVEL=debug prints.
 */
export function describeStartupFailure(error: unknown): string {
  if (error instanceof StartupError || error instanceof EmbeddedPostgresError) return error.message;
  if (error instanceof ZodError) {
    const issues = error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; ");
    return `invalid environment (${issues}): fix or unset those variables (see apps/api/src/env.ts)`;
  }
  const code = codeOf(error);
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "ETIMEDOUT") {
    return `cannot reach the database (${code}: ${message}): check that PostgreSQL runs and that DATABASE_URL points at it`;
  }
  if (code === "28P01" || code === "28000") {
    return `the database refused the login (${message}): check the user and password in DATABASE_URL`;
  }
  if (code === "EACCES" || code === "EPERM") {
    return `permission denied (${message}): run as the user that owns the checkout and its .data/ directory`;
  }
  if (code === "ENOSPC") return `the disk is full (${message}): free some space and start again`;
  return `${message}: run again with LOG_LEVEL=debug for the details`;
}

/** For the command-line tools: the database as the server finds it, or one line and exit 1. */
export async function openDatabaseOrExit<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (error) {
    console.error(`failed: ${describeStartupFailure(error)}`);
    process.exit(1);
  }
}
