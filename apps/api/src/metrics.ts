import { timingSafeEqual } from "node:crypto";
import { poolStats, type Sql } from "@zongzhi/db/client";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** Where the queue's depth comes from: counts of graphile-worker jobs by state. */
export type QueueDepth = () => Promise<{ ready: number; scheduled: number; running: number; failed: number }>;

/** Seconds: from a quick read to a slow export. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The Prometheus metrics of one API instance. Route labels are the route's pattern (never the
 * path with its ids) and procedure names come from the router, so the label sets stay bounded.
 */
export function createMetrics(options: { sql: Sql; sseClients: () => number; queueDepth?: QueueDepth }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "zz_" });
  const requests = new Counter({
    name: "zz_http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: "zz_http_request_duration_seconds",
    help: "HTTP request latency until the answer's headers, by method and route pattern",
    labelNames: ["method", "route"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "zz_http_requests_in_flight",
    help: "HTTP requests being answered now",
    registers: [registry],
  });
  const procedureSeconds = new Histogram({
    name: "zz_trpc_procedure_duration_seconds",
    help: "tRPC procedure latency, by procedure, type and outcome (ok or the refusal code)",
    labelNames: ["procedure", "type", "outcome"] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: "zz_db_pool_connections",
    help: "The runtime pool: its size (max), connections held by transactions (reserved), callers waiting (waiting)",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      const s = poolStats(options.sql);
      if (!s) return;
      this.set({ state: "max" }, s.max);
      this.set({ state: "reserved" }, s.reserved);
      this.set({ state: "waiting" }, s.waiting);
    },
  });
  new Gauge({
    name: "zz_sse_clients",
    help: "Open notification streams (Server-Sent Events) on this instance",
    registers: [registry],
    collect() {
      this.set(options.sseClients());
    },
  });
  const queueDepth = options.queueDepth;
  if (queueDepth) {
    new Gauge({
      name: "zz_queue_jobs",
      help: "Jobs in the PostgreSQL queue (all instances): ready to run, scheduled later, running, failed for good",
      labelNames: ["state"] as const,
      registers: [registry],
      async collect() {
        const depth = await queueDepth().catch(() => null);
        if (!depth) return;
        for (const [state, n] of Object.entries(depth)) this.set({ state }, n);
      },
    });
  }
  return {
    registry,
    /** Counts one answered request. */
    observeRequest(method: string, route: string, status: number, seconds: number) {
      requests.inc({ method, route, status: String(status) });
      requestSeconds.observe({ method, route }, seconds);
    },
    inFlight,
    /** Times one tRPC procedure call. */
    observeProcedure(procedure: string, type: string, outcome: string, seconds: number) {
      procedureSeconds.observe({ procedure, type, outcome }, seconds);
    },
  };
}

/** The metrics of one instance. */
export type Metrics = ReturnType<typeof createMetrics>;

/**
 * Whether a scrape may read the metrics: only with `Authorization: Bearer <METRICS_TOKEN>`
 * (compared in constant time). Without a configured token the endpoint does not exist.
 */
export function scrapeAllowed(configured: string | undefined, header: string | undefined): boolean {
  if (!configured || !header?.startsWith("Bearer ")) return false;
  const given = Buffer.from(header.slice("Bearer ".length));
  const wanted = Buffer.from(configured);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** The queue's depth as the queue role sees it (graphile-worker's jobs view). */
export function queueDepthOf(workerSql: Sql): QueueDepth {
  return async () => {
    const [row] = await workerSql<{ ready: number; scheduled: number; running: number; failed: number }[]>`
      select count(*) filter (where locked_at is null and attempts < max_attempts and run_at <= now())::int as ready,
             count(*) filter (where locked_at is null and attempts < max_attempts and run_at > now())::int as scheduled,
             count(*) filter (where locked_at is not null)::int as running,
             count(*) filter (where locked_at is null and attempts >= max_attempts)::int as failed
        from graphile_worker.jobs`;
    return row!;
  };
}
