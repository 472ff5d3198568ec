import { withScope } from "@zongzhi/db/client";
import { auditEvents, caseEvents, cases, mediators, supervisions, tenants, users } from "@zongzhi/db/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTenants, createTestDatabase, type TestDatabase, type TestTenant } from "../index.ts";

// Server-owned columns (migration 0105): the runtime role holds INSERT on every column an insert
// names (Drizzle's and Citus's inserts name them all), and a BEFORE INSERT trigger that fires
// first sets the columns the server owns to their defaults whatever zz_app sent. These tests hold
// the catalog to that, and attack it: a client's value for a server-owned column never survives.
let db: TestDatabase;
let county: TestTenant;
let town: TestTenant;
beforeAll(async () => {
  db = await createTestDatabase();
  const t = await createTenants(db.admin, ["62", "6209", "620981", "620981101"]);
  county = t.get("620981")!;
  town = t.get("620981101")!;
});
afterAll(async () => {
  await db.close();
});

interface Owned {
  table: string;
  fn: string;
  columns: string[];
  def: string;
  enabled: string;
  type: number;
  firstBefore: string;
  body: string;
  expected: string;
}

/** Every `a_server_columns` trigger with its columns (the trigger's arguments) and what its function should say. */
async function ownedTables(): Promise<Owned[]> {
  const rows = await db.admin<(Omit<Owned, "columns"> & { args: Buffer })[]>`
    select g.tgrelid::regclass::text as "table", g.tgfoid::regproc::text as fn, g.tgargs as args,
      pg_get_triggerdef(g.oid) as def, g.tgenabled as enabled, g.tgtype::int as type, p.prosrc as body,
      (select min(h.tgname collate "C") from pg_trigger h
        where h.tgrelid = g.tgrelid and not h.tgisinternal and h.tgtype::int & 3 = 3) as "firstBefore",
      app.server_columns_body(g.tgrelid,
        string_to_array(rtrim(encode(g.tgargs, 'escape'), '\\000'), '\\000')) as expected
    from pg_trigger g join pg_proc p on p.oid = g.tgfoid
    where g.tgname = 'a_server_columns' order by 1`;
  return rows.map(({ args, ...r }) => ({
    ...r,
    columns: args.toString("utf8").split("\0").filter(Boolean),
  }));
}

