import { randomBytes } from "node:crypto";
import { createPool, type Sql } from "@zongzhi/db/client";
import postgres from "postgres";
import { inject } from "vitest";
import { TEST_APP_PASSWORD, withDatabase } from "./cluster.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser URL of the run's cluster (maintenance database). */
    adminUrl: string;
    /** Name of the migrated template database. */
    templateDatabase: string;
  }
}

/** A fresh database for one test file, cloned from the migrated template. */
export interface TestDatabase {
  name: string;
  /** Superuser connection: for fixtures and catalog checks only, never for assertions about access. */
  admin: Sql;
  /** Pool of the runtime role zz_app, exactly as the API connects. */
  app: Sql;
  appUrl: string;
  adminUrl: string;
  /** Opens another zz_app pool (e.g. with a given size). */
  appPool(max: number): Sql;
  close(): Promise<void>;
}

/** Clones the template into a new database and connects to it as the admin and as zz_app. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const clusterUrl = inject("adminUrl");
  const template = inject("templateDatabase");
  const name = `zz_test_${randomBytes(6).toString("hex")}`;
  const maintenance = postgres(clusterUrl, { max: 1, onnotice: () => {} });
  try {
    await maintenance.unsafe(`create database ${name} template ${template}`);
  } finally {
    await maintenance.end();
  }
  const adminUrl = withDatabase(clusterUrl, name);
  const appUrl = withDatabase(clusterUrl, name, { user: "zz_app", password: TEST_APP_PASSWORD });
  const admin = postgres(adminUrl, { max: 2, onnotice: () => {} });
  const pools: Sql[] = [];
  const appPool = (max: number) => {
    const pool = createPool(appUrl, { max });
    pools.push(pool);
    return pool;
  };
  const app = appPool(4);
  return {
    name,
    admin,
    app,
    appUrl,
    adminUrl,
    appPool,
    async close() {
      await Promise.all(pools.map((p) => p.end({ timeout: 1 })));
      await admin.end({ timeout: 1 });
      const m = postgres(clusterUrl, { max: 1, onnotice: () => {} });
      try {
        await m.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await m.end();
      }
    },
  };
}
