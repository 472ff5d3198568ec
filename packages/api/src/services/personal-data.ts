import { cipherContext, type FieldCipher } from "@zongzhi/crypto";

export type { FieldCipher };

/**
 * The context a ciphertext is bound to: table, column and the unit it belongs to. Why: a
 * ciphertext copied into another column or another tenant's row then fails to decrypt.
 */
export function fieldContext(
  table: "case_parties" | "cases" | "appointments",
  column: string,
  scopeCode: string,
): string {
  return cipherContext(table, column, scopeCode);
}
