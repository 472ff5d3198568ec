import type { Sql } from "@zongzhi/db/client";
import { createTestDatabase, type TestDatabase } from "@zongzhi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSTRAINT_MESSAGES, IN_USE_MESSAGES } from "./constraint-messages.ts";
import { fromPostgresError } from "./errors.ts";

// Every constraint in the catalog a user can run into has its own bilingual message
// (constraint-messages.ts); the rest are listed here with the reason nobody can reach them.
// A new constraint fails this test until it gets one or the other.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

const SERVER_CONSTANT = "a value the server code writes from its own constants, never from input";
const HOLDINGS = "holdings are written only by auth.cases_track_holding, from the case row being written";
/** Constraints no user can reach, with the reason. */
const UNREACHABLE: Record<string, string> = {
  cockpit_settings_scope_code_key:
    "one settings row per unit, keyed by the caller's own scope; no procedure creates one yet (the cockpit reads defaults)",
  audit_events_kind_check: SERVER_CONSTANT,
  api_keys_key_id_check: "the public id is minted by the server (mintApiKey)",
  api_keys_key_id_key: "the public id is 80 random bits minted by the server",
  api_keys_secret_hash_check: "SHA-256 of the minted secret, computed by the server",
  api_keys_permissions_check: "the input is a list of KEY_PERMISSIONS (a zod enum) of 1–3 entries",
  channel_requests_pkey: "the case was registered by the same call",
  patrol_norms_scope_code_key: "setPatrolNorm upserts the caller's one row (ON CONFLICT on the unit)",
  webhook_deliveries_event_check: "written by auth.cases_queue_webhooks with its one event name",
  webhook_deliveries_status_check: "set by the dispatcher and replayDelivery from their own constants",
  webhook_deliveries_attempts_check: "counted up by the dispatcher from 0",
  webhook_deliveries_last_error_check: "the dispatcher cuts the error text to 500 characters",
  webhook_deliveries_webhook_id_fkey: "written by auth.cases_queue_webhooks from the webhook row itself",
  webhook_deliveries_case_id_fkey: "written by auth.cases_queue_webhooks from the case row being updated",
  channel_requests_case_id_fkey: "the case was registered by the same call",
  channel_requests_api_key_id_fkey: "the acting key, resolved by the server from the request",
  case_events_kind_check: SERVER_CONSTANT,
  notifications_kind_check: SERVER_CONSTANT,
  case_hops_kind_check: SERVER_CONSTANT,
  case_links_reason_check: SERVER_CONSTANT,
  bookings_status_check: SERVER_CONSTANT,
  case_summons_status_check: SERVER_CONSTANT,
  judicial_confirmations_result_check: "derived from the recorded court step (an enum of the input)",
  case_deadlines_colour_check: "computed by warningColour",
  case_deadlines_basis_check: SERVER_CONSTANT,
  case_deadlines_handover_closes: "handOverClocks sets handed_over_to and completed_at in one statement",
  cases_deadline_colour_check: "the worst colour of the case's clocks, kept by app.case_deadlines_follow_case",
  case_holdings_ended: HOLDINGS,
  case_holdings_ended_check: HOLDINGS,
  case_holdings_period: HOLDINGS,
  case_holdings_case_id_fkey: HOLDINGS,
  case_holdings_one_open: HOLDINGS,
  supervisions_level_check: SERVER_CONSTANT,
  supervisions_opened_by_check: SERVER_CONSTANT,
  supervisions_status_check: SERVER_CONSTANT,
  notifications_title_check:
    "built by the server from a case's code and title (at most 100 characters) and a short prefix",
  cases_code_key: "the code is built from the unit, the year and the gapless counter",
  cases_seq_unique: "the counter row is locked by the registering transaction: two registrations never share a number",
  cases_code_shape: "the code is built by registerCase from the same parts",
  cases_bounces_check: "incremented by returnCase only",
  cases_hold: "status and held_from are set together by the hold and resume transitions",
  cases_hop_state_check: SERVER_CONSTANT,
  case_events_case_id_seq_key: "seq is computed under the case row's lock by app.case_events_chain",
  case_summons_once: "summoned_at is the transaction's time and the service summons each department once",
  attachments_storage_key_key: "a random key made by the server for every upload",
  notice_attachments_storage_key_key: "a random key made by the server for every upload",
  centre_contacts_scope_code_key: "saveContact inserts with ON CONFLICT DO NOTHING and answers CONFLICT",
  supervisions_one_per_deadline: "the scan inserts with ON CONFLICT DO NOTHING; a leader's supervision has no deadline",
  supervisions_deadline_id_fkey: "the deadline id comes from the scan's own query",
  case_deadlines_policy_id_fkey: "the policy id comes from the rule the server resolved",
  booking_mediators_booking_id_fkey: "the booking was created by the same call",
  mediation_sessions_booking_id_fkey: "the booking was created by the same call",
  cases_leader_id_fkey: "the leader is the signed-in user (tx.ctx.userId)",
  notifications_user_id_fkey: "a personal notification names a user the server chose",
  notification_reads_user_id_fkey: "the reader is the signed-in user",
  idempotency_keys_user_id_fkey: "the signed-in user",
  users_totp_shape: "the TOTP key and its enrolment time are set together by the auth functions",
  tenants_root_has_no_parent:
    "onboarding takes the parent from the caller's own subtree; roots are made by the operator function",
  case_counters_pkey: "incremented with ON CONFLICT … DO UPDATE",
  idempotency_keys_pkey: "inserted with ON CONFLICT DO NOTHING, then the first result is answered",
  case_links_pkey: "inserted with ON CONFLICT DO NOTHING",
  notification_reads_pkey: "inserted with ON CONFLICT DO NOTHING",
  sessions_pkey: "a random id from a CSPRNG",
  cases_id_key: "a random id the database generates (gen_random_uuid)",
  bookings_id_key: "a random id the database generates (gen_random_uuid)",
  user_setup_tokens_pkey: "a random id from a CSPRNG",
};