describe("server-owned columns in the catalog", () => {
  it("zz_app holds INSERT on every column an insert names, on every table it inserts into", async () => {
    const missing = await db.admin<{ table: string; column: string }[]>`
      select c.oid::regclass::text as "table", a.attname as "column"
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname in ('app', 'auth', 'ref') and c.relkind in ('r', 'p')
        and has_any_column_privilege('zz_app', c.oid, 'INSERT')
        and a.attgenerated = ''
        and not has_column_privilege('zz_app', c.oid, a.attnum, 'INSERT')
      order by 1, a.attnum`;
    expect(
      missing.map((m) => `${m.table}.${m.column}`),
      "grant INSERT on the column; if the server sets it, own it with app.own_columns (0105)",
    ).toEqual([]);
  });

  it("a row's id, timestamps and version and an audit line's time are server-owned on every table zz_app inserts into", async () => {
    // 0155: each column of these names that has a default (one without is the writer's by design).
    const loose = await db.admin<{ column: string }[]>`
      select c.oid::regclass::text || '.' || a.attname as "column"
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
      where n.nspname in ('app', 'auth', 'ref') and c.relkind in ('r', 'p')
        and has_any_column_privilege('zz_app', c.oid, 'INSERT')
        and a.attgenerated = '' and a.atthasdef
        and a.attname in ('id', 'created_at', 'updated_at', 'version', 'at')
        and not exists (select 1 from pg_trigger g where g.tgrelid = c.oid and g.tgname = 'a_server_columns'
          and a.attname::text = any (string_to_array(rtrim(encode(g.tgargs, 'escape'), '\\000'), '\\000')))
      order by 1`;
    expect(
      loose.map((l) => l.column),
      "call app.own_columns(table, ARRAY[...]) for them in the table's migration (0105, 0155)",
    ).toEqual([]);
  });

  it("each server-column trigger fires first, before every insert by zz_app, and sets each column to its current default", async () => {
    const owned = await ownedTables();
    // Every table zz_app could insert into only through a column grant before 0105.
    expect(owned.map((o) => o.table)).toEqual(
      expect.arrayContaining(["app.cases", "app.case_events", "app.users", "app.tenants", "app.supervisions"]),
    );
    expect(owned.length).toBeGreaterThanOrEqual(27);
    const problems: string[] = [];
    for (const o of owned) {
      // tgtype bits: 1 row, 2 before, 4 insert.
      if ((o.type & 7) !== 7) problems.push(`${o.table}: not a BEFORE INSERT row trigger (${o.def})`);
      if (o.enabled !== "O") problems.push(`${o.table}: trigger not enabled (${o.enabled})`);
      if (!o.def.includes("WHEN ((CURRENT_USER = 'zz_app'::name))")) problems.push(`${o.table}: ${o.def}`);
      if (o.firstBefore !== "a_server_columns") problems.push(`${o.table}: ${o.firstBefore} fires before it`);
      if (o.body !== o.expected) problems.push(`${o.table}: ${o.fn} is stale, call app.own_columns again`);
      if (o.columns.length === 0) problems.push(`${o.table}: no columns`);
    }
    expect(problems).toEqual([]);
  });

  it("a client's value in any server-owned column of any table is replaced by the column's default", async () => {
    const owned = await ownedTables();
    const problems: string[] = [];
    let checked = 0;
    await db.admin.begin(async (sql) => {
      for (const o of owned) {
        const cols = await sql<Col[]>`
          select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, t.typtype,
            pg_get_expr(d.adbin, d.adrelid) as def,
            case when a.attidentity = 'a' then pg_get_serial_sequence(${o.table}, a.attname) end as seq
          from pg_attribute a join pg_type t on t.oid = a.atttypid
          left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
          where a.attrelid = ${o.table}::regclass and a.attname = any(${o.columns}) order by a.attnum`;
        const probe = `probe_${o.table.replace(".", "_")}`;
        const names = (list: Col[]) => list.map((c) => `"${c.name}"`).join(", ");
        // The probe has the owned columns' types and no constraints: the function alone is tested.
        await sql.unsafe(
          `create temp table ${probe} on commit drop as select ${names(cols)} from ${o.table} with no data`,
        );
        await sql.unsafe(`create trigger owned before insert on ${probe} for each row execute function ${o.fn}()`);
        const identities = cols.filter((c) => c.seq);
        for (const c of identities) {
          // As on the table itself: the database draws the value.
          await sql.unsafe(`alter table ${probe} alter "${c.name}" set default nextval('${c.seq}')`);
          checked += 1;
          const forged = await sql
            .savepoint((sp) => sp.unsafe(`insert into ${probe} ("${c.name}") values (424242)`))
            .then(
              () => "accepted",
              (e: { code?: string }) => e.code,
            );
          if (forged !== "42501") problems.push(`${o.table}.${c.name}: a forged identity was ${forged}`);
        }
        const plain = cols.filter((c) => !c.seq);
        const hostile = plain.map((c) => hostileValue(c));
        await sql.unsafe(
          plain.length
            ? `insert into ${probe} (${names(plain)}) values (${hostile.join(", ")})`
            : `insert into ${probe} default values`,
        );
        for (const [i, c] of plain.entries()) {
          checked += 1;
          const volatile = c.def?.includes("gen_random_uuid()") ?? false;
          const [r] = await sql.unsafe<{ kept: boolean; asDefault: boolean }[]>(
            `select "${c.name}" is not distinct from (${hostile[i]}) as kept,
              ${volatile ? `"${c.name}" is not null` : `"${c.name}" is not distinct from (${c.def ?? "null"})::${c.type}`} as "asDefault"
             from ${probe}`,
          );
          if (r?.kept || !r?.asDefault) problems.push(`${o.table}.${c.name}: kept ${hostile[i]}`);
        }
      }
      await sql`rollback and chain`;
    });
    expect(checked).toBeGreaterThan(140);
    expect(problems).toEqual([]);
  });
});

