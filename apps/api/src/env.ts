import { z } from "zod";
import { compileTrust } from "./client-address.ts";

const Env = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  /** Owner/admin URL: migrations run with it. Absent: an embedded PostgreSQL under DATA_DIR. */
  DATABASE_URL: z.string().optional(),
  /** Runtime URL for the zz_app role. Absent: DATABASE_URL with user zz_app and APP_DATABASE_PASSWORD. */
  APP_DATABASE_URL: z.string().optional(),
  APP_DATABASE_PASSWORD: z.string().optional(),
  /** Job-queue role URL (zz_worker); default DATABASE_URL with user zz_worker and WORKER_DATABASE_PASSWORD. */
  WORKER_DATABASE_URL: z.string().optional(),
  WORKER_DATABASE_PASSWORD: z.string().optional(),
  /**
   * A streaming replica, as the runtime role (zz_app, never an owner or superuser: checked at
   * start): queries whose answers may lag (lists, figures, rankings, masked exports) read there;
   * writes and reads of what the caller just wrote stay on the primary. Absent: all on the primary.
   */
  REPLICA_DATABASE_URL: z.string().optional(),
  /**
   * Connections of the runtime role's pool (default 16, `DEFAULT_POOL_MAX` in @zongzhi/db). An
   * intake holds its connection for two round trips and the time between; measured on 2 cores
   * with 16 clients, 10 connections queued requests and 16 kept the database busy. Size it to
   * the concurrent requests one instance serves, within the server's max_connections.
   */
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).optional(),
  /**
   * `on` (default): the runtime pool prepares the statements that bind parameters (one round
   * trip each instead of two; see createPool). `off` behind a transaction-mode pooler without
   * prepared-statement support (PgBouncer before 1.21, as in infra/compose.yaml).
   */
  DATABASE_PREPARE: z.enum(["on", "off"]).default("on"),
  DATA_DIR: z.string().default(".data"),
  /** Port of the embedded database; absent: 54329, or a free port remembered in DATA_DIR when that is taken. */
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Public origin of the UI (scheme://host[:port]); HTTPS turns on __Host- cookies and HSTS. */
  PUBLIC_ORIGIN: z.string().optional(),
  /** Further origins allowed to make state-changing requests, comma-separated. */
  ALLOWED_ORIGINS: z.string().default(""),
  /**
   * Runs the job queue (deadline scans, supervision) in this process. `off` for a web-only
   * instance next to others that run it, or a benchmark that times the scan on its own.
   */
  JOBS: z.enum(["on", "off"]).default("on"),
  /**
   * `off`: this instance neither migrates nor loads the registry (a one-shot migration job did;
   * /readyz stays 503 until this build's migrations are applied). Default `on`: migrate at start.
   */
  MIGRATE: z.enum(["on", "off"]).default("on"),
  /**
   * Connection for LISTEN (live notifications) when APP_DATABASE_URL goes through a pooler in
   * transaction mode (PgBouncer), which cannot carry LISTEN: the zz_app role straight to PostgreSQL.
   */
  LISTEN_DATABASE_URL: z.string().optional(),
  /** Bearer token a Prometheus scrape of /metrics must send; absent: /metrics answers 404. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /** How long a stop (SIGTERM) waits for requests in flight before cutting them, in ms. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** Worker threads that check and re-encode field-report photos (default: the cores less one, at least one). */
  PHOTO_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  /** Photos waiting for a thread beyond which a report is refused with a 503 (default 36). */
  PHOTO_QUEUE: z.coerce.number().int().min(0).max(10_000).default(36),
  /** Longest work on one photo in its thread before it is refused with a 400, in ms (default 20 s). */
  PHOTO_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(20_000),
  /** Loads the demo deployment into an empty database (default: on outside production). */
  DEMO: z.enum(["on", "off"]).optional(),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Keyring for personal-data encryption: `k1:<base64 16 bytes>;index:<base64 32 bytes>` (see @zongzhi/crypto). */
  FIELD_KEYS: z.string().optional(),
  /**
   * HMAC-SM3 key that signs the audit chain's checkpoints, kept outside the database:
   * `<id>:<base64 of 32 bytes>` (`pnpm keys:generate audit`). Absent: no checkpoints are written.
   */
  AUDIT_HMAC_KEY: z.string().optional(),
  /**
   * The file kept apart (another volume, or a write-once store) where every checkpoint is also
   * appended, one JSON line each; default DATA_DIR/audit-checkpoints.jsonl.
   */
  AUDIT_CHECKPOINT_FILE: z.string().optional(),
  /** Where attachments are stored (local disk); default DATA_DIR/attachments. */
  ATTACHMENTS_DIR: z.string().optional(),
  /** Dev override: allow a non-Secure cookie over plain HTTP in production mode. */
  ALLOW_INSECURE_COOKIE: z.enum(["0", "1"]).default("0"),
  /**
   * 1: platform operators must sign in with a second factor (TOTP) and are held at the enrolment
   * page until they have one. Default 0 (off). Deployments set their own staff's requirement in the UI.
   */
  REQUIRE_OPERATOR_TOTP: z.enum(["0", "1"]).default("0"),
  /**
   * 1: every staff role and operator must sign in with a second factor (MLPS level 3, GB/T
   * 22239-2019 8.1.4.1: two authentication techniques for administrators and users). Default:
   * 1 in production, 0 otherwise. 0 in production relaxes it, loudly (a warning at every start).
   */
  REQUIRE_STAFF_TOTP: z.enum(["0", "1"]).optional(),
  /**
   * 1: webhooks may be sent to receivers on this machine (127.0.0.0/8, ::1), for a receiver beside
   * a development server. Default: 0 in production (public unicast addresses only), 1 otherwise.
   * Private, link-local and metadata addresses are refused either way.
   */
  WEBHOOK_ALLOW_LOOPBACK: z.enum(["0", "1"]).optional(),
  /**
   * Reverse proxies in front of the API whose X-Forwarded-For / X-Real-IP are believed:
   * comma-separated IPs and CIDRs (e.g. `10.0.0.0/8,127.0.0.1`), or `loopback`. Default empty:
   * the client address is always the socket's, and forwarded headers are ignored. Sign-in and
   * lookup limits and the audit log use this address, so list exactly the proxies you run.
   */
  TRUSTED_PROXIES: z
    .string()
    .default("")
    .refine(
      (list) => {
        try {
          compileTrust(list);
          return true;
        } catch {
          return false;
        }
      },
      { message: "TRUSTED_PROXIES must list IP addresses or CIDR ranges, comma-separated" },
    )
    .transform((list) =>
      list
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    ),
});

/** Parsed environment of the API process (the only reader of process.env here). */
export type ServerEnv = z.infer<typeof Env>;

/** Whether webhooks may go to this machine: WEBHOOK_ALLOW_LOOPBACK, else only outside production. */
export function webhookLoopbackAllowed(env: Pick<ServerEnv, "NODE_ENV" | "WEBHOOK_ALLOW_LOOPBACK">): boolean {
  return env.WEBHOOK_ALLOW_LOOPBACK ? env.WEBHOOK_ALLOW_LOOPBACK === "1" : env.NODE_ENV !== "production";
}

/** Whether staff must have a second factor: REQUIRE_STAFF_TOTP, else on exactly in production. */
export function staffTotpRequired(env: Pick<ServerEnv, "NODE_ENV" | "REQUIRE_STAFF_TOTP">): boolean {
  return env.REQUIRE_STAFF_TOTP ? env.REQUIRE_STAFF_TOTP === "1" : env.NODE_ENV === "production";
}

/** Reads and validates the environment. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): ServerEnv {
  return Env.parse(source);
}
