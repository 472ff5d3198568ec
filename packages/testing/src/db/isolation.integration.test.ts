import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Actor,
  ATTACKS,
  actorFor,
  createTenants,
  createTestDatabase,
  describeFindings,
  ISOLATION_TREE,
  keyExpression,
  missingFixtures,
  probeIsolation,
  runStatement,
  type SeededRow,
  seedAllTables,
  TABLE_FIXTURES,
  type TableFixture,
  type TestDatabase,
  type TestTenant,
  tenantScopedTables,
  type Writer,
  zzAppDriver,
} from "../index.ts";

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
      const title =
        fixture.shared && attack.attacker.startsWith(attack.victim) && /^[0-9]/.test(attack.attacker)
          ? `${attack.who} reads but cannot change ${attack.whose} rows in ${fixture.table} (a shared pool)`
          : `${attack.who} cannot reach ${attack.whose} rows in ${fixture.table}`;
      it(title, async () => {
        const rows = seeds.get(fixture.table)!;
        const actor = actorFor(attack.attacker, tenants, rows);
        const report = await probeIsolation(zzAppDriver(db.app), fixture, rows.get(attack.victim)!, [actor]);
        probes += report.probes;
        expect(report.probes).toBeGreaterThanOrEqual(8);
        expect(report.broken, describeFindings(report.broken)).toEqual([]);
        expect(report.leaks, describeFindings(report.leaks)).toEqual([]);
      });
    }

    it(`the victim and its county use the attackers' statements as the rules allow in ${fixture.table} (positive control)`, async () => {
      const { table, tenantColumn, touch } = fixture;
      const key = keyExpression(fixture);
      const victim = seeded(table, "620981102");
      const may = await zzAppMay(fixture);
      const driver = zzAppDriver(db.app);
      const writers: [Writer, Actor][] = [
        [
          "self",
          {
            label: "the township itself",
            scope: "620981102",
            tenant: tenant("620981102"),
            own: victim,
            userId: victim.refs.userId,
          },
        ],
        ["ancestor", { label: "its county", scope: "620981", tenant: tenant("620981"), own: seeded(table, "620981") }],
      ];
      const failures: string[] = [];
      for (const [relation, actor] of writers) {
        const run = async (
          what: string,
          text: string,
          params: (string | null)[],
          expected: "rows" | "none" | "denied",
        ) => {
          controls += 1;
          const o = await driver.attempt(actor, (sql) => runStatement(sql, { text, params }));
          const got = !o.ok
            ? o.code === "42501"
              ? "denied"
              : `error ${o.code}: ${o.message}`
            : o.count > 0
              ? "rows"
              : "none";
          if (got !== expected) failures.push(`${actor.label}: ${what}: expected ${expected}, got ${got}`);
        };
        const writes = fixture.writers.includes(relation);
        const reads = !may.read ? "denied" : fixture.private && relation === "ancestor" ? "none" : "rows";
        await run("read by key", `select ${key} as k from ${table} where ${key} = $1`, [victim.key], reads);
        await run(
          "read by code",
          `select ${key} as k from ${table} where ${tenantColumn} = $1`,
          [victim.tenant.code],
          reads,
        );
        await run(
          "update by key",
          `update ${table} set ${touch} = ${touch} where ${key} = $1`,
          [victim.key],
          !may.update ? "denied" : writes ? "rows" : "none",
        );
        await run(
          "delete by key",
          `delete from ${table} where ${key} = $1`,
          [victim.key],
          !may.delete ? "denied" : writes ? "rows" : "none",
        );
        for (const forge of fixture.forges(victim, actor)) {
          controls += 1;
          const o = await driver.attempt(actor, (sql) => runStatement(sql, forge));
          if (o.ok !== forge.allowedFor.includes(relation)) {
            failures.push(`${actor.label}: ${forge.label}: ${o.ok ? "accepted" : `refused (${o.code} ${o.message})`}`);
          }
        }
      }
      expect(failures).toEqual([]);
    });

    it(`a tenant reads its own row in ${fixture.table} where zz_app may read the table at all`, async () => {
      const own = seeded(fixture.table, "620981102001");
      const may = await zzAppMay(fixture);
      const actor: Actor = { label: "self", scope: own.tenant.code, tenant: own.tenant, userId: own.refs.userId };
      controls += 1;
      const o = await zzAppDriver(db.app).attempt(actor, (sql) =>
        runStatement(sql, { text: `select ${keyExpression(fixture)} as k from ${fixture.table}`, params: [] }),
      );
      if (may.read) expect(o.ok && o.rows.map((r) => r.k)).toContain(own.key);
      else expect(o).toMatchObject({ ok: false, code: "42501" });
    });
  });
}

/** What zz_app's privileges (not its policies) allow on a fixture's table. */
async function zzAppMay(fixture: TableFixture): Promise<{ read: boolean; update: boolean; delete: boolean }> {
  const [row] = await db.admin<{ read: boolean; update: boolean; delete: boolean }[]>`
    select bool_and(has_column_privilege('zz_app', ${fixture.table}, k, 'SELECT')) as read,
      has_column_privilege('zz_app', ${fixture.table}, ${fixture.touch}, 'UPDATE')
        and has_column_privilege('zz_app', ${fixture.table}, ${fixture.touch}, 'SELECT')
        and bool_and(has_column_privilege('zz_app', ${fixture.table}, k, 'SELECT')) as update,
      has_table_privilege('zz_app', ${fixture.table}, 'DELETE')
        and bool_and(has_column_privilege('zz_app', ${fixture.table}, k, 'SELECT')) as delete
    from unnest(${fixture.key as string[]}::text[]) as k`;
  return row!;
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
