import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import {
  type AttachmentStore,
  attachmentTooLarge,
  MAX_ATTACHMENT_BYTES,
  type StagedBytes,
  type StagedFile,
} from "@zongzhi/api";
import { AppError } from "@zongzhi/domain";
import busboy from "busboy";
import { type CleanPhoto, MAX_PHOTO_BYTES, MAX_PHOTOS, type PhotoPool, photoTooLarge } from "./photos.ts";

/** Largest multipart body of an upload: the file's limit plus room for the part headers. */
export const UPLOAD_BODY_LIMIT = MAX_ATTACHMENT_BYTES + 64 * 1024;
/** How many first bytes of a file are kept for recognising its type. */
const HEAD_BYTES = 16;

const chooseFile = () => new AppError("VALIDATION", { zh: "请选择要上传的文件", en: "Choose a file to upload" });
const malformed = () =>
  new AppError("VALIDATION", {
    zh: "上传内容格式不正确，请重新选择文件",
    en: "The upload is malformed; choose the file again",
  });

/** Counts what passes; fails with `error()` once more than `max` bytes went through. */
function byteCounter(max: number, error: () => AppError, seen: (chunk: Uint8Array) => void = () => {}) {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.byteLength;
      if (total > max) return done(error());
      seen(chunk);
      done(null, chunk);
    },
  });
}

/**
 * Reads a multipart upload with one part named `file`, streaming the file into the store while it
 * counts, hashes and keeps its first bytes: memory stays flat whatever the size. More than
 * {@link MAX_ATTACHMENT_BYTES} in the file, or more than {@link UPLOAD_BODY_LIMIT} in the body
 * (whether or not Content-Length said so), stops the reading at once with PAYLOAD_TOO_LARGE and
 * removes what was staged. The caller commits or discards the returned file.
 */
export async function receiveUpload(
  request: Request,
  store: AttachmentStore,
): Promise<{ filename: string; file: StagedFile }> {
  const type = request.headers.get("content-type") ?? "";
  if (!request.body || !/^multipart\/form-data\b/i.test(type)) throw chooseFile();
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": type },
      defParamCharset: "utf8",
      limits: { files: 1, fileSize: MAX_ATTACHMENT_BYTES + 1, fields: 10, fieldSize: 1024, parts: 20, headerPairs: 50 },
    });
  } catch {
    throw malformed();
  }
  const source = Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>);
  let filename = "";
  let staging: Promise<StagedFile> | undefined;
  // Errors surface through the pipeline below; late ones (after it settled) must not go unhandled.
  parser.on("error", () => {});
  parser.on("file", (name, stream, info) => {
    stream.on("error", () => {});
    if (name !== "file" || staging) {
      stream.resume();
      return;
    }
    filename = info.filename ?? "";
    const hash = createHash("sha256");
    const head: Buffer[] = [];
    let headLength = 0;
    let sizeBytes = 0;
    const counter = byteCounter(MAX_ATTACHMENT_BYTES, attachmentTooLarge, (chunk) => {
      hash.update(chunk);
      sizeBytes += chunk.byteLength;
      if (headLength < HEAD_BYTES) {
        head.push(Buffer.from(chunk.subarray(0, HEAD_BYTES - headLength)));
        headLength += Math.min(chunk.byteLength, HEAD_BYTES - headLength);
      }
    });
    // Errors reach the store through its reading of `counter`; the listener only keeps one that
    // comes before the store started reading from being thrown as uncaught.
    counter.on("error", () => {});
    stream.on("error", (e) => counter.destroy(e));
    staging = store.stage(stream.pipe(counter)).then((bytes: StagedBytes) => ({
      ...bytes,
      sizeBytes,
      sha256: hash.digest("hex"),
      head: new Uint8Array(Buffer.concat(head)),
    }));
    // A file over its limit stops the whole request at once, not at the end of the body.
    staging.catch((error: unknown) => source.destroy(error instanceof Error ? error : undefined));
  });
  try {
    await pipeline(source, byteCounter(UPLOAD_BODY_LIMIT, attachmentTooLarge), parser);
  } catch (error) {
    await staging?.then((f) => f.discard()).catch(() => {});
    if (error instanceof AppError) throw error;
    throw malformed();
  }
  if (!staging) throw chooseFile();
  return { filename, file: await staging };
}

