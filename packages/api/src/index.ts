export { databaseError, dataExceptionOf, ERROR_STATUS, toAppError } from "./errors.ts";
export {
  idempotencyKeyHeader,
  openApiDocument,
  openApiPage,
  openRatingInput,
  openRequestInput,
  openRequestsQuery,
} from "./open311.ts";
export { type AppRouter, appRouter, createCaller } from "./root.ts";
export { caseFilterQuery } from "./schemas/case-filter.ts";
export {
  bookAppointment,
  bookingCentres,
  cancelOwnAppointment,
  lookupAppointment,
  publicBookingScope,
  publicCentre,
} from "./services/appointments.ts";
export {
  type AttachmentStore,
  addAttachment,
  attachmentTooLarge,
  MAX_ATTACHMENT_BYTES,
  readAttachment,
  type SavedAttachment,
  type StagedBytes,
  type StagedFile,
  sniffType,
} from "./services/attachments.ts";
export { recordOperation } from "./services/audit.ts";
export { type CalendarGap, onCalendarGap } from "./services/calendar.ts";
export { publicLookup } from "./services/cases.ts";
export {
  getOpenRequest,
  listOpenRequests,
  listOpenServices,
  rateOpenRequest,
  submitOpenRequest,
} from "./services/channels.ts";
export { scanDeadlines } from "./services/deadlines.ts";
export {
  authorizeReveal,
  caseLedgerColumns,
  expectedLedgerRows,
  isInboxLedger,
  LEDGER_TITLES,
  type LedgerSpec,
  ledgerFileName,
  openLedgerSink,
  writeLedger,
} from "./services/exports.ts";
export { type FieldPhoto, type FieldReportSaved, registerFieldReport } from "./services/field-report-intake.ts";
export { figureUnit, resolvePeriod } from "./services/figures.ts";
export { logExportName, writeLogExport } from "./services/log-export.ts";
export { attachToNotice, type NoticeFile, readNoticeAttachment } from "./services/notices.ts";
export type { FieldCipher } from "./services/personal-data.ts";
export { answerPublicCase, publicResult } from "./services/public-feedback.ts";
export {
  addressAllowed,
  checkWebhookTarget,
  PUBLIC_ONLY,
  postToWebhook,
  type ResolvedAddress,
  type WebhookNetwork,
} from "./services/webhook-targets.ts";
export {
  dispatchWebhooks,
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhookSignature,
} from "./services/webhooks.ts";
export type { ApiContext, ErrorData } from "./trpc.ts";
export { withScopeOnReplica } from "./trpc.ts";
