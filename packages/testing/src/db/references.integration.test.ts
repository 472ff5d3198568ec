import type { Sql } from "@zongzhi/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asTenant, createTenants, createTestDatabase, type TestDatabase, type TestTenant } from "../index.ts";

// References across tenants (0021): every column that names another row has a foreign key,
// and on a tenant-scoped table the reference is checked against the row's own unit (by
// app.check_references, or by a trigger that takes the row's code from the referenced row).
// Each rule is a function returning the problems it finds, shown to pass on the migrated
// schema and to report a schema broken on purpose (in a transaction that is rolled back).

let db: TestDatabase;
let tenants: Map<string, TestTenant>;
beforeAll(async () => {
  db = await createTestDatabase();
  tenants = await createTenants(db.admin, ["62", "6209", "620981", "620981101", "620981102", "140881"]);
});
afterAll(() => db?.close());

const SCHEMAS = ["app", "auth"];

/**
 * Columns that name another row but have no foreign key, each with the reason. Everything else
 * named `*_id`, and every other uuid column but a table's own `id`, must have one.
 */
const NO_FOREIGN_KEY: Record<string, string> = {
  "app.audit_events.tenant_id":
    "the security log records what was claimed, also for units that no longer exist or never did (a refused sign-in); it must never block the action it records",
  "app.audit_events.actor_id": "as tenant_id: the log keeps the actor as recorded, whatever happens to the account",
  "app.audit_events.subject_id": "text naming any kind of subject (a user, a case code, a deployment): polymorphic",
  "app.audit_events.request_id": "the request's correlation id in the logs, not a row",
  "auth.audit_checkpoints.last_id":
    "the id of the unit's newest audit record the checkpoint covers: a purge removes records, never the checkpoints, so no foreign key",
  "auth.audit_checkpoints.key_id": "names the HMAC-SM3 key, which lives outside the database (AUDIT_HMAC_KEY)",
  "app.api_keys.key_id": "the key's public id (text minted by the server), not a reference to a row",
  "app.channel_requests.external_id": "the integrator's own work order number (text of another system), not a row",
  "app.case_deadlines.ref_id":
    "the row that opened the clock: a summons or an assign-down hop (polymorphic); completeDeadlines matches on it together with case_id",
};
/** Who-did-it columns: set by the server from the verified session, never from input. */
const ACTOR_COLUMNS = [
  "app.agreements.created_by",
  "app.api_keys.created_by",
  "app.patrols.created_by",
  "app.webhooks.created_by",
  "app.attachments.uploaded_by",
  "app.bookings.created_by",
  "app.case_events.actor_id",
  "app.case_hops.by_user",
  "app.case_summons.acknowledged_by",
  "app.case_summons.summoned_by",
  "app.calendar_days.created_by",
  "app.cases.registered_by",
  "app.deadline_policies.created_by",
  "app.follow_ups.by_user",
  "app.notices.created_by",
  "app.notice_attachments.uploaded_by",
  "app.centre_contacts.updated_by",
  "app.mediation_sessions.created_by",
  "app.notifications.created_by",
  "app.supervisions.opened_by_user",
  "app.user_setup_tokens.created_by",
];
for (const column of ACTOR_COLUMNS) {
  NO_FOREIGN_KEY[column] =
    "who acted: written by the server from the verified session (tx.ctx.userId), never from input; scheduled work acts with no user";
}

