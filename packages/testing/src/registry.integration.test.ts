import { ensureSearchIndex, loadRegistry, registrySource } from "@zongzhi/registry";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "./database.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

const indexes = (db: TestDatabase) =>
  db.admin<{ name: string; definition: string }[]>`select indexname as name, indexdef as definition
    from pg_indexes where schemaname = 'ref' and tablename = 'divisions' order by indexname`;

describe("loadRegistry", () => {
  it("does nothing when this edition is already loaded", async () => {
    expect(await loadRegistry(db.admin)).toBe(0);
  });

  it("reloads every division with the table's indexes rebuilt as they were", async () => {
    const before = await indexes(db);
    expect(before.map((i) => i.name)).toEqual(
      expect.arrayContaining(["divisions_name_trgm_idx", "divisions_parent_idx", "divisions_pkey"]),
    );
    await db.admin`delete from ref.registry_loads`;
    await db.admin`delete from ref.divisions where code like '62%'`;
    const rows = await loadRegistry(db.admin);
    expect(rows).toBe(665_276);
    expect(await indexes(db)).toEqual(before);
    const [counts] = await db.admin<{ all: number; gansu: number; villages: number }[]>`select count(*)::int as all,
        count(*) filter (where code like '62%')::int as gansu,
        count(*) filter (where code like '62%' and level = 'village')::int as villages
      from ref.divisions`;
    expect(counts).toEqual({ all: 665_276, gansu: 19_224, villages: 17_718 });
    const [yumen] = await db.admin`select name, level, parent_code from ref.divisions where code = '620981'`;
    expect(yumen).toEqual({ name: "玉门市", level: "county", parent_code: "6209" });
    const [load] = await db.admin`select source, rows from ref.registry_loads`;
    expect(load).toEqual({ source: registrySource, rows: 665_276 });
    // The rebuilt trigram index serves a name search.
    const plan = await db.admin.begin(async (tx) => {
      await tx`set local enable_seqscan = off`;
      return tx.unsafe(`explain select code from ref.divisions where name like '%玉门%'`);
    });
    expect(plan.map((r) => Object.values(r)[0]).join("\n")).toContain("divisions_name_trgm_idx");
  });

  it("a first start leaves the name-search index to ensureSearchIndex, which builds it as it was (and repairs an invalid one)", async () => {
    const before = await indexes(db);
    await db.admin`delete from ref.registry_loads`;
    expect(await loadRegistry(db.admin, { searchIndex: "after" })).toBe(665_276);
    expect((await indexes(db)).map((i) => i.name)).toEqual(["divisions_parent_idx", "divisions_pkey"]);
    const [forced] = await db.admin<{ forced: boolean }[]>`select relforcerowsecurity as forced from pg_class
      where oid = 'ref.divisions'::regclass`;
    expect(forced!.forced).toBe(true);
    expect(await ensureSearchIndex(db.admin)).toBe(true);
    expect(await indexes(db)).toEqual(before);
    expect(await ensureSearchIndex(db.admin)).toBe(false);
    // A build stopped half-way leaves an invalid index: the next start replaces it.
    await db.admin`update pg_index set indisvalid = false where indexrelid = 'ref.divisions_name_trgm_idx'::regclass`;
    expect(await ensureSearchIndex(db.admin)).toBe(true);
    expect(await indexes(db)).toEqual(before);
    const [valid] = await db.admin<{ valid: boolean }[]>`select indisvalid as valid from pg_index
      where indexrelid = 'ref.divisions_name_trgm_idx'::regclass`;
    expect(valid!.valid).toBe(true);
  });
});
