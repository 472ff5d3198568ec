import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { AuditCheckpoint } from "@zongzhi/db/audit-chain";
import type { ServerEnv } from "./env.ts";

/** Where the checkpoints kept apart from the database are appended (AUDIT_CHECKPOINT_FILE). */
export function auditCheckpointFile(env: Pick<ServerEnv, "AUDIT_CHECKPOINT_FILE" | "DATA_DIR">): string {
  return env.AUDIT_CHECKPOINT_FILE ?? join(env.DATA_DIR, "audit-checkpoints.jsonl");
}

/** Appends checkpoints, one JSON line each (the file only grows; a copy elsewhere may follow it). */
export async function appendCheckpoints(file: string, checkpoints: readonly AuditCheckpoint[]): Promise<void> {
  if (checkpoints.length === 0) return;
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, checkpoints.map((c) => `${JSON.stringify(c)}\n`).join(""), { mode: 0o600 });
}

/** Reads the checkpoints kept apart (none when the file does not exist yet). */
export async function readCheckpoints(file: string): Promise<AuditCheckpoint[]> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return "";
    throw error;
  });
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as AuditCheckpoint);
}
