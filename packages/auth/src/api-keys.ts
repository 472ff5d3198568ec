import { encodeBase32LowerCaseNoPadding } from "@oslojs/encoding";
import type { ScopeContext, Sql } from "@zongzhi/db/client";
import { hashSecret, secretMatches } from "./tokens.ts";

/** A freshly minted API key: shown once as `token`; only `secretHash` is stored. */
export interface MintedApiKey {
  keyId: string;
  token: string;
  secretHash: Uint8Array;
}

/** The prefix that tells an API key from a session token (and lets secret scanners find leaked ones). */
export const API_KEY_PREFIX = "zzk_";

function randomPart(bytes: number): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return encodeBase32LowerCaseNoPadding(buffer);
}

/** Mints `zzk_<16-character public id>_<160-bit secret>` from the CSPRNG. */
export function mintApiKey(): MintedApiKey {
  const keyId = randomPart(10);
  const secret = randomPart(20);
  return { keyId, token: `${API_KEY_PREFIX}${keyId}_${secret}`, secretHash: hashSecret(secret) };
}

/** Splits a presented key; null when malformed. */
export function parseApiKey(token: string): { keyId: string; secret: string } | null {
  const match = /^zzk_([a-z2-7]{16})_([a-z2-7]{32})$/.exec(token);
  if (!match?.[1] || !match[2]) return null;
  return { keyId: match[1], secret: match[2] };
}

/** An API key as it acts: its unit and permissions, and its own rate limit. */
export interface ApiKeyActor {
  id: string;
  keyId: string;
  scope: string;
  tenantId: string;
  rootCode: string;
  channel: "hotline_12345" | "online" | "department_transfer";
  permissions: string[];
  ratePerMinute: number;
}

/**
 * Resolves a presented key (`Authorization: Bearer zzk_…`): its public id finds the row, the
 * secret is compared with the stored hash in constant time, and only then is the use recorded.
 * A malformed, unknown, wrong, revoked or suspended key is null alike.
 */
export async function verifyApiKey(sql: Sql, token: string): Promise<ApiKeyActor | null> {
  const parsed = parseApiKey(token);
  if (!parsed) return null;
  const [row] = await sql<
    {
      id: string;
      secret_hash: Buffer;
      scope_code: string;
      tenant_id: string;
      root_code: string;
      channel: string;
      permissions: string[];
      rate_per_minute: number;
    }[]
  >`select * from auth.api_key_lookup(${parsed.keyId})`;
  if (!row || !secretMatches(parsed.secret, new Uint8Array(row.secret_hash))) return null;
  await sql`select auth.api_key_touch(${row.id}, ${Buffer.from(hashSecret(parsed.secret))})`;
  return {
    id: row.id,
    keyId: parsed.keyId,
    scope: row.scope_code,
    tenantId: row.tenant_id,
    rootCode: row.root_code,
    channel: row.channel as ApiKeyActor["channel"],
    permissions: row.permissions,
    ratePerMinute: row.rate_per_minute,
  };
}

/** The tenant transaction of an API key: its unit, no user, no roles, its own permissions. */
export function keyScopeOf(key: ApiKeyActor, requestId?: string): ScopeContext {
  return {
    userId: null,
    tenantId: key.tenantId,
    scope: key.scope,
    roles: [],
    keyPermissions: key.permissions,
    apiKeyId: key.id,
    ...(requestId ? { requestId } : {}),
  };
}
