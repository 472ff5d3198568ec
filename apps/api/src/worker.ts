import { dispatchWebhooks, type FieldCipher, scanDeadlines, type WebhookNetwork } from "@zongzhi/api";
import type { Sql } from "@zongzhi/db/client";
import { type Runner, run, runMigrations, type TaskList, Logger as WorkerLogger } from "graphile-worker";
import type { Logger } from "./logger.ts";

/** How often deadlines are rescanned (graphile-worker crontab: every minute). */
export const DEADLINE_SCAN_CRON = "* * * * * deadline_scan";
/** Webhooks are sent every minute, and sooner when a retry falls due (the run schedules the next). */
export const WEBHOOK_CRON = "* * * * * webhook_dispatch";

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
): TaskList {
  return {
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
}): Promise<Runner> {
  return run({
    connectionString: options.workerUrl,
    concurrency: 2,
    noHandleSignals: true,
    pollInterval: 2000,
    taskList: taskList(options.sql, options.logger, undefined, options.cipher, options.webhookNetwork),
    crontab: `${DEADLINE_SCAN_CRON}\n${WEBHOOK_CRON}`,
    logger: quietLogger(options.logger),
  });
}
