import type { Server } from "node:http";
import type { Http2SecureServer, Http2Server } from "node:http2";
import type { MiddlewareHandler } from "hono";

/** An open stream that must end when the instance stops (an SSE connection). */
export interface OpenStream {
  close(): void;
}

/** What happened during a drain, for the shutdown log line. */
export interface DrainReport {
  /** Requests still running when the timeout struck (0 after a clean drain). */
  abandoned: number;
  streamsClosed: number;
  ms: number;
  timedOut: boolean;
}

/**
 * The instance's life after start: how many requests are being answered, which streams are
 * open, and whether it is draining. Draining turns /readyz to 503 (the proxy stops sending
 * here) and every answer says `Connection: close` (keep-alive clients move to another replica).
 */
export function createLifecycle() {
  let inFlight = 0;
  let draining = false;
  const streams = new Set<OpenStream>();
  let idle: (() => void) | null = null;

  const track: MiddlewareHandler = async (c, next) => {
    inFlight++;
    try {
      await next();
    } finally {
      inFlight--;
      if (draining) {
        // tRPC answers with its own Response, whose headers may be immutable: copy it then.
        try {
          c.res.headers.set("connection", "close");
        } catch {
          c.res = new Response(c.res.body, c.res);
          c.res.headers.set("connection", "close");
        }
      }
      if (inFlight === 0) idle?.();
    }
  };

  return {
    /** Counts requests in flight; mount first. */
    track,
    get inFlight() {
      return inFlight;
    },
    get draining() {
      return draining;
    },
    get openStreams() {
      return streams.size;
    },
    /** Registers a stream; returns the function that forgets it (call it when the stream ends). */
    openStream(stream: OpenStream): () => void {
      if (draining) {
        stream.close();
        return () => {};
      }
      streams.add(stream);
      return () => streams.delete(stream);
    },
    /**
     * Stops accepting connections, closes the open streams, lets the requests in flight finish
     * and then closes the idle connections; after `timeoutMs` the rest are cut. Resolves when
     * the server has closed.
     */
    async drain(server: Server | Http2Server | Http2SecureServer, timeoutMs: number): Promise<DrainReport> {
      const started = Date.now();
      draining = true;
      const closed = new Promise<void>((done) => server.close(() => done()));
      const streamsClosed = streams.size;
      for (const s of [...streams]) s.close();
      streams.clear();
      const http = server as Server;
      const requestsDone = new Promise<void>((done) => {
        if (inFlight === 0) return done();
        idle = done;
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((done) => {
        timer = setTimeout(() => done("timeout"), timeoutMs);
      });
      const first = await Promise.race([requestsDone.then(() => "drained" as const), timeout]);
      const abandoned = inFlight;
      if (first === "timeout") http.closeAllConnections?.();
      else http.closeIdleConnections?.();
      // Connections still finishing a streamed body close when it ends; the timeout bounds that too.
      const end = await Promise.race([closed.then(() => "closed" as const), timeout]);
      if (end === "timeout") http.closeAllConnections?.();
      await closed;
      clearTimeout(timer);
      return { abandoned, streamsClosed, ms: Date.now() - started, timedOut: first === "timeout" || end === "timeout" };
    },
  };
}

/** The instance's lifecycle. */
export type Lifecycle = ReturnType<typeof createLifecycle>;
