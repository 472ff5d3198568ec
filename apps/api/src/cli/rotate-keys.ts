import { createSm4Cipher, FieldCipherError, keyringFromEnv } from "@zongzhi/crypto";
import postgres from "postgres";
import { adminUrlOf, prepareDatabase } from "../database.ts";
import { readEnv } from "../env.ts";
import { rotateFieldKeys } from "../key-rotation.ts";
import { createLogger } from "../logger.ts";
import { openDatabaseOrExit } from "../startup.ts";

/**
 * `pnpm keys:rotate [batch]`: re-encrypts every personal-data value (and TOTP keys, webhook
 * secrets) still sealed under an older key with the keyring's current key, in batches (default
 * 500 rows, each its own short transaction), while the application runs. First append the new key
 * to FIELD_KEYS on every instance (`k1:…,k2:…;index:…`: the last one encrypts), then run this;
 * afterwards the old id may go. Running it again re-encrypts nothing.
 *
 * Exit codes: 0 done; 1 failed (no keyring, a value under a key the keyring no longer holds, the
 * database); 2 a wrong argument.
 */
const arg = process.argv[2];
if (process.argv.length > 3 || (arg !== undefined && !/^[1-9][0-9]{0,4}$/.test(arg))) {
  console.error("usage: pnpm keys:rotate [batch]   (batch: rows per transaction, 1–99999, default 500)");
  process.exit(2);
}
const batch = Number(arg ?? 500);
const env = readEnv();
const db = await openDatabaseOrExit(() => prepareDatabase(env, createLogger("warn")));
if (!db.fieldKeys) {
  console.error("FIELD_KEYS is missing");
  await db.stop();
  process.exit(1);
}
const sql = postgres(adminUrlOf(db), { max: 1, onnotice: () => {} });
try {
  const cipher = createSm4Cipher(keyringFromEnv(db.fieldKeys));
  let batches = 0;
  const report = await rotateFieldKeys(sql, cipher, {
    batch,
    onBatch: (table, column, done) => {
      batches += 1;
      console.log(`batch ${batches}: ${table}.${column}, ${done} re-encrypted so far`);
    },
  });
  for (const c of report.columns) console.log(`${c.table}.${c.column}: ${c.reencrypted} re-encrypted`);
  const total = report.columns.reduce((n, c) => n + c.reencrypted, 0);
  console.log(`${total} values re-encrypted in ${batches} batches of at most ${batch} rows`);
  console.log(`every encrypted value is now under key ${report.keyId}`);
} catch (error) {
  // Never key material: FieldCipherError messages name ids and formats only.
  const reason =
    error instanceof FieldCipherError
      ? `${error.code}: ${error.message}${error.code === "UNKNOWN_KEY" ? " (keep every old key in FIELD_KEYS until the rotation has finished)" : ""}`
      : error instanceof Error
        ? error.message
        : String(error);
  console.error(`failed: ${reason}`);
  process.exitCode = 1;
} finally {
  await sql.end();
  await db.stop();
}
