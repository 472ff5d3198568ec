import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { backup, restore, restoreDrill } from "../backup.ts";

/**
 * `pnpm backup` | `pnpm restore <dir>` | `pnpm backup:drill` (see infra/BACKUP.md).
 * DATABASE_URL: the administrator's URL of the database to back up, or (restore) of the EMPTY
 * database to restore into. ATTACHMENTS_DIR (default DATA_DIR/attachments, DATA_DIR default
 * .data), BACKUP_DIR (default ./backups), PG_BIN: the directory of pg_dump/pg_restore (at least
 * the server's major version; default the PATH's).
 */
const [command, arg] = process.argv.slice(2);
const databaseUrl = process.env.DATABASE_URL;
const attachmentsDir = resolve(process.env.ATTACHMENTS_DIR ?? join(process.env.DATA_DIR ?? ".data", "attachments"));
const backupDir = resolve(process.env.BACKUP_DIR ?? "backups");
const pgBin = process.env.PG_BIN;

function fail(message: string): never {
  console.error(`failed: ${message}`);
  process.exit(1);
}

if (!databaseUrl) fail("DATABASE_URL is required (the administrator's URL)");
try {
  if (command === "backup") {
    const { dir, manifest } = await backup({ databaseUrl, attachmentsDir, backupDir, pgBin });
    const rows = Object.values(manifest.snapshot.rows).reduce((a, b) => a + b, 0);
    console.log(`backup written to ${dir}: ${rows} rows, ${manifest.snapshot.cases} case timelines`);
    for (const [name, f] of Object.entries(manifest.files))
      console.log(`  ${name}  ${f.bytes} bytes  sha256 ${f.sha256}`);
  } else if (command === "restore") {
    if (!arg) fail("usage: pnpm restore <backup directory>");
    const manifest = await restore({ backupDir: resolve(arg), databaseUrl, attachmentsDir, pgBin });
    console.log(`restored the backup of ${manifest.createdAt} into ${new URL(databaseUrl).pathname.slice(1)}`);
  } else if (command === "drill") {
    const scratch = await mkdtemp(join(tmpdir(), "zz-restore-drill-"));
    try {
      const report = await restoreDrill({
        databaseUrl,
        attachmentsDir,
        backupDir,
        scratchAttachmentsDir: join(scratch, "attachments"),
        pgBin,
      });
      console.log(
        `restore drill: ${report.backupDir} restored into ${report.scratchDatabase}: ${report.tables} tables, ${report.rows} rows, ${report.cases} chain heads, ${report.attachments} attachment files`,
      );
      for (const p of report.problems) console.log(`  DIFFERENT ${p}`);
      if (report.problems.length > 0) process.exit(1);
      console.log("  row counts and chain heads match the backup");
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  } else {
    fail("usage: backup.ts backup | restore <dir> | drill");
  }
} catch (error) {
  fail(error instanceof Error ? error.message.split("\n")[0]! : String(error));
}
