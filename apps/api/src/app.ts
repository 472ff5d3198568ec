import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { getConnInfo } from "@hono/node-server/conninfo";
import { serveStatic } from "@hono/node-server/serve-static";
import { trpcServer } from "@hono/trpc-server";
import {
  type ApiContext,
  type AttachmentStore,
  addAttachment,
  answerPublicCase,
  appRouter,
  attachmentTooLarge,
  attachToNotice,
  authorizeReveal,
  bookAppointment,
  bookingCentres,
  cancelOwnAppointment,
  caseFilterQuery,
  databaseError,
  dataExceptionOf,
  ERROR_STATUS,
  expectedLedgerRows,
  type FieldCipher,
  type FieldPhoto,
  figureUnit,
  getOpenRequest,
  idempotencyKeyHeader,
  isInboxLedger,
  type LedgerSpec,
  ledgerFileName,
  listOpenRequests,
  listOpenServices,
  logExportName,
  lookupAppointment,
  onCalendarGap,
  openApiDocument,
  openApiPage,
  openRatingInput,
  openRequestInput,
  openRequestsQuery,
  PUBLIC_ONLY,
  publicBookingScope,
  publicCentre,
  publicLookup,
  publicResult,
  rateOpenRequest,
  readAttachment,
  readNoticeAttachment,
  recordOperation,
  registerFieldReport,
  resolvePeriod,
  submitOpenRequest,
  toAppError,
  type WebhookNetwork,
  withScopeOnReplica,
  writeLedger,
  writeLogExport,
} from "@zongzhi/api";
import { id, isoDate, strict } from "@zongzhi/api/input";
import {
  type Done,
  type LoginAnswer,
  loginInput,
  type SetupDone,
  type SetupInspection,
  type SignedIn,
  setupInput,
  setupTokenInput,
  totpLoginInput,
} from "@zongzhi/api/schemas/auth";
import { bookingLookupInput, centreCode, centresQuery, publicBookingInput } from "@zongzhi/api/schemas/booking";
import { fieldReportInput } from "@zongzhi/api/schemas/cases";
import { LEDGER_KINDS, LEDGER_ROWS_HEADER, ledgerQuery } from "@zongzhi/api/schemas/exports";
import { logFilterFields } from "@zongzhi/api/schemas/logs";
import {
  type BookedAppointment,
  type BookingCentre,
  lookupAnswerInput,
  lookupInput,
  type PublicAppointment,
  type PublicCentre,
  type PublicLookup,
  type PublicLookupAnswered,
} from "@zongzhi/api/schemas/public";
import {
  type ApiKeyActor,
  assertCan,
  assertSessionReady,
  type ClientInfo,
  completeSetup,
  completeTotpLogin,
  failureLimit,
  inspectSetupToken,
  keyScopeOf,
  login,
  logout,
  type Permission,
  rateLimit,
  type SessionUser,
  scopeOf,
  validateSession,
  verifyApiKey,
} from "@zongzhi/auth";
import { type Sql, type Tx, withScope } from "@zongzhi/db/client";
import { migrationLag } from "@zongzhi/db/migrate";
import {
  AppError,
  BOOKINGS_PER_ADDRESS_PER_HOUR,
  BOOKINGS_PER_PHONE_PER_DAY,
  validateMobileNumber,
} from "@zongzhi/domain";
import { operationKind } from "@zongzhi/domain/operations";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { generateCookie, getCookie, setCookie } from "hono/cookie";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { clientAddress, compileTrust } from "./client-address.ts";
import { createNotificationHub } from "./events.ts";
import { createLifecycle, type Lifecycle } from "./lifecycle.ts";
import type { Logger } from "./logger.ts";
import { createMetrics, type QueueDepth, scrapeAllowed } from "./metrics.ts";
import { createPhotoPool, type PhotoPool } from "./photos.ts";
import {
  FIELD_REPORT_BODY_LIMIT,
  fieldReportTooLarge,
  receiveFieldReport,
  receiveUpload,
  UPLOAD_BODY_LIMIT,
} from "./upload.ts";

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The runtime role's pool on the primary. */
  sql: Sql;
  /**
   * The runtime role's pool on a streaming replica (env REPLICA_DATABASE_URL): lag-tolerant
   * queries (`reads: "replica"`) and the rows of exports read there. Absent: all on `sql`.
   */
  replicaSql?: Sql | undefined;
  logger: Logger;
  /** Public origin of the UI, e.g. https://zz.example.gov.cn or http://127.0.0.1:3000. */
  origin: string;
  allowedOrigins?: string[];
  /** Built admin UI to serve (apps/admin/dist); absent in API-only tests. */
  staticDir?: string | undefined;
  /** Where attachment bytes are kept. */
  store: AttachmentStore;
  /** Personal-data cipher (SM4 + HMAC-SM3 blind indexes). */
  cipher: FieldCipher;
  /** Dev override: a plain cookie name without Secure over http:// (see README). */
  insecureCookie?: boolean;
  /** Operators must sign in with a second factor (env REQUIRE_OPERATOR_TOTP=1; default off). */
  requireOperatorTotp?: boolean;
  /**
   * Every staff role and operator must have a second factor, whatever the deployment's switch
   * (env REQUIRE_STAFF_TOTP; see {@link staffTotpRequired}). Default off here: main.ts decides.
   */
  requireStaffTotp?: boolean;
  /** Which addresses webhook targets may have (default: public unicast only; main.ts reads the env). */
  webhookNetwork?: WebhookNetwork;
  /**
   * Peers whose X-Forwarded-For / X-Real-IP are believed (env TRUSTED_PROXIES: IPs and CIDRs).
   * Default none: the client address is the socket's.
   */
  trustedProxies?: string[];
  /** The pool LISTEN runs on (default `sql`): straight to PostgreSQL when `sql` goes through PgBouncer. */
  listenSql?: Sql;
  /** In-flight requests, open streams and draining (main.ts stops the instance through it). */
  lifecycle?: Lifecycle;
  /** Bearer token that /metrics asks for (env METRICS_TOKEN); absent: /metrics does not exist. */
  metricsToken?: string | undefined;
  /** What /readyz checks besides the database: the queue, and this build's migrations applied. */
  readiness?: {
    /** Throws when the job queue's database role or schema cannot be reached. */
    queue?: () => Promise<unknown>;
    migrations?: readonly { name: string; checksum: string }[];
  };
  /** The queue's depth for the metrics. */
  queueDepth?: QueueDepth;
  /**
   * The worker threads that check field-report photos (main.ts sizes it from the env and closes
   * it at shutdown). Default: a pool of the defaults, whose idle threads end by themselves.
   */
  photos?: PhotoPool;
}

