import { createHash } from "node:crypto";
import { sniffType } from "@zongzhi/api";
import { AppError } from "@zongzhi/domain";
import exifReader from "exif-reader";
import sharp from "sharp";

/** Most photos on one field report. */
export const MAX_PHOTOS = 9;
/** Largest photo accepted, as it comes from the phone. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
/** Most pixels decoded from one photo (a decompression bomb stops here; 60 MP covers every phone camera). */
const MAX_PHOTO_PIXELS = 60_000_000;
/** The long side a stored photo is brought down to (a phone's 8000 px adds nothing to evidence on a screen). */
const MAX_SIDE = 4096;

/** Where a photo was taken, from its EXIF GPS tags (WGS 84 degrees). */
export interface PhotoPosition {
  lat: number;
  lng: number;
}

/** A photo after checking: re-encoded without any metadata, and the position it carried, if any. */
export interface CleanPhoto {
  bytes: Buffer;
  mime: "image/jpeg" | "image/png" | "image/webp";
  ext: "jpg" | "png" | "webp";
  sha256: string;
  width: number;
  height: number;
  position: PhotoPosition | null;
}

const notAPhoto = (n: number) =>
  new AppError("VALIDATION", {
    zh: `第${n}张照片不是可识别的 JPG、PNG、WEBP 或 HEIC 图片`,
    en: `Photo ${n} is not a readable JPG, PNG, WEBP or HEIC image`,
  });

const tooManyPixels = (n: number) =>
  new AppError("VALIDATION", {
    zh: `第${n}张照片像素过多（最多6000万像素）`,
    en: `Photo ${n} has too many pixels (at most 60 million)`,
  });

/**
 * The major brands (ISO/IEC 23008-12) of a HEIF file whose pictures are HEVC-coded, as phones
 * write them (iPhones since iOS 11, many Android cameras): `heic`/`heix` (one image, 8 or 10 bit),
 * `heim`/`heis` (multi-layer), `hevc`/`hevx` (sequences), and the generic `mif1`/`msf1`.
 */
const HEIF_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"]);

/** Whether the content is a HEIF file by its `ftyp` box (whatever the name or the browser's type say). */
export function isHeif(bytes: Uint8Array): boolean {
  if (bytes.byteLength < 12) return false;
  const text = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  return text(4, 8) === "ftyp" && HEIF_BRANDS.has(text(8, 12));
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
 * (2 MB of WebAssembly) loads on the first HEIC photo, not at start-up.
 */
async function decodeHeif(
  bytes: Buffer,
  n: number,
): Promise<{ data: Uint8ClampedArray; width: number; height: number }> {
  const { default: decode } = await import("heic-decode");
  let images: HeifImages;
  try {
    images = (await decode.all({ buffer: bytes })) as HeifImages;
  } catch {
    throw notAPhoto(n);
  }
  try {
    const first = images[0];
    if (!first) throw notAPhoto(n);
    if (first.width * first.height > MAX_PHOTO_PIXELS) throw tooManyPixels(n);
    return await first.decode().catch(() => {
      throw notAPhoto(n);
    });
  } finally {
    images.dispose();
  }
}

/** The 413 of a photo over {@link MAX_PHOTO_BYTES}. */
export function photoTooLarge(): AppError {
  return new AppError(
    "PAYLOAD_TOO_LARGE",
    {
      zh: `每张照片须在${MAX_PHOTO_BYTES / 1024 / 1024}MB以内`,
      en: `Each photo must be at most ${MAX_PHOTO_BYTES / 1024 / 1024} MB`,
    },
    { limitBytes: MAX_PHOTO_BYTES },
  );
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

/**
 * Checks one uploaded photo by its content and re-encodes it. The first bytes must be those of a
 * JPG, PNG, WEBP or HEIC/HEIF (whatever the browser claimed), the whole picture must decode, and
 * it may not have more than 60 million pixels. The stored copy is decoded and encoded afresh,
 * turned upright and brought down to 4096 px on the long side: sharp writes no metadata unless
 * asked, so EXIF (camera, time, GPS), XMP, IPTC and ICC leave with the original. Only the GPS
 * position is read out, to become the event's location when the report gave none. A HEIC photo
 * is decoded by libheif (see {@link decodeHeif}) and stored as a JPG; its upright turn is the
 * file's own `irot`/`imir`, and the EXIF orientation a phone repeats beside it is not applied
 * again (HEIF readers ignore it; applying both would turn the picture twice).
 */
export async function cleanPhoto(bytes: Buffer, n: number): Promise<CleanPhoto> {
  if (bytes.byteLength > MAX_PHOTO_BYTES) throw photoTooLarge();
  const heif = isHeif(bytes);
  if (!heif && !sniffType(bytes.subarray(0, 16))?.mime.startsWith("image/")) throw notAPhoto(n);
  const options = { limitInputPixels: MAX_PHOTO_PIXELS, failOn: "error" as const };
  let meta: sharp.Metadata;
  try {
    // For a HEIF file sharp reads the container (size, EXIF) though it cannot decode HEVC.
    meta = await sharp(bytes, options).metadata();
  } catch (error) {
    // libvips stops at limitInputPixels on the declared size, before decoding anything.
    if (error instanceof Error && /pixel limit/i.test(error.message)) throw tooManyPixels(n);
    throw notAPhoto(n);
  }
  const format = heif
    ? meta.format === "heif" && meta.compression === "hevc"
      ? "jpeg"
      : null
    : meta.format === "jpeg" || meta.format === "png" || meta.format === "webp"
      ? meta.format
      : null;
  if (!format || (!heif && (meta.pages ?? 1) > 1)) throw notAPhoto(n);
  if ((meta.width ?? 0) * (meta.height ?? 0) > MAX_PHOTO_PIXELS) throw tooManyPixels(n);
  const position = positionFromExif(meta.exif);
  let source: sharp.Sharp;
  if (heif) {
    const decoded = await decodeHeif(bytes, n);
    source = sharp(decoded.data, {
      raw: { width: decoded.width, height: decoded.height, channels: 4 },
      limitInputPixels: MAX_PHOTO_PIXELS,
    }).removeAlpha();
  } else {
    source = sharp(bytes, options).rotate();
  }
  let out: { data: Buffer; info: sharp.OutputInfo };
  try {
    const pipeline = source.resize({ width: MAX_SIDE, height: MAX_SIDE, fit: "inside", withoutEnlargement: true });
    const encoded =
      format === "jpeg"
        ? pipeline.jpeg({ quality: 85, mozjpeg: true })
        : format === "png"
          ? pipeline.png()
          : pipeline.webp({ quality: 85 });
    out = await encoded.toBuffer({ resolveWithObject: true });
  } catch {
    throw notAPhoto(n);
  }
  const kind = {
    jpeg: { mime: "image/jpeg", ext: "jpg" },
    png: { mime: "image/png", ext: "png" },
    webp: { mime: "image/webp", ext: "webp" },
  } as const;
  return {
    bytes: out.data,
    ...kind[format],
    sha256: createHash("sha256").update(out.data).digest("hex"),
    width: out.info.width,
    height: out.info.height,
    position,
  };
}
