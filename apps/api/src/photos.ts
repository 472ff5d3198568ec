import { createHash } from "node:crypto";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { MessageChannel } from "node:worker_threads";
import { sniffType } from "@zongzhi/api";
import { AppError } from "@zongzhi/domain";
import { Piscina } from "piscina";
// The worker's module, here for its types and the EXIF reader only; loading it also loads sharp
// on the main thread before any worker does, as sharp asks on glibc Linux (its shared libraries
// then stay loaded until the last thread has finished).
import {
  MAX_PHOTO_PIXELS,
  type PhotoJob,
  type PhotoJobResult,
  type PhotoPosition,
  positionFromExif,
} from "./photo-worker.ts";

export { type PhotoPosition, positionFromExif };

/** Most photos on one field report. */
export const MAX_PHOTOS = 9;
/** Largest photo accepted, as it comes from the phone. */
export const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

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
    zh: `第${n}张照片像素过多（最多${MAX_PHOTO_PIXELS / 10_000}万像素）`,
    en: `Photo ${n} has too many pixels (at most ${MAX_PHOTO_PIXELS / 1_000_000} million)`,
  });

const tookTooLong = (n: number, seconds: number) =>
  new AppError("VALIDATION", {
    zh: `第${n}张照片处理超时（超过${seconds}秒），请换一张较小或较简单的照片`,
    en: `Photo ${n} took too long to process (over ${seconds} s); send a smaller or simpler photo`,
  });

/** The 503 of a full pool: nothing of the report is kept, and the phone's queue sends it again later. */
const photosBusy = () =>
  new AppError(
    "UNAVAILABLE",
    {
      zh: "照片处理繁忙，上报未保存，请稍后重试",
      en: "Photo processing is busy; the report was not saved, retry in a moment",
    },
    { retryAfterSeconds: 10 },
  );

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

/** How the photo pool is sized (env PHOTO_WORKERS, PHOTO_QUEUE, PHOTO_TIMEOUT_MS; see README). */
export interface PhotoPoolOptions {
  /** Worker threads (default: the cores less one, at least one). */
  threads?: number;
  /** Photos waiting for a thread beyond which the next is refused with a 503 (default 36: four full reports). */
  queue?: number;
  /** Longest run of one photo in its thread before the thread is terminated and the photo refused (default 20 s). */
  timeoutMs?: number;
  /** Longest wait of one photo for a thread before it is refused with a 503 (default 60 s). */
  queueWaitMs?: number;
}

/** The photo pool's figures (for the shutdown log and the tests). */
export interface PhotoPoolStats {
  threads: number;
  /** Photos being worked on in a thread now. */
  running: number;
  /** Photos waiting for a thread. */
  queued: number;
  completed: number;
  timedOut: number;
  refusedBusy: number;
}

/** A bounded pool of worker threads that checks and re-encodes photos (see {@link createPhotoPool}). */
export interface PhotoPool {
  /**
   * Checks one uploaded photo by its content and re-encodes it, in the photo pool's threads. The
   * first bytes must be those of a JPG, PNG, WEBP or HEIC/HEIF (whatever the browser claimed), the
   * whole picture must decode, and it may not have more than 60 million pixels. The stored copy is
   * decoded and encoded afresh, turned upright and brought down to 4096 px on the long side: sharp
   * writes no metadata unless asked, so EXIF (camera, time, GPS), XMP, IPTC and ICC leave with the
   * original. Only the GPS position is read out, to become the event's location when the report
   * gave none. A HEIC photo is decoded by libheif and stored as a JPG; its upright turn is the
   * file's own `irot`/`imir`, and the EXIF orientation a phone repeats beside it is not applied
   * again (HEIF readers ignore it; applying both would turn the picture twice).
   */
  clean(bytes: Buffer, n: number): Promise<CleanPhoto>;
  stats(): PhotoPoolStats;
  /** Ends the threads at once; photos still waiting or running are refused with a 503. */
  close(): Promise<void>;
}

/**
 * The worker's file: the compiled photo-worker.js beside this module's bundle (dist/), or from
 * the sources the bootstrap that loads photo-worker.ts through tsx.
 */
function workerFile(): string {
  const compiled = !import.meta.url.endsWith(".ts");
  return fileURLToPath(new URL(compiled ? "./photo-worker.js" : "./photo-worker.dev.mjs", import.meta.url));
}

const kinds = {
  jpeg: { mime: "image/jpeg", ext: "jpg" },
  png: { mime: "image/png", ext: "png" },
  webp: { mime: "image/webp", ext: "webp" },
} as const;

