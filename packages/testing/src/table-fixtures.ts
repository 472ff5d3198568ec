import { randomBytes } from "node:crypto";
import type { Sql } from "@zongzhi/db/client";
import { CODE_LENGTH, childLevel, levelOfCode } from "@zongzhi/domain";
import type { TestTenant } from "./fixtures.ts";

/** A row a fixture put into one tenant, with what the probes need to aim at it. */
export interface SeededRow {
  /** Schema-qualified table name. */
  table: string;
  /** Primary-key value, as text. */
  key: string;
  /** The tenant the row belongs to. */
  tenant: TestTenant;
  /** Ids and values of related rows (the user a session belongs to, a tenant's root code…). */
  refs: Record<string, string>;
}

/** One SQL statement with bound parameters, as a probe sends it through zz_app. */
export interface Statement {
  /** What the statement attempts, for reports. */
  label: string;
  text: string;
  params: (string | null)[];
}

/** The attacker as a fixture sees it: its tenant (none for a request without one) and its own row in the table. */
export interface Attacker {
  tenant: TestTenant | null;
  own?: SeededRow | undefined;
}

/** Who, relative to the victim, may write a row: the tenant itself, an ancestor, or a descendant. */
export type Writer = "self" | "ancestor" | "descendant";

/** An INSERT carrying the victim's tenant id or code (or a forged reference to one of its rows). */
export interface Forge extends Statement {
  /** Who is entitled to run the same statement (the positive control runs it as them). */
  allowedFor: readonly Writer[];
}

/** How to seed and attack one tenant-scoped table. */
export interface TableFixture {
  /** Schema-qualified table name. */
  table: string;
  /** Primary-key columns. */
  key: readonly string[];
  /** The column carrying the owning tenant's code. */
  tenantColumn: "scope_code" | "code";
  /** A harmless column an UPDATE probe may touch (`set touch = touch`). */
  touch: string;
  /** Who may update or delete a tenant's row (privileges permitting). */
  writers: readonly Writer[];
  /** Readable by descendants as well (a shared pool: a village draws on its county's mediators). */
  shared?: boolean;
  /** Readable by the tenant alone, not by its ancestors (bookkeeping such as counters). */
  private?: boolean;
  /** Inserts one valid row belonging to `tenant`, as the superuser. */
  seed(admin: Sql, tenant: TestTenant): Promise<SeededRow>;
  /** INSERTs that would put a new row into the victim's tenant, or link a row of the attacker's to one of the victim's. */
  forges(victim: SeededRow, attacker: Attacker): Forge[];
  /**
   * Column assignments that would move the attacker's own row into the victim's tenant;
   * `allowedFor` names who may make one all the same (a case escalated to an ancestor).
   */
  moves(victim: SeededRow): Move[];
}

/** An UPDATE of one column of the attacker's own row, aimed at the victim's tenant. */
export interface Move {
  column: string;
  value: string;
  allowedFor?: readonly Writer[];
}

/** The primary key as one text value (`a/b` for a composite key), as SQL. */
export function keyExpression(fixture: Pick<TableFixture, "key">): string {
  return fixture.key.length === 1 ? `${fixture.key[0]}::text` : `concat_ws('/', ${fixture.key.join(", ")})`;
}

let serial = 0;
/** A name unique within the test run (usernames, session ids). */
function uniqueName(prefix: string): string {
  serial += 1;
  return `${prefix}${process.pid}x${serial}x${randomBytes(3).toString("hex")}`;
}

/** Runs one INSERT … RETURNING as the superuser and gives back its single row. */
async function insertOne<T extends Record<string, string>>(admin: Sql, text: string, params: unknown[]): Promise<T> {
  const [row] = await admin.unsafe(text, params as never[]);
  if (!row) throw new Error(`fixture insert returned nothing: ${text}`);
  return row as unknown as T;
}

/** A helper user of `tenant`, for rows that hang off a user. */
async function seedUser(admin: Sql, tenant: TestTenant): Promise<{ id: string; username: string }> {
  return insertOne(
    admin,
    `insert into app.users (tenant_id, username, display_name, roles) values ($1, $2, $3, '{mediator}')
     returning id::text, username`,
    [tenant.id, uniqueName("probe."), `探针${tenant.code}`],
  );
}

/** Inserts a row of a centre-configuration table for `tenant` (scope_code given explicitly) and returns its id. */
async function seedConfig(
  admin: Sql,
  table: string,
  tenant: TestTenant,
  values: Record<string, unknown>,
): Promise<string> {
  const columns = ["scope_code", ...Object.keys(values)];
  const params = [tenant.code, ...Object.values(values)];
  const row = await insertOne<{ id: string }>(
    admin,
    `insert into ${table} (${columns.join(", ")}) values (${params.map((_, i) => `$${i + 1}`).join(", ")})
     returning id::text`,
    params,
  );
  return row.id;
}

/** The code of a child unit under `code` (all nines, so it never collides with a seeded tenant), or null for a village. */
function childCodeOf(code: string): string | null {
  const level = levelOfCode(code);
  const below = level && childLevel(level);
  return below ? code.padEnd(CODE_LENGTH[below], "9") : null;
}

const BOTH: readonly Writer[] = ["self", "ancestor"];
const SELF: readonly Writer[] = ["self"];
const NOBODY: readonly Writer[] = [];

const tenants: TableFixture = {
  table: "app.tenants",
  key: ["id"],
  tenantColumn: "code",
  touch: "name",
  // A tenant onboards and suspends its strict descendants, never itself.
  writers: ["ancestor"],
  // A tenant's own row is the row that belongs to it: createTenants already inserted it.
  async seed(admin, tenant) {
    const [row] = await admin<{ root_code: string }[]>`select root_code from app.tenants where id = ${tenant.id}`;
    if (!row) throw new Error(`tenant ${tenant.code} not found`);
    return { table: "app.tenants", key: tenant.id, tenant, refs: { rootCode: row.root_code } };
  },
  forges(victim) {
    const child = childCodeOf(victim.tenant.code);
    if (!child) return [];
    return [
      {
        label: "onboard a unit under the victim",
        text: `insert into app.tenants (code, level, parent_id, root_code, name) values ($1, $2, $3, $4, 'forged')`,
        params: [child, levelOfCode(child), victim.tenant.id, victim.refs.rootCode!],
        allowedFor: BOTH,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "parent_id", value: victim.tenant.id },
      { column: "root_code", value: victim.refs.rootCode! },
      { column: "code", value: childCodeOf(victim.tenant.code) ?? victim.tenant.code },
    ];
  },
};

const users: TableFixture = {
  table: "app.users",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "display_name",
  writers: BOTH,
  async seed(admin, tenant) {
    const user = await seedUser(admin, tenant);
    return { table: "app.users", key: user.id, tenant, refs: { username: user.username } };
  },
  forges(victim, attacker) {
    return [
      {
        label: "create a user in the victim's tenant",
        text: `insert into app.users (tenant_id, username, display_name, roles) values ($1, $2, 'forged', '{mediator}')`,
        params: [victim.tenant.id, uniqueName("forged.")],
        allowedFor: BOTH,
      },
      // A user named with the victim's scope code but the attacker's tenant lands in the attacker's
      // tenant: scope_code is server-owned (0105), set from the tenant whatever the insert says;
      // server-columns.integration.test.ts proves it ("an account takes its tenant's scope").
      {
        // ON CONFLICT DO UPDATE reaches an existing row through its unique key, not through a WHERE.
        label: "upsert onto the victim's username",
        text: `insert into app.users (tenant_id, username, display_name, roles) values ($1, $2, 'forged', '{mediator}')
          on conflict (username) do update set display_name = excluded.display_name`,
        params: [attacker.tenant?.id ?? victim.tenant.id, victim.refs.username!],
        allowedFor: BOTH,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "tenant_id", value: victim.tenant.id },
      { column: "scope_code", value: victim.tenant.code },
    ];
  },
};

const userSetupTokens: TableFixture = {
  table: "app.user_setup_tokens",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "used_at",
  writers: BOTH,
  async seed(admin, tenant) {
    const user = await seedUser(admin, tenant);
    const id = uniqueName("tok");
    await admin`insert into app.user_setup_tokens (id, secret_hash, user_id, expires_at)
      values (${id}, ${Buffer.alloc(32)}, ${user.id}, now() + interval '1 day')`;
    return { table: "app.user_setup_tokens", key: id, tenant, refs: { userId: user.id } };
  },
  forges(victim) {
    return [
      {
        label: "issue a setup link for the victim's user",
        text: `insert into app.user_setup_tokens (id, secret_hash, user_id, expires_at)
          values ($1, '\\x00'::bytea, $2, now() + interval '1 hour')`,
        params: [uniqueName("forged"), victim.refs.userId!],
        allowedFor: BOTH,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "user_id", value: victim.refs.userId! },
    ];
  },
};

