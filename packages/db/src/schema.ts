import { sql } from "drizzle-orm";
import { bigint, boolean, customType, integer, jsonb, pgSchema, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Text in the "C" collation: byte order, so that code ranges are exact prefixes. */
const codeText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

export const app = pgSchema("app");
export const ref = pgSchema("ref");

export const tenantLevel = app.enum("tenant_level", ["province", "city", "county", "township", "village"]);
export const tenantStatus = app.enum("tenant_status", ["active", "suspended"]);
export const userStatus = app.enum("user_status", ["active", "disabled"]);

/** Official divisions from the registry (read-only reference data). */
export const divisions = ref.table("divisions", {
  code: codeText("code").primaryKey(),
  level: tenantLevel("level").notNull(),
  parentCode: codeText("parent_code"),
  name: text("name").notNull(),
});

/** Onboarded administrative units; `code` is the path. */
export const tenants = app.table("tenants", {
  id: uuid("id").primaryKey().defaultRandom(),
  code: codeText("code").notNull(),
  level: tenantLevel("level").notNull(),
  parentId: uuid("parent_id"),
  rootCode: codeText("root_code").notNull(),
  name: text("name").notNull(),
  status: tenantStatus("status").notNull().default("active"),
  /** On a deployment root: staff must use a second factor (set through auth.set_require_totp). */
  requireTotp: boolean("require_totp").notNull().default(false),
  countyCode: codeText("county_code").generatedAlwaysAs(sql`left(code, 6)`),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  version: integer("version").notNull().default(1),
});

/**
 * Users as the runtime role may read them. The secret columns (password_hash, totp_key) are
 * deliberately absent: zz_app has no SELECT on them, so `select()` must never name them.
 */
export const users = app.table("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  tenantId: uuid("tenant_id"),
  scopeCode: codeText("scope_code").notNull(),
  countyCode: codeText("county_code").generatedAlwaysAs(sql`left(scope_code, 6)`),
  username: text("username").notNull(),
  displayName: text("display_name").notNull(),
  roles: text("roles").array().notNull(),
  status: userStatus("status").notNull().default("active"),
  mustChangePassword: boolean("must_change_password").notNull().default(true),
  passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
  failedAttempts: integer("failed_attempts").notNull().default(0),
  lockedUntil: timestamp("locked_until", { withTimezone: true }),
  /** When the user's second factor (TOTP) was confirmed; null: none. */
  totpEnabledAt: timestamp("totp_enabled_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  version: integer("version").notNull().default(1),
});

/** Write-only view of the users' secret columns (zz_app may set them, never read them). */
export const userSecrets = app.table("users", {
  id: uuid("id").primaryKey(),
  passwordHash: text("password_hash"),
  /** SM4 FieldCipher ciphertext of the TOTP key (packages/auth/src/totp.ts), never the key itself. */
  totpKey: customType<{ data: Buffer }>({ dataType: () => "bytea" })("totp_key"),
});

/** One-time setup links. */
export const userSetupTokens = app.table("user_setup_tokens", {
  id: text("id").primaryKey(),
  secretHash: customType<{ data: Buffer }>({ dataType: () => "bytea" })("secret_hash").notNull(),
  userId: uuid("user_id").notNull(),
  scopeCode: codeText("scope_code").notNull(),
  createdBy: uuid("created_by"),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Append-only security audit (insert-only for zz_app). */
export const auditEvents = app.table("audit_events", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  scopeCode: codeText("scope_code").notNull(),
  tenantId: uuid("tenant_id"),
  actorId: uuid("actor_id"),
  kind: text("kind").notNull(),
  subjectId: text("subject_id"),
  ip: text("ip"),
  requestId: text("request_id"),
  detail: jsonb("detail").notNull().default({}),
});
