import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { citusInstallation, migrateAndDistribute, startCitusCluster } from "../citus-cluster.ts";
import { createLogger } from "../logger.ts";

/**
 * `pnpm citus:cluster` (CITUS_PG_BIN=<the Citus build's bin/>): starts a coordinator and two
 * workers on loopback, registers the workers, applies the migrations on the coordinator,
 * distributes the schema on county_code (reference tables per infra/SCALE.md), prints where the
 * shards went, and stops everything. `--hold` keeps the cluster up until Ctrl-C (its URLs are
 * printed) for a look with psql. The proof that RLS and the API work on it is the opt-in test
 * apps/api/src/citus.integration.test.ts.
 */
const logger = createLogger(process.env.LOG_LEVEL ?? "info");
const pgDir = citusInstallation();
if (!pgDir) {
  logger.fatal("CITUS_PG_BIN is not set: point it at the bin/ of a PostgreSQL with Citus built in (infra/SCALE.md)");
  process.exit(2);
}
const dir = await mkdtemp(join(tmpdir(), "zz-citus-"));
const passwords = { admin: "citus-admin", app: "citus-app", worker: "citus-worker", owner: "citus-owner" };
const cluster = await startCitusCluster({ pgDir, dir, passwords, log: (line) => logger.info(line) });
let failed = false;
try {
  const started = Date.now();
  const { plan, dropped } = await migrateAndDistribute(cluster, passwords, logger);
  const distributed = plan.filter((s) => s.kind === "distributed").length;
  logger.info(
    { distributed, reference: plan.length - distributed, dropped: dropped.length, ms: Date.now() - started },
    "migrated and distributed on county_code",
  );
  const admin = postgres(cluster.adminUrl, { max: 1, onnotice: () => {} });
  try {
    const placements = await admin<{ port: number; shards: number }[]>`
      select nodeport as port, count(*)::int as shards from pg_dist_shard_placement group by 1 order by 1`;
    logger.info({ placements }, "shard placements per node");
  } finally {
    await admin.end();
  }
  if (process.argv.includes("--hold")) {
    logger.info({ admin: cluster.adminUrl, app: cluster.appUrl }, "cluster up; Ctrl-C stops it");
    await new Promise<void>((done) => process.once("SIGINT", () => done()));
  }
} catch (error) {
  failed = true;
  logger.error({ err: error }, "the cluster did not come up");
} finally {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