const auditEvents: TableFixture = {
  table: "app.audit_events",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "kind",
  writers: NOBODY,
  async seed(admin, tenant) {
    const [row] = await admin<{ id: string }[]>`
      insert into app.audit_events (scope_code, tenant_id, kind) values (${tenant.code}, ${tenant.id}, 'probe.seeded')
      returning id::text`;
    return { table: "app.audit_events", key: row!.id, tenant, refs: {} };
  },
  forges(victim) {
    return [
      {
        label: "write an audit line into the victim's log",
        text: `insert into app.audit_events (scope_code, tenant_id, kind) values ($1, $2, 'probe.forged')`,
        params: [victim.tenant.code, victim.tenant.id],
        allowedFor: BOTH,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "tenant_id", value: victim.tenant.id },
    ];
  },
};

/** A signed checkpoint of a unit's audit chain (0074): written by the owner or zz_worker only. */
async function seedCheckpoint(admin: Sql, tenant: TestTenant): Promise<string> {
  const [row] = await admin<{ id: string }[]>`insert into auth.audit_checkpoints
      (scope_code, last_id, events, head, key_id, mac)
    values (${tenant.code}, ${++serial}, 1, ${Buffer.alloc(32)}, 'a1', ${Buffer.alloc(32)}) returning id::text`;
  return row!.id;
}

