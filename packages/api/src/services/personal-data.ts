import type { Tx } from "@zongzhi/db/client";
import { recordAudit } from "./audit.ts";

/** Encrypts personal fields (SM4) and derives blind indexes (HMAC-SM3); see @zongzhi/crypto. */
export interface FieldCipher {
  encrypt(plaintext: string, context: string): Buffer;
  decrypt(ciphertext: Buffer, context: string): string;
  blindIndex(kind: string, normalized: string): Buffer;
}

/**
 * The context a ciphertext is bound to: table, column and the unit it belongs to. Why: a
 * ciphertext copied into another column or another tenant's row then fails to decrypt.
 */
export function fieldContext(column: string, scopeCode: string): string {
  return `case_parties.${column}:${scopeCode}`;
}

/** Decrypts a field for a caller who holds the reveal permission, and audits the reveal. */
export async function revealField(
  tx: Tx,
  cipher: FieldCipher,
  input: { ciphertext: Buffer | null; column: string; scopeCode: string; subjectId: string; caseId: string },
): Promise<string | null> {
  if (!input.ciphertext) return null;
  const plain = cipher.decrypt(input.ciphertext, fieldContext(input.column, input.scopeCode));
  await recordAudit(tx, {
    kind: "personal_data.revealed",
    subjectId: input.subjectId,
    detail: { column: input.column, caseId: input.caseId },
  });
  return plain;
}