/**
 * Starts the pool that does a photo's CPU work off the main thread (piscina): HEIC decoding
 * (libheif's WebAssembly, seconds for a large picture, on the thread that calls it) and sharp's
 * decoding and re-encoding. At most `threads` photos are worked on at once, `queue` more wait;
 * the next is refused with a 503 (zh and en, Retry-After) and the report is not saved. A photo
 * whose work in its thread runs past `timeoutMs` has its thread terminated (piscina starts a new
 * one) and is refused with a 400; the timer starts when the thread takes the photo, so a photo
 * that waited behind others is not blamed for their time. Threads start on the first photo and
 * end after 30 s idle; an idle pool does not keep the process alive.
 */
export function createPhotoPool(options: PhotoPoolOptions = {}): PhotoPool {
  const threads = options.threads ?? Math.max(1, availableParallelism() - 1);
  const queue = options.queue ?? 36;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const queueWaitMs = options.queueWaitMs ?? 60_000;
  const pool = new Piscina<PhotoJob, PhotoJobResult>({
    filename: workerFile(),
    minThreads: 0,
    maxThreads: threads,
    // The limit is ours (below, a 503 in words); piscina's leaves room for the `ping`s.
    maxQueue: queue + threads + 4,
    idleTimeout: 30_000,
    concurrentTasksPerWorker: 1,
    // The stored photo is work of the moment, not the server's main business: the threads yield.
    niceIncrement: 5,
  });
  // piscina reports a thread that failed to start as an error event; each job then fails on its own.
  pool.on("error", () => {});
  let closed = false;
  let completed = 0;
  let running = 0;
  let timedOut = 0;
  let refusedBusy = 0;
  const busy = () => {
    refusedBusy++;
    return photosBusy();
  };

  async function clean(bytes: Buffer, n: number): Promise<CleanPhoto> {
    if (bytes.byteLength > MAX_PHOTO_BYTES) throw photoTooLarge();
    const heif = isHeif(bytes);
    if (!heif && !sniffType(bytes.subarray(0, 16))?.mime.startsWith("image/")) throw notAPhoto(n);
    if (closed || pool.queueSize >= queue) throw busy();
    const controller = new AbortController();
    const channel = new MessageChannel();
    let why: "run" | "wait" | null = null;
    let started = false;
    const stop = (reason: "run" | "wait") => {
      why = reason;
      controller.abort(reason);
    };
    let timer = setTimeout(() => stop("wait"), queueWaitMs);
    channel.port1.once("message", () => {
      started = true;
      running++;
      clearTimeout(timer);
      timer = setTimeout(() => stop("run"), timeoutMs);
    });
    channel.port1.unref();
    let result: PhotoJobResult;
    try {
      // The bytes are copied into the thread (a small Buffer may share its memory with others).
      result = await pool.run(
        { bytes, heif, started: channel.port2 },
        { transferList: [channel.port2], signal: controller.signal },
      );
    } catch (error) {
      // piscina replaces a thread it terminated (or that died) only up to minThreads, 0 here, and
      // starts one for waiting work only when a task is submitted: a photo that waited behind this
      // one would wait for its 503. A task of no work (the worker's `ping`) starts the thread.
      if (pool.queueSize > 0 && !closed) void pool.run(null as never, { name: "ping" }).catch(() => {});
      if (why === "run") {
        timedOut++;
        throw tookTooLong(n, Math.round(timeoutMs / 100) / 10);
      }
      if (why === "wait" || closed) throw busy();
      if (error instanceof Error && /queue is at limit|No task queue available/i.test(error.message)) throw busy();
      // The thread died under the photo (out of memory, a crash in the decoder): the photo is unreadable.
      throw notAPhoto(n);
    } finally {
      clearTimeout(timer);
      channel.port1.close();
      if (started) running--;
    }
    completed++;
    if (!result.ok) throw result.reason === "too_many_pixels" ? tooManyPixels(n) : notAPhoto(n);
    const out = Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength);
    return {
      bytes: out,
      ...kinds[result.format],
      sha256: createHash("sha256").update(out).digest("hex"),
      width: result.width,
      height: result.height,
      position: result.position,
    };
  }

  return {
    clean,
    stats: () => ({ threads: pool.threads.length, running, queued: pool.queueSize, completed, timedOut, refusedBusy }),
    async close() {
      if (closed) return;
      closed = true;
      await pool.destroy();
    },
  };
}
