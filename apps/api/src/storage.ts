import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { link, mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { AttachmentStore } from "@zongzhi/api";

/** Directory under the store root where uploads are written while they are checked. */
export const STAGING_DIR = ".staging";

/**
 * Attachments on local disk under `root` (one file per key; keys are generated, never user text).
 * Uploads stream into `root/.staging/` and are hard-linked under their key once accepted.
 */
export function localDiskStore(root: string): AttachmentStore {
  const base = resolve(root);
  const pathOf = (key: string) => {
    const p = resolve(base, key);
    if (!p.startsWith(base + sep) || key.startsWith(STAGING_DIR)) throw new Error("storage key escapes the store");
    return p;
  };
  return {
    async stage(bytes) {
      const dir = join(base, STAGING_DIR);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const staged = join(dir, randomUUID());
      try {
        await pipeline(Readable.from(bytes), createWriteStream(staged, { flags: "wx", mode: 0o600 }));
      } catch (error) {
        await rm(staged, { force: true });
        throw error;
      }
      return {
        async commit(key) {
          const p = pathOf(key);
          await mkdir(dirname(p), { recursive: true });
          // link (not rename): fails rather than replace an existing file.
          await link(staged, p);
          await rm(staged, { force: true });
        },
        discard: () => rm(staged, { force: true }),
      };
    },
    get: (key) => readFile(pathOf(key)),
  };
}
