import { z } from "zod";
import { isoMonth, pattern, strict } from "../input.ts";
import { ledgerFilterFields } from "./case-filter.ts";

// What the ledger exports (台账, GET /exports/:kind) are and take: the kinds, the formats, the
// query and the header announcing the rows to come. The server (apps/api, services/exports.ts)
// and the UI's download buttons read them from here. Only zod and input.ts: the browser may load
// this module (the writer itself, with exceljs, may not).

/** The ledgers, in the order the cockpit offers them: the case list first, the ranking and the figure table last. */
export const LEDGER_KINDS = [
  "cases",
  "summons",
  "sessions",
  "agreements",
  "follow_ups",
  "supervisions",
  "ranking",
  "figures",
] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export const LEDGER_FORMATS = ["xlsx", "csv"] as const;
export type LedgerFormat = (typeof LEDGER_FORMATS)[number];

/** The query of GET /exports/:kind (a list as comma-separated values and flags as 1/0: `caseFilterQuery`). */
export const ledgerQuery = strict({
  format: z.enum(LEDGER_FORMATS).default("xlsx"),
  unitCode: pattern(/^\d{2,12}$/, "区划代码应为2至12位数字", "a division code has 2 to 12 digits").optional(),
  from: isoMonth().optional(),
  to: isoMonth().optional(),
  categoryCode: pattern(/^[a-z][a-z0-9_]{1,39}$/, "事件类别代码无效", "invalid category code").optional(),
  // 1: the parties' full data where the caller may see it (checked, audited).
  reveal: z.enum(["0", "1"]).optional(),
  // The case ledger: the inbox's other filters, as cases.list takes them.
  ...ledgerFilterFields,
});

/** The response header with the number of data rows to come, when the server knows it (the UI's progress). */
export const LEDGER_ROWS_HEADER = "x-ledger-rows";