/** One constraint (or trigger-raised rule) a write may trip. */
interface Rule {
  name: string;
  table: string;
  kind: "check" | "unique" | "primary key" | "exclusion" | "foreign key" | "raised";
}

/** Every CHECK, UNIQUE, PRIMARY KEY, EXCLUDE and foreign key of app, auth and ref, unique indexes, and the rules triggers raise by name. */
async function rules(sql: Sql): Promise<Rule[]> {
  const kinds = { c: "check", u: "unique", p: "primary key", x: "exclusion", f: "foreign key" } as const;
  const constraints = await sql<{ name: string; table: string; kind: keyof typeof kinds }[]>`
    select k.conname as name, k.conrelid::regclass::text as table, k.contype::text as kind
    from pg_constraint k join pg_namespace n on n.oid = k.connamespace
    where n.nspname in ('app', 'auth', 'ref') and k.contype in ('c', 'u', 'p', 'x', 'f') and k.conrelid <> 0`;
  const indexes = await sql<{ name: string; table: string }[]>`
    select ic.relname as name, i.indrelid::regclass::text as table
    from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_namespace n on n.oid = ic.relnamespace
    where n.nspname in ('app', 'auth', 'ref') and i.indisunique
      and not exists (select from pg_constraint k where k.conindid = i.indexrelid)`;
  // Names given with RAISE … CONSTRAINT = '…' in functions, and the `_active` rules of app.check_references.
  const functions = await sql<{ src: string }[]>`
    select p.prosrc as src from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where n.nspname in ('app', 'auth') and p.prolang = (select oid from pg_language where lanname = 'plpgsql')`;
  const raised = functions.flatMap((f) => [...f.src.matchAll(/CONSTRAINT\s*=\s*'([a-z_]+)'/g)].map((m) => m[1]!));
  const active = await sql<{ name: string; table: string }[]>`
    select t.tgrelid::regclass::text as table,
      replace(t.tgrelid::regclass::text, 'app.', '') || '_' || split_part(a, ' ', 1) || '_active' as name
    from pg_trigger t, unnest(string_to_array(rtrim(encode(t.tgargs, 'escape'), E'\\\\000'), E'\\\\000')) a
    where t.tgfoid = 'app.check_references'::regproc and split_part(a, ' ', 5) = 'active'`;
  return [
    ...constraints.map((c) => ({ name: c.name, table: c.table, kind: kinds[c.kind] })),
    ...indexes.map((i) => ({ ...i, kind: "unique" as const })),
    ...raised.map((name) => ({ name, table: "(trigger)", kind: "raised" as const })),
    ...active.map((a) => ({ ...a, kind: "raised" as const })),
  ];
}

/** Why a rule is unreachable when the catalog alone says so (privileges, generated keys), else null. */
async function mechanicalReason(sql: Sql, rule: Rule): Promise<string | null> {
  if (rule.table === "(trigger)") return null;
  // county_code is the server's (0120): the zzz_county_code trigger fills it from scope_code, and
  // a writer that sends it sends the county it read from the parent row.
  if (rule.name.endsWith("_county_code_check")) return "county_code is filled from scope_code by a trigger";
  // Column grants count: most tables give zz_app INSERT and UPDATE on some columns only.
  const [writable] = await sql<{ app: boolean; auth: boolean }[]>`
    select has_any_column_privilege('zz_app', ${rule.table}::regclass, 'INSERT')
        or has_any_column_privilege('zz_app', ${rule.table}::regclass, 'UPDATE') as app,
      has_any_column_privilege('zz_auth', ${rule.table}::regclass, 'INSERT')
        or has_any_column_privilege('zz_auth', ${rule.table}::regclass, 'UPDATE') as auth`;
  if (!writable!.app && !writable!.auth) return `no runtime role may write ${rule.table}`;
  if (rule.kind === "primary key") {
    const [generated] = await sql<{ ok: boolean }[]>`
      select bool_and(a.attidentity <> '' or d.adbin is not null or a.attname = 'county_code') as ok
      from pg_constraint k join pg_attribute a on a.attrelid = k.conrelid and a.attnum = any (k.conkey)
        left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
      where k.conname = ${rule.name} and k.conrelid = ${rule.table}::regclass`;
    if (generated?.ok) return "a key the database generates";
  }
  if (!writable!.app) return `only the auth functions (zz_auth) write ${rule.table}, from their own checks`;
  return null;
}

