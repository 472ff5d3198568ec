import {
  ATTACKS,
  type Actor,
  actorFor,
  createTenants,
  createTestDatabase,
  describeFindings,
  ISOLATION_TREE,
  missingFixtures,
  probeIsolation,
  runStatement,
  type SeededRow,
  seedAllTables,
  TABLE_FIXTURES,
  type TestDatabase,
  type TestTenant,
  tenantScopedTables,
  zzAppDriver,
} from "@zongzhi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Tenant isolation, proved by attack: every tenant-scoped table, every attacker position
// (sibling on either side, child, cousin, no context, emptied context, operator), every
// statement kind, through the runtime role zz_app exactly as the API connects.

let db: TestDatabase;
let tenants: Map<string, TestTenant>;
let seeds: Map<string, Map<string, SeededRow>>;
let probes = 0;
let controls = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  tenants = await createTenants(db.admin, [...ISOLATION_TREE]);
  seeds = await seedAllTables(db.admin, tenants);
});
afterAll(async () => {
  console.log(`isolation probes: ${probes} (plus ${controls} positive controls)`);
  await db?.close();
});

const tenant = (code: string) => tenants.get(code)!;
const seeded = (table: string, code: string) => seeds.get(table)!.get(code)!;

describe("the fixtures cover the catalog", () => {
  it("every tenant-scoped table in the catalog has a fixture", async () => {
    const catalog = await tenantScopedTables(db.admin);
    expect(catalog).toContain("app.tenants");
    expect(missingFixtures(catalog)).toEqual([]);
  });

  it("every fixture names a tenant-scoped table that exists", async () => {
    const catalog = await tenantScopedTables(db.admin);
    expect(TABLE_FIXTURES.map((f) => f.table).filter((t) => !catalog.includes(t))).toEqual([]);
  });
});

for (const fixture of TABLE_FIXTURES) {
  describe(fixture.table, () => {
    for (const attack of ATTACKS) {
      it(`${attack.who} cannot reach ${attack.whose} rows in ${fixture.table}`, async () => {
        const rows = seeds.get(fixture.table)!;
        const actor = actorFor(attack.attacker, tenants, rows);
        const report = await probeIsolation(zzAppDriver(db.app), fixture, rows.get(attack.victim)!, [actor]);
        probes += report.probes;
        expect(report.probes).toBeGreaterThanOrEqual(8);
        expect(report.broken, describeFindings(report.broken)).toEqual([]);
        expect(report.leaks, describeFindings(report.leaks)).toEqual([]);
      });
    }

    it(`a county reaches its township's rows in ${fixture.table} with the attackers' statements (positive control)`, async () => {
      const { table, key, tenantColumn, touch } = fixture;
      const victim = seeded(table, "620981102");
      const parent: Actor = { label: "parent county", scope: "620981", tenant: tenant("620981") };
      const [may] = await db.admin<{ read: boolean; update: boolean; delete: boolean }[]>`
        select has_column_privilege('zz_app', ${table}, ${key}, 'SELECT') as read,
          has_column_privilege('zz_app', ${table}, ${touch}, 'UPDATE')
            and has_column_privilege('zz_app', ${table}, ${touch}, 'SELECT') as update,
          has_table_privilege('zz_app', ${table}, 'DELETE') as delete`;
      const driver = zzAppDriver(db.app);
      const run = (text: string, params: (string | null)[]) => {
        controls += 1;
        return driver.attempt(parent, (sql) => runStatement(sql, { text, params }));
      };
      const expectAllowed = (o: Awaited<ReturnType<typeof run>>, what: string, count = 1) =>
        expect(o, what).toMatchObject({ ok: true, count });
      const expectDenied = (o: Awaited<ReturnType<typeof run>>, what: string) =>
        expect(o, what).toMatchObject({ ok: false, code: "42501" });

      const read = await run(`select ${key}::text as k from ${table} where ${key} = $1`, [victim.key]);
      const readByCode = await run(`select count(*)::int as n from ${table} where ${tenantColumn} = $1`, [
        victim.tenant.code,
      ]);
      if (may.read) {
        expectAllowed(read, "read by key");
        expect(readByCode.ok && readByCode.rows[0]?.n).toBeGreaterThanOrEqual(1);
      } else {
        expectDenied(read, "read by key");
      }
      const update = await run(`update ${table} set ${touch} = ${touch} where ${key} = $1`, [victim.key]);
      if (may.update) expectAllowed(update, "update by key");
      else expectDenied(update, "update by key");
      const del = await run(`delete from ${table} where ${key} = $1`, [victim.key]);
      if (may.delete) expectAllowed(del, "delete by key");
      else expectDenied(del, "delete by key");
      for (const forge of fixture.forges(victim, parent.tenant)) {
        const o = await run(forge.text, forge.params);
        if (forge.ancestorMay) expect(o, forge.label).toMatchObject({ ok: true });
        else expect(o, forge.label).toMatchObject({ ok: false });
      }
    });

    it(`a tenant reads its own row in ${fixture.table} where zz_app may read the table at all`, async () => {
      const own = seeded(fixture.table, "620981102001");
      const [may] = await db.admin<{ read: boolean }[]>`
        select has_column_privilege('zz_app', ${fixture.table}, ${fixture.key}, 'SELECT') as read`;
      const actor: Actor = { label: "self", scope: own.tenant.code, tenant: own.tenant };
      controls += 1;
      const o = await zzAppDriver(db.app).attempt(actor, (sql) =>
        runStatement(sql, { text: `select ${fixture.key}::text as k from ${fixture.table}`, params: [] }),
      );
      if (may!.read) expect(o.ok && o.rows.map((r) => r.k)).toContain(own.key);
      else expect(o).toMatchObject({ ok: false, code: "42501" });
    });
  });
}

