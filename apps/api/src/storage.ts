import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import type { AttachmentStore } from "@zongzhi/api";

/** Attachments on local disk under `root` (one file per key; keys are generated, never user text). */
export function localDiskStore(root: string): AttachmentStore {
  const base = resolve(root);
  const pathOf = (key: string) => {
    const p = resolve(base, key);
    if (!p.startsWith(base + sep)) throw new Error("storage key escapes the store");
    return p;
  };
  return {
    async put(key, bytes) {
      const p = pathOf(key);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, bytes, { flag: "wx", mode: 0o600 });
    },
    get: (key) => readFile(pathOf(key)),
  };
}
