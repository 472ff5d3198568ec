import { initTRPC, TRPCError } from "@trpc/server";
import {
  assertCan,
  assertSessionReady,
  type ClientInfo,
  type Permission,
  type SessionUser,
  scopeOf,
} from "@zongzhi/auth";
import { type ScopeContext, type Sql, type Tx, withScope } from "@zongzhi/db/client";
import { AppError } from "@zongzhi/domain";
import { operationKind } from "@zongzhi/domain/operations";
import superjson from "superjson";
import { databaseError, ERROR_STATUS, isUnreachable, toAppError, transportRefusal } from "./errors.ts";
import type { FieldIssue } from "./input.ts";
import { recordOperation } from "./services/audit.ts";
import type { FieldCipher } from "./services/personal-data.ts";
import type { WebhookNetwork } from "./services/webhook-targets.ts";

/** What every procedure receives. Built per request by the HTTP layer. */
export type ApiContext = {
  /** The primary: every write, and every read that must see the caller's own writes. */
  sql: Sql;
  /**
   * A streaming replica (env REPLICA_DATABASE_URL, the same runtime role): queries that declare
   * `reads: "replica"` run there. Absent: everything runs on the primary.
   */
  replicaSql?: Sql;
  user: SessionUser | null;
  client: ClientInfo;
  requestId: string;
  /** Public origin of the UI, for links (setup links). */
  origin: string;
  /** Encrypts personal data (SM4) and computes blind indexes. */
  cipher: FieldCipher;
  /** Which addresses webhook targets may have (absent: public unicast only, see PUBLIC_ONLY). */
  webhookNetwork?: WebhookNetwork;
  /** The request's Idempotency-Key header, if any. */
  idempotencyKey: string | undefined;
  /** Replaces the caller's session cookie (after a password change). */
  setSessionToken(token: string): void;
  /** The server's structured error log (absent: stderr). */
  logError?: (detail: Record<string, unknown>, message: string) => void;
  /** Told each procedure's duration and outcome (`ok` or the refusal's code): the metrics. */
  observeProcedure?: (procedure: string, type: string, outcome: string, seconds: number) => void;
};

/** Shape of `error.data` that clients read: stable code and messages in both languages. */
export interface ErrorData {
  appCode: string;
  zh: string;
  en: string;
  fields?: FieldIssue[];
  details?: Record<string, unknown>;
}

/**
 * What a procedure declares about authorisation (read back by `listProcedures()`, so that the
 * permission-matrix test can hold every mutation to the table): the permissions of which the
 * caller needs one, or `self` for what acts only on the caller's own account. For
 * `cases.transition` the permission is the action's (`TRANSITIONS[action].permission`).
 */
export interface ProcedureMeta {
  permissions?: readonly Permission[];
  /** For procedures whose permission depends on the input (the workflow's actions). */
  permissionOf?: (input: unknown) => Permission;
  /**
   * `replica`: a query whose answer may lag the primary by the replication delay (lists,
   * figures, rankings), so it runs on the replica when one is configured. Never for a query the
   * UI reads right after the caller's own write (a case, its timeline), nor for one that writes
   * (a read-only replica refuses it). Mutations always run on the primary.
   */
  reads?: "replica";
  /**
   * `json`: the output schema holds JSON values only (numbers, which zod checks to be finite,
   * strings, booleans, null, arrays and plain objects; no dates, maps, bigints or undefined), so
   * the checked answer goes out as it is instead of through superjson's walk over every value,
   * which would find nothing to encode (a county's figures are thousands of values: the walk was
   * half of the API's CPU time of the call). json-answers.test.ts holds each such schema to it.
   */
  answer?: "json";
}

/** Answers of `answer: "json"` procedures, after their output check (see {@link jsonAnswers}). */
const checkedJson = new WeakSet<object>();

/**
 * superjson both ways, except that a checked JSON answer is sent as `{ json }` without walking it:
 * the form superjson gives a value with nothing to encode, which the clients' superjson reads alike.
 */
export const transformer = {
  input: superjson,
  output: {
    serialize: (value: unknown) =>
      typeof value === "object" && value !== null && checkedJson.has(value)
        ? { json: value }
        : superjson.serialize(value),
    deserialize: superjson.deserialize,
  },
};

/**
 * Runs a lag-tolerant read on the replica, in the caller's tenant transaction (the same RLS:
 * the replica is a copy of the primary's catalog, policies and roles). When the replica cannot
 * be reached (down, restarting, cut off) or cancels the read in a conflict with recovery, the
 * read runs on the primary instead: a replica outage slows the reads it carries, it does not
 * refuse them.
 */
export async function withScopeOnReplica<T>(
  primary: Sql,
  replica: Sql,
  scope: ScopeContext,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  try {
    return await withScope(replica, scope, fn);
  } catch (error) {
    // 40001 on a standby: the statement was cancelled by a conflict with recovery (the replica
    // replaying a change that removes rows it still reads); the primary has no such conflict.
    if (!isUnreachable(error) && (databaseError(error) as { code?: unknown }).code !== "40001") throw error;
    return withScope(primary, scope, fn);
  }
}