describe("tables zz_app holds no privilege on", () => {
  it("are unreachable: every read and write is refused with permission denied", async () => {
    const unreachable = await db.admin<{ name: string; col: string }[]>`
      select n.nspname || '.' || c.relname as name,
        (select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         order by a.attnum limit 1) as col
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p', 'v', 'm') and n.nspname in ('app', 'auth', 'ref', 'public')
        and not has_any_column_privilege('zz_app', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
        and not has_table_privilege('zz_app', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
        and not exists (select from pg_depend d where d.objid = c.oid and d.deptype = 'e')
      order by 1`;
    const names = unreachable.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(["auth.sessions", "auth.rate_limits", "public.schema_migrations"]));
    const driver = zzAppDriver(db.app);
    const actors: Actor[] = [
      { label: "township", scope: "620981102", tenant: tenant("620981102") },
      { label: "province", scope: "62", tenant: tenant("62") },
      { label: "no context", scope: null, tenant: null },
    ];
    const failures: string[] = [];
    for (const { name, col } of unreachable) {
      for (const actor of actors) {
        for (const text of [
          `select * from ${name} limit 1`,
          `insert into ${name} default values`,
          `update ${name} set ${col} = ${col}`,
          `delete from ${name}`,
          `truncate ${name}`,
        ]) {
          probes += 1;
          const o = await driver.attempt(actor, (sql) => runStatement(sql, { text, params: [] }));
          if (o.ok || o.code !== "42501") failures.push(`${actor.label}: ${text} → ${o.ok ? "allowed" : o.code}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("reference data", () => {
  it("every tenant reads the public registry but nobody at runtime can change it", async () => {
    const tables = await db.admin<{ name: string; col: string }[]>`
      select n.nspname || '.' || c.relname as name,
        (select a.attname from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         order by a.attnum limit 1) as col
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname = 'ref' order by 1`;
    expect(tables.map((t) => t.name)).toContain("ref.divisions");
    const driver = zzAppDriver(db.app);
    const village: Actor = { label: "village", scope: "620981102001", tenant: tenant("620981102001") };
    controls += 1;
    const read = await driver.attempt(village, (sql) =>
      runStatement(sql, { text: "select count(*)::int as n from ref.divisions", params: [] }),
    );
    expect(read.ok && Number(read.rows[0]?.n)).toBeGreaterThan(1000);
    const failures: string[] = [];
    for (const { name, col } of tables) {
      for (const text of [
        `insert into ${name} default values`,
        `update ${name} set ${col} = ${col}`,
        `delete from ${name}`,
        `truncate ${name}`,
      ]) {
        probes += 1;
        const o = await driver.attempt(village, (sql) => runStatement(sql, { text, params: [] }));
        if (o.ok || o.code !== "42501") failures.push(`${text} → ${o.ok ? `allowed (${o.count})` : o.code}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
