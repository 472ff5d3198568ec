import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asTenant, createTenants, createTestDatabase, type TestDatabase } from "../index.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await createTenants(db.admin, ["62", "6209", "620981", "620981101", "620981102"]);
});
afterAll(() => db.close());

describe("withScope", () => {
  it("a query with no tenant context sees no tenant", async () => {
    const rows = await db.app`select code from app.tenants`;
    expect(rows).toHaveLength(0);
  });

  it("a county reads itself and its subtree, not its parent", async () => {
    const t = await createTenants(db.admin, []);
    const [county] = await db.admin<
      { id: string; code: string }[]
    >`select id, code from app.tenants where code = '620981'`;
    const codes = await asTenant(
      db.app,
      county!,
      (tx) => tx.sql<{ code: string }[]>`select code from app.tenants order by code`,
    );
    expect(codes.map((r) => r.code)).toEqual(["620981", "620981101", "620981102"]);
    expect(t.size).toBe(0);
  });

  it("a setting never outlives its transaction on a pooled connection", async () => {
    const pool = db.appPool(1);
    const [town] = await db.admin<
      { id: string; code: string }[]
    >`select id, code from app.tenants where code = '620981101'`;
    await asTenant(pool, town!, (tx) => tx.sql`select 1`);
    const after = await pool<{ s: string | null }[]>`select current_setting('app.scope', true) as s`;
    expect(after[0]?.s ?? "").toBe("");
    expect(await pool`select code from app.tenants`).toHaveLength(0);
  });
});
