import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { readCatalog } from "../catalog-schema.ts";
import { startEmbeddedPostgres } from "../embedded.ts";
import { migrate } from "../migrate.ts";
import { renderSchema } from "../schema-render.ts";

/**
 * `pnpm db:schema`: applies every migration to a fresh database on a private embedded server,
 * reads the catalog and writes packages/db/src/schema.ts (then formatted by Biome). Nothing
 * outside the temporary server is touched.
 */
const dir = await mkdtemp(join(tmpdir(), "zz-schema-"));
const cluster = await startEmbeddedPostgres({
  dataDir: join(dir, "data"),
  password: "zz-schema-generator",
  persistent: false,
  fast: true,
});
try {
  const url = new URL(cluster.adminUrl);
  const admin = postgres(url.toString(), { max: 1, onnotice: () => {} });
  await admin.unsafe("create database zz_schema");
  await admin.end();
  url.pathname = "/zz_schema";
  await migrate(url.toString(), { appPassword: "zz-schema-app", workerPassword: "zz-schema-worker" });
  const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const catalog = await readCatalog(sql as never);
  await sql.end();
  const target = new URL("../schema.ts", import.meta.url);
  await writeFile(target, renderSchema(catalog));
  const tables = new Set(catalog.columns.map((c) => c.table)).size;
  console.log(
    `wrote ${target.pathname}: ${tables} tables, ${catalog.columns.length} columns, ${catalog.enums.size} enums`,
  );
} finally {
  await cluster.stop();
  await rm(dir, { recursive: true, force: true });
}