/** Largest multipart body of a field report: nine photos at their limit, the report and part headers. */
export const FIELD_REPORT_BODY_LIMIT = MAX_PHOTOS * MAX_PHOTO_BYTES + 256 * 1024;
/** Largest `report` part (the case as JSON). */
const REPORT_FIELD_BYTES = 64 * 1024;

/** The 413 of a field report over {@link FIELD_REPORT_BODY_LIMIT}. */
export function fieldReportTooLarge(): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    {
      zh: `上报内容过大：最多${MAX_PHOTOS}张照片，每张${MAX_PHOTO_BYTES / 1024 / 1024}MB以内`,
      en: `The report is too large: at most ${MAX_PHOTOS} photos of ${MAX_PHOTO_BYTES / 1024 / 1024} MB each`,
    },
    { limitBytes: FIELD_REPORT_BODY_LIMIT },
  );
}

const tooManyPhotos = () =>
  new AppError("VALIDATION", {
    zh: `每次上报最多${MAX_PHOTOS}张照片`,
    en: `A report takes at most ${MAX_PHOTOS} photos`,
  });

/**
 * Reads a field report: a multipart body with a `report` part (the report as JSON) and up to
 * {@link MAX_PHOTOS} `photo` parts. Each photo is held in memory only while it arrives (at most
 * {@link MAX_PHOTO_BYTES}) and is then checked and re-encoded in the photo pool's threads
 * ({@link PhotoPool.clean}); only the clean copies are kept. A tenth photo, a photo over its limit or a body over
 * {@link FIELD_REPORT_BODY_LIMIT} stops the reading at once.
 */
export async function receiveFieldReport(
  request: Request,
  photoPool: PhotoPool,
): Promise<{ report: unknown; photos: CleanPhoto[] }> {
  const type = request.headers.get("content-type") ?? "";
  const noReport = () =>
    new AppError("VALIDATION", {
      zh: "上报内容缺失：须以 multipart/form-data 提交 report 字段",
      en: "The report is missing: send it as the `report` field of a multipart/form-data body",
    });
  if (!request.body || !/^multipart\/form-data\b/i.test(type)) throw noReport();
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": type },
      defParamCharset: "utf8",
      limits: {
        files: MAX_PHOTOS,
        fileSize: MAX_PHOTO_BYTES + 1,
        fields: 4,
        fieldSize: REPORT_FIELD_BYTES,
        parts: MAX_PHOTOS + 4,
        headerPairs: 50,
      },
    });
  } catch {
    throw malformed();
  }
  const source = Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>);
  let reportText: string | null = null;
  let refusal: AppError | null = null;
  const photos: Promise<CleanPhoto>[] = [];
  const refuse = (error: AppError) => {
    refusal ??= error;
    source.destroy(error);
  };
  parser.on("error", () => {});
  parser.on("field", (name, value, info) => {
    if (name !== "report") return;
    if (info.valueTruncated)
      return refuse(new AppError("PAYLOAD_TOO_LARGE", { zh: "上报内容过长", en: "The report is too long" }));
    reportText = value;
  });
  parser.on("filesLimit", () => refuse(tooManyPhotos()));
  parser.on("file", (name, stream) => {
    stream.on("error", () => {});
    if (name !== "photo") {
      stream.resume();
      return;
    }
    const n = photos.length + 1;
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_PHOTO_BYTES) return refuse(photoTooLarge());
      chunks.push(chunk);
    });
    const photo = new Promise<Buffer>((done, fail) => {
      stream.on("end", () => done(Buffer.concat(chunks)));
      stream.on("error", fail);
    }).then((bytes) => photoPool.clean(bytes, n));
    // Settled below; a refusal before that must not surface as unhandled.
    photo.catch(() => {});
    photos.push(photo);
  });
  try {
    await pipeline(source, byteCounter(FIELD_REPORT_BODY_LIMIT, fieldReportTooLarge), parser);
  } catch (error) {
    if (refusal) throw refusal;
    if (error instanceof AppError) throw error;
    throw malformed();
  }
  if (refusal) throw refusal;
  if (reportText === null) throw noReport();
  let report: unknown;
  try {
    report = JSON.parse(reportText);
  } catch {
    throw new AppError("VALIDATION", { zh: "上报内容不是有效的 JSON", en: "The report is not valid JSON" });
  }
  return { report, photos: await Promise.all(photos) };
}