/** Reference columns of tenant-scoped tables whose unit is checked some other way than app.check_references. */
const CHECKED_ELSEWHERE: Record<string, string> = {
  "app.webhook_deliveries.webhook_id":
    "written only by auth.cases_queue_webhooks (zz_auth) from the webhooks of the key that submitted the case",
  "app.webhook_deliveries.case_id": "written only by auth.cases_queue_webhooks (zz_auth) for the case being updated",
  "app.tenants.parent_id":
    "app.tenants_check_parent: a child extends its parent's code, one level down, same deployment",
  "app.users.tenant_id": "app.users_set_scope: the user's scope is copied from the tenant, read under the writer's RLS",
  "app.user_setup_tokens.user_id": "app.setup_tokens_set_scope: the token's scope is copied from the user",
  "auth.sessions.user_id": "written only by the auth functions (zz_auth) for the user that has just signed in",
  "auth.audit_anchors.checkpoint_id":
    "written only by auth.audit_purge (zz_auth), naming a checkpoint of the same unit",
  "auth.recovery_codes.user_id":
    "written only by auth.recovery_codes_replace (zz_auth) for the signed-in user itself (app.user_id)",
  "app.case_figure_facts.case_id":
    "written only by auth.refresh_case_figures (zz_auth) from the case row itself: its scope is the case's own",
};

