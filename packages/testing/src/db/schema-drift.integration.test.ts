import { declaredColumns, readCatalog, schemaDrift } from "@zongzhi/db/catalog-schema";
import * as schema from "@zongzhi/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../index.ts";

// The migrations are the truth; the Drizzle schema is derived from them by `pnpm db:schema`.
// This fails as soon as a migration adds, drops or changes a column the schema does not follow.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.close();
});

describe("the Drizzle schema", () => {
  it("declares every migrated table's columns with the catalog's types and nullability", async () => {
    const catalog = await readCatalog(db.admin);
    const tables = new Set(catalog.columns.map((c) => c.table));
    expect(tables.size).toBeGreaterThan(50);
    const problems = schemaDrift(declaredColumns(schema), catalog.columns);
    expect(problems, `run pnpm db:schema:\n${problems.join("\n")}`).toEqual([]);
  });
});