/** Largest JSON body of the sign-in, setup and public endpoints (16 KB: a name, a password, a code). */
export const SMALL_BODY_LIMIT = 16 * 1024;
/** Largest tRPC request body (1 MB: the longest texts a form carries, with room to spare). */
export const TRPC_BODY_LIMIT = 1024 * 1024;
/** Largest body of the intake API (64 KB: a request's texts with room to spare). */
export const OPEN_API_BODY_LIMIT = 64 * 1024;
/** Path prefix of the intake API: API keys only, never cookies (so no cross-site guard either). */
const OPEN_API = "/api/v1/";
/** Failed public lookups allowed per client address, and per case code, per window. */
export const LOOKUP_FAILURE_RATE = { limit: 20, windowMs: 10 * 60 * 1000 };
export const LOOKUP_CODE_FAILURE_RATE = { limit: 10, windowMs: 10 * 60 * 1000 };
/** Requests to the public booking pages per client address per minute (reads and writes). */
export const BOOKING_REQUEST_RATE = { limit: 120, windowMs: 60 * 1000 };

/** Variables a request carries through the middleware chain. */
type Env = {
  Variables: {
    requestId: string;
    user: SessionUser | null;
    token: string | null;
    client: ClientInfo;
    /** The integrator's key on the intake API (/api/v1/*). */
    apiKey: ApiKeyActor;
  };
};

