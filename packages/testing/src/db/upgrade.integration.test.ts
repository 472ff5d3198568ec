import { randomBytes, randomUUID } from "node:crypto";
import { AMENDED_MIGRATIONS, migrate } from "@zongzhi/db/migrate";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TEST_APP_PASSWORD, TEST_WORKER_PASSWORD, withDatabase } from "../cluster.ts";

/**
 * Upgrading a database that holds data: every other test database is migrated empty, where a
 * migration that checks or validates existing rows has nothing to fail on. The first text of
 * 0121 validated its composite foreign keys as zz_owner under forced row security, which hid the
 * parent rows, so it failed on the first database with bookings and their mediators
 * (the 1 M-case bench database: "Key is not present in table bookings").
 */
const LAST_BEFORE_KEYS = "0120_citus_plain_county_code.sql";

describe("migrations on a database with data", () => {
  const clusterUrl = inject("adminUrl");
  const name = `zz_upgrade_${randomBytes(6).toString("hex")}`;
  const url = withDatabase(clusterUrl, name);
  const options = { appPassword: TEST_APP_PASSWORD, workerPassword: TEST_WORKER_PASSWORD };
  let sql: postgres.Sql;

  beforeAll(async () => {
    const maintenance = postgres(clusterUrl, { max: 1, onnotice: () => {} });
    try {
      await maintenance.unsafe(`create database ${name}`);
    } finally {
      await maintenance.end();
    }
    await migrate(url, { ...options, until: LAST_BEFORE_KEYS });
    sql = postgres(url, { max: 1, onnotice: () => {} });
  });

  afterAll(async () => {
    await sql?.end();
    const maintenance = postgres(clusterUrl, { max: 1, onnotice: () => {} });
    try {
      await maintenance.unsafe(`drop database if exists ${name} with (force)`);
    } finally {
      await maintenance.end();
    }
  });

  it("0121 turns the foreign keys of rows already there into county keys, validated, and keeps RLS forced", async () => {
    const forcedBefore = await forcedTables(sql);
    expect(forcedBefore).toContain("app.bookings");
    // Rows as a bulk load writes them (triggers off), in two counties: the keys' checks, not the
    // triggers, are what the upgrade meets.
    const rows = [
      { booking: randomUUID(), scope: "620981101", county: "620981" },
      { booking: randomUUID(), scope: "620502", county: "620502" },
    ];
    await sql.begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      for (const [i, r] of rows.entries()) {
        const during = `[2026-03-0${i + 2} 09:00+08,2026-03-0${i + 2} 10:00+08)`;
        await tx`insert into app.bookings (id, scope_code, county_code, room_id, during, title)
          values (${r.booking}, ${r.scope}, ${r.county}, ${randomUUID()}, ${during}::tstzrange, '调解')`;
        await tx`insert into app.booking_mediators (booking_id, mediator_id, scope_code, county_code, during)
          values (${r.booking}, ${randomUUID()}, ${r.scope}, ${r.county}, ${during}::tstzrange)`;
      }
      // Figures rows of a province, a city and a township (0171 gives these tables county_code).
      for (const scope of ["62", "6209", "620981101"]) {
        await tx`insert into app.figures_monthly (scope_code, month, category, shard, received)
          values (${scope}, '2026-01-01', '', 0, 3)`;
        await tx`insert into app.figures_monthly_by (scope_code, month, category, dim, key, shard, cases)
          values (${scope}, '2026-01-01', '', 'channel', 'visit', 0, 3)`;
        await tx`insert into app.rework_monthly (scope_code, month, category, reworks)
          values (${scope}, '2026-01-01', '', 1)`;
      }
    });

    const result = await migrate(url, options);
    expect(result.applied).toContain("0121_citus_keys.sql");

    const [fk] = await sql<{ def: string; validated: boolean }[]>`
      select pg_get_constraintdef(oid) as def, convalidated as validated from pg_constraint
      where conname = 'booking_mediators_booking_id_fkey'`;
    expect(fk).toEqual({
      def: "FOREIGN KEY (county_code, booking_id) REFERENCES app.bookings(county_code, id) ON DELETE CASCADE",
      validated: true,
    });
    expect(await forcedTables(sql)).toEqual(expect.arrayContaining(forcedBefore));
    // Every table of app and auth with row security has it forced, as before the upgrade.
    const [{ unforced }] = (await sql`select count(*)::int as unforced from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname in ('app', 'auth') and c.relrowsecurity and not c.relforcerowsecurity`) as unknown as [
      { unforced: number },
    ];
    expect(unforced).toBe(0);
  });

  it("0171 keys the figures rows already there by their unit's county code, under the new keys", async () => {
    const rows = await sql<{ t: string; scope: string; county: string }[]>`
      select * from (select 'figures_monthly' as t, scope_code as scope, county_code as county from app.figures_monthly
      union all select 'figures_monthly_by', scope_code, county_code from app.figures_monthly_by
      union all select 'rework_monthly', scope_code, county_code from app.rework_monthly) x
      order by t, scope collate "C"`;
    expect(rows).toEqual(
      ["figures_monthly", "figures_monthly_by", "rework_monthly"].flatMap((t) => [
        { t, scope: "62", county: "62" },
        { t, scope: "6209", county: "6209" },
        { t, scope: "620981101", county: "620981" },
      ]),
    );
    const keys = await sql<{ def: string }[]>`select pg_get_constraintdef(oid) as def from pg_constraint
      where conname in ('figures_monthly_pkey', 'figures_monthly_by_pkey', 'rework_monthly_pkey') order by conname`;
    expect(keys.map((k) => k.def)).toEqual([
      "PRIMARY KEY (scope_code, month, category, dim, key, shard, county_code)",
      "PRIMARY KEY (scope_code, month, category, shard, county_code)",
      "PRIMARY KEY (scope_code, month, category, county_code)",
    ]);
  });

  it("a database that applied an amended migration's earlier text is up to date; any other text is refused", async () => {
    const [earlier] = AMENDED_MIGRATIONS["0121_citus_keys.sql"] ?? [];
    expect(earlier).toMatch(/^[0-9a-f]{64}$/);
    await sql`update public.schema_migrations set checksum = ${earlier!} where name = '0121_citus_keys.sql'`;
    expect((await migrate(url, options)).applied).toEqual([]);
    await sql`update public.schema_migrations set checksum = 'edited' where name = '0121_citus_keys.sql'`;
    await expect(migrate(url, options)).rejects.toThrow(/0121_citus_keys\.sql changed after it was applied/);
  });
});

async function forcedTables(sql: postgres.Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`select c.oid::regclass::text as name from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('app', 'auth') and c.relforcerowsecurity order by 1`;
  return rows.map((r) => r.name);
}