const t = initTRPC
  .context<ApiContext>()
  .meta<ProcedureMeta>()
  .create({
    transformer,
    errorFormatter({ shape, error }) {
      const app = toAppError(error.cause ?? error);
      const data: ErrorData = app
        ? {
            appCode: app.code,
            zh: app.messages.zh,
            en: app.messages.en,
            fields: app.details?.fields as FieldIssue[] | undefined,
            details: app.code === "VALIDATION" ? undefined : app.details,
          }
        : transportRefusal(error.code);
      return {
        message: data.en,
        code: shape.code,
        data: { ...data, code: shape.data.code, httpStatus: shape.data.httpStatus },
      };
    },
  });

/** Times every call for the metrics (outcome: `ok`, or the refusal's code). */
const timed = t.middleware(async ({ ctx, next, path, type }) => {
  if (!ctx.observeProcedure) return next();
  const started = performance.now();
  const result = await next();
  const outcome = result.ok ? "ok" : (toAppError(result.error.cause ?? result.error)?.code ?? result.error.code);
  ctx.observeProcedure(path, type, outcome, (performance.now() - started) / 1000);
  return result;
});

/**
 * Marks the answer of an `answer: "json"` procedure for the transformer. It runs before the
 * procedure's `.output()` check (added later in the chain), so what it marks is the checked
 * answer, the very object that is sent.
 */
const jsonAnswers = t.middleware(async ({ meta, next }) => {
  const result = await next();
  if (meta?.answer === "json" && result.ok && typeof result.data === "object" && result.data !== null)
    checkedJson.add(result.data);
  return result;
});

/** Converts AppErrors (and known database errors) thrown below into tRPC errors, once. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (result.ok) return result;
  const app = toAppError(result.error.cause ?? result.error);
  if (!app) return result;
  throw new TRPCError({ code: ERROR_STATUS[app.code].trpc, message: app.messages.en, cause: app });
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * The raw input as the input parser reads it: no input at all is an empty object (so that an
 * all-optional input may be omitted), and a body that JSON or superjson cannot decode is a
 * VALIDATION refusal with our message. Lazy: the body is decoded only when a parser asks.
 */
const readInput = t.middleware(({ next, getRawInput }) =>
  next({
    getRawInput: async () => {
      let raw: unknown;
      try {
        raw = await getRawInput();
      } catch {
        const refusal = transportRefusal("BAD_REQUEST");
        throw new AppError("VALIDATION", { zh: refusal.zh, en: refusal.en });
      }
      return raw === undefined ? {} : raw;
    },
  }),
);

/** Anyone, signed in or not. */
export const publicProcedure = t.procedure.use(timed).use(jsonAnswers).use(mapErrors).use(readInput);

/**
 * Signed-in callers. One who must still change an initial password may do only that; then one
 * whose deployment requires a second factor may only enrol it (packages/auth assertSessionReady).
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, next, path, type, meta, getRawInput }) => {
  const user = ctx.user;
  if (!user) throw new AppError("UNAUTHENTICATED", { zh: "请先登录", en: "Please sign in" });
  assertSessionReady(user, path);
  const scope: ScopeContext = scopeOf(user, ctx.requestId, ctx.client.ip);
  const replica = type === "query" && meta?.reads === "replica" ? ctx.replicaSql : undefined;
  /** Runs a body inside the caller's tenant transaction (on the replica for a lag-tolerant query). */
  const run = <T>(fn: (tx: Tx) => Promise<T>) =>
    replica ? withScopeOnReplica(ctx.sql, replica, scope, fn) : withScope(ctx.sql, scope, fn);
  if (type !== "mutation") return next({ ctx: { ...ctx, user, scope, run } });
  // The operation log (操作日志): every mutation, refused or done, after its own transaction.
  const result = await next({ ctx: { ...ctx, user, scope, run } });
  const input = await getRawInput().catch(() => undefined);
  const outcome = result.ok ? "ok" : (toAppError(result.error.cause ?? result.error)?.code ?? "INTERNAL");
  try {
    await run((tx) =>
      recordOperation(
        tx,
        {
          kind: operationKind(path),
          result: outcome,
          input,
          output: result.ok ? result.data : undefined,
          ip: ctx.client.ip,
        },
        { last: true },
      ),
    );
  } catch (error) {
    // The operation itself is committed (or refused): its answer stands; the lost line is reported.
    const line = `operation log: ${path} (request ${ctx.requestId}) not recorded`;
    if (ctx.logError) ctx.logError({ err: error, path, requestId: ctx.requestId }, line);
    else console.error(line, error);
  }
  return result;
});

/**
 * Signed-in callers whose roles hold one of `permissions` for some relation (the table in the
 * domain, via packages/auth). This is the coarse gate; the service then checks the permission
 * against the caller's relation to the subject (a case's owner, a row's unit) with the same table.
 */
export function allowed(...permissions: [Permission, ...Permission[]]) {
  return authedProcedure.meta({ permissions }).use(({ ctx, next }) => {
    assertCan(ctx.user.roles, ...permissions);
    return next();
  });
}

/** Signed-in callers acting on their own account only (password, second factor, inbox marks). */
export const selfProcedure = allowed("account.self");
