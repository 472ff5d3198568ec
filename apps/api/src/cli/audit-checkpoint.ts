import { auditKeyFromEnv, checkpointAuditChains, purgeAuditRecords } from "@zongzhi/db/audit-chain";
import postgres from "postgres";
import { appendCheckpoints, auditCheckpointFile } from "../audit-file.ts";
import { adminUrlOf, prepareDatabase } from "../database.ts";
import { readEnv } from "../env.ts";
import { createLogger } from "../logger.ts";
import { openDatabaseOrExit } from "../startup.ts";

/** The audit log's retention (MLPS level 3: at least 180 days; the database refuses less). */
const RETENTION_DAYS = 180;

/**
 * `pnpm audit:checkpoint`: signs a checkpoint of every unit's audit chain that grew (the worker
 * does the same every ten minutes). `pnpm audit:purge`: a checkpoint first, then deletes the
 * records older than 180 days that a checkpoint covers, keeping the chain verifiable.
 */
const env = readEnv();
if (!env.AUDIT_HMAC_KEY) {
  console.error("AUDIT_HMAC_KEY is missing: generate one with `pnpm keys:generate audit`");
  process.exit(1);
}
const key = auditKeyFromEnv(env.AUDIT_HMAC_KEY);
const db = await openDatabaseOrExit(() => prepareDatabase(env, createLogger("warn")));
const sql = postgres(adminUrlOf(db), { max: 1, onnotice: () => {} });
try {
  const file = auditCheckpointFile(env);
  const written = await checkpointAuditChains(sql, key, (c) => appendCheckpoints(file, c));
  console.log(`${written.length} checkpoints written (database and ${file})`);
  if (process.argv[2] === "purge") {
    const cutoff = new Date(Date.now() - RETENTION_DAYS * 86400e3);
    console.log(`${await purgeAuditRecords(sql, cutoff)} audit records older than ${cutoff.toISOString()} purged`);
  }
} finally {
  await sql.end();
  await db.stop();
}
