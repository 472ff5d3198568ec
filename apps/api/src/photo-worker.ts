// The CPU-heavy part of checking a field-report photo, run in a worker thread of the photo pool
// (photos.ts): HEIC decoding in libheif's WebAssembly build runs on the JavaScript thread it is
// called from, seconds for a large picture, so on the main thread one photo would stop every
// request. Here it stops only its worker, which the pool terminates when the job runs too long.
// sharp's decoding and encoding run here too, so the pool's size bounds all of a photo's work.
// Built as its own entry point (build.mjs: dist/photo-worker.js, plain node); from the sources
// it is loaded through photo-worker.dev.mjs (tsx). Imports only what the work needs: the thread
// loads no part of the server.
import type { MessagePort } from "node:worker_threads";
import exifReader from "exif-reader";
import sharp from "sharp";

/** Most pixels decoded from one photo (a decompression bomb stops here; 60 MP covers every phone camera). */
export const MAX_PHOTO_PIXELS = 60_000_000;
/** The long side a stored photo is brought down to (a phone's 8000 px adds nothing to evidence on a screen). */
const MAX_SIDE = 4096;

/** Where a photo was taken, from its EXIF GPS tags (WGS 84 degrees). */
export interface PhotoPosition {
  lat: number;
  lng: number;
}

/** One photo to check: its bytes (already known to start like an image) and whether they are HEIF. */
export interface PhotoJob {
  bytes: Uint8Array;
  heif: boolean;
  /** Told when the job starts in its thread (the pool times the run from then, not from the queue). */
  started: MessagePort;
}

/** What a job answers: the clean copy, or why the photo is refused (the pool words the message). */
export type PhotoJobResult =
  | {
      ok: true;
      bytes: Uint8Array;
      format: "jpeg" | "png" | "webp";
      width: number;
      height: number;
      position: PhotoPosition | null;
    }
  | { ok: false; reason: "not_a_photo" | "too_many_pixels" };

class Refused extends Error {
  constructor(readonly reason: "not_a_photo" | "too_many_pixels") {
    super(reason);
  }
}

/** What heic-decode's `all` gives: each top-level image's size before decoding, and a way to free them. */
type HeifImages = {
  width: number;
  height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}[] & { dispose(): void };

/**
 * Decodes a HEIF photo's first top-level image (the primary one as cameras write it) to RGBA with
 * libheif (its WebAssembly build, through heic-decode: the prebuilt sharp has no HEVC decoder).
 * libheif applies the file's own rotation and mirroring (`irot`/`imir`), so the pixels come out
 * upright; the pixel limit is checked on the declared size before anything is decoded. The module
 * (2 MB of WebAssembly) loads on the thread's first HEIC photo.
 */
async function decodeHeif(bytes: Uint8Array): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const { default: decode } = await import("heic-decode");
  let images: HeifImages;
  try {
    images = (await decode.all({ buffer: bytes })) as HeifImages;
  } catch {
    throw new Refused("not_a_photo");
  }
  try {
    const first = images[0];
    if (!first) throw new Refused("not_a_photo");
    if (first.width * first.height > MAX_PHOTO_PIXELS) throw new Refused("too_many_pixels");
    return await first.decode().catch(() => {
      throw new Refused("not_a_photo");
    });
  } finally {
    images.dispose();
  }
}

/** Degrees from EXIF's degrees/minutes/seconds and its N/S or E/W reference; null when not a position. */
function degrees(dms: unknown, ref: unknown, negative: string, max: number): number | null {
  if (!Array.isArray(dms) || dms.length !== 3 || !dms.every((x) => typeof x === "number" && Number.isFinite(x))) {
    return null;
  }
  const [d, m, s] = dms as [number, number, number];
  if (d < 0 || m < 0 || m >= 60 || s < 0 || s >= 60) return null;
  const value = (d + m / 60 + s / 3600) * (ref === negative ? -1 : 1);
  return Math.abs(value) <= max ? Math.round(value * 1e6) / 1e6 : null;
}

/** The GPS position in a photo's raw EXIF block, or null (no block, no GPS tags, or tags that make no position). */
export function positionFromExif(exif: Buffer | undefined): PhotoPosition | null {
  if (!exif) return null;
  let gps: Record<string, unknown> | undefined;
  try {
    gps = exifReader(exif).GPSInfo as Record<string, unknown> | undefined;
  } catch {
    // A broken EXIF block carries no position we could trust; the picture itself may still be fine.
    return null;
  }
  if (!gps) return null;
  const lat = degrees(gps.GPSLatitude, gps.GPSLatitudeRef, "S", 90);
  const lng = degrees(gps.GPSLongitude, gps.GPSLongitudeRef, "W", 180);
  // 0,0 is what a phone without a fix writes, not a place in China's grids.
  if (lat === null || lng === null || (lat === 0 && lng === 0)) return null;
  return { lat, lng };
}

/** Checks and re-encodes one photo (see cleanPhoto in photos.ts for what is kept and why). */
async function clean(input: Uint8Array, heif: boolean): Promise<PhotoJobResult & { ok: true }> {
  const bytes = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const options = { limitInputPixels: MAX_PHOTO_PIXELS, failOn: "error" as const };
  let meta: sharp.Metadata;
  try {
    // For a HEIF file sharp reads the container (size, EXIF) though it cannot decode HEVC.
    meta = await sharp(bytes, options).metadata();
  } catch (error) {
    // libvips stops at limitInputPixels on the declared size, before decoding anything.
    if (error instanceof Error && /pixel limit/i.test(error.message)) throw new Refused("too_many_pixels");
    throw new Refused("not_a_photo");
  }
  const format = heif
    ? meta.format === "heif" && meta.compression === "hevc"
      ? "jpeg"
      : null
    : meta.format === "jpeg" || meta.format === "png" || meta.format === "webp"
      ? meta.format
      : null;
  if (!format || (!heif && (meta.pages ?? 1) > 1)) throw new Refused("not_a_photo");
  if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_PHOTO_PIXELS) throw new Refused("too_many_pixels");
  const position = positionFromExif(meta.exif);
  let source: sharp.Sharp;
  if (heif) {
    const decoded = await decodeHeif(bytes);
    source = sharp(decoded.data, {
      raw: { width: decoded.width, height: decoded.height, channels: 4 },
      limitInputPixels: MAX_PHOTO_PIXELS,
    }).removeAlpha();
  } else {
    source = sharp(bytes, options).rotate();
  }
  try {
    const pipeline = source.resize({ width: MAX_SIDE, height: MAX_SIDE, fit: "inside", withoutEnlargement: true });
    const encoded =
      format === "jpeg"
        ? pipeline.jpeg({ quality: 85, mozjpeg: true })
        : format === "png"
          ? pipeline.png()
          : pipeline.webp({ quality: 85 });
    const out = await encoded.toBuffer({ resolveWithObject: true });
    return { ok: true, bytes: out.data, format, width: out.info.width, height: out.info.height, position };
  } catch {
    throw new Refused("not_a_photo");
  }
}

/** The pool's task (piscina calls a module's default export). */
export default async function cleanPhotoJob(job: PhotoJob): Promise<PhotoJobResult> {
  job.started.postMessage("started");
  job.started.close();
  try {
    return await clean(job.bytes, job.heif);
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** A task of no work: submitting it makes the pool start a thread for the photos waiting (see photos.ts). */
export function ping(): null {
  return null;
}
