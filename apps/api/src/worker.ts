import { dispatchWebhooks, type FieldCipher, scanDeadlines, type WebhookNetwork } from "@zongzhi/api";
import { type AuditKey, checkpointAuditChains } from "@zongzhi/db/audit-chain";
import type { Sql } from "@zongzhi/db/client";
import { type Runner, run, runMigrations, type TaskList, Logger as WorkerLogger } from "graphile-worker";
import postgres from "postgres";
import { appendCheckpoints } from "./audit-file.ts";
import type { Logger } from "./logger.ts";

/** How often deadlines are rescanned (graphile-worker crontab: every minute). */
export const DEADLINE_SCAN_CRON = "* * * * * deadline_scan";
/** Webhooks are sent every minute, and sooner when a retry falls due (the run schedules the next). */
export const WEBHOOK_CRON = "* * * * * webhook_dispatch";
/** The audit chain is checkpointed every ten minutes (when AUDIT_HMAC_KEY is set). */
export const AUDIT_CHECKPOINT_CRON = "*/10 * * * * audit_checkpoint";

/** What the checkpoint job needs: a zz_worker connection, the signing key, the file kept apart. */
export interface AuditCheckpointing {
  sql: Sql;
  key: AuditKey;
  file: string;
}

/**
 * Installs graphile-worker's schema as the queue role zz_worker, which then owns it. The queue
 * lives in PostgreSQL, so jobs survive restarts and several API instances share it without
 * running a job twice (its cron de-duplicates by schedule slot).
 */
export async function prepareWorkerSchema(workerUrl: string): Promise<void> {
  await runMigrations({ connectionString: workerUrl, logger: quietLogger() });
}

function quietLogger(log?: Logger) {
  return new WorkerLogger(() => (level, message) => {
    if (level === "error") log?.error({ worker: message });
    else if (level === "warning") log?.warn({ worker: message });
  });
}

/** The jobs this product runs. `now` is injected so that tests control the clock. */
export function taskList(
  sql: Sql,
  log: Logger,
  now: () => Date = () => new Date(),
  cipher?: FieldCipher,
  webhookNetwork?: WebhookNetwork,
  audit?: AuditCheckpointing,
): TaskList {
  return {
    // Signed checkpoints of every unit's audit chain (migration 0074), also appended to the file kept apart.
    audit_checkpoint: async () => {
      if (!audit) return;
      const written = await checkpointAuditChains(audit.sql, audit.key, (c) => appendCheckpoints(audit.file, c), now());
      if (written.length > 0) log.info({ auditCheckpoints: written.length });
    },
    deadline_scan: async () => {
      const result = await scanDeadlines(sql, now());
      if (result.recoloured || result.supervisionsOpened || result.supervisionsRaised)
        log.info({ deadlineScan: result });
    },
    // Signed webhooks of the open channels; a failed delivery is retried with backoff by the
    // next run, which this one schedules for the earliest due retry (one job key, never two).
    webhook_dispatch: async (_payload, helpers) => {
      if (!cipher) return;
      const result = await dispatchWebhooks(sql, cipher, now(), webhookNetwork);
      if (result.sent || result.failed) log.info({ webhooks: result });
      if (result.nextDueAt && result.nextDueAt.getTime() - now().getTime() < 60_000) {
        await helpers.addJob("webhook_dispatch", {}, { runAt: result.nextDueAt, jobKey: "webhook_dispatch_next" });
      }
    },
  };
}

/** Starts the queue runner (in the API process; it is a PostgreSQL-backed queue, not a timer). */
export async function startWorker(options: {
  workerUrl: string;
  sql: Sql;
  logger: Logger;
  cipher?: FieldCipher;
  webhookNetwork?: WebhookNetwork;
  audit?: { key: AuditKey; file: string };
}): Promise<Runner> {
  // The checkpoint job reads every unit's audit records: as zz_worker, never the runtime role.
  const auditSql = options.audit ? postgres(options.workerUrl, { max: 1, onnotice: () => {} }) : null;
  const audit = options.audit && auditSql ? { ...options.audit, sql: auditSql } : undefined;
  const runner = await run({
    connectionString: options.workerUrl,
    concurrency: 2,
    noHandleSignals: true,
    pollInterval: 2000,
    taskList: taskList(options.sql, options.logger, undefined, options.cipher, options.webhookNetwork, audit),
    crontab: [DEADLINE_SCAN_CRON, WEBHOOK_CRON, ...(audit ? [AUDIT_CHECKPOINT_CRON] : [])].join("\n"),
    logger: quietLogger(options.logger),
  });
  if (auditSql) void runner.promise.finally(() => auditSql.end());
  return runner;
}
