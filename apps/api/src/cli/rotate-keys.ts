import { createSm4Cipher, keyringFromEnv } from "@zongzhi/crypto";
import postgres from "postgres";
import { adminUrlOf, prepareDatabase } from "../database.ts";
import { readEnv } from "../env.ts";
import { rotateFieldKeys } from "../key-rotation.ts";
import { createLogger } from "../logger.ts";
import { openDatabaseOrExit } from "../startup.ts";

/**
 * `pnpm keys:rotate`: re-encrypts every personal-data value (and TOTP keys, webhook secrets)
 * still sealed under an older key with the keyring's current key, in batches, while the
 * application runs. First append the new key to FIELD_KEYS on every instance
 * (`k1:…,k2:…;index:…`: the last one encrypts), then run this; afterwards the old id may go.
 */
const env = readEnv();
const db = await openDatabaseOrExit(() => prepareDatabase(env, createLogger("warn")));
if (!db.fieldKeys) {
  console.error("FIELD_KEYS is missing");
  process.exit(1);
}
const cipher = createSm4Cipher(keyringFromEnv(db.fieldKeys));
const sql = postgres(adminUrlOf(db), { max: 1, onnotice: () => {} });
try {
  const report = await rotateFieldKeys(sql, cipher, { batch: Number(process.argv[2] ?? 500) });
  for (const c of report.columns) console.log(`${c.table}.${c.column}: ${c.reencrypted} re-encrypted`);
  console.log(`every encrypted value is now under key ${report.keyId}`);
} finally {
  await sql.end();
  await db.stop();
}