/** The HTTP server: auth endpoints, tRPC, health, and the admin UI. Tests call `app.request`. */
export function createApp(options: AppOptions) {
  const { sql, logger } = options;
  const photoPool = options.photos ?? createPhotoPool();
  const sessionOptions = {
    requireOperatorTotp: options.requireOperatorTotp ?? false,
    requireStaffTotp: options.requireStaffTotp ?? false,
  };
  const https = options.origin.startsWith("https:");
  const secureCookie = https || !options.insecureCookie;
  // __Host- binds the cookie to this exact origin (no Domain, Path=/, Secure).
  const cookieName = secureCookie ? "__Host-zz_session" : "zz_session";
  const allowed = new Set([options.origin, ...(options.allowedOrigins ?? [])]);
  const trust = compileTrust(options.trustedProxies ?? []);
  const lifecycle = options.lifecycle ?? createLifecycle();
  // Live notifications (SSE), fed by LISTEN/NOTIFY so that several API instances work.
  const hub = createNotificationHub(options.listenSql ?? sql, logger);
  // A deadline, roster day or court period computed across a year without calendar data counts
  // that year's holidays as working days: said in the log (and on the clock in the UI).
  onCalendarGap((gap) =>
    logger.warn(gap, "a date was computed across a year without calendar data: holidays count as working days"),
  );
  const metrics = createMetrics({
    sql,
    sseClients: () => hub.size,
    ...(options.queueDepth ? { queueDepth: options.queueDepth } : {}),
  });
  const app = new Hono<Env>();
  app.use(lifecycle.track);
  /**
   * A value only the database refused (SQLSTATE class 22) was answered 400 by the error map's
   * backstop; logged because an input check should have refused it first.
   */
  const logDataException = (requestId: string | undefined, path: string | undefined, error: unknown) => {
    const found = dataExceptionOf(error);
    if (found) logger.warn({ requestId, path, ...found }, "database refused a value the input checks let through");
  };

  app.use(requestId({ headerName: "X-Request-Id", limitLength: 64 }));
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", "data:"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      strictTransportSecurity: https ? "max-age=31536000; includeSubDomains" : false,
      xFrameOptions: "DENY",
      referrerPolicy: "same-origin",
    }),
  );

  // One access line per request: path without query string (tRPC inputs may carry personal data).
  app.use(async (c, next) => {
    const started = performance.now();
    // Why not X-Forwarded-For as it comes: any client can write it. Only a trusted proxy's counts.
    c.set("client", {
      ip: clientAddress(
        peerAddress(c),
        { forwardedFor: c.req.header("x-forwarded-for"), realIp: c.req.header("x-real-ip") },
        trust,
      ),
      userAgent: (c.req.header("user-agent") ?? "").slice(0, 300),
    });
    metrics.inFlight.inc();
    try {
      await next();
    } finally {
      metrics.inFlight.dec();
    }
    const seconds = (performance.now() - started) / 1000;
    metrics.observeRequest(c.req.method, routeOf(c.req.path), c.res.status, seconds);
    logger.info({
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(seconds * 1000),
      userId: c.get("user")?.userId,
    });
  });

  // Bodies are limited before anything reads them: Content-Length over the limit is refused at
  // once, a chunked body as soon as it passes the limit. Uploads stream (see receiveUpload).
  const tooLarge = (limit: number) => (c: Context) => {
    c.header("connection", "close");
    if (limit === FIELD_REPORT_BODY_LIMIT) return problem(c, fieldReportTooLarge());
    return problem(c, limit === UPLOAD_BODY_LIMIT ? attachmentTooLarge() : bodyTooLarge(limit));
  };
  const smallBody = bodyLimit({ maxSize: SMALL_BODY_LIMIT, onError: tooLarge(SMALL_BODY_LIMIT) });
  const trpcBody = bodyLimit({ maxSize: TRPC_BODY_LIMIT, onError: tooLarge(TRPC_BODY_LIMIT) });
  const openBody = bodyLimit({ maxSize: OPEN_API_BODY_LIMIT, onError: tooLarge(OPEN_API_BODY_LIMIT) });
  const streamedBody =
    (limit: number): MiddlewareHandler =>
    async (c, next) => {
      const declared = Number(c.req.header("content-length"));
      if (!c.req.header("transfer-encoding") && declared > limit) return tooLarge(limit)(c);
      await next();
    };
  const uploadBody = streamedBody(UPLOAD_BODY_LIMIT);
  const fieldReportBody = streamedBody(FIELD_REPORT_BODY_LIMIT);
  app.use(async (c, next) => {
    const path = c.req.path;
    if (/^\/(cases|notices)\/[^/]+\/attachments$/.test(path)) return uploadBody(c, next);
    if (path === "/field-reports") return fieldReportBody(c, next);
    if (path.startsWith(OPEN_API)) return openBody(c, next);
    return path.startsWith("/trpc/") ? trpcBody(c, next) : smallBody(c, next);
  });

  // Why: cookies ride along on cross-site requests, so every state change must prove it
  // comes from our own pages (Fetch Metadata, or an allowed Origin when that is absent).
  app.use(async (c, next) => {
    // The intake API authenticates by API key alone and refuses cookies (below): a cross-site
    // page cannot make a browser send a key, so there is nothing for this guard to protect.
    if (c.req.path.startsWith(OPEN_API)) return next();
    if (!["GET", "HEAD", "OPTIONS"].includes(c.req.method)) {
      const site = c.req.header("sec-fetch-site");
      const origin = c.req.header("origin");
      const ok = site
        ? site === "same-origin" && (!origin || allowed.has(origin))
        : origin !== undefined && allowed.has(origin);
      if (!ok) return problem(c, new AppError("FORBIDDEN", { zh: "跨站请求被拒绝", en: "Cross-site request refused" }));
    }
    await next();
  });

  app.use(async (c, next) => {
    // Static files, the health check and the public lookup need no session: skip the lookup.
    const path = c.req.path;
    if (
      path.startsWith("/assets/") ||
      OPERABILITY_PATHS.has(path) ||
      path.startsWith("/public/") ||
      path.startsWith("/api/")
    ) {
      c.set("token", null);
      c.set("user", null);
      return next();
    }
    const token = getCookie(c, cookieName) ?? null;
    const user = token ? await validateSession(sql, token, sessionOptions) : null;
    c.set("token", user ? token : null);
    c.set("user", user);
    await next();
    // An invalid or expired cookie is cleared on every answer, tRPC's (its own Response) included,
    // unless the answer sets a new session.
    if (token && !user && !c.res.headers.get("set-cookie")?.includes(`${cookieName}=`)) {
      c.res = new Response(c.res.body, c.res);
      c.res.headers.append("set-cookie", clearCookie);
    }
  });

  const cookieOptions = {
    path: "/",
    httpOnly: true,
    secure: secureCookie,
    sameSite: "Lax",
    maxAge: 12 * 60 * 60,
  } as const;
  const writeSession = (c: Context<Env>, token: string) => setCookie(c, cookieName, token, cookieOptions);
  const clearCookie = generateCookie(cookieName, "", { ...cookieOptions, maxAge: 0, expires: new Date(0) });

  // Liveness: the process answers. Nothing else (a database outage must not restart every replica).
  app.get("/healthz", (c) => c.json({ status: "ok", uptimeSeconds: Math.round(process.uptime()) }));

  // Readiness: this instance should get traffic. Draining, the database, the queue, the schema.
  app.get("/readyz", async (c) => {
    const checks: Record<string, string> = {};
    const check = async (name: string, probe: () => Promise<string>) => {
      try {
        checks[name] = await probe();
      } catch {
        checks[name] = "unreachable";
      }
    };
    await Promise.all([
      check("database", async () => {
        await sql`select 1`;
        return "ok";
      }),
      ...(options.readiness?.queue
        ? [
            check("queue", async () => {
              await options.readiness!.queue!();
              return "ok";
            }),
          ]
        : []),
      ...(options.readiness?.migrations
        ? [
            check("migrations", async () => {
              const lag = await migrationLag(sql, options.readiness!.migrations!);
              if (lag.pending.length) return `pending: ${lag.pending.join(", ")}`;
              if (lag.changed.length) return `changed after applying: ${lag.changed.join(", ")}`;
              return "ok";
            }),
          ]
        : []),
    ]);
    if (lifecycle.draining) checks.instance = "draining";
    const ready = Object.values(checks).every((v) => v === "ok");
    return c.json({ status: ready ? "ok" : "unavailable", ...checks }, ready ? 200 : 503);
  });

  // Prometheus scrape: only with the configured bearer token; without one, as if absent.
  app.get("/metrics", async (c) => {
    if (!options.metricsToken) return problem(c, new AppError("NOT_FOUND", { zh: "页面不存在", en: "Not found" }));
    if (!scrapeAllowed(options.metricsToken, c.req.header("authorization"))) {
      c.header("www-authenticate", 'Bearer realm="metrics"');
      return problem(
        c,
        new AppError("UNAUTHENTICATED", {
          zh: "读取监控指标需要令牌",
          en: "Reading the metrics needs the metrics token",
        }),
      );
    }
    return c.body(await metrics.registry.metrics(), 200, {
      "content-type": metrics.registry.contentType,
      "cache-control": "no-store",
    });
  });

  // The session endpoints: inputs and answers are the contracts of @zongzhi/api/schemas/auth,
  // which the UI types itself from.
  app.post("/auth/login", async (c) => {
    const input = loginInput.parse(await c.req.json().catch(() => ({})));
    const result = await login(sql, input, c.get("client"), sessionOptions);
    // Right password, second factor on: no session yet, a challenge for the code (POST /auth/login/totp).
    if (result.kind === "totp") {
      return c.json({ ok: false, totp: true, challenge: result.challenge } satisfies LoginAnswer);
    }
    writeSession(c, result.token);
    return c.json(nextStep(result.user) satisfies LoginAnswer);
  });

  app.post("/auth/login/totp", async (c) => {
    const input = totpLoginInput.parse(await c.req.json().catch(() => ({})));
    const { token, user } = await completeTotpLogin(sql, options.cipher, input, c.get("client"), sessionOptions);
    writeSession(c, token);
    return c.json(nextStep(user) satisfies SignedIn);
  });

  app.post("/auth/logout", async (c) => {
    const token = c.get("token");
    if (token) await logout(sql, token, c.get("client"));
    c.header("set-cookie", clearCookie, { append: true });
    return c.json({ ok: true } satisfies Done);
  });

  app.post("/auth/setup/inspect", async (c) => {
    const { token } = setupTokenInput.parse(await c.req.json().catch(() => ({})));
    return c.json((await inspectSetupToken(sql, token)) satisfies SetupInspection);
  });
  app.post("/auth/setup", async (c) => {
    const input = setupInput.parse(await c.req.json().catch(() => ({})));
    const { token } = await completeSetup(sql, input, c.get("client"));
    // An account with a second factor signs in with password and code (the link does not bypass it).
    if (!token) return c.json({ ok: true, signIn: true } satisfies SetupDone);
    writeSession(c, token);
    return c.json({ ok: true } satisfies SetupDone);
  });

  // 一码可查: anyone with the code and the last 4 digits of the applicant's phone sees the
  // case's stages and dates — no names, no numbers, no free text. Rate-limited per IP. Bodies
  // and answers: schemas/public.ts.
  app.post("/public/lookup", async (c) => {
    // Misses are limited per address and per code (a code's 4 phone digits must not fall to
    // enumeration from many addresses either); a found case gives its hits back.
    const byAddress = await failureLimit(sql, `lookup-fail:${c.get("client").ip}`, LOOKUP_FAILURE_RATE);
    const input = lookupInput.parse(await c.req.json().catch(() => ({})));
    const byCode = await failureLimit(sql, `lookup-code:${input.code}`, LOOKUP_CODE_FAILURE_RATE);
    const found = await publicLookup(sql, options.cipher, input);
    if (found) await Promise.all([byAddress.succeeded(), byCode.succeeded()]);
    if (!found) return problem(c, noCase());
    return c.json({ ...found, result: await publicResult(sql, options.cipher, input) } satisfies PublicLookup);
  });
  const noCase = () =>
    new AppError("NOT_FOUND", {
      zh: "未找到该案件，请核对案件编号和手机号后四位",
      en: "No case matches this code and phone",
    });
  // The citizen's answer to the result (issue 13 §3), with the same code and phone digits as the
  // lookup and under the same limits: confirms it, or rejects it with a reason (重办).
  app.post("/public/lookup/answer", async (c) => {
    const byAddress = await failureLimit(sql, `lookup-fail:${c.get("client").ip}`, LOOKUP_FAILURE_RATE);
    const input = lookupAnswerInput.parse(await c.req.json().catch(() => ({})));
    const byCode = await failureLimit(sql, `lookup-code:${input.code}`, LOOKUP_CODE_FAILURE_RATE);
    const answered = await answerPublicCase(sql, options.cipher, input, c.get("requestId"));
    if (!answered) return problem(c, noCase());
    await Promise.all([byAddress.succeeded(), byCode.succeeded()]);
    const found = await publicLookup(sql, options.cipher, input);
    if (!found) return problem(c, noCase());
    const result = await publicResult(sql, options.cipher, input);
    return c.json({ ...found, result, reopened: answered.reopened } satisfies PublicLookupAnswered);
  });

  // 网上预约 (issue 13 §6): a person picks a centre, sees its slots, books, looks the booking up
  // and cancels it, without signing in. Each centre's requests run in its tenant transaction as
  // the system actor online_booking. Limited on the client address (the socket's, or what a
  // configured proxy saw: a forged X-Forwarded-For counts for nothing) and on the phone.
  const bookingLimit = async (c: Context<Env>) =>
    rateLimit(sql, `booking:${c.get("client").ip}`, BOOKING_REQUEST_RATE.limit, BOOKING_REQUEST_RATE.windowMs);
  const asCentre = async <T>(c: Context<Env>, code: string, fn: Parameters<typeof withScope<T>>[2]) =>
    withScope(sql, await publicBookingScope(sql, code, c.get("requestId")), fn);
  const noBooking = () =>
    new AppError("NOT_FOUND", {
      zh: "未找到该预约，请核对预约码和手机号后四位",
      en: "No booking matches this code and phone",
    });
  app.get("/public/booking/centres", async (c) => {
    await bookingLimit(c);
    return c.json((await bookingCentres(sql, centresQuery.parse(c.req.query()))) satisfies BookingCentre[]);
  });
  app.get("/public/booking/centres/:code", async (c) => {
    await bookingLimit(c);
    const code = centreCode.parse(c.req.param("code"));
    return c.json((await asCentre(c, code, (tx) => publicCentre(tx, new Date()))) satisfies PublicCentre);
  });
  app.post("/public/booking/appointments", async (c) => {
    await bookingLimit(c);
    const header = c.req.header("idempotency-key");
    if (!header) {
      throw new AppError("VALIDATION", {
        zh: "预约须带 Idempotency-Key 请求头（每次预约一个，重试时不变）",
        en: "A booking needs an Idempotency-Key header (one per booking, the same on a retry)",
      });
    }
    const key = idempotencyKeyHeader.parse(header);
    const input = publicBookingInput.parse(await c.req.json().catch(() => ({})));
    const startsAt = new Date(input.startsAt);
    if (Number.isNaN(startsAt.getTime())) {
      throw new AppError(
        "VALIDATION",
        { zh: "时段格式不正确", en: "a slot's start as an ISO 8601 instant" },
        { fields: [{ path: "startsAt", zh: "时段格式不正确", en: "a slot's start as an ISO 8601 instant" }] },
      );
    }
    const ip = c.get("client").ip;
    await rateLimit(sql, `booking-new:${ip}`, BOOKINGS_PER_ADDRESS_PER_HOUR, 3_600_000);
    const mobile = validateMobileNumber(input.phone);
    if (mobile.ok) {
      const index = options.cipher.blindIndex("phone", mobile.normalized).toString("hex");
      await rateLimit(sql, `booking-phone:${index}`, BOOKINGS_PER_PHONE_PER_DAY, 86_400_000);
    }
    const booked = await asCentre(c, input.centreCode, (tx) =>
      bookAppointment(tx, { ...input, startsAt }, { cipher: options.cipher, idempotencyKey: key, now: new Date(), ip }),
    );
    return c.json(booked satisfies BookedAppointment, booked.replayed ? 200 : 201);
  });
  /** Lookup and cancel: misses limited per address and per code, as the case lookup's. */
  const ownBooking =
    (act: (tx: Tx, input: { code: string; phoneLast4: string }) => Promise<PublicAppointment | null>) =>
    async (c: Context<Env>) => {
      await bookingLimit(c);
      const byAddress = await failureLimit(sql, `booking-lookup:${c.get("client").ip}`, LOOKUP_FAILURE_RATE);
      const input = bookingLookupInput.parse(await c.req.json().catch(() => ({})));
      const byCode = await failureLimit(sql, `booking-code:${input.code}`, LOOKUP_CODE_FAILURE_RATE);
      const centre = input.code.slice(0, input.code.indexOf("-"));
      let found: PublicAppointment | null;
      try {
        found = await asCentre(c, centre, (tx) => act(tx, input));
      } catch (error) {
        // A centre that takes no bookings reads as a wrong code (no oracle of the centres).
        if (toAppError(error)?.code === "NOT_FOUND") throw noBooking();
        throw error;
      }
      if (!found) throw noBooking();
      await Promise.all([byAddress.succeeded(), byCode.succeeded()]);
      return c.json(found satisfies PublicAppointment);
    };
  app.post(
    "/public/booking/lookup",
    ownBooking((tx, input) => lookupAppointment(tx, input, options.cipher, new Date())),
  );
  app.post(
    "/public/booking/cancel",
    ownBooking((tx, input) => cancelOwnAppointment(tx, input, options.cipher, new Date())),
  );

  /** The signed-in caller holding one of `permissions`, after the same checks as tRPC (before any body is read). */
  const caller = (c: Context<Env>, permissions: Permission[]) => {
    const user = c.get("user");
    if (!user) throw new AppError("UNAUTHENTICATED", { zh: "请先登录", en: "Please sign in" });
    assertSessionReady(user, null);
    assertCan(user.roles, ...(permissions as [Permission, ...Permission[]]));
    return user;
  };
  /** Runs `fn` in the signed-in caller's tenant transaction. */
  const asCaller = <T>(c: Context<Env>, permissions: Permission[], fn: Parameters<typeof withScope<T>>[2]) =>
    withScope(sql, scopeOf(caller(c, permissions), c.get("requestId"), c.get("client").ip), fn);
  /** The same on the replica when there is one: reads that may lag (an export's rows). */
  const asCallerLagging = <T>(c: Context<Env>, permissions: Permission[], fn: Parameters<typeof withScope<T>>[2]) => {
    const scope = scopeOf(caller(c, permissions), c.get("requestId"), c.get("client").ip);
    return options.replicaSql ? withScopeOnReplica(sql, options.replicaSql, scope, fn) : withScope(sql, scope, fn);
  };

  /**
   * Records an HTTP mutation (an upload) in the operation log as tRPC records its own: done or
   * refused, after its transaction, in one of its own. A lost line is reported, the answer stands.
   */
  const logged = async <T>(c: Context<Env>, path: string, input: Record<string, unknown>, run: () => Promise<T>) => {
    let result = "ok";
    let output: T | undefined;
    try {
      output = await run();
      return output;
    } catch (error) {
      result = toAppError(error)?.code ?? "INTERNAL";
      throw error;
    } finally {
      const user = c.get("user");
      if (user) {
        const op = { kind: operationKind(path), result, input, output, ip: c.get("client").ip };
        await withScope(sql, scopeOf(user, c.get("requestId"), c.get("client").ip), (tx) =>
          recordOperation(tx, op, { last: true }),
        ).catch((error: unknown) =>
          logger.error({ err: error, path, requestId: c.get("requestId") }, `operation log: ${path} not recorded`),
        );
      }
    }
  };

  app.get("/events", (c) => {
    const user = c.get("user");
    if (!user) throw new AppError("UNAUTHENTICATED", { zh: "请先登录", en: "Please sign in" });
    assertSessionReady(user, null);
    return streamSSE(c, async (stream) => {
      let open = true;
      let wake = () => {};
      const woken = new Promise<void>((done) => {
        wake = done;
      });
      const end = () => {
        open = false;
        wake();
      };
      // A stopping instance closes the stream; the browser's EventSource reconnects (to another replica).
      const forget = lifecycle.openStream({ close: end });
      const unsubscribe = await hub.subscribe({
        scope: user.scope,
        userId: user.userId,
        send: (event, data) => void stream.writeSSE({ event, data }),
      });
      stream.onAbort(end);
      try {
        if (open) await stream.writeSSE({ event: "ready", data: "{}" });
        // A comment line every 25 s keeps proxies from closing an idle stream.
        while (open) {
          await Promise.race([stream.sleep(25_000), woken]);
          if (open) await stream.write(": keep-alive\n\n");
        }
      } finally {
        unsubscribe();
        forget();
      }
    });
  });

  // Attachments travel as multipart uploads, outside tRPC; the bytes stream to the store (never
  // whole in memory, never into the database). Who may upload is checked before the body is read.
  app.post("/cases/:id/attachments", async (c) => {
    const caseId = id().parse(c.req.param("id"));
    const saved = await logged(c, "cases.attach", { caseId }, async () => {
      caller(c, ["case.attach"]);
      const { filename, file } = await receiveUpload(c.req.raw, options.store);
      try {
        return await asCaller(c, ["case.attach"], (tx) => addAttachment(tx, { caseId, filename, file }));
      } finally {
        await file.discard();
      }
    });
    return c.json(saved, 201);
  });
  // A notice's files (通知附件): uploaded by the publishing unit like a case's materials, read by
  // the notice's audience alone.
  app.post("/notices/:id/attachments", async (c) => {
    const noticeId = id().parse(c.req.param("id"));
    const saved = await logged(c, "notices.attach", { id: noticeId }, async () => {
      caller(c, ["notice.publish"]);
      const { filename, file } = await receiveUpload(c.req.raw, options.store);
      try {
        return await asCaller(c, ["notice.publish"], (tx) => attachToNotice(tx, { noticeId, filename, file }));
      } finally {
        await file.discard();
      }
    });
    return c.json(saved, 201);
  });
  app.get("/notice-attachments/:id", async (c) => {
    const attachmentId = id().parse(c.req.param("id"));
    const file = await asCaller(c, ["notice.read"], (tx) => readNoticeAttachment(tx, options.store, attachmentId));
    return c.body(new Uint8Array(file.bytes), 200, {
      "content-type": file.mime,
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      "cache-control": "private, no-store",
    });
  });
  // A field report from the phone (现场上报) with up to nine photos, in one request: the photos are
  // checked by their content and re-encoded without metadata before the transaction opens; the
  // Idempotency-Key (one per report, kept with it in the phone's queue) makes a resend after a lost
  // answer return the first case, photos included, and register nothing more.
  app.post("/field-reports", async (c) => {
    const saved = await logged(c, "cases.fieldReport", {}, async () => {
      caller(c, ["case.register"]);
      caller(c, ["case.attach"]);
      const header = c.req.header("idempotency-key");
      if (!header) {
        throw new AppError("VALIDATION", {
          zh: "上报须带 Idempotency-Key 请求头（每条上报一个，重发时不变）",
          en: "A field report needs an Idempotency-Key header (one per report, the same when resent)",
        });
      }
      const key = idempotencyKeyHeader.parse(header);
      const { report, photos } = await receiveFieldReport(c.req.raw, photoPool);
      const input = fieldReportInput.parse(report);
      const staged: FieldPhoto[] = [];
      try {
        for (const photo of photos) {
          const bytes = await options.store.stage(Readable.from([photo.bytes]));
          staged.push({
            file: {
              ...bytes,
              sizeBytes: photo.bytes.byteLength,
              sha256: photo.sha256,
              head: photo.bytes.subarray(0, 16),
            },
            ext: photo.ext,
            position: photo.position,
          });
        }
        return await asCaller(c, ["case.register"], (tx) =>
          registerFieldReport(tx, { ...input, photos: staged }, options.cipher, key),
        );
      } finally {
        await Promise.all(staged.map((p) => p.file.discard()));
      }
    });
    return c.json(saved, saved.replayed ? 200 : 201);
  });
  app.get("/attachments/:id", async (c) => {
    const attachmentId = id().parse(c.req.param("id"));
    const file = await asCaller(c, ["case.read", "case.read_summoned"], (tx) =>
      readAttachment(tx, options.store, attachmentId),
    );
    return c.body(new Uint8Array(file.bytes), 200, {
      "content-type": file.mime,
      "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      "cache-control": "private, no-store",
    });
  });

  // Ledgers and exports (台账, issue 10 §5): streamed as they are written (Excel or CSV); the
  // unit and period are checked in a transaction of their own first, so that a refusal is a
  // proper 4xx and not a broken download.
  app.get("/exports/:kind", async (c) => {
    const query = ledgerQuery.parse(caseFilterQuery(c.req.query()));
    const kind = z.enum(LEDGER_KINDS).parse(c.req.param("kind"));
    const permissions: Permission[] = kind === "ranking" || kind === "figures" ? ["stats.read"] : ["case.read"];
    const { reveal, format, unitCode, from, to, categoryCode, ...filter } = query;
    const filtered = Object.values(filter).some((v) => v !== undefined);
    if (filtered && kind !== "cases") {
      throw new AppError("VALIDATION", {
        zh: "收件箱筛选条件只适用于案件台账",
        en: "The inbox's filters apply to the case ledger only",
      });
    }
    const spec: LedgerSpec = {
      kind,
      format,
      unitCode,
      from,
      to,
      categoryCode,
      filter,
      reveal: reveal === "1",
      cipher: options.cipher,
    };
    const period = resolvePeriod(spec);
    const { unit, expected } = await asCaller(c, permissions, async (tx) => {
      const u = await figureUnit(tx, spec.unitCode);
      await authorizeReveal(tx, spec, u);
      return { unit: u, expected: await expectedLedgerRows(tx, spec, u) };
    });
    const out = new PassThrough();
    // The rows of a masked ledger may lag (the replica, when there is one); a revealing export
    // records the rows it revealed when it ends, a write: on the primary.
    const ledgerOn = spec.reveal ? asCaller : asCallerLagging;
    void ledgerOn(c, permissions, (tx) => writeLedger(tx, spec, out)).catch((error) => {
      logger.error({ err: databaseError(error), requestId: c.get("requestId") }, "export failed");
      out.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    const name = ledgerFileName(
      unit.name,
      spec,
      isInboxLedger(spec) ? "全部" : period.from === period.to ? period.to : `${period.from}至${period.to}`,
    );
    return new Response(Readable.toWeb(out) as ReadableStream, {
      headers: {
        "content-type":
          spec.format === "csv"
            ? "text/csv; charset=utf-8"
            : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(name)}`,
        "cache-control": "private, no-store",
        // The rows to come, when known: the UI's progress indicator.
        ...(expected === null ? {} : { [LEDGER_ROWS_HEADER]: String(expected) }),
      },
    });
  });

  // The operation log and the sign-in log as Excel or CSV (操作日志 / 登录日志 导出), filtered as
  // the log page filters them (days in China time), streamed page by page however long the log.
  app.get("/exports/logs/:log", async (c) => {
    const log = z.enum(["operations", "sign-in"]).parse(c.req.param("log")) === "sign-in" ? "sign_in" : "operations";
    const query = strict({
      format: z.enum(["xlsx", "csv"]).default("xlsx"),
      ...logFilterFields,
      from: isoDate().optional(),
      to: isoDate().optional(),
    }).parse(c.req.query());
    const { format, from, to, ...filter } = query;
    const day = (d: string, next: boolean) => new Date(Date.parse(`${d}T00:00:00+08:00`) + (next ? 86_400_000 : 0));
    const spec = {
      ...filter,
      log,
      actor: filter.actor || undefined,
      object: filter.object || undefined,
      from: from ? day(from, false) : undefined,
      to: to ? day(to, true) : undefined,
    } as const;
    // The permission is checked before any byte, so that a refusal is a proper 4xx.
    caller(c, ["audit.read"]);
    const out = new PassThrough();
    void asCallerLagging(c, ["audit.read"], (tx) => writeLogExport(tx, spec, format, out)).catch((error) => {
      logger.error({ err: error, requestId: c.get("requestId") }, "log export failed");
      out.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    return new Response(Readable.toWeb(out) as ReadableStream, {
      headers: {
        "content-type":
          format === "csv"
            ? "text/csv; charset=utf-8"
            : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "content-disposition": `attachment; filename*=UTF-8''${encodeURIComponent(logExportName(log, format))}`,
        "cache-control": "private, no-store",
      },
    });
  });

  // The intake API (issue 13 §5): Open311 GeoReport v2 in spirit, documented at /api/openapi.json.
  const document = openApiDocument(options.origin);
  app.get("/api/openapi.json", (c) => c.json(document));
  app.get("/api/docs", (c) => c.html(openApiPage(document)));
  app.use(`${OPEN_API}*`, async (c, next) => {
    if (c.req.header("cookie")) {
      return problem(
        c,
        new AppError("VALIDATION", {
          zh: "开放接口只接受 API 密钥，请求不能携带 Cookie",
          en: "The intake API takes an API key only; send no cookies",
        }),
      );
    }
    const bearer = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "")?.[1];
    const key = bearer ? await verifyApiKey(sql, bearer) : null;
    if (!key) {
      c.header("www-authenticate", 'Bearer realm="api"');
      return problem(
        c,
        new AppError("UNAUTHENTICATED", {
          zh: "缺少或无效的 API 密钥（Authorization: Bearer zzk_…）",
          en: "Missing or invalid API key (Authorization: Bearer zzk_…)",
        }),
      );
    }
    await rateLimit(sql, `api-key:${key.id}`, key.ratePerMinute, 60_000);
    c.set("apiKey", key);
    await next();
  });
  /** Runs `fn` in the key's tenant transaction (its unit, its permissions, no user). */
  const asKey = <T>(c: Context<Env>, fn: Parameters<typeof withScope<T>>[2]) =>
    withScope(sql, keyScopeOf(c.get("apiKey"), c.get("requestId")), fn);
  const body = async (c: Context<Env>) => c.req.json().catch(() => ({}));
  app.get(`${OPEN_API}services`, async (c) => c.json(await asKey(c, (tx) => listOpenServices(tx))));
  app.post(`${OPEN_API}requests`, async (c) => {
    const idempotencyKey = c.req.header("idempotency-key");
    if (!idempotencyKey) {
      return problem(
        c,
        new AppError("VALIDATION", {
          zh: "提交诉求须带 Idempotency-Key 请求头（每个诉求一个，重试时不变）",
          en: "A create needs an Idempotency-Key header (one per request, the same on a retry)",
        }),
      );
    }
    const key = idempotencyKeyHeader.parse(idempotencyKey);
    const input = openRequestInput.parse(await body(c));
    const created = await asKey(c, (tx) =>
      submitOpenRequest(tx, input, { channel: c.get("apiKey").channel, cipher: options.cipher, idempotencyKey: key }),
    );
    return c.json(created, created.replayed ? 200 : 201);
  });
  app.get(`${OPEN_API}requests`, async (c) => {
    const query = openRequestsQuery.parse(c.req.query());
    return c.json(await asKey(c, (tx) => listOpenRequests(tx, query)));
  });
  app.get(`${OPEN_API}requests/:id`, async (c) => {
    const requestId = id().parse(c.req.param("id"));
    return c.json(await asKey(c, (tx) => getOpenRequest(tx, requestId)));
  });
  app.post(`${OPEN_API}requests/:id/rating`, async (c) => {
    const requestId = id().parse(c.req.param("id"));
    const input = openRatingInput.parse(await body(c));
    return c.json(await asKey(c, (tx) => rateOpenRequest(tx, requestId, input)));
  });

  app.use(
    "/trpc/*",
    trpcServer({
      router: appRouter,
      endpoint: "/trpc",
      createContext: (opts, c): ApiContext => {
        const ctx = c as unknown as Context<Env>;
        return {
          sql,
          ...(options.replicaSql ? { replicaSql: options.replicaSql } : {}),
          user: ctx.get("user"),
          client: ctx.get("client"),
          requestId: ctx.get("requestId"),
          origin: options.origin,
          cipher: options.cipher,
          webhookNetwork: options.webhookNetwork ?? PUBLIC_ONLY,
          idempotencyKey: ctx.req.header("idempotency-key")?.slice(0, 100) || undefined,
          observeProcedure: metrics.observeProcedure,
          logError: (detail, message) => logger.error(detail, message),
          // tRPC builds its own Response: the cookie must go through its response headers.
          setSessionToken: (token) =>
            opts.resHeaders.append("set-cookie", generateCookie(cookieName, token, cookieOptions)),
        };
      },
      // A 429 says when to come back (Retry-After), as on the plain HTTP routes.
      responseMeta: ({ errors }) => {
        const seconds = errors
          .map((e) => toAppError(e.cause ?? e)?.details?.retryAfterSeconds)
          .find((s): s is number => typeof s === "number");
        return seconds ? { headers: new Headers({ "retry-after": String(seconds) }) } : {};
      },
      onError: ({ error, path, ctx }) => {
        if (error.code === "INTERNAL_SERVER_ERROR") {
          logger.error(
            { err: databaseError(error.cause ?? error), path, requestId: ctx?.requestId },
            "procedure failed",
          );
        }
        logDataException(ctx?.requestId, path, error.cause);
      },
    }),
  );

  if (options.staticDir && existsSync(join(options.staticDir, "index.html"))) {
    const dir = options.staticDir;
    const index = readFileSync(join(dir, "index.html"), "utf8");
    app.use("/assets/*", serveStatic({ root: dir }));
    app.use("/favicon.svg", serveStatic({ root: dir }));
    // Client-side routes all load the single page.
    app.get("*", (c) => c.html(index));
  }

  app.notFound((c) => problem(c, new AppError("NOT_FOUND", { zh: "页面不存在", en: "Not found" })));
  app.onError((error, c) => {
    const app = toAppError(error);
    logDataException(c.get("requestId"), c.req.path, app);
    if (app) return problem(c, app);
    logger.error({ err: databaseError(error), requestId: c.get("requestId") }, "request failed");
    return c.json(
      {
        code: "INTERNAL",
        zh: "服务器内部错误，请稍后重试",
        en: "Internal error; please retry later",
        requestId: c.get("requestId"),
      },
      500,
    );
  });
  return app;
}

/** Paths that need no session: liveness, readiness, the metrics scrape (its own token). */
const OPERABILITY_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);
const FIXED_ROUTES = new Set([
  "/auth/login",
  "/auth/login/totp",
  "/auth/logout",
  "/auth/setup",
  "/auth/setup/inspect",
  "/public/lookup",
  "/public/booking/centres",
  "/public/booking/appointments",
  "/public/booking/lookup",
  "/public/booking/cancel",
]);

/**
 * The route pattern of a path, for metric labels: ids replaced, tRPC procedures counted on
 * their own histogram, everything the single-page UI serves as one label.
 */
export function routeOf(path: string): string {
  if (path.startsWith("/trpc/")) return "/trpc";
  if (path.startsWith("/assets/")) return "/assets";
  if (OPERABILITY_PATHS.has(path) || path === "/events" || path === "/favicon.svg") return path;
  if (FIXED_ROUTES.has(path)) return path;
  if (/^\/cases\/[^/]+\/attachments$/.test(path)) return "/cases/:id/attachments";
  if (/^\/attachments\/[^/]+$/.test(path)) return "/attachments/:id";
  if (/^\/notices\/[^/]+\/attachments$/.test(path)) return "/notices/:id/attachments";
  if (/^\/notice-attachments\/[^/]+$/.test(path)) return "/notice-attachments/:id";
  if (path === "/field-reports") return path;
  if (/^\/public\/booking\/centres\/[^/]+$/.test(path)) return "/public/booking/centres/:code";
  if (/^\/exports\/[a-z_]+$/.test(path) && (LEDGER_KINDS as readonly string[]).includes(path.slice(9))) return path;
  if (path === "/api/openapi.json" || path === "/api/docs" || path === "/api/v1/services") return path;
  if (path === "/api/v1/requests") return path;
  if (/^\/api\/v1\/requests\/[^/]+$/.test(path)) return "/api/v1/requests/:id";
  if (/^\/api\/v1\/requests\/[^/]+\/rating$/.test(path)) return "/api/v1/requests/:id/rating";
  return "other";
}

/** What the UI must do right after signing in: change an initial password, or enrol a second factor. */
function nextStep(user: SessionUser): SignedIn {
  return {
    ok: true,
    mustChangePassword: user.mustChangePassword,
    mfaEnrolmentRequired: user.totpRequired && !user.totpEnabled,
  };
}

/** The bilingual 413 of a body over its limit. */
function bodyTooLarge(limitBytes: number): AppError {
  const size =
    limitBytes >= 1024 * 1024 ? `${Math.round(limitBytes / 1024 / 1024)} MB` : `${Math.round(limitBytes / 1024)} KB`;
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    { zh: `请求内容过大（上限 ${size}）`, en: `The request body is too large (at most ${size})` },
    { limitBytes },
  );
}

/** The socket peer's address (none when the app is driven without a Node server). */
function peerAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

function problem(c: Context, error: AppError) {
  const status = ERROR_STATUS[error.code].http as 400;
  const retry = error.details?.retryAfterSeconds;
  if (typeof retry === "number") c.header("retry-after", String(retry));
  return c.json({ code: error.code, zh: error.messages.zh, en: error.messages.en, details: error.details }, status);
}
