import { auditKeyFromEnv, verifyAuditChains } from "@zongzhi/db/audit-chain";
import { verifyCaseChains } from "@zongzhi/db/case-chain";
import postgres from "postgres";
import { auditCheckpointFile, readCheckpoints } from "../audit-file.ts";
import { adminUrlOf, prepareDatabase } from "../database.ts";
import { readEnv } from "../env.ts";
import { createLogger } from "../logger.ts";
import { openDatabaseOrExit } from "../startup.ts";

/**
 * `pnpm audit:verify [caseId]`: recomputes every case timeline's hash chain and names the
 * first broken link of each case; then (with AUDIT_HMAC_KEY) every unit's audit chain against
 * its signed checkpoints, in the database and in the file kept apart (AUDIT_CHECKPOINT_FILE):
 * an altered or removed record, a truncated tail, a forged or removed checkpoint. Exit code 0
 * when all hold, 1 otherwise (also when the audit chain cannot be checked for want of the key).
 */
const env = readEnv();
const db = await openDatabaseOrExit(() => prepareDatabase(env, createLogger("warn")));
const sql = postgres(adminUrlOf(db), { max: 1, onnotice: () => {} });
try {
  const caseId = process.argv[2];
  const report = await verifyCaseChains(sql, caseId ? { caseId } : {});
  console.log(`checked ${report.events} events in ${report.cases} case timelines`);
  for (const b of report.broken) {
    console.log(`BROKEN ${b.code} (case ${b.caseId}): first broken link at event #${b.seq} (${b.reason})`);
  }
  if (report.broken.length === 0) console.log("all chains intact");
  let ok = report.broken.length === 0;
  if (!caseId) {
    if (!env.AUDIT_HMAC_KEY) {
      console.log("AUDIT_HMAC_KEY is not set: the audit log's chain was not verified");
      ok = false;
    } else {
      const file = auditCheckpointFile(env);
      const audit = await verifyAuditChains(sql, [auditKeyFromEnv(env.AUDIT_HMAC_KEY)], await readCheckpoints(file));
      console.log(
        `checked ${audit.records} audit records of ${audit.units} units against ${audit.checkpoints} checkpoints (and ${file})`,
      );
      for (const p of audit.problems) console.log(`AUDIT ${p.reason} (unit ${p.scope}): ${p.detail}`);
      if (audit.problems.length === 0) console.log("audit chains intact");
      ok &&= audit.problems.length === 0;
    }
  }
  process.exitCode = ok ? 0 : 1;
} finally {
  await sql.end();
  await db.stop();
}
