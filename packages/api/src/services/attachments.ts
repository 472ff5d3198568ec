import { createHash, randomUUID } from "node:crypto";
import type { Tx } from "@zongzhi/db/client";
import { AppError, notFound } from "@zongzhi/domain";
import { appendEvent } from "./cases.ts";
import { assertLiaisonMayRead } from "./summons.ts";

/** Where attachment bytes live: outside the database (local disk by default). */
export interface AttachmentStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Buffer>;
}

/** Largest accepted attachment. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

/** Accepted types, recognised by their first bytes (never by the name or the browser's claim). */
const SIGNATURES: { mime: string; ext: string; magic: number[] }[] = [
  { mime: "image/jpeg", ext: "jpg", magic: [0xff, 0xd8, 0xff] },
  { mime: "image/png", ext: "png", magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { mime: "application/pdf", ext: "pdf", magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { mime: "image/webp", ext: "webp", magic: [0x52, 0x49, 0x46, 0x46] },
];

/** The type of a file from its content, or null when it is not accepted. */
export function sniffType(bytes: Uint8Array): { mime: string; ext: string } | null {
  const hit = SIGNATURES.find((s) => s.magic.every((b, i) => bytes[i] === b));
  return hit ? { mime: hit.mime, ext: hit.ext } : null;
}

/** Stores an attachment of a case the caller may see, and records it in the timeline. */
export async function addAttachment(
  tx: Tx,
  store: AttachmentStore,
  input: { caseId: string; filename: string; bytes: Uint8Array },
): Promise<{ id: string; mime: string; sizeBytes: number }> {
  if (input.bytes.byteLength === 0 || input.bytes.byteLength > MAX_ATTACHMENT_BYTES) {
    throw new AppError("VALIDATION", {
      zh: `附件大小须在10MB以内`,
      en: `Attachments must be at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`,
    });
  }
  const type = sniffType(input.bytes);
  if (!type) {
    throw new AppError("VALIDATION", {
      zh: "仅支持 JPG、PNG、WEBP 图片和 PDF 文件",
      en: "Only JPG, PNG, WEBP images and PDF files are accepted",
    });
  }
  const [c] = await tx.sql<{ scope_code: string }[]>`select scope_code from app.cases where id = ${input.caseId}`;
  if (!c) throw notFound({ zh: "案件", en: "case" });
  await assertLiaisonMayRead(tx, input.caseId);
  const filename =
    [...input.filename]
      .map((ch) => (ch.charCodeAt(0) < 32 || ch === "/" || ch === "\\" ? "_" : ch))
      .join("")
      .slice(0, 200) || `attachment.${type.ext}`;
  const key = `${c.scope_code}/${input.caseId}/${randomUUID()}.${type.ext}`;
  const sha256 = createHash("sha256").update(input.bytes).digest("hex");
  await store.put(key, input.bytes);
  const [row] = await tx.sql<
    { id: string }[]
  >`insert into app.attachments (case_id, storage_key, filename, mime, size_bytes,
      sha256, uploaded_by)
    values (${input.caseId}, ${key}, ${filename}, ${type.mime}, ${input.bytes.byteLength}, ${sha256}, ${tx.ctx.userId})
    returning id`;
  await appendEvent(tx, input.caseId, "attachment.added", { attachmentId: row!.id, mime: type.mime, sha256 });
  return { id: row!.id, mime: type.mime, sizeBytes: input.bytes.byteLength };
}

/** Reads an attachment the caller may see (RLS decides; a foreign id is NOT_FOUND). */
export async function readAttachment(
  tx: Tx,
  store: AttachmentStore,
  id: string,
): Promise<{ filename: string; mime: string; bytes: Buffer }> {
  const [a] = await tx.sql<{ case_id: string; storage_key: string; filename: string; mime: string; sha256: string }[]>`
    select case_id, storage_key, filename, mime, sha256 from app.attachments where id = ${id}`;
  if (!a) throw notFound({ zh: "附件", en: "attachment" });
  await assertLiaisonMayRead(tx, a.case_id);
  const bytes = await store.get(a.storage_key);
  // Why: a file changed on disk behind the database's back must not be served as evidence.
  if (createHash("sha256").update(bytes).digest("hex") !== a.sha256) {
    throw new AppError("CONFLICT", { zh: "附件已损坏或被篡改", en: "The attachment is damaged or was altered" });
  }
  return { filename: a.filename, mime: a.mime, bytes };
}
