import { once } from "node:events";
import { readFileSync } from "node:fs";
import type { Writable } from "node:stream";
import type postgres from "postgres";

/** Bytes buffered per table before a write to the server. */
const CHUNK = 256 * 1024;

/**
 * One table being loaded with `COPY … FROM STDIN` on its own connection. Rows are buffered
 * and written in chunks; when the server falls behind, `drain()` waits for it (backpressure).
 */
export class CopyTable {
  rows = 0;
  private chunk = Buffer.allocUnsafe(CHUNK * 2);
  private used = 0;
  private stream: Writable | null = null;
  private blocked = false;
  private done: Promise<unknown> | null = null;
  private reserved: postgres.ReservedSql | null = null;
  private backendPid = 0;
  /** CPU time (ms) the server process spent on this COPY, when it runs on this machine. */
  serverCpuMs: number | null = null;

  constructor(
    readonly table: string,
    readonly columns: readonly string[],
  ) {}

  /**
   * Opens the COPY in its own transaction. An empty table is truncated first in that
   * transaction, so that COPY FREEZE can write its rows already frozen and visible (no vacuum
   * pass over tens of millions of rows afterwards); a table with rows gets a plain COPY.
   */
  async open(sql: postgres.Sql, setup: string): Promise<void> {
    const conn = await sql.reserve();
    this.reserved = conn;
    await conn.unsafe(`begin; ${setup}`);
    const [pid] = await conn.unsafe("select pg_backend_pid() as pid");
    this.backendPid = Number((pid as { pid: number } | undefined)?.pid ?? 0);
    const [row] = await conn.unsafe(`select not exists (select 1 from ${this.table}) as empty`);
    const empty = Boolean((row as { empty: boolean } | undefined)?.empty);
    if (empty) await conn.unsafe(`truncate ${this.table}`);
    this.stream = await conn
      .unsafe(`copy ${this.table} (${this.columns.join(", ")}) from stdin${empty ? " with (freeze)" : ""}`)
      .writable();
    this.done = new Promise((resolve, reject) => {
      this.stream?.on("finish", resolve);
      this.stream?.on("error", reject);
    });
  }

  /** Appends one row (fields already in COPY text format), encoded straight into the chunk. */
  push(fields: string): void {
    const room = fields.length * 3 + 1;
    if (this.used + room > this.chunk.length) {
      this.flush();
      if (room > this.chunk.length) this.chunk = Buffer.allocUnsafe(room);
    }
    this.used += this.chunk.write(fields, this.used, "utf8");
    this.chunk[this.used++] = 10;
    this.rows++;
    if (this.used > CHUNK) this.flush();
  }

  /** Appends one row made of text and of bytes already encoded (UTF-8, COPY format). */
  pushParts(parts: readonly (string | Buffer)[]): void {
    let room = 1;
    for (const p of parts) room += typeof p === "string" ? p.length * 3 : p.length;
    if (this.used + room > this.chunk.length) {
      this.flush();
      if (room > this.chunk.length) this.chunk = Buffer.allocUnsafe(room);
    }
    for (const p of parts) {
      if (typeof p === "string") this.used += this.chunk.write(p, this.used, "utf8");
      else this.used += p.copy(this.chunk, this.used);
    }
    this.chunk[this.used++] = 10;
    this.rows++;
    if (this.used > CHUNK) this.flush();
  }

  private flush(): void {
    if (this.used === 0 || !this.stream) return;
    const data = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK * 2);
    this.used = 0;
    if (!this.stream.write(data)) this.blocked = true;
  }

  /** Waits until the server has taken what was written. */
  async drain(): Promise<void> {
    if (this.blocked && this.stream) {
      await once(this.stream, "drain");
      this.blocked = false;
    }
  }

  /** Ends the COPY and commits its transaction. */
  async close(): Promise<void> {
    this.flush();
    this.stream?.end();
    await this.done;
    this.serverCpuMs = processCpuMs(this.backendPid);
    await this.reserved?.unsafe("commit");
    this.reserved?.release();
    this.reserved = null;
  }

  /** Rolls back after a failure elsewhere. */
  async abort(): Promise<void> {
    this.stream?.destroy();
    await this.reserved?.unsafe("rollback").catch(() => {});
    this.reserved?.release();
    this.reserved = null;
  }
}

/** User + system CPU time (ms) of a local process, or null when it cannot be read (another host). */
function processCpuMs(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // utime and stime, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}
