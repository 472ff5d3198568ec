import { randomBytes } from "node:crypto";
import { createPool, type Sql } from "@zongzhi/db/client";
import postgres from "postgres";
import { inject } from "vitest";
import { TEST_APP_PASSWORD, TEST_WORKER_PASSWORD, withDatabase } from "./cluster.ts";

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
  /** URL of the job-queue role zz_worker. */
  workerUrl: string;
  adminUrl: string;
  /** Opens another zz_app pool (e.g. with a given size). */
  appPool(max: number): Sql;
  close(): Promise<void>;
}

/**
 * Gives the clone the template's database-level privileges. Why: CREATE DATABASE … TEMPLATE
 * copies the contents but not the database's ACL, so without this every test database would
 * grant PUBLIC (and so zz_app) CONNECT and TEMPORARY, which the migrations revoke.
 */
async function copyDatabasePrivileges(sql: Sql, template: string, clone: string): Promise<void> {
  const grants = await sql<{ grantee: string; privilege: string }[]>`
    select coalesce(r.rolname, 'public') as grantee, a.privilege_type as privilege
    from pg_database d, aclexplode(d.datacl) a left join pg_roles r on r.oid = a.grantee
    where d.datname = ${template} and d.datacl is not null`;
  if (grants.length === 0) return;
  const statements = [`revoke all on database ${clone} from public`];
  for (const g of grants) {
    const grantee = g.grantee === "public" ? "public" : `"${g.grantee.replaceAll('"', '""')}"`;
    statements.push(`grant ${g.privilege} on database ${clone} to ${grantee}`);
  }
  for (const statement of statements) await sql.unsafe(statement);
}

/** Clones the template into a new database and connects to it as the admin and as zz_app. */
export async function createTestDatabase(
  options: {
    /** Told every statement the zz_app pools send (the Citus routing check, citus-writes.ts). */
    onStatement?: (statement: string) => void;
  } = {},
): Promise<TestDatabase> {
  const clusterUrl = inject("adminUrl");
  const template = inject("templateDatabase");
  const name = `zz_test_${randomBytes(6).toString("hex")}`;
  const maintenance = postgres(clusterUrl, { max: 1, onnotice: () => {} });
  try {
    await maintenance.unsafe(`create database ${name} template ${template}`);
    await copyDatabasePrivileges(maintenance, template, name);
  } finally {
    await maintenance.end();
  }
  const adminUrl = withDatabase(clusterUrl, name);
  const appUrl = withDatabase(clusterUrl, name, { user: "zz_app", password: TEST_APP_PASSWORD });
  const workerUrl = withDatabase(clusterUrl, name, { user: "zz_worker", password: TEST_WORKER_PASSWORD });
  const admin = postgres(adminUrl, { max: 2, onnotice: () => {} });
  const pools: Sql[] = [];
  const appPool = (max: number) => {
    const pool = createPool(appUrl, { max, ...(options.onStatement ? { onStatement: options.onStatement } : {}) });
    pools.push(pool);
    return pool;
  };
  const app = appPool(4);
  return {
    name,
    admin,
    app,
    appUrl,
    workerUrl,
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