const auditCheckpoints: TableFixture = {
  table: "auth.audit_checkpoints",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "key_id",
  writers: NOBODY,
  async seed(admin, tenant) {
    return { table: "auth.audit_checkpoints", key: await seedCheckpoint(admin, tenant), tenant, refs: {} };
  },
  forges(victim) {
    return [
      {
        label: "forge a checkpoint of the victim's audit chain",
        text: `insert into auth.audit_checkpoints (scope_code, last_id, events, head, key_id, mac)
          values ($1, 1, 1, '\\x00'::bytea, 'a1', '\\x00'::bytea)`,
        params: [victim.tenant.code],
        allowedFor: NOBODY,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

const auditAnchors: TableFixture = {
  table: "auth.audit_anchors",
  key: ["scope_code"],
  tenantColumn: "scope_code",
  touch: "purged_at",
  writers: NOBODY,
  async seed(admin, tenant) {
    const checkpoint = await seedCheckpoint(admin, tenant);
    await admin`insert into auth.audit_anchors (scope_code, checkpoint_id) values (${tenant.code}, ${checkpoint})`;
    return { table: "auth.audit_anchors", key: tenant.code, tenant, refs: { checkpointId: checkpoint } };
  },
  forges(victim) {
    return [
      {
        label: "move the victim's audit chain anchor",
        text: `insert into auth.audit_anchors (scope_code, checkpoint_id) values ($1, $2::bigint)`,
        params: [victim.tenant.code, victim.refs.checkpointId!],
        allowedFor: NOBODY,
      },
    ];
  },
  moves(victim) {
    return [{ column: "checkpoint_id", value: victim.refs.checkpointId! }];
  },
};

const sessions: TableFixture = {
  table: "auth.sessions",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "last_active_at",
  writers: NOBODY,
  async seed(admin, tenant) {
    const user = await seedUser(admin, tenant);
    const id = uniqueName("ses");
    await admin`insert into auth.sessions (id, secret_hash, user_id, scope_code)
      values (${id}, ${Buffer.alloc(32)}, ${user.id}, ${tenant.code})`;
    return { table: "auth.sessions", key: id, tenant, refs: { userId: user.id } };
  },
  forges(victim) {
    return [
      {
        label: "open a session for the victim's user",
        text: `insert into auth.sessions (id, secret_hash, user_id, scope_code) values ($1, '\\x00'::bytea, $2, $3)`,
        params: [uniqueName("forged"), victim.refs.userId!, victim.tenant.code],
        allowedFor: NOBODY,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "user_id", value: victim.refs.userId! },
    ];
  },
};

// Centre configuration (0004): a centre writes only its own rows and reads its subtree;
// department kinds and mediators are also readable by descendants.

/** A configuration table whose rows carry scope_code directly: a forged row names the victim's code. */
function ownedConfig(
  table: string,
  touch: string,
  values: (tenant: TestTenant) => Record<string, unknown>,
  options: { shared?: boolean } = {},
): TableFixture {
  return {
    table,
    key: ["id"],
    tenantColumn: "scope_code",
    touch,
    writers: SELF,
    ...(options.shared ? { shared: true } : {}),
    async seed(admin, tenant) {
      return { table, key: await seedConfig(admin, table, tenant, values(tenant)), tenant, refs: {} };
    },
    forges(victim) {
      const forged = { ...values(victim.tenant), ...FORGED_NAMES[table] };
      const columns = ["scope_code", ...Object.keys(forged)];
      return [
        {
          label: "create a row with the victim's scope code",
          text: `insert into ${table} (${columns.join(", ")}) values (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
          params: [victim.tenant.code, ...Object.values(forged).map(String)],
          allowedFor: SELF,
        },
      ];
    },
    moves(victim) {
      return [{ column: "scope_code", value: victim.tenant.code }];
    },
  };
}

/** Values that keep a forged row clear of the seeded row's unique keys. */
const FORGED_NAMES: Record<string, Record<string, unknown>> = {
  "app.department_kinds": { code: "x_forged" },
  "app.stationings": { name: "forged" },
  "app.service_windows": { number: 998, name: "forged" },
  "app.mediators": { name: "forged" },
  "app.mediation_rooms": { name: "forged" },
  "app.mediation_committees": { name: "forged" },
  "app.case_categories": { code: "x_forged" },
  "app.dictionary_entries": { name: "forged" },
  "app.deadline_policies": { version: 99 },
  "app.grid_workers": { name: "forged" },
  "app.calendar_days": { day: "2099-12-31" },
  "app.notices": { title: "forged" },
};

const departmentKinds = ownedConfig(
  "app.department_kinds",
  "name",
  (tenant) => ({ code: `x_probe_${tenant.code}`, name: "探针部门", category: "administrative" }),
  { shared: true },
);
// Names and numbers differ per tenant so that a row moved into another tenant trips no unique key.
const stationings = ownedConfig("app.stationings", "name", (tenant) => ({
  kind_code: "court",
  name: `探针入驻${tenant.code}`,
  residency: "permanent",
}));
const mediationCommittees = ownedConfig("app.mediation_committees", "name", (tenant) => ({
  name: `探针调委会${tenant.code}`,
  field: "joint",
}));

/** A helper stationing of `tenant` (for rows that hang off one). */
const seedStationing = (admin: Sql, tenant: TestTenant) =>
  seedConfig(admin, "app.stationings", tenant, { kind_code: "court", name: uniqueName("st"), residency: "permanent" });
/** A helper mediator of `tenant`. */
const seedMediator = (admin: Sql, tenant: TestTenant) =>
  seedConfig(admin, "app.mediators", tenant, { name: uniqueName("m").slice(0, 30), affiliation: "committee" });
/** A helper room of `tenant`. */
const seedRoom = (admin: Sql, tenant: TestTenant) =>
  seedConfig(admin, "app.mediation_rooms", tenant, { name: uniqueName("r") });

let windowNumber = 0;
const serviceWindows: TableFixture = {
  ...ownedConfig("app.service_windows", "name", () => ({ number: 1, name: "探针窗口" })),
  async seed(admin, tenant) {
    const stationingId = await seedStationing(admin, tenant);
    windowNumber = (windowNumber % 900) + 1;
    const key = await seedConfig(admin, "app.service_windows", tenant, {
      number: windowNumber,
      name: "探针窗口",
      stationing_id: stationingId,
    });
    return { table: "app.service_windows", key, tenant, refs: { stationingId } };
  },
  forges(victim, attacker) {
    return [
      ...ownedConfig("app.service_windows", "name", () => ({ number: 1, name: "探针窗口" })).forges(victim, attacker),
      {
        // scope_code defaults to the caller's scope: only the reference is foreign.
        label: "link an own window to the victim's stationing",
        text: `insert into app.service_windows (number, name, stationing_id) values (997, 'linked', $1)`,
        params: [victim.refs.stationingId!],
        // A window is staffed by a department stationed at the same centre (0021): an ancestor
        // sees a township's departments but cannot seat them at its own windows.
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "stationing_id", value: victim.refs.stationingId! },
    ];
  },
};

const mediators: TableFixture = {
  ...ownedConfig("app.mediators", "name", () => ({ name: "探针调解员", affiliation: "committee" }), { shared: true }),
  async seed(admin, tenant) {
    const user = await seedUser(admin, tenant);
    const key = await seedConfig(admin, "app.mediators", tenant, {
      name: "探针调解员",
      affiliation: "committee",
      user_id: user.id,
    });
    return { table: "app.mediators", key, tenant, refs: { userId: user.id } };
  },
  forges(victim, attacker) {
    return [
      ...ownedConfig("app.mediators", "name", () => ({ name: "探针调解员", affiliation: "committee" })).forges(
        victim,
        attacker,
      ),
      {
        label: "register the victim's user as an own mediator",
        text: `insert into app.mediators (name, affiliation, user_id) values ('linked', 'committee', $1)`,
        params: [victim.refs.userId!],
        // The row stays the caller's; the reference must merely be visible (an ancestor sees it).
        allowedFor: BOTH,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "user_id", value: victim.refs.userId! },
    ];
  },
};

const mediationRooms = ownedConfig("app.mediation_rooms", "name", (tenant) => ({ name: `探针调解室${tenant.code}` }));

const rotationSlots: TableFixture = {
  table: "app.rotation_slots",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "staff_name",
  writers: SELF,
  async seed(admin, tenant) {
    const stationingId = await seedStationing(admin, tenant);
    const row = await insertOne<{ id: string }>(
      admin,
      `insert into app.rotation_slots (stationing_id, weekdays, staff_name) values ($1, '{1}', '探针') returning id::text`,
      [stationingId],
    );
    return { table: "app.rotation_slots", key: row.id, tenant, refs: { stationingId } };
  },
  forges(victim) {
    return [
      {
        label: "add a rotation to the victim's stationing",
        text: `insert into app.rotation_slots (stationing_id, weekdays, staff_name) values ($1, '{2}', 'forged')`,
        params: [victim.refs.stationingId!],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "stationing_id", value: victim.refs.stationingId! },
    ];
  },
};

const stationingLiaisons: TableFixture = {
  table: "app.stationing_liaisons",
  key: ["stationing_id", "user_id"],
  tenantColumn: "scope_code",
  touch: "user_id",
  writers: SELF,
  async seed(admin, tenant) {
    const stationingId = await seedStationing(admin, tenant);
    const user = await seedUser(admin, tenant);
    const spare = await seedUser(admin, tenant);
    await admin`insert into app.stationing_liaisons (stationing_id, user_id) values (${stationingId}, ${user.id})`;
    return {
      table: "app.stationing_liaisons",
      key: `${stationingId}/${user.id}`,
      tenant,
      refs: { stationingId, userId: user.id, spareUserId: spare.id },
    };
  },
  forges(victim) {
    return [
      {
        label: "name a liaison of the victim's stationing",
        text: `insert into app.stationing_liaisons (stationing_id, user_id) values ($1, $2)`,
        params: [victim.refs.stationingId!, victim.refs.spareUserId!],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "stationing_id", value: victim.refs.stationingId! },
    ];
  },
};

const committeeMembers: TableFixture = {
  table: "app.committee_members",
  key: ["committee_id", "mediator_id"],
  tenantColumn: "scope_code",
  touch: "role",
  writers: SELF,
  async seed(admin, tenant) {
    const committeeId = await seedConfig(admin, "app.mediation_committees", tenant, {
      name: uniqueName("c"),
      field: "joint",
    });
    const mediatorId = await seedMediator(admin, tenant);
    const spareMediatorId = await seedMediator(admin, tenant);
    await admin`insert into app.committee_members (committee_id, mediator_id) values (${committeeId}, ${mediatorId})`;
    return {
      table: "app.committee_members",
      key: `${committeeId}/${mediatorId}`,
      tenant,
      refs: { committeeId, mediatorId, spareMediatorId },
    };
  },
  forges(victim) {
    return [
      {
        label: "add a member to the victim's committee",
        text: `insert into app.committee_members (committee_id, mediator_id) values ($1, $2)`,
        params: [victim.refs.committeeId!, victim.refs.spareMediatorId!],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "committee_id", value: victim.refs.committeeId! },
    ];
  },
};

let offerWindowNumber = 0;
/** A helper window of `tenant` (numbers 900–996, clear of the windows fixture's and its forged 997/998). */
const seedBookableWindow = (admin: Sql, tenant: TestTenant) => {
  offerWindowNumber = (offerWindowNumber % 97) + 1;
  return seedConfig(admin, "app.service_windows", tenant, { number: 899 + offerWindowNumber, name: uniqueName("w") });
};
/** An offer of `tenant`'s window for booking (visits, 9:00–17:00, half-hour slots, three seats). */
const seedOffer = async (admin: Sql, tenant: TestTenant) => {
  const windowId = await seedBookableWindow(admin, tenant);
  const offerId = await seedConfig(admin, "app.booking_offers", tenant, {
    kind: "visit",
    window_id: windowId,
    title: "探针预约",
    slot_minutes: 30,
    opens_at: 540,
    closes_at: 1020,
    capacity: 3,
  });
  return { windowId, offerId };
};

const bookingOffers: TableFixture = {
  table: "app.booking_offers",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "title",
  writers: SELF,
  async seed(admin, tenant) {
    const { windowId, offerId } = await seedOffer(admin, tenant);
    const spareWindowId = await seedBookableWindow(admin, tenant);
    return { table: "app.booking_offers", key: offerId, tenant, refs: { windowId, spareWindowId } };
  },
  forges(victim) {
    return [
      {
        label: "open the victim's window for booking",
        text: `insert into app.booking_offers (kind, window_id, title, slot_minutes, opens_at, closes_at)
          values ('visit', $1, 'forged', 30, 540, 1020)`,
        params: [victim.refs.spareWindowId!],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "window_id", value: victim.refs.spareWindowId! },
    ];
  },
};

/** A fresh booking code of a unit (8 random characters of Crockford's alphabet). */
const bookingCodeOf = (code: string) =>
  `${code}-${Array.from(randomBytes(8), (b) => "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[b & 31]).join("")}`;
/** A booking of `offerId` at `tenant`, seat `seat`, a week ahead (its slot on the offer's grid). */
const appointmentInsert = (withScope: boolean) =>
  `insert into app.appointments (${withScope ? "scope_code, " : ""}offer_id, code, starts_at, ends_at, seat, name_enc,
      name_masked, phone_enc, phone_index, phone_masked, category_code, matter, lookup_digest, idempotency_key, request_hash)
    values (${withScope ? "$4, " : ""}$1, $2, date_trunc('day', now()) + interval '7 days 2 hours',
      date_trunc('day', now()) + interval '7 days 2 hours 30 minutes', $3, '\\x00', '探**', '\\x00', '\\x00',
      '139****0000', 'neighbour', '探针', '\\x00', md5(random()::text), 'probe')`;

const appointments: TableFixture = {
  table: "app.appointments",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "updated_at",
  writers: SELF,
  async seed(admin, tenant) {
    const { offerId } = await seedOffer(admin, tenant);
    const row = await insertOne<{ id: string }>(admin, `${appointmentInsert(true)} returning id::text`, [
      offerId,
      bookingCodeOf(tenant.code),
      1,
      tenant.code,
    ]);
    return { table: "app.appointments", key: row.id, tenant, refs: { offerId } };
  },
  forges(victim) {
    return [
      {
        label: "book a seat of the victim's offer",
        text: appointmentInsert(false),
        params: [victim.refs.offerId!, bookingCodeOf(victim.tenant.code), "2"],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "offer_id", value: victim.refs.offerId! },
    ];
  },
};

/** A booking slot that overlaps no other (each seed books its own room, an hour a day ahead). */
const SLOT =
  "tstzrange(date_trunc('hour', now()) + interval '24 hours', date_trunc('hour', now()) + interval '25 hours')";
const FORGED_SLOT =
  "tstzrange(date_trunc('hour', now()) + interval '72 hours', date_trunc('hour', now()) + interval '73 hours')";

const bookings: TableFixture = {
  table: "app.bookings",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "title",
  writers: SELF,
  async seed(admin, tenant) {
    const roomId = await seedRoom(admin, tenant);
    const row = await insertOne<{ id: string }>(
      admin,
      `insert into app.bookings (room_id, during, title) values ($1, ${SLOT}, '探针预约') returning id::text`,
      [roomId],
    );
    return { table: "app.bookings", key: row.id, tenant, refs: { roomId } };
  },
  forges(victim) {
    return [
      {
        label: "book the victim's room",
        text: `insert into app.bookings (room_id, during, title) values ($1, ${FORGED_SLOT}, 'forged')`,
        params: [victim.refs.roomId!],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "room_id", value: victim.refs.roomId! },
    ];
  },
};

const bookingMediators: TableFixture = {
  table: "app.booking_mediators",
  key: ["booking_id", "mediator_id"],
  tenantColumn: "scope_code",
  touch: "active",
  writers: SELF,
  async seed(admin, tenant) {
    const roomId = await seedRoom(admin, tenant);
    const booking = await insertOne<{ id: string }>(
      admin,
      `insert into app.bookings (room_id, during, title) values ($1, ${SLOT}, '探针预约') returning id::text`,
      [roomId],
    );
    const mediatorId = await seedMediator(admin, tenant);
    const spareMediatorId = await seedMediator(admin, tenant);
    await admin.unsafe(`insert into app.booking_mediators (booking_id, mediator_id, during) values ($1, $2, ${SLOT})`, [
      booking.id,
      mediatorId,
    ]);
    return {
      table: "app.booking_mediators",
      key: `${booking.id}/${mediatorId}`,
      tenant,
      refs: { bookingId: booking.id, mediatorId, spareMediatorId },
    };
  },
  forges(victim) {
    return [
      {
        label: "add a mediator to the victim's booking",
        text: `insert into app.booking_mediators (booking_id, mediator_id, during) values ($1, $2, ${SLOT})`,
        params: [victim.refs.bookingId!, victim.refs.spareMediatorId!],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "booking_id", value: victim.refs.bookingId! },
    ];
  },
};

// Cases (0006): a case carries its origin unit's code; the unit and its ancestors read and
// write it and everything hanging off it.

let caseSeq = 0;
/** A case registered at `tenant` (code, seq and location consistent with the table's checks); returns its id. */
async function seedCase(admin: Sql, tenant: TestTenant): Promise<string> {
  caseSeq += 1;
  const row = await insertOne<{ id: string }>(
    admin,
    `insert into app.cases (scope_code, owner_code, code, year, seq, category_code, channel, title, description,
       location_code)
     values ($1, $1, $2, 2026, $3, 'other', 'visit', '探针案件', '探针', $1) returning id::text`,
    [tenant.code, `${tenant.code}-2026-${String(caseSeq).padStart(6, "0")}`, caseSeq],
  );
  return row.id;
}

/** Inserts a row of a case child table for a new case of `tenant`, with the given extra columns. */
async function seedCaseChild(
  admin: Sql,
  table: string,
  tenant: TestTenant,
  values: Record<string, unknown>,
  caseId?: string,
): Promise<{ key: string; caseId: string }> {
  const id = caseId ?? (await seedCase(admin, tenant));
  const columns = ["case_id", ...Object.keys(values)];
  const params = [id, ...Object.values(values)];
  const row = await insertOne<{ id: string }>(
    admin,
    `insert into ${table} (${columns.join(", ")}) values (${params.map((_, i) => `$${i + 1}`).join(", ")})
     returning id::text`,
    params,
  );
  return { key: row.id, caseId: id };
}

/**
 * A table hanging off a case (scope inherited from the case): forged rows name the victim's
 * case; `values` are the other columns a valid row needs (as zz_app may insert them).
 */
function caseChild(table: string, touch: string, values: Record<string, string>): TableFixture {
  const columns = ["case_id", ...Object.keys(values)];
  return {
    table,
    key: ["id"],
    tenantColumn: "scope_code",
    touch,
    writers: BOTH,
    async seed(admin, tenant) {
      const { key, caseId } = await seedCaseChild(admin, table, tenant, values);
      return { table, key, tenant, refs: { caseId } };
    },
    forges(victim) {
      return [
        {
          label: "attach a row to the victim's case",
          text: `insert into ${table} (${columns.join(", ")}) values (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
          params: [victim.refs.caseId!, ...Object.values(values)],
          allowedFor: BOTH,
        },
      ];
    },
    moves(victim) {
      return [
        { column: "scope_code", value: victim.tenant.code },
        { column: "case_id", value: victim.refs.caseId! },
      ];
    },
  };
}

/** A date of its own per tenant (2030 onwards), so that a row moved into another tenant trips no unique key. */
function dayOf(tenant: TestTenant): string {
  let h = 0;
  for (const ch of tenant.code) h = (h * 31 + ch.charCodeAt(0)) % 20_000;
  return new Date(Date.UTC(2030, 0, 1) + h * 86_400_000).toISOString().slice(0, 10);
}

// The calendar's entries (0047): a unit's own, inherited down the tree.
const calendarDays = ownedConfig(
  "app.calendar_days",
  "note",
  (tenant) => ({ day: dayOf(tenant), workday: false, name: "探针节日" }),
  { shared: true },
);

// Notices (0049): a unit's own, read down the tree; each reader acknowledges its own.
const notices = ownedConfig("app.notices", "title", (tenant) => ({ title: `探针通知${tenant.code}`, body: "探针" }), {
  shared: true,
});

const noticeReads: TableFixture = {
  table: "app.notice_reads",
  key: ["notice_id", "user_id"],
  tenantColumn: "scope_code",
  touch: "read_at",
  writers: NOBODY,
  async seed(admin, tenant) {
    const noticeId = await seedConfig(admin, "app.notices", tenant, {
      title: uniqueName("n").slice(0, 60),
      body: "探针",
    });
    const user = await seedUser(admin, tenant);
    await admin`insert into app.notice_reads (notice_id, user_id, scope_code) values (${noticeId}, ${user.id}, ${tenant.code})`;
    return { table: "app.notice_reads", key: `${noticeId}/${user.id}`, tenant, refs: { noticeId, userId: user.id } };
  },
  forges(victim) {
    return [
      {
        // Only the reading user acknowledges, for itself.
        label: "acknowledge the victim's notice for the victim's user",
        text: "insert into app.notice_reads (notice_id, user_id, scope_code) values ($1, $2, $3)",
        params: [victim.refs.noticeId!, victim.refs.userId!, victim.tenant.code],
        allowedFor: NOBODY,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

// A notice's files (0100): attached by the notice's own unit, read where the notice is.
const noticeAttachments: TableFixture = {
  table: "app.notice_attachments",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "filename",
  writers: SELF,
  shared: true,
  async seed(admin, tenant) {
    const noticeId = await seedConfig(admin, "app.notices", tenant, {
      title: uniqueName("f").slice(0, 60),
      body: "探针",
    });
    const key = await seedConfig(admin, "app.notice_attachments", tenant, {
      notice_id: noticeId,
      storage_key: uniqueName(`probe/notices/${tenant.code}/`),
      filename: "a.pdf",
      mime: "application/pdf",
      size_bytes: 1,
      sha256: "0",
    });
    return { table: "app.notice_attachments", key, tenant, refs: { noticeId } };
  },
  forges(victim) {
    const values = (scope: boolean) => [
      ...(scope ? [victim.tenant.code] : []),
      victim.refs.noticeId!,
      uniqueName("probe/forged/"),
    ];
    const columns = "notice_id, storage_key, filename, mime, size_bytes, sha256";
    return [
      {
        // The unit is the writer's own whatever is sent (a server-owned column, 0105).
        label: "attach a file to the victim's notice naming the victim's unit",
        text: `insert into app.notice_attachments (scope_code, ${columns}) values ($1, $2, $3, 'f.pdf', 'application/pdf', 1, '0')`,
        params: values(true),
        allowedFor: SELF,
      },
      {
        label: "attach a file of one's own unit to the victim's notice",
        text: `insert into app.notice_attachments (${columns}) values ($1, $2, 'f.pdf', 'application/pdf', 1, '0')`,
        params: values(false),
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

const caseCategories = ownedConfig(
  "app.case_categories",
  "name",
  (tenant) => ({ code: `x_probe_${tenant.code}`, name: "探针类别" }),
  { shared: true },
);

const dictionaryEntries = ownedConfig(
  "app.dictionary_entries",
  "name",
  () => ({ kind: "qualification", name: "探针资质" }),
  { shared: true },
);

const cases: TableFixture = {
  table: "app.cases",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "title",
  writers: BOTH,
  async seed(admin, tenant) {
    return { table: "app.cases", key: await seedCase(admin, tenant), tenant, refs: {} };
  },
  forges(victim) {
    const code = victim.tenant.code;
    return [
      {
        label: "register a case under the victim's code",
        text: `insert into app.cases (scope_code, owner_code, code, year, seq, category_code, channel, title, description,
            location_code)
          values ($1, $2, $3, 2026, 999999, 'other', 'visit', 'forged', 'forged', $4)`,
        params: [code, code, `${code}-2026-999999`, code],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      // The handler and the owner see and work the case: handing an own case to a unit outside
      // one's subtree puts it in that unit's view (a sideways hand-over is a county's decision).
      { column: "handler_code", value: victim.tenant.code },
      // Escalation moves ownership up the path: a descendant may make its ancestor the owner.
      { column: "owner_code", value: victim.tenant.code, allowedFor: ["descendant"] },
      // Not a move, but a forged id all the same: an own case marked a duplicate of the victim's.
      { column: "duplicate_of", value: victim.key },
    ];
  },
};

let counterYear = 2000;
const caseCounters: TableFixture = {
  table: "app.case_counters",
  key: ["scope_code", "year"],
  tenantColumn: "scope_code",
  touch: "last",
  writers: SELF,
  private: true,
  // A year of its own per seed, so that a row moved into another tenant trips no primary key.
  async seed(admin, tenant) {
    counterYear += 1;
    await admin`insert into app.case_counters (scope_code, year, last) values (${tenant.code}, ${counterYear}, 1)`;
    return { table: "app.case_counters", key: `${tenant.code}/${counterYear}`, tenant, refs: {} };
  },
  forges(victim) {
    return [
      {
        label: "open a counter under the victim's code",
        text: "insert into app.case_counters (scope_code, year, last) values ($1, 2099, 1)",
        params: [victim.tenant.code],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

const idempotencyKeys: TableFixture = {
  table: "app.idempotency_keys",
  key: ["scope_code", "key"],
  tenantColumn: "scope_code",
  touch: "response",
  writers: SELF,
  private: true,
  async seed(admin, tenant) {
    const key = `probe-key-${tenant.code}`;
    await admin`insert into app.idempotency_keys (scope_code, key, request_hash) values (${tenant.code}, ${key}, 'h')`;
    return { table: "app.idempotency_keys", key: `${tenant.code}/${key}`, tenant, refs: {} };
  },
  forges(victim) {
    return [
      {
        label: "store an answer under the victim's code",
        text: "insert into app.idempotency_keys (scope_code, key, request_hash) values ($1, 'forged-key', 'h')",
        params: [victim.tenant.code],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

const caseParties = caseChild("app.case_parties", "name_masked", {
  role: "applicant",
  kind: "person",
  name_enc: "\\x00",
  name_masked: "张*",
});
const caseEvents = caseChild("app.case_events", "kind", { kind: "probe.noted" });
const agreements = caseChild("app.agreements", "performance_note", {
  signed_on: "2026-01-05",
  facts: "事实",
  disputed_matters: "争议",
  terms: "条款",
  performance_manner: "一次性",
  performance_place: "玉门",
  performance_deadline: "2026-02-05",
  mediator_names: "{张三}",
});
const referrals = caseChild("app.referrals", "result", { kind: "litigation", receiving_body: "玉门市人民法院" });
const followUps = caseChild("app.follow_ups", "notes", { method: "phone", satisfaction: "satisfied" });
let attachmentSerial = 0;
const attachments: TableFixture = {
  ...caseChild("app.attachments", "filename", {
    storage_key: "probe",
    filename: "a.pdf",
    mime: "application/pdf",
    size_bytes: "1",
    sha256: "0",
  }),
  async seed(admin, tenant) {
    attachmentSerial += 1;
    const { key, caseId } = await seedCaseChild(admin, "app.attachments", tenant, {
      storage_key: `probe/${tenant.code}/${attachmentSerial}`,
      filename: "a.pdf",
      mime: "application/pdf",
      size_bytes: 1,
      sha256: "0",
    });
    return { table: "app.attachments", key, tenant, refs: { caseId } };
  },
};

const caseLinks: TableFixture = {
  table: "app.case_links",
  key: ["case_id", "related_id", "reason"],
  tenantColumn: "scope_code",
  touch: "reason",
  writers: BOTH,
  async seed(admin, tenant) {
    const caseId = await seedCase(admin, tenant);
    const relatedId = await seedCase(admin, tenant);
    await admin`insert into app.case_links (case_id, related_id, reason) values (${caseId}, ${relatedId}, 'related')`;
    return { table: "app.case_links", key: `${caseId}/${relatedId}/related`, tenant, refs: { caseId, relatedId } };
  },
  forges(victim, attacker) {
    const forges: Forge[] = [
      {
        label: "link two of the victim's cases",
        text: "insert into app.case_links (case_id, related_id, reason) values ($1, $2, 'repeat_claimant')",
        params: [victim.refs.caseId!, victim.refs.relatedId!],
        allowedFor: BOTH,
      },
    ];
    if (attacker.own) {
      forges.push({
        label: "forged id: link an own case to the victim's case",
        text: "insert into app.case_links (case_id, related_id, reason) values ($1, $2, 'duplicate')",
        params: [attacker.own.refs.caseId!, victim.refs.caseId!],
        allowedFor: BOTH,
      });
    }
    return forges;
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "case_id", value: victim.refs.caseId! },
    ];
  },
};

const SUMMONS = { due_at: "2026-12-31T00:00:00Z", objection_deadline: "2026-12-30T00:00:00Z" };
const caseSummons: TableFixture = {
  ...caseChild("app.case_summons", "status", SUMMONS),
  async seed(admin, tenant) {
    const stationingId = await seedStationing(admin, tenant);
    const { key, caseId } = await seedCaseChild(admin, "app.case_summons", tenant, {
      ...SUMMONS,
      stationing_id: stationingId,
    });
    return { table: "app.case_summons", key, tenant, refs: { caseId, stationingId } };
  },
  forges(victim, attacker) {
    const forges: Forge[] = [
      {
        label: "summon a department to the victim's case",
        text: `insert into app.case_summons (case_id, stationing_id, due_at, objection_deadline)
          values ($1, $2, $3, $4)`,
        params: [victim.refs.caseId!, victim.refs.stationingId!, SUMMONS.due_at, SUMMONS.objection_deadline],
        allowedFor: BOTH,
      },
    ];
    if (attacker.own) {
      forges.push({
        label: "forged id: summon the victim's stationed department to an own case",
        text: `insert into app.case_summons (case_id, stationing_id, due_at, objection_deadline)
          values ($1, $2, $3, $4)`,
        params: [attacker.own.refs.caseId!, victim.refs.stationingId!, SUMMONS.due_at, SUMMONS.objection_deadline],
        // A department is summoned only by a unit on the case's path (0021): a county's own case
        // is out of its township's view, so the township's departments cannot be summoned to it.
        allowedFor: SELF,
      });
    }
    return forges;
  },
};

const SESSION = { starts_at: "2026-06-01T01:00:00Z", ends_at: "2026-06-01T02:00:00Z" };
const mediationSessions: TableFixture = {
  ...caseChild("app.mediation_sessions", "notes", SESSION),
  async seed(admin, tenant) {
    const caseId = await seedCase(admin, tenant);
    const roomId = await seedRoom(admin, tenant);
    // The session's room booking is made for its case, as the API books it.
    const booking = await insertOne<{ id: string }>(
      admin,
      `insert into app.bookings (room_id, during, title, case_id) values ($1, ${SLOT}, '探针调解', $2) returning id::text`,
      [roomId, caseId],
    );
    const { key } = await seedCaseChild(
      admin,
      "app.mediation_sessions",
      tenant,
      { ...SESSION, booking_id: booking.id },
      caseId,
    );
    return { table: "app.mediation_sessions", key, tenant, refs: { caseId, bookingId: booking.id } };
  },
  forges(victim, attacker) {
    const forges: Forge[] = [
      {
        label: "hold a session on the victim's case",
        text: "insert into app.mediation_sessions (case_id, booking_id, starts_at, ends_at) values ($1, $2, $3, $4)",
        params: [victim.refs.caseId!, victim.refs.bookingId!, SESSION.starts_at, SESSION.ends_at],
        allowedFor: BOTH,
      },
    ];
    if (attacker.own) {
      forges.push({
        label: "forged id: hold an own session on the victim's room booking",
        text: "insert into app.mediation_sessions (case_id, booking_id, starts_at, ends_at) values ($1, $2, $3, $4)",
        params: [attacker.own.refs.caseId!, victim.refs.bookingId!, SESSION.starts_at, SESSION.ends_at],
        // A booking or agreement serves its own case only (0007): even an ancestor's case may not use it.
        allowedFor: SELF,
      });
    }
    return forges;
  },
};

const AGREEMENT = {
  signed_on: "2026-01-05",
  facts: "事实",
  disputed_matters: "争议",
  terms: "条款",
  performance_manner: "一次性",
  performance_place: "玉门",
  performance_deadline: "2026-02-05",
  mediator_names: "{张三}",
};
const CONFIRMATION = { court_name: "玉门市人民法院", applied_on: "2026-01-10", accept_due: "2026-01-13" };
const judicialConfirmations: TableFixture = {
  ...caseChild("app.judicial_confirmations", "result_note", CONFIRMATION),
  async seed(admin, tenant) {
    const agreement = await seedCaseChild(admin, "app.agreements", tenant, AGREEMENT);
    // A second agreement of the same case, not yet confirmed: what a forged confirmation aims at.
    const spare = await seedCaseChild(admin, "app.agreements", tenant, AGREEMENT, agreement.caseId);
    const { key } = await seedCaseChild(
      admin,
      "app.judicial_confirmations",
      tenant,
      { ...CONFIRMATION, agreement_id: agreement.key },
      agreement.caseId,
    );
    return {
      table: "app.judicial_confirmations",
      key,
      tenant,
      refs: { caseId: agreement.caseId, agreementId: agreement.key, spareAgreementId: spare.key },
    };
  },
  forges(victim, attacker) {
    const text = `insert into app.judicial_confirmations (case_id, agreement_id, court_name, applied_on, accept_due)
      values ($1, $2, $3, $4, $5)`;
    const rest = [CONFIRMATION.court_name, CONFIRMATION.applied_on, CONFIRMATION.accept_due];
    const forges: Forge[] = [
      {
        label: "apply for confirmation on the victim's case",
        text,
        params: [victim.refs.caseId!, victim.refs.spareAgreementId!, ...rest],
        allowedFor: BOTH,
      },
    ];
    if (attacker.own) {
      forges.push({
        label: "forged id: apply for confirmation of the victim's agreement from an own case",
        text,
        params: [attacker.own.refs.caseId!, victim.refs.spareAgreementId!, ...rest],
        // A booking or agreement serves its own case only (0007): even an ancestor's case may not use it.
        allowedFor: SELF,
      });
    }
    return forges;
  },
};

// Escalation (0008): hops hang off a case; notifications go to a unit's inbox.

const caseHops = caseChild("app.case_hops", "reason", { kind: "escalate", from_code: "620981102", to_code: "620981" });

const ANYONE_ON_THE_PATH: readonly Writer[] = ["self", "ancestor", "descendant"];

/** A notification in `tenant`'s inbox about one of its cases. */
async function seedNotification(admin: Sql, tenant: TestTenant): Promise<{ id: string; caseId: string }> {
  const caseId = await seedCase(admin, tenant);
  const row = await insertOne<{ id: string }>(
    admin,
    `insert into app.notifications (scope_code, kind, case_id, title) values ($1, 'probe.seeded', $2, '探针通知')
     returning id::text`,
    [tenant.code, caseId],
  );
  return { id: row.id, caseId };
}

const notifications: TableFixture = {
  table: "app.notifications",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "title",
  writers: NOBODY,
  private: true,
  async seed(admin, tenant) {
    const { id, caseId } = await seedNotification(admin, tenant);
    return { table: "app.notifications", key: id, tenant, refs: { caseId } };
  },
  forges(victim, attacker) {
    const forges: Forge[] = [
      {
        // Units on the path notify each other (escalation goes up, assignment down); nobody else.
        label: "post into the victim's inbox",
        text: "insert into app.notifications (scope_code, kind, title) values ($1, 'probe.forged', 'forged')",
        params: [victim.tenant.code],
        allowedFor: ANYONE_ON_THE_PATH,
      },
    ];
    if (attacker.tenant) {
      forges.push({
        label: "forged id: notify an own unit about the victim's case",
        text: "insert into app.notifications (scope_code, kind, case_id, title) values ($1, 'probe.forged', $2, 'forged')",
        params: [attacker.tenant.code, victim.refs.caseId!],
        allowedFor: BOTH,
      });
    }
    return forges;
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

const notificationReads: TableFixture = {
  table: "app.notification_reads",
  key: ["notification_id", "user_id"],
  tenantColumn: "scope_code",
  touch: "read_at",
  writers: NOBODY,
  private: true,
  async seed(admin, tenant) {
    const notification = await seedNotification(admin, tenant);
    const user = await seedUser(admin, tenant);
    await admin`insert into app.notification_reads (notification_id, user_id, scope_code)
      values (${notification.id}, ${user.id}, ${tenant.code})`;
    return {
      table: "app.notification_reads",
      key: `${notification.id}/${user.id}`,
      tenant,
      refs: { notificationId: notification.id, userId: user.id },
    };
  },
  forges(victim) {
    return [
      {
        // Only the reading user marks its own reads.
        label: "mark the victim's notification read for the victim's user",
        text: "insert into app.notification_reads (notification_id, user_id, scope_code) values ($1, $2, $3)",
        params: [victim.refs.notificationId!, victim.refs.userId!, victim.tenant.code],
        allowedFor: NOBODY,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

// Deadlines and supervision (0010): versioned policies shared down the tree; a case's
// deadlines and the supervisions opened on them.

const deadlinePolicies = ownedConfig(
  "app.deadline_policies",
  "note",
  () => ({ stage: "resolution", amount: 5, unit: "working_days", version: 1 }),
  { shared: true },
);

const DEADLINE = {
  stage: "resolution",
  owner_code: "620981",
  policy_version: "1",
  amount: "5",
  unit: "working_days",
  yellow_share: "0.333",
  started_at: "2026-03-02T00:00:00Z",
  due_at: "2026-03-09T00:00:00Z",
};
const caseDeadlines = caseChild("app.case_deadlines", "colour", DEADLINE);

const SUPERVISION = { addressed_to: "620981", opened_by: "system", due_at: "2026-03-12T00:00:00Z" };
const supervisions: TableFixture = {
  ...caseChild("app.supervisions", "answer", SUPERVISION),
  async seed(admin, tenant) {
    const deadline = await seedCaseChild(admin, "app.case_deadlines", tenant, DEADLINE);
    // A second deadline of the same case, not yet supervised: what a forged supervision aims at.
    const spare = await seedCaseChild(admin, "app.case_deadlines", tenant, DEADLINE, deadline.caseId);
    const { key } = await seedCaseChild(
      admin,
      "app.supervisions",
      tenant,
      { ...SUPERVISION, deadline_id: deadline.key },
      deadline.caseId,
    );
    return {
      table: "app.supervisions",
      key,
      tenant,
      refs: { caseId: deadline.caseId, spareDeadlineId: spare.key },
    };
  },
  forges(victim, attacker) {
    const text = `insert into app.supervisions (case_id, deadline_id, addressed_to, opened_by, due_at)
      values ($1, $2, $3, $4, $5)`;
    const rest = [SUPERVISION.addressed_to, SUPERVISION.opened_by, SUPERVISION.due_at];
    const forges: Forge[] = [
      {
        label: "supervise the victim's case",
        text,
        params: [victim.refs.caseId!, victim.refs.spareDeadlineId!, ...rest],
        allowedFor: BOTH,
      },
    ];
    if (attacker.own) {
      forges.push({
        // deadline_id is UNIQUE: a foreign supervision would also block the victim's own.
        label: "forged id: supervise the victim's deadline from an own case",
        text,
        params: [attacker.own.refs.caseId!, victim.refs.spareDeadlineId!, ...rest],
        // A deadline is supervised on its own case only (as 0007 rules for bookings and agreements).
        allowedFor: SELF,
      });
    }
    return forges;
  },
};

// Holdings (0022): who held a case when, written only by the database when the case's owner
// changes or the case ends; zz_app reads them and writes none.
const caseHoldings: TableFixture = {
  table: "app.case_holdings",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "ended",
  writers: NOBODY,
  async seed(admin, tenant) {
    const caseId = await seedCase(admin, tenant);
    const [row] = await admin<{ id: string }[]>`select id::text from app.case_holdings where case_id = ${caseId}`;
    return { table: "app.case_holdings", key: row!.id, tenant, refs: { caseId } };
  },
  forges(victim) {
    return [
      {
        label: "add a holding period to the victim's case",
        text: "insert into app.case_holdings (case_id, holder_code, held_from, held_until, ended) values ($1, $2, now(), now(), 'handover')",
        params: [victim.refs.caseId!, victim.tenant.code],
        allowedFor: NOBODY,
      },
    ];
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "holder_code", value: victim.tenant.code },
    ];
  },
};

/** A rollup row of `tenant`, as the triggers would write it (zz_app may read rollups, never write them). */
function rollupFixture(
  table: string,
  key: readonly string[],
  touch: string,
  row: (code: string, k: number) => { columns: string; values: string },
): TableFixture {
  let k = 0;
  return {
    table,
    key,
    tenantColumn: "scope_code",
    touch,
    writers: NOBODY,
    async seed(admin, tenant) {
      k += 1;
      const { columns, values } = row(tenant.code, k);
      const [r] = await admin.unsafe<{ key: string }[]>(
        `insert into ${table} (${columns}) values (${values}) returning ${keyExpression({ key })} as key`,
        [tenant.code],
      );
      return { table, key: r!.key, tenant, refs: {} };
    },
    forges(victim) {
      const { columns, values } = row(victim.tenant.code, 999_999);
      return [
        {
          label: "add to the victim's rollups",
          text: `insert into ${table} (${columns}) values (${values})`,
          params: [victim.tenant.code],
          allowedFor: NOBODY,
        },
      ];
    },
    moves(victim) {
      return [{ column: "scope_code", value: victim.tenant.code }];
    },
  };
}

const caseTallies = rollupFixture("app.case_tallies", ["scope_code", "dim", "value", "shard"], "n", (_code, k) => ({
  columns: "scope_code, dim, value, shard, n",
  values: `$1, 'state', 'registered', ${k}, 1`,
}));
const clockTallies = rollupFixture(
  "app.clock_tallies",
  ["scope_code", "owner_code", "colour", "shard"],
  "n",
  (_code, k) => ({
    columns: "scope_code, owner_code, colour, shard, n",
    values: `$1, $1, 'blue', ${k}, 1`,
  }),
);

const clockUnits = rollupFixture("app.clock_units", ["scope_code", "owner_code", "shard"], "red", (_code, k) => ({
  columns: "scope_code, owner_code, shard, blue",
  values: `$1, $1, ${k}, 1`,
}));

const figuresMonthly = rollupFixture(
  "app.figures_monthly",
  ["scope_code", "month", "category", "shard"],
  "received",
  (_code, k) => ({
    columns: "scope_code, month, shard, received",
    // The forged row takes another month so that it never meets the seeded row's key.
    values: `$1, '${k === 999_999 ? "2025-06-01" : "2026-01-01"}', ${k}, 1`,
  }),
);
const holdingTallies = rollupFixture(
  "app.holding_tallies",
  ["scope_code", "holder_len", "shard"],
  "periods",
  (_code, k) => ({
    columns: "scope_code, holder_len, shard, cases, periods",
    values: `$1, 12, ${k}, 1, 1`,
  }),
);
const figuresMonthlyBy = rollupFixture(
  "app.figures_monthly_by",
  ["scope_code", "month", "category", "dim", "key", "shard"],
  "cases",
  (_code, k) => ({
    columns: "scope_code, month, dim, key, shard, cases",
    values: `$1, '2026-01-01', 'category', 'probe${k}', ${k}, 1`,
  }),
);

/** Reworks (重办) per unit, cohort month and category: written by auth.cases_count_rework only. */
const reworkMonthly = rollupFixture(
  "app.rework_monthly",
  ["scope_code", "month", "category"],
  "reworks",
  (_code, k) => ({
    columns: "scope_code, month, category, reworks",
    values: `$1, '2026-01-01', 'probe${k}', 1`,
  }),
);

/** The per-case facts behind the cockpit's figures: written by auth.refresh_case_figures only. */
const caseFigureFacts: TableFixture = {
  table: "app.case_figure_facts",
  key: ["case_id"],
  tenantColumn: "scope_code",
  touch: "returns",
  writers: NOBODY,
  async seed(admin, tenant) {
    const caseId = await seedCase(admin, tenant);
    await admin`insert into app.case_figure_facts (case_id, scope_code, month, category_code, channel, risk_grade,
        accepted, resolved, closed, on_time, followed_up, satisfied, escalated, returns, repeat_claim, group_dispute,
        people, amount_cents)
      values (${caseId}, ${tenant.code}, '2026-01-01', 'other', 'visit', 'none', false, false, false, false, false,
        false, false, 0, false, false, 1, 0)
      on conflict (case_id, county_code) do nothing`;
    return { table: "app.case_figure_facts", key: caseId, tenant, refs: { caseId } };
  },
  forges(victim) {
    return [
      {
        label: "write facts for the victim's case",
        text: `insert into app.case_figure_facts (case_id, scope_code, month, category_code, channel, risk_grade,
            accepted, resolved, closed, on_time, followed_up, satisfied, escalated, returns, repeat_claim,
            group_dispute, people, amount_cents)
          values ($1, $2, '2025-06-01', 'other', 'visit', 'none', false, false, false, false, false, false, false,
            0, false, false, 1, 0)`,
        params: [victim.refs.caseId!, victim.tenant.code],
        allowedFor: NOBODY,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

/** One cockpit settings row per unit (ranking weights, safety index): the unit's own configuration. */
const cockpitSettings: TableFixture = {
  table: "app.cockpit_settings",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "ranking",
  writers: SELF,
  // Read down the tree: a unit's figures are judged by the weights its ancestors set.
  shared: true,
  async seed(admin, tenant) {
    const [row] = await admin<{ id: string }[]>`insert into app.cockpit_settings (scope_code, ranking)
      values (${tenant.code}, '{"probe": 1}') on conflict (scope_code) do update set ranking = excluded.ranking
      returning id::text`;
    return { table: "app.cockpit_settings", key: row!.id, tenant, refs: {} };
  },
  // The one row a unit may have is the seeded one: a second, forged row would only meet the unique key.
  forges: () => [],
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

// The grid (0060): grids and grid workers are configuration rows readable down the tree.

let gridNumber = 0;
/** A grid number unique within the run (the code is the unit's division code and this). */
const nextGridNumber = () => {
  gridNumber += 1;
  return `P${(process.pid % 1000).toString(36)}${gridNumber.toString(36)}`.toUpperCase().slice(0, 8);
};
/** A helper grid of `tenant`. */
const seedGrid = (admin: Sql, tenant: TestTenant) =>
  seedConfig(admin, "app.grids", tenant, {
    tier: "village",
    code: `${tenant.code}-${nextGridNumber()}`,
    name: "探针网格",
  });
/** A helper grid worker of `tenant`. */
const seedGridWorker = (admin: Sql, tenant: TestTenant) =>
  seedConfig(admin, "app.grid_workers", tenant, { name: "探针网格员", kind: "full_time" });

const grids: TableFixture = {
  ...ownedConfig("app.grids", "name", (tenant) => ({ tier: "village", code: `${tenant.code}-F9`, name: "探针网格" }), {
    shared: true,
  }),
  async seed(admin, tenant) {
    return { table: "app.grids", key: await seedGrid(admin, tenant), tenant, refs: {} };
  },
};
const gridWorkers = ownedConfig("app.grid_workers", "name", () => ({ name: "探针网格员", kind: "part_time" }), {
  shared: true,
});

const gridAssignments: TableFixture = {
  table: "app.grid_assignments",
  key: ["grid_id", "worker_id"],
  tenantColumn: "scope_code",
  touch: "leader",
  writers: SELF,
  async seed(admin, tenant) {
    const gridId = await seedGrid(admin, tenant);
    const workerId = await seedGridWorker(admin, tenant);
    const spareWorkerId = await seedGridWorker(admin, tenant);
    await admin`insert into app.grid_assignments (grid_id, worker_id, leader) values (${gridId}, ${workerId}, true)`;
    return {
      table: "app.grid_assignments",
      key: `${gridId}/${workerId}`,
      tenant,
      refs: { gridId, workerId, spareWorkerId },
    };
  },
  forges(victim, attacker) {
    const forges: Forge[] = [
      {
        label: "assign a worker to the victim's grid",
        text: `insert into app.grid_assignments (grid_id, worker_id) values ($1, $2)`,
        params: [victim.refs.gridId!, victim.refs.spareWorkerId!],
        allowedFor: SELF,
      },
    ];
    if (attacker.own) {
      forges.push({
        // A unit staffs its grids from its own workers and those of the units above it (0060).
        label: "assign the victim's worker to an own grid",
        text: `insert into app.grid_assignments (grid_id, worker_id) values ($1, $2)`,
        params: [attacker.own.refs.gridId!, victim.refs.spareWorkerId!],
        allowedFor: ["self", "descendant"],
      });
    }
    return forges;
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "grid_id", value: victim.refs.gridId! },
    ];
  },
};

// Open channels (0061): a unit's API keys and the requests they submitted.

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
/** A random public id of a key (16 base32 characters). */
const keyId = () => Array.from(randomBytes(16), (b) => BASE32[b % 32]).join("");
/** Inserts an API key of `tenant` (its secret hash a random 32 bytes) and returns its id. */
async function seedApiKey(admin: Sql, tenant: TestTenant): Promise<string> {
  const [row] = await admin<{ id: string }[]>`insert into app.api_keys (scope_code, name, key_id, channel, secret_hash,
      permissions)
    values (${tenant.code}, ${`探针密钥${keyId().slice(0, 8)}`}, ${keyId()}, 'hotline_12345', ${randomBytes(32)},
      '{case.register}') returning id::text`;
  return row!.id;
}
const apiKeys: TableFixture = {
  table: "app.api_keys",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "name",
  writers: SELF,
  async seed(admin, tenant) {
    return { table: "app.api_keys", key: await seedApiKey(admin, tenant), tenant, refs: {} };
  },
  forges(victim) {
    return [
      {
        label: "issue a key in the victim's unit",
        text: `insert into app.api_keys (scope_code, name, key_id, channel, secret_hash, permissions)
          values ($1, 'forged', $2, 'online', decode(repeat('ab', 32), 'hex'), '{case.read}')`,
        params: [victim.tenant.code, keyId()],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

const channelRequests: TableFixture = {
  table: "app.channel_requests",
  key: ["case_id"],
  tenantColumn: "scope_code",
  touch: "external_id",
  writers: NOBODY,
  async seed(admin, tenant) {
    const caseId = await seedCase(admin, tenant);
    const spareCaseId = await seedCase(admin, tenant);
    const apiKeyId = await seedApiKey(admin, tenant);
    await admin`insert into app.channel_requests (case_id, scope_code, api_key_id) values (${caseId}, ${tenant.code}, ${apiKeyId})`;
    return { table: "app.channel_requests", key: caseId, tenant, refs: { caseId, spareCaseId, apiKeyId } };
  },
  forges(victim) {
    return [
      {
        label: "tie the victim's case to the victim's key",
        text: `insert into app.channel_requests (case_id, scope_code, api_key_id) values ($1, $2, $3)`,
        params: [victim.refs.spareCaseId!, victim.tenant.code, victim.refs.apiKeyId!],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

/** Inserts a webhook of `tenant` (on a key of its own) and returns its id and the key's. */
async function seedWebhook(admin: Sql, tenant: TestTenant): Promise<{ webhookId: string; apiKeyId: string }> {
  const apiKeyId = await seedApiKey(admin, tenant);
  const [row] = await admin<{ id: string }[]>`insert into app.webhooks (scope_code, api_key_id, url, secret_enc)
    values (${tenant.code}, ${apiKeyId}, 'https://hooks.example.cn/probe', ${randomBytes(40)}) returning id::text`;
  return { webhookId: row!.id, apiKeyId };
}
const webhooks: TableFixture = {
  table: "app.webhooks",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "url",
  writers: SELF,
  async seed(admin, tenant) {
    const { webhookId, apiKeyId } = await seedWebhook(admin, tenant);
    return { table: "app.webhooks", key: webhookId, tenant, refs: { apiKeyId } };
  },
  forges(victim, attacker) {
    const forges: Forge[] = [
      {
        label: "add a webhook to the victim's key",
        text: `insert into app.webhooks (scope_code, api_key_id, url, secret_enc)
          values ($1, $2, 'https://evil.example.com/', '\\x00'::bytea)`,
        params: [victim.tenant.code, victim.refs.apiKeyId!],
        allowedFor: SELF,
      },
    ];
    if (attacker.tenant) {
      forges.push({
        // The row would be the attacker's own; the key must be of the same unit (0062).
        label: "hook an own webhook onto the victim's key",
        text: `insert into app.webhooks (api_key_id, url, secret_enc) values ($1, 'https://evil.example.com/', '\\x00'::bytea)`,
        params: [victim.refs.apiKeyId!],
        allowedFor: SELF,
      });
    }
    return forges;
  },
  moves(victim) {
    return [
      { column: "scope_code", value: victim.tenant.code },
      { column: "api_key_id", value: victim.refs.apiKeyId! },
    ];
  },
};

const webhookDeliveries: TableFixture = {
  table: "app.webhook_deliveries",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "last_error",
  // The dispatcher (at the deployment's root) and the unit's administrators update the log.
  writers: BOTH,
  async seed(admin, tenant) {
    const { webhookId } = await seedWebhook(admin, tenant);
    const caseId = await seedCase(admin, tenant);
    const [row] = await admin<{ id: string }[]>`insert into app.webhook_deliveries (scope_code, webhook_id, case_id,
        event, payload)
      values (${tenant.code}, ${webhookId}, ${caseId}, 'request.status_changed', '{}') returning id::text`;
    return { table: "app.webhook_deliveries", key: row!.id, tenant, refs: { webhookId, caseId } };
  },
  forges(victim) {
    return [
      {
        label: "queue a delivery to the victim's webhook",
        text: `insert into app.webhook_deliveries (scope_code, webhook_id, case_id, event, payload)
          values ($1, $2, $3, 'request.status_changed', '{}')`,
        params: [victim.tenant.code, victim.refs.webhookId!, victim.refs.caseId!],
        allowedFor: NOBODY,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

// Patrols (0063): a worker's patrols, and a unit's norm (one row per unit, read down the tree).
const patrols: TableFixture = {
  table: "app.patrols",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "events_found",
  writers: NOBODY,
  async seed(admin, tenant) {
    const workerId = await seedGridWorker(admin, tenant);
    const [row] = await admin<{ id: string }[]>`insert into app.patrols (scope_code, worker_id, started_at, ended_at,
        distance_m) values (${tenant.code}, ${workerId}, now() - interval '2 hours', now(), 3200) returning id::text`;
    return { table: "app.patrols", key: row!.id, tenant, refs: { workerId } };
  },
  forges(victim) {
    return [
      {
        label: "record a patrol in the victim's unit",
        text: `insert into app.patrols (scope_code, worker_id, started_at, ended_at, distance_m)
          values ($1, $2, now() - interval '1 hour', now(), 100)`,
        params: [victim.tenant.code, victim.refs.workerId!],
        allowedFor: SELF,
      },
    ];
  },
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};
const patrolNorms: TableFixture = {
  table: "app.patrol_norms",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "events_per_week",
  writers: SELF,
  shared: true,
  async seed(admin, tenant) {
    const [row] = await admin<{ id: string }[]>`insert into app.patrol_norms (scope_code, minutes_per_day,
        metres_per_day, events_per_week)
      values (${tenant.code}, 120, 3000, 5) on conflict (scope_code) do update set events_per_week = 5
      returning id::text`;
    return { table: "app.patrol_norms", key: row!.id, tenant, refs: {} };
  },
  // The one row a unit may have is the seeded one: a second, forged row would only meet the unique key.
  forges: () => [],
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

// A centre's public contact (0101): one row a unit, read down the tree.
const centreContacts: TableFixture = {
  table: "app.centre_contacts",
  key: ["id"],
  tenantColumn: "scope_code",
  touch: "phone",
  writers: SELF,
  shared: true,
  async seed(admin, tenant) {
    const [row] = await admin<{ id: string }[]>`insert into app.centre_contacts (scope_code, phone)
      values (${tenant.code}, '0937-3221234') on conflict on constraint centre_contacts_scope_code_key do update set phone = excluded.phone
      returning id::text`;
    return { table: "app.centre_contacts", key: row!.id, tenant, refs: {} };
  },
  // The one row a unit may have is the seeded one: a second, forged row would only meet the unique key.
  forges: () => [],
  moves(victim) {
    return [{ column: "scope_code", value: victim.tenant.code }];
  },
};

/**
 * One fixture per tenant-scoped table. A new table with a `scope_code` column fails
 * `missingFixtures` (and so the isolation suite) until it is added here.
 */
export const TABLE_FIXTURES: readonly TableFixture[] = [
  tenants,
  users,
  userSetupTokens,
  auditEvents,
  auditCheckpoints,
  auditAnchors,
  sessions,
  departmentKinds,
  stationings,
  rotationSlots,
  stationingLiaisons,
  serviceWindows,
  mediators,
  mediationRooms,
  mediationCommittees,
  committeeMembers,
  bookings,
  bookingMediators,
  bookingOffers,
  appointments,
  caseCategories,
  dictionaryEntries,
  cases,
  caseCounters,
  idempotencyKeys,
  caseParties,
  caseEvents,
  caseLinks,
  caseSummons,
  mediationSessions,
  agreements,
  judicialConfirmations,
  referrals,
  followUps,
  attachments,
  caseHops,
  notifications,
  notificationReads,
  deadlinePolicies,
  calendarDays,
  notices,
  noticeReads,
  noticeAttachments,
  caseDeadlines,
  supervisions,
  caseHoldings,
  caseTallies,
  clockTallies,
  clockUnits,
  figuresMonthly,
  figuresMonthlyBy,
  reworkMonthly,
  holdingTallies,
  caseFigureFacts,
  cockpitSettings,
  grids,
  gridWorkers,
  gridAssignments,
  apiKeys,
  channelRequests,
  webhooks,
  webhookDeliveries,
  patrols,
  patrolNorms,
  centreContacts,
];

/** Tenant-scoped tables as the catalog has them: tables in `app`/`auth` with a `scope_code` column, plus app.tenants. */
export async function tenantScopedTables(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select n.nspname || '.' || c.relname as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname in ('app', 'auth')
      and (exists (select from pg_attribute a
                   where a.attrelid = c.oid and a.attname = 'scope_code' and a.attnum > 0 and not a.attisdropped)
           or (n.nspname = 'app' and c.relname = 'tenants'))
    order by 1`;
  return rows.map((r) => r.name);
}

/** Tables of `catalog` that have no fixture. */
export function missingFixtures(catalog: readonly string[]): string[] {
  const covered = new Set(TABLE_FIXTURES.map((f) => f.table));
  return catalog.filter((t) => !covered.has(t));
}

/** Seeds one row of every fixture table into each tenant, keyed by table then tenant code. */
export async function seedAllTables(
  admin: Sql,
  tenantsByCode: ReadonlyMap<string, TestTenant>,
): Promise<Map<string, Map<string, SeededRow>>> {
  const out = new Map<string, Map<string, SeededRow>>();
  for (const fixture of TABLE_FIXTURES) {
    const rows = new Map<string, SeededRow>();
    for (const tenant of tenantsByCode.values()) rows.set(tenant.code, await fixture.seed(admin, tenant));
    out.set(fixture.table, rows);
  }
  return out;
}
