import type { Tx } from "@zongzhi/db/client";
import { addAttachment, type StagedFile } from "./attachments.ts";
import { registeredCase } from "./case-events.ts";
import { type CasePosition, setCasePosition } from "./case-position.ts";
import { type CaseInput, registerCase } from "./cases.ts";
import type { FieldCipher } from "./personal-data.ts";

/** A photo of a field report, checked and stripped of its metadata, staged in the store. */
export interface FieldPhoto {
  file: StagedFile;
  ext: string;
  /** The GPS position its EXIF carried (read before the metadata was dropped), if any. */
  position: { lat: number; lng: number } | null;
}

/** Where a field report's event happened: the phone's position or a photo's GPS. */
export type ReportPosition = CasePosition & { source: "device" | "photo" };

/** What a field report's sender gets back: the case, its photos and where the event was placed. */
export interface FieldReportSaved {
  id: string;
  code: string;
  replayed: boolean;
  photos: number;
  position: ReportPosition | null;
}

/**
 * Registers a field report (现场上报) with its photos in one transaction: the case (idempotent on
 * the report's key, the photos' digests and the position part of what a retry must repeat), its
 * position — the phone's when given, otherwise the first photo's EXIF GPS — and each photo as an
 * attachment. A retry of a report already registered returns the first case and adds nothing.
 */
export async function registerFieldReport(
  tx: Tx,
  input: {
    report: CaseInput;
    position?: { lat: number; lng: number; accuracy?: number | null | undefined } | null | undefined;
    photos: FieldPhoto[];
  },
  cipher: FieldCipher,
  idempotencyKey: string,
): Promise<FieldReportSaved> {
  const given = input.position ? { lat: input.position.lat, lng: input.position.lng, source: "device" as const } : null;
  const fromPhoto = input.photos.find((p) => p.position)?.position;
  const position: ReportPosition | null = given ?? (fromPhoto ? { ...fromPhoto, source: "photo" } : null);
  const fingerprint = JSON.stringify({
    position: input.position ?? null,
    photos: input.photos.map((p) => p.file.sha256),
  });
  const registered = await registerCase(tx, input.report, cipher, idempotencyKey, { fingerprint });
  if (registered.replayed) {
    const [first] = await tx.sql<{ photos: number; lat: number | null; lng: number | null; source: string | null }[]>`
      select (select count(*)::int from app.attachments a where a.case_id = c.id) as photos,
        c.latitude as lat, c.longitude as lng, c.position_source as source
      from app.cases c where c.id = ${registered.id}`;
    const known = first?.lat != null && first.lng != null;
    return {
      ...registered,
      photos: first?.photos ?? 0,
      position: known ? { lat: first.lat!, lng: first.lng!, source: first.source as ReportPosition["source"] } : null,
    };
  }
  if (position) await setCasePosition(tx, registeredCase(registered), position);
  for (const [i, photo] of input.photos.entries()) {
    await addAttachment(tx, { caseId: registered.id, filename: `现场照片-${i + 1}.${photo.ext}`, file: photo.file });
  }
  return { ...registered, photos: input.photos.length, position };
}
