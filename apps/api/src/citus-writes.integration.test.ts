import { appendEvent } from "@zongzhi/api/services/case-events";
import { createPool, type Sql, withScope } from "@zongzhi/db/client";
import { caseEvents } from "@zongzhi/db/schema";
import {
  createTestDatabase,
  distributedTables,
  statementRecorder,
  type TestDatabase,
  unroutedWrites,
} from "@zongzhi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemo } from "./demo.ts";

// The Citus routing check (packages/testing citus-writes.ts) that the authorisation matrix, the
// deadline scan and the webhook tests run over every statement the API sends: shown here to
// catch writes built wrong on purpose, sent through a recorded zz_app pool on plain PostgreSQL
// (each in a transaction that is rolled back), and to pass the shapes the services use.

let db: TestDatabase;
let distributed: Set<string>;
let caseRow: { id: string; county_code: string; tenant_id: string; scope_code: string };

beforeAll(async () => {
  db = await createTestDatabase();
  await loadDemo(db.adminUrl, { centres: false });
  distributed = await distributedTables(db.admin);
  const [t] = await db.admin<{ id: string }[]>`select id from app.tenants where code = '620981101'`;
  // A case row for the statements to aim at (the broken ones are rolled back anyway).
  const [c] = await db.admin<{ id: string; county_code: string; scope_code: string }[]>`
    select id, county_code, scope_code from app.cases limit 1`;
  caseRow = c
    ? { ...c, tenant_id: t!.id }
    : { id: "00000000-0000-4000-8000-000000000000", county_code: "620981", scope_code: "620981101", tenant_id: t!.id };
});
afterAll(() => db?.close());

/** Runs `fn` on a fresh recorded zz_app pool in the township's scope, rolled back; the writes Citus could not route. */
async function unroutedOf(fn: (tx: Parameters<Parameters<typeof withScope>[2]>[0]) => Promise<unknown>) {
  const recorder = statementRecorder();
  const pool: Sql = createPool(db.appUrl, { max: 1, onStatement: recorder.onStatement });
  try {
    await withScope(
      pool,
      { userId: null, tenantId: caseRow.tenant_id, scope: caseRow.scope_code, roles: ["clerk"] },
      async (tx) => {
        await tx.sql`savepoint probe`;
        await fn(tx).catch(() => {});
        await tx.sql`rollback to savepoint probe`;
        throw new Error("rolled back");
      },
    ).catch((e: Error) => {
      if (e.message !== "rolled back") throw e;
    });
  } finally {
    await pool.end();
  }
  return (await recorder.unrouted(db.admin)).map((u) => `${u.table}: ${u.reason}`);
}

describe("the Citus routing check", () => {
  it("knows the distributed tables of the catalog (cases and their rows; not the reference tables)", () => {
    expect(distributed.has("app.cases")).toBe(true);
    expect(distributed.has("app.case_events")).toBe(true);
    expect(distributed.has("app.audit_events")).toBe(true);
    expect(distributed.has("app.tenants")).toBe(false);
    expect(distributed.has("app.users")).toBe(false);
  });

  it("fails on an UPDATE of a case by id alone, passes the same UPDATE filtered on county_code", async () => {
    expect(await unroutedOf((tx) => tx.sql`update app.cases set title = title where id = ${caseRow.id}`)).toEqual([
      "app.cases: UPDATE without county_code = … in its conditions",
    ]);
    expect(
      await unroutedOf(
        (tx) =>
          tx.sql`update app.cases set title = title where id = ${caseRow.id} and county_code = ${caseRow.county_code}`,
      ),
    ).toEqual([]);
  });

  it("fails on a Drizzle insert that leaves county_code to the trigger (it sends DEFAULT), passes appendEvent", async () => {
    expect(
      await unroutedOf((tx) =>
        tx.db.insert(caseEvents).values({ caseId: caseRow.id, actorScope: tx.ctx.scope, kind: "probe", payload: {} }),
      ),
    ).toEqual(["app.case_events: INSERT sends DEFAULT for county_code"]);
    expect(await unroutedOf((tx) => appendEvent(tx, caseRow, "probe"))).toEqual([]);
  });

  it("fails on a raw insert without the column and on a DELETE by id, inside a CTE too", async () => {
    expect(
      await unroutedOf(
        (tx) => tx.sql`with x as (insert into app.referrals (case_id, kind, receiving_body)
          values (${caseRow.id}, 'court', '法院') returning 1) select * from x`,
      ),
    ).toEqual(["app.referrals: INSERT does not name county_code"]);
    expect(
      await unroutedOf((tx) => tx.sql`delete from app.notification_reads r where r.notification_id = ${1}`),
    ).toEqual(["app.notification_reads: DELETE without county_code = … in its conditions"]);
  });

  it("reads the shapes the services use: a qualified or aliased filter, a join filter, an INSERT … SELECT naming it", async () => {
    const statements = [
      "update app.case_deadlines d set colour = due.colour from due where d.id = due.id and d.county_code = due.county_code",
      'update "app"."cases" c set title = $1 where c.county_code = $2 and c.id = $3',
      "insert into app.notification_reads (notification_id, county_code, user_id, scope_code) select n.id, n.county_code, $1, $2 from app.notifications n where n.county_code = $3",
      // Reference tables and other schemas are not checked.
      "update app.tenants set name = $1 where id = $2",
      "select * from app.cases where id = $1",
    ];
    expect(await unroutedWrites(statements, distributed)).toEqual([]);
    const wrong = await unroutedWrites(
      [
        "update app.cases set title = $1 where id = $2 or county_code = $3",
        "update app.cases c set title = $1 from app.case_events e where e.county_code = $2 and c.id = e.case_id",
        "insert into app.case_hops default values",
      ],
      distributed,
    );
    expect(wrong.map((w) => w.reason)).toEqual([
      "UPDATE without county_code = … in its conditions",
      "UPDATE without county_code = … in its conditions",
      "INSERT without a column list",
    ]);
  });
});
