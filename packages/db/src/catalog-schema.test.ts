import { boolean, integer, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { declaredColumns, schemaDrift } from "./catalog-schema.ts";
import * as schema from "./schema.ts";
import { appSchema, codeText, tenantLevelEnum, tenantStatusEnum } from "./schema.ts";

// The drift check compares the committed schema with the migrated catalog
// (packages/testing/src/db/schema-drift.integration.test.ts). Here the committed schema stands
// in for the catalog, and deliberately broken schemas are fed to the comparator.
const catalog = declaredColumns(schema);

/** app.tenants with one column of another type, one nullability flipped, one missing, one extra. */
const brokenTenants = appSchema.table("tenants", {
  id: uuid("id").primaryKey(),
  code: text("code").notNull(),
  level: tenantLevelEnum("level").notNull(),
  parentId: uuid("parent_id").notNull(),
  name: text("name").notNull(),
  status: tenantStatusEnum("status").notNull(),
  isDemo: boolean("is_demo").notNull(),
  countyCode: codeText("county_code"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  version: integer("version").notNull(),
  requireTotp: boolean("require_totp").notNull(),
  nickname: text("nickname"),
});

describe("schemaDrift", () => {
  it("finds nothing when the schema declares exactly the catalog's columns", () => {
    expect(catalog.length).toBeGreaterThan(400);
    expect(schemaDrift(catalog, catalog)).toEqual([]);
  });

  it("reports a changed type, a flipped nullability, a missing and an extra column of a broken table", () => {
    const broken = { ...schema, tenants: brokenTenants };
    expect(schemaDrift(declaredColumns(broken), catalog)).toEqual([
      'app.tenants.code: type text in the schema, text COLLATE "C" in the catalog',
      "app.tenants.parent_id: not null in the schema, nullable in the catalog",
      "app.tenants.nickname: declared in the schema, not in the migrated catalog",
      "app.tenants.root_code: in the migrated catalog, missing from the schema",
    ]);
  });

  it("reports a table the schema lacks", () => {
    const { caseEvents: _, ...withoutEvents } = schema;
    const problems = schemaDrift(declaredColumns(withoutEvents), catalog);
    expect(problems.length).toBeGreaterThan(0);
    expect(
      problems.every(
        (p) => p.startsWith("app.case_events.") && p.endsWith("table app.case_events is missing from the schema"),
      ),
    ).toBe(true);
  });

  it("reports a table declared twice", () => {
    const twice = { ...schema, tenantsAgain: schema.tenants };
    expect(schemaDrift(declaredColumns(twice), catalog)).toContain("app.tenants.id: declared twice");
  });

  it("tells Drizzle's spelling of a type from format_type's only where the types differ", () => {
    const numeric = [{ table: "app.x", column: "share", type: "numeric(4, 3)", notNull: true }];
    expect(schemaDrift(numeric, [{ ...numeric[0]!, type: "numeric(4,3)" }])).toEqual([]);
    expect(schemaDrift(numeric, [{ ...numeric[0]!, type: "numeric(5,3)" }])).toEqual([
      "app.x.share: type numeric(4, 3) in the schema, numeric(5,3) in the catalog",
    ]);
  });
});