/** Columns in app and auth that name another row (by the rule above) and have no foreign key. */
async function foreignKeyProblems(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select c.oid::regclass::text || '.' || a.attname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
    where c.relkind in ('r', 'p') and n.nspname = any (${SCHEMAS})
      and (a.attname like '%\\_id' or (a.atttypid = 'uuid'::regtype and a.attname <> 'id'))
      and not exists (select from pg_constraint k where k.conrelid = c.oid and k.contype = 'f' and a.attnum = any (k.conkey))
    order by 1`;
  return rows.filter((r) => !(r.name in NO_FOREIGN_KEY)).map((r) => `${r.name}: no foreign key and no reason given`);
}

/** One reference app.check_references checks, as its trigger declares it. */
interface Checked {
  table: string;
  column: string;
  target: string;
  relation: string;
}

/** The references checked by the zz_references triggers, read from their arguments. */
async function checkedReferences(sql: Sql): Promise<Checked[]> {
  const triggers = await sql<{ tbl: string; args: string[] }[]>`
    select t.tgrelid::regclass::text as tbl,
      string_to_array(rtrim(encode(t.tgargs, 'escape'), E'\\\\000'), E'\\\\000') as args
    from pg_trigger t join pg_proc p on p.oid = t.tgfoid
    where p.oid = 'app.check_references'::regproc and not t.tgisinternal`;
  return triggers.flatMap((t) =>
    t.args.map((arg) => {
      const [column, target, relation] = arg.split(" ");
      return { table: t.tbl, column: column!, target: target!, relation: relation! };
    }),
  );
}

/** Foreign-key columns of tenant-scoped tables whose unit nobody checks. */
async function unitCheckProblems(sql: Sql): Promise<string[]> {
  const fks = await sql<{ name: string; tbl: string; col: string }[]>`
    select c.oid::regclass::text || '.' || a.attname as name, c.oid::regclass::text as tbl, a.attname as col
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum = any (k.conkey) and a.attname <> 'county_code'
    where k.contype = 'f' and n.nspname = any (${SCHEMAS})
      and exists (select from pg_attribute s where s.attrelid = c.oid and s.attname = 'scope_code' and not s.attisdropped)
    order by 1`;
  // A trigger that copies the row's codes from the referenced row checks that reference too.
  const inheriting = await sql<{ tbl: string; col: string }[]>`
    select t.tgrelid::regclass::text as tbl,
      case when p.proname = 'inherit_case_codes' then 'case_id'
        else (string_to_array(rtrim(encode(t.tgargs, 'escape'), E'\\\\000'), E'\\\\000'))[2] end as col
    from pg_trigger t join pg_proc p on p.oid = t.tgfoid
    where p.proname in ('inherit_scope', 'inherit_case_codes') and not t.tgisinternal`;
  const covered = new Set([
    ...(await checkedReferences(sql)).map((c) => `${c.table}.${c.column}`),
    ...inheriting.map((i) => `${i.tbl}.${i.col}`),
    ...Object.keys(CHECKED_ELSEWHERE),
  ]);
  return fks.filter((f) => !covered.has(f.name)).map((f) => `${f.name}: its unit is not checked`);
}

/** Checked references that do not match a foreign key of the same name and target (the error names it). */
async function checkedReferenceProblems(sql: Sql): Promise<string[]> {
  const problems: string[] = [];
  for (const c of await checkedReferences(sql)) {
    const name = `${c.table.replace(/^app\./, "")}_${c.column}_fkey`;
    const [fk] = await sql<{ target: string }[]>`select confrelid::regclass::text as target from pg_constraint
      where conrelid = ${c.table}::regclass and conname = ${name} and contype = 'f'`;
    if (!fk) problems.push(`${c.table}.${c.column}: no foreign key named ${name}`);
    else if (fk.target !== c.target)
      problems.push(`${c.table}.${c.column}: checked against ${c.target}, refers to ${fk.target}`);
    if (!["same", "within", "above", "pool", "case", "visible"].includes(c.relation))
      problems.push(`${c.table}.${c.column}: unknown relation ${c.relation}`);
  }
  return problems;
}

/** The problems `check` reports on a superuser transaction after `ddl` (rolled back), beyond those it reports now. */
async function afterBreaking(ddl: string[], check: (sql: Sql) => Promise<string[]>): Promise<string[]> {
  const before = new Set(await check(db.admin));
  const conn = await db.admin.reserve();
  try {
    await conn.unsafe("begin");
    for (const statement of ddl) await conn.unsafe(statement);
    return (await check(conn)).filter((p) => !before.has(p));
  } finally {
    await conn.unsafe("rollback");
    conn.release();
  }
}

describe("foreign keys", () => {
  it("every *_id column, and every uuid column but a table's own id, in app and auth has a foreign key or a written reason", async () => {
    expect(await foreignKeyProblems(db.admin)).toEqual([]);
    const stale = [];
    for (const name of Object.keys(NO_FOREIGN_KEY)) {
      const [schema, table, column] = name.split(".");
      const [row] = await db.admin`select 1 from information_schema.columns
        where table_schema = ${schema!} and table_name = ${table!} and column_name = ${column!}`;
      if (!row) stale.push(name);
    }
    expect(stale, "reasons given for columns that no longer exist").toEqual([]);
  });

  it("a new reference column without a foreign key is reported, and one with a key is not", async () => {
    const found = await afterBreaking(
      [
        "alter table app.bookings add column probe_id uuid",
        "alter table app.bookings add column probe_owner uuid references app.users (id)",
      ],
      foreignKeyProblems,
    );
    expect(found).toEqual(["app.bookings.probe_id: no foreign key and no reason given"]);
  });
});

describe("the unit of every reference", () => {
  it("every foreign key of a tenant-scoped table is checked against the row's own unit", async () => {
    expect(await unitCheckProblems(db.admin)).toEqual([]);
    expect(await checkedReferenceProblems(db.admin)).toEqual([]);
    expect((await checkedReferences(db.admin)).length).toBeGreaterThanOrEqual(20);
  });

  it("a booking's case left unchecked is reported", async () => {
    const found = await afterBreaking(
      [
        "drop trigger zz_references on app.bookings",
        `create trigger zz_references before insert on app.bookings for each row
           execute function app.check_references('room_id app.mediation_rooms same scope_code active')`,
      ],
      unitCheckProblems,
    );
    expect(found).toEqual(["app.bookings.case_id: its unit is not checked"]);
  });
});

describe("the check itself (app.check_references)", () => {
  let room: string;
  let ownCase: string;
  let siblingCase: string;
  let foreignCase: string;
  const township = () => tenants.get("620981101")!;

  beforeAll(async () => {
    const seedCase = async (code: string, seq: number) => {
      const [row] = await db.admin<{ id: string }[]>`insert into app.cases (scope_code, owner_code, code, year, seq,
          category_code, channel, title, description, location_code)
        values (${code}, ${code}, ${`${code}-2026-${String(seq).padStart(6, "0")}`}, 2026, ${seq}, 'other', 'visit',
          '引用检查', '引用检查', ${code}) returning id`;
      return row!.id;
    };
    ownCase = await seedCase("620981101", 1);
    siblingCase = await seedCase("620981102", 2);
    foreignCase = await seedCase("140881", 3);
    const [r] = await db.admin<{ id: string }[]>`insert into app.mediation_rooms (scope_code, name)
      values ('620981101', '引用检查室') returning id`;
    room = r!.id;
  });

  /** Books the township's room for `caseId` as `sql` (zz_app under RLS, or the superuser); rolled back. */
  const book = async (caseId: string, asSuperuser = false) => {
    const insert = (sql: Sql) =>
      sql`insert into app.bookings (room_id, during, title, case_id)
        values (${room}, tstzrange('2026-03-02 09:00+08', '2026-03-02 10:00+08'), '引用检查', ${caseId}) returning id`;
    try {
      if (asSuperuser) {
        await db.admin.begin(async (tx) => {
          await insert(tx as unknown as Sql);
          throw new Error("rollback");
        });
      } else {
        await asTenant(db.app, township(), async (tx) => {
          await insert(tx.sql);
          throw new Error("rollback");
        });
      }
    } catch (e) {
      if ((e as Error).message === "rollback") return { ok: true as const };
      const pg = e as { code?: string; constraint_name?: string };
      return { ok: false as const, code: pg.code, constraint: pg.constraint_name };
    }
    throw new Error("unreachable");
  };

  it("a booking may name a case of its own unit", async () => {
    expect(await book(ownCase)).toEqual({ ok: true });
  });

  it("a random id, a sibling's case and another deployment's case are refused as not found", async () => {
    const refused = { ok: false, code: "23503", constraint: "bookings_case_id_fkey" };
    expect(await book(crypto.randomUUID())).toEqual(refused);
    expect(await book(siblingCase)).toEqual(refused);
    expect(await book(foreignCase)).toEqual(refused);
  });

  it("the relation holds whoever writes: even the superuser (no RLS) cannot link another unit's case", async () => {
    expect(await book(siblingCase, true)).toMatchObject({ ok: false, constraint: "bookings_case_id_fkey" });
    expect(await book(foreignCase, true)).toMatchObject({ ok: false, constraint: "bookings_case_id_fkey" });
    expect(await book(ownCase, true)).toEqual({ ok: true });
  });

  it("a deactivated room cannot be booked", async () => {
    await db.admin`update app.mediation_rooms set active = false where id = ${room}`;
    try {
      expect(await book(ownCase)).toEqual({ ok: false, code: "23514", constraint: "bookings_room_id_active" });
    } finally {
      await db.admin`update app.mediation_rooms set active = true where id = ${room}`;
    }
  });

  it("an unchanged reference is not checked again: a case routed to a room deactivated since still moves on", async () => {
    await db.admin`update app.cases set room_id = ${room} where id = ${ownCase}`;
    await db.admin`update app.mediation_rooms set active = false where id = ${room}`;
    try {
      const rows = await asTenant(
        db.app,
        township(),
        (tx) => tx.sql`update app.cases set room_id = room_id, title = '仍可办理' where id = ${ownCase} returning id`,
      );
      expect(rows).toHaveLength(1);
      // Routing a case to it anew is refused.
      const [other] = await db.admin<{ id: string }[]>`insert into app.cases (scope_code, owner_code, code, year, seq,
          category_code, channel, title, description, location_code)
        values ('620981101', '620981101', '620981101-2026-000009', 2026, 9, 'other', 'visit', '新案', '新案', '620981101')
        returning id`;
      await expect(
        asTenant(db.app, township(), (tx) => tx.sql`update app.cases set room_id = ${room} where id = ${other!.id}`),
      ).rejects.toMatchObject({ code: "23514", constraint_name: "cases_room_id_active" });
    } finally {
      await db.admin`update app.mediation_rooms set active = true where id = ${room}`;
    }
  });
});
