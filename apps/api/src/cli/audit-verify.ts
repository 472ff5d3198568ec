import { verifyCaseChains } from "@zongzhi/db/case-chain";
import postgres from "postgres";
import { adminUrlOf, prepareDatabase } from "../database.ts";
import { readEnv } from "../env.ts";
import { createLogger } from "../logger.ts";
import { openDatabaseOrExit } from "../startup.ts";

/**
 * `pnpm audit:verify [caseId]`: recomputes every case timeline's hash chain and names the
 * first broken link of each case. Exit code 0 when all chains hold, 1 otherwise.
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
  process.exitCode = report.broken.length === 0 ? 0 : 1;
} finally {
  await sql.end();
  await db.stop();
}