interface Col {
  name: string;
  type: string;
  typtype: string;
  def: string | null;
  /** The sequence of an identity column (GENERATED ALWAYS). */
  seq: string | null;
}

/** A value of the column's type that its default cannot produce. */
function hostileValue(c: Col): string {
  if (c.typtype === "e") {
    return `(select e.enumlabel from pg_enum e where e.enumtypid = '${c.type}'::regtype
      and e.enumlabel is distinct from (${c.def ?? "null"})::text order by e.enumsortorder limit 1)::${c.type}`;
  }
  const values: Record<string, string> = {
    uuid: "'00000000-0000-4000-8000-00000000dead'::uuid",
    text: "'hostile'::text",
    integer: "4242",
    bigint: "424242::bigint",
    "double precision": "42.5::double precision",
    boolean: `(not coalesce((${c.def ?? "null"})::boolean, false))`,
    bytea: "'\\xdeadbeef'::bytea",
    date: "'2001-02-03'::date",
    "timestamp with time zone": "'2001-02-03 04:05:06+00'::timestamptz",
    jsonb: `'{"hostile": true}'::jsonb`,
  };
  const value = values[c.type];
  if (!value) throw new Error(`no hostile value for ${c.name} of type ${c.type}: add one`);
  return value;
}

describe("attacks through Drizzle as zz_app", () => {
  const ctx = (t: TestTenant) => ({ userId: null, tenantId: t.id, scope: t.code, roles: ["tenant_admin"] });
  const old = new Date("2001-02-03T04:05:06Z");
  const forgedId = "00000000-0000-4000-8000-00000000dead";

  it("a case takes the server's id, state, version, clocks and counters, not the client's", async () => {
    const row = await withScope(db.app, ctx(town), async (tx) => {
      const [c] = await tx.db
        .insert(cases)
        .values({
          ownerCode: town.code,
          code: `${town.code}-2026-000001`,
          year: 2026,
          seq: 1,
          categoryCode: "neighbour",
          channel: "visit",
          title: "攻击",
          description: "客户端填写服务器字段",
          locationCode: town.code,
          id: forgedId,
          status: "closed",
          version: 42,
          registeredAt: old,
          closedAt: old,
          eventSeq: 99,
          lastHash: Buffer.from("forged"),
          bounces: 7,
          needsLeaderDecision: true,
          handlerCode: county.code,
          hopState: "pending",
          latitude: 40,
          longitude: 97,
        })
        .returning({ id: cases.id, registeredAt: cases.registeredAt, now: cases.updatedAt });
      return c!;
    });
    expect(row.id).not.toBe(forgedId);
    const [stored] = await db.admin`select status, version, registered_at, closed_at, event_seq, last_hash, bounces,
        needs_leader_decision, handler_code, hop_state, latitude, longitude, scope_code
      from app.cases where id = ${row.id}`;
    expect(stored).toMatchObject({
      status: "registered",
      version: 1,
      closed_at: null,
      event_seq: 0,
      last_hash: null,
      bounces: 0,
      needs_leader_decision: false,
      handler_code: null,
      hop_state: "settled",
      latitude: null,
      longitude: null,
      scope_code: town.code,
    });
    expect(Math.abs((stored!.registered_at as Date).getTime() - Date.now())).toBeLessThan(60_000);
  });

  it("an event takes its place in the case's chain, not the client's seq, time, hashes or scope", async () => {
    const [c] = await db.admin<{ id: string }[]>`select id from app.cases where scope_code = ${town.code} limit 1`;
    const ev = await withScope(db.app, ctx(town), (tx) =>
      tx.db
        .insert(caseEvents)
        .values({
          caseId: c!.id,
          kind: "case.note",
          payload: { note: "一条" },
          scopeCode: "62",
          seq: 500,
          at: old,
          prevHash: Buffer.from("forged"),
          hash: Buffer.from("forged"),
        })
        .returning({ seq: caseEvents.seq, at: caseEvents.at, scopeCode: caseEvents.scopeCode }),
    );
    expect(ev[0]).toMatchObject({ seq: 1, scopeCode: town.code });
    expect(ev[0]!.at.getTime()).toBeGreaterThan(old.getTime());
    const [chain] =
      await db.admin`select app.case_event_digest(prev_hash, case_id, seq, at, actor_id, kind, payload) = hash as ok,
        jsonb_typeof(payload) as shape, payload ->> 'note' as note
      from app.case_events where case_id = ${c!.id} and kind = 'case.note'`;
    // The payload is stored as the object it is (encoded once), and the chain covers it.
    expect(chain).toEqual({ ok: true, shape: "object", note: "一条" });
  });

  it("an account takes its tenant's scope and no second factor, lock or counters from the client", async () => {
    const [u] = await withScope(db.app, ctx(county), (tx) =>
      tx.db
        .insert(users)
        .values({
          tenantId: county.id,
          username: "attacker.made",
          displayName: "攻击者",
          roles: ["intake_clerk"],
          scopeCode: "!",
          id: forgedId,
          totpKey: Buffer.from("forged-key"),
          totpEnabledAt: old,
          failedAttempts: 9,
          lockedUntil: old,
          passwordChangedAt: old,
          createdAt: old,
          version: 7,
        })
        .returning({ id: users.id }),
    );
    expect(u!.id).not.toBe(forgedId);
    const [stored] = await db.admin`select scope_code, totp_key, totp_enabled_at, failed_attempts, locked_until,
        password_changed_at, created_at > ${old} as fresh, version from app.users where id = ${u!.id}`;
    expect(stored).toMatchObject({
      scope_code: county.code,
      totp_key: null,
      totp_enabled_at: null,
      failed_attempts: 0,
      locked_until: null,
      password_changed_at: null,
      fresh: true,
      version: 1,
    });
  });

  it("a unit created at runtime is no demo and has no second-factor rule the client chose", async () => {
    const [t] = await withScope(db.app, ctx(town), (tx) =>
      tx.db
        .insert(tenants)
        .values({
          code: "620981101201",
          level: "village",
          parentId: town.id,
          rootCode: "62",
          name: "新村",
          isDemo: true,
          requireTotp: true,
          version: 9,
        })
        .returning({ id: tenants.id }),
    );
    const [stored] = await db.admin`select is_demo, require_totp, version from app.tenants where id = ${t!.id}`;
    expect(stored).toEqual({ is_demo: false, require_totp: false, version: 1 });
  });

  it("a supervision opens as open and unanswered, whatever the client sends", async () => {
    const [c] = await db.admin<{ id: string }[]>`select id from app.cases where scope_code = ${town.code} limit 1`;
    const [s] = await withScope(db.app, ctx(county), (tx) =>
      tx.db
        .insert(supervisions)
        .values({
          caseId: c!.id,
          addressedTo: town.code,
          level: "chase",
          openedBy: "leader",
          instructions: "请尽快办理",
          dueAt: new Date(Date.now() + 86_400_000),
          status: "answered",
          answer: "伪造的答复",
          answeredAt: old,
          scopeCode: "62",
        })
        .returning({ id: supervisions.id }),
    );
    const [stored] =
      await db.admin`select status, answer, answered_at, scope_code from app.supervisions where id = ${s!.id}`;
    expect(stored).toEqual({ status: "open", answer: null, answered_at: null, scope_code: town.code });
  });

  it("an audit line is dated by the database, not by its writer", async () => {
    await withScope(db.app, ctx(town), (tx) =>
      tx.db.insert(auditEvents).values({ scopeCode: town.code, kind: "probe.backdated", at: old }),
    );
    const [row] = await db.admin<{ at: Date }[]>`select at from app.audit_events where kind = 'probe.backdated'`;
    expect(Math.abs(row!.at.getTime() - Date.now())).toBeLessThan(600_000);
  });

  it("a row inserted in full takes the server's id, timestamps and version", async () => {
    const [m] = await withScope(db.app, ctx(town), (tx) =>
      tx.db
        .insert(mediators)
        .values({ name: "调解员", affiliation: "committee", id: forgedId, createdAt: old, updatedAt: old, version: 7 })
        .returning({ id: mediators.id }),
    );
    expect(m!.id).not.toBe(forgedId);
    const [stored] = await db.admin`select created_at > ${old} as fresh, updated_at > ${old} as touched, version
      from app.mediators where id = ${m!.id}`;
    expect(stored).toEqual({ fresh: true, touched: true, version: 1 });
  });

  it("an identity column stays the database's: overriding it is refused", async () => {
    const attempt = withScope(
      db.app,
      ctx(town),
      (tx) =>
        tx.sql`insert into app.audit_events (id, scope_code, kind) overriding system value values (1, ${town.code}, 'probe')`,
    );
    await expect(attempt).rejects.toMatchObject({
      code: "42501",
      message: "app.audit_events.id is set by the database",
    });
    // zz_app may not read the audit trail back: the row is counted by the administrator.
    await withScope(db.app, ctx(town), (tx) =>
      tx.db.insert(auditEvents).values({ scopeCode: town.code, kind: "probe" }),
    );
    const [n] = await db.admin`select count(*)::int as n from app.audit_events where kind = 'probe'`;
    expect(n?.n).toBe(1);
  });

  it("on a Citus shard an identity value is replaced by one the shard draws, whoever chose it (0170)", async () => {
    // A shard as Citus lays it out: `<table>_<shard id>` in the table's schema, a plain bigint id
    // (no constraints here: the trigger function alone is tested), the table's server-column trigger. Its insert names the id the coordinator drew (or one a
    // client forced with OVERRIDING SYSTEM VALUE); currval is unset in the shard's session.
    for (const table of ["audit_events", "case_events", "notifications"]) {
      const shard = `app.${table}_102049`;
      const stored = await db.admin.begin(async (sql) => {
        await sql.unsafe(`create table ${shard} as select * from app.${table} with no data`);
        const [g] = await sql<{ args: Buffer }[]>`select tgargs as args from pg_trigger
          where tgrelid = ${`app.${table}`}::regclass and tgname = 'a_server_columns'`;
        const args = g!.args.toString("utf8").split("\0").filter(Boolean);
        await sql.unsafe(`create trigger a_server_columns before insert on ${shard} for each row
          when (current_user = 'zz_app') execute function app.${table}_server_columns(${args.map((a) => `'${a}'`).join(", ")})`);
        await sql.unsafe(`grant insert, select on ${shard} to zz_app`);
        const ids: string[] = [];
        for (const forged of [1, 424242]) {
          await sql.unsafe("set local role zz_app");
          const [row] = await sql.unsafe<{ id: string }[]>(
            `insert into ${shard} (id) values (${forged}) returning id::text`,
          );
          await sql.unsafe("reset role");
          ids.push(row!.id);
        }
        const [seq] = await sql<{ last: string }[]>`select last_value::text as last
          from pg_sequences where schemaname = 'app' and sequencename = ${`${table}_id_seq`}`;
        await sql`rollback and chain`;
        return { ids, last: seq!.last };
      });
      expect(stored.ids).not.toContain("1");
      expect(stored.ids).not.toContain("424242");
      // Drawn from the table's sequence (the worker's copy on Citus), one after the other.
      expect(BigInt(stored.ids[1]!) - BigInt(stored.ids[0]!)).toBe(1n);
      expect(stored.ids[1]).toBe(stored.last);
    }
  });

  it("the administrator's loaders keep the values they set (the trigger is for zz_app only)", async () => {
    const [row] = await db.admin<{ id: string; is_demo: boolean }[]>`insert into app.tenants
        (id, code, level, parent_id, root_code, name, is_demo)
      values (${forgedId}, '620981101202', 'village', ${town.id}, '62', '演示村', true) returning id, is_demo`;
    expect(row).toEqual({ id: forgedId, is_demo: true });
  });
});