/** Rules with neither a message nor a reason. */
async function unexplained(sql: Sql): Promise<string[]> {
  const out: string[] = [];
  for (const rule of await rules(sql)) {
    if (rule.name in CONSTRAINT_MESSAGES || rule.name in UNREACHABLE) continue;
    if (await mechanicalReason(sql, rule)) continue;
    out.push(`${rule.table} ${rule.kind} ${rule.name}: no message and no reason`);
  }
  return out.sort();
}

/**
 * Foreign keys whose referenced row a user can remove while referenced (zz_app may DELETE it
 * and the key neither cascades nor sets null) without a message saying what to do instead.
 */
async function inUseUnexplained(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string; referenced: string }[]>`
    select k.conname as name, k.confrelid::regclass::text as referenced
    from pg_constraint k join pg_namespace n on n.oid = k.connamespace
    where k.contype = 'f' and n.nspname in ('app', 'auth') and k.confdeltype in ('a', 'r')
      and has_table_privilege('zz_app', k.confrelid, 'DELETE')`;
  return rows
    .filter((r) => !(r.name in IN_USE_MESSAGES))
    .map((r) => `${r.name}: removing a ${r.referenced} row it refers to has no message`);
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

describe("constraint messages", () => {
  it("every constraint in the catalog has its own bilingual message or is listed as unreachable, with the reason", async () => {
    const all = await rules(db.admin);
    const explained = all.filter((r) => r.name in CONSTRAINT_MESSAGES).length;
    const listed = all.filter((r) => !(r.name in CONSTRAINT_MESSAGES) && r.name in UNREACHABLE).length;
    console.log(
      `[constraints] ${all.length} rules in the catalog: ${explained} with a message, ${listed} listed as ` +
        `unreachable with a reason, ${all.length - explained - listed} unreachable by the catalog itself ` +
        `(no runtime role writes the table, or a generated key)`,
    );
    expect(all.length).toBeGreaterThan(150);
    expect(await unexplained(db.admin)).toEqual([]);
    expect(await inUseUnexplained(db.admin)).toEqual([]);
  });

  it("no message or reason is kept for a constraint that no longer exists", async () => {
    const names = new Set((await rules(db.admin)).map((r) => r.name));
    const stale = [...Object.keys(CONSTRAINT_MESSAGES), ...Object.keys(UNREACHABLE), ...Object.keys(IN_USE_MESSAGES)]
      .filter((n) => !names.has(n))
      .sort();
    expect(stale).toEqual([]);
  });

  it("a new constraint, or a referenced row that becomes removable, is reported until it has a message", async () => {
    const found = await afterBreaking(
      [
        "alter table app.mediation_rooms add constraint mediation_rooms_probe_check check (capacity < 450)",
        "grant delete on app.mediation_rooms to zz_app",
      ],
      async (sql) => [...(await unexplained(sql)), ...(await inUseUnexplained(sql))],
    );
    expect(found.sort()).toEqual([
      "app.mediation_rooms check mediation_rooms_probe_check: no message and no reason",
      "booking_offers_room_id_fkey: removing a app.mediation_rooms row it refers to has no message",
      "bookings_room_id_fkey: removing a app.mediation_rooms row it refers to has no message",
      "cases_room_id_fkey: removing a app.mediation_rooms row it refers to has no message",
    ]);
  });

  it("each message is in Chinese and in English, and not the generic one", () => {
    const han = /\p{Script=Han}/u;
    const messages = [
      ...Object.entries(CONSTRAINT_MESSAGES),
      ...Object.entries(IN_USE_MESSAGES).map(([k, f]) => [k, f(3)] as const),
    ];
    const bad = messages
      .filter(([, m]) => !han.test(m.zh) || han.test(m.en) || m.en.length < 10 || m.zh === "输入不符合规则")
      .map(([k]) => k);
    expect(bad).toEqual([]);
  });

  it("a real violation is answered with its message and the code its kind calls for", async () => {
    const violation = (statement: string) =>
      db.admin.unsafe(statement).then(
        () => null,
        (e: unknown) => e,
      );
    const messageOf = (name: string) => ({ zh: CONSTRAINT_MESSAGES[name]!.zh, en: CONSTRAINT_MESSAGES[name]!.en });
    const tooLong = await violation(`insert into app.tenants (code, level, root_code, name)
      values ('98', 'province', '98', '${"名".repeat(101)}')`);
    expect(fromPostgresError(tooLong)).toMatchObject({ code: "VALIDATION", messages: messageOf("tenants_name_check") });
    const kind = `insert into app.department_kinds (scope_code, code, name, category)
      values ('620981', 'x_probe', '探针类别', 'social_force')`;
    await db.admin.unsafe(kind);
    expect(fromPostgresError(await violation(kind))).toMatchObject({
      code: "CONFLICT",
      messages: messageOf("department_kinds_scope_code_code_key"),
    });
  });
});
