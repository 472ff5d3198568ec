import { cipherContext, ciphertextKeyId, type FieldCipher } from "@zongzhi/crypto";
import type { Sql } from "@zongzhi/db/client";

/**
 * Every encrypted column: its table, key column, the ciphertext column, and how its cipher
 * context is named (the table and column of `cipherContext`, and the column giving the scope).
 * Each ciphertext records the key id it was sealed under (format version 1, @zongzhi/crypto).
 */
export const ENCRYPTED_COLUMNS = [
  { table: "app.case_parties", column: "name_enc", context: ["case_parties", "name"], scope: "scope_code" },
  { table: "app.case_parties", column: "id_number_enc", context: ["case_parties", "id_number"], scope: "scope_code" },
  { table: "app.case_parties", column: "phone_enc", context: ["case_parties", "phone"], scope: "scope_code" },
  { table: "app.case_parties", column: "address_enc", context: ["case_parties", "address"], scope: "scope_code" },
  { table: "app.cases", column: "address_enc", context: ["cases", "address"], scope: "scope_code" },
  { table: "app.appointments", column: "name_enc", context: ["appointments", "name"], scope: "scope_code" },
  { table: "app.appointments", column: "phone_enc", context: ["appointments", "phone"], scope: "scope_code" },
  { table: "app.webhooks", column: "secret_enc", context: ["webhooks", "secret"], scope: "scope_code" },
  { table: "app.users", column: "totp_key", context: ["users", "totp_key"], scope: "id" },
] as const;

/** The key id of every ciphertext in the encrypted columns (as the owner): what a rotation leaves behind. */
export async function ciphertextKeyIds(sql: Sql): Promise<string[]> {
  const ids: string[] = [];
  for (const t of ENCRYPTED_COLUMNS) {
    const rows = await sql<{ v: Buffer }[]>`select ${sql(t.column)} as v from ${sql(t.table)}
      where ${sql(t.column)} is not null`;
    ids.push(...rows.map((r) => ciphertextKeyId(r.v)));
  }
  return ids;
}

/** What one rotation pass did, per column. */
export interface RotationReport {
  keyId: string;
  columns: { table: string; column: string; reencrypted: number }[];
}

/**
 * Re-encrypts every value not sealed under the cipher's current key (`pnpm keys:rotate`), in
 * batches of `batch` rows, each batch its own short transaction; the keyring still holds the old
 * keys, so every value stays readable throughout and the application keeps running. A row
 * changed meanwhile is skipped by the compare-and-set and picked up by the next batch. Runs as
 * the owner (the runtime role may not update these columns). Returns counts per column.
 */
export async function rotateFieldKeys(
  sql: Sql,
  cipher: FieldCipher,
  options: { batch?: number; onBatch?: (table: string, column: string, done: number) => Promise<void> | void } = {},
): Promise<RotationReport> {
  const batch = options.batch ?? 500;
  const current = Buffer.from(cipher.keyId, "ascii");
  const report: RotationReport = { keyId: cipher.keyId, columns: [] };
  for (const target of ENCRYPTED_COLUMNS) {
    let reencrypted = 0;
    let after = "";
    for (;;) {
      // The key id sits at bytes 3…(2 + its length byte) of a version-1 ciphertext.
      const rows = await sql<{ key: string; scope: string; value: Buffer }[]>`
        select id::text as key, ${sql(target.scope)}::text as scope, ${sql(target.column)} as value
        from ${sql(target.table)}
        where ${sql(target.column)} is not null and id::text > ${after}
          and substring(${sql(target.column)} from 3 for get_byte(${sql(target.column)}, 1)) <> ${current}
        order by id::text limit ${batch}`;
      if (rows.length === 0) break;
      await sql.begin(async (tx) => {
        for (const r of rows) {
          const context = cipherContext(target.context[0], target.context[1], r.scope);
          if (ciphertextKeyId(r.value) === cipher.keyId) continue;
          const fresh = cipher.encrypt(cipher.decrypt(r.value, context), context);
          const done = await tx`update ${tx(target.table)} set ${tx(target.column)} = ${fresh}
            where id::text = ${r.key} and ${tx(target.column)} = ${r.value}`;
          reencrypted += done.count;
        }
      });
      after = rows.at(-1)!.key;
      await options.onBatch?.(target.table, target.column, reencrypted);
    }
    report.columns.push({ table: target.table, column: target.column, reencrypted });
  }
  return report;
}
