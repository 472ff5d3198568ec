import { mintApiKey } from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";
import { apiKeys, channelRequests } from "@zongzhi/db/schema";
import { AppError, type CaseState, KEY_PERMISSIONS, notFound, type Permission, TRANSITIONS } from "@zongzhi/domain";
import { sql } from "drizzle-orm";
import type { z } from "zod";
import type { OPEN_STAGES, openCreated, openRequest, openRequestInput, openService } from "../open311.ts";
import type { apiKeyView, createdApiKey } from "../schemas/channels.ts";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { registeredCase } from "./case-events.ts";
import { setCasePosition } from "./case-position.ts";
import { registerCase } from "./cases.ts";
import { updateVersionedRow } from "./centre-target.ts";
import { recordFollowUp } from "./mediation.ts";
import type { FieldCipher } from "./personal-data.ts";

/** An API key as its unit's administrators see it (never its secret). */
export type ApiKeyRow = z.output<typeof apiKeyView>;

const keyColumns = (tx: Tx) => tx.sql`k.id, k.name, k.key_id as "keyId", k.channel, k.permissions,
  k.rate_per_minute as "ratePerMinute", k.created_at as "createdAt", k.last_used_at as "lastUsedAt",
  k.revoked_at as "revokedAt", k.version,
  (select count(*)::int from app.channel_requests r where r.api_key_id = k.id) as requests`;

/** The API keys of the caller's unit, newest first. */
export async function listApiKeys(tx: Tx): Promise<ApiKeyRow[]> {
  return tx.sql<ApiKeyRow[]>`select ${keyColumns(tx)} from app.api_keys k where k.scope_code = ${tx.ctx.scope}
    order by k.revoked_at is not null, k.created_at desc`;
}

async function getApiKey(tx: Tx, id: string): Promise<ApiKeyRow> {
  const [row] = await tx.sql<ApiKeyRow[]>`select ${keyColumns(tx)} from app.api_keys k where k.id = ${id}`;
  if (!row) throw notFound({ zh: "接口密钥", en: "API key" });
  return row;
}

/**
 * Issues an API key for the caller's unit. The key itself is in the answer only: the database
 * keeps SHA-256 of its secret, so a lost key is revoked and replaced, never shown again.
 */
export async function createApiKey(
  tx: Tx,
  input: { name: string; channel: ApiKeyRow["channel"]; permissions: Permission[]; ratePerMinute: number },
): Promise<z.output<typeof createdApiKey>> {
  authorizeFor(tx, "channel.manage", tx.ctx.scope);
  const refused = input.permissions.filter((p) => !(KEY_PERMISSIONS as readonly Permission[]).includes(p));
  if (refused.length > 0) {
    throw new AppError("VALIDATION", {
      zh: `接口密钥不能持有这些权限：${refused.join("、")}`,
      en: `An API key cannot hold: ${refused.join(", ")}`,
    });
  }
  const minted = mintApiKey();
  const [row] = await tx.db
    .insert(apiKeys)
    .values({
      name: input.name,
      keyId: minted.keyId,
      channel: input.channel,
      secretHash: Buffer.from(minted.secretHash),
      permissions: [...new Set(input.permissions)],
      ratePerMinute: input.ratePerMinute,
      createdBy: tx.ctx.userId,
    })
    .returning({ id: apiKeys.id });
  await recordAudit(tx, { kind: "channel.key_created", subjectId: row!.id, detail: { keyId: minted.keyId } });
  return { key: await getApiKey(tx, row!.id), token: minted.token };
}

/** Revokes a key at once (every later request with it is refused); revoking twice changes nothing more. */
export async function revokeApiKey(tx: Tx, input: { id: string; version: number }): Promise<ApiKeyRow> {
  await updateVersionedRow(
    tx,
    apiKeys,
    input.id,
    input.version,
    { revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` },
    "channel.manage",
  );
  await recordAudit(tx, { kind: "channel.key_revoked", subjectId: input.id });
  return getApiKey(tx, input.id);
}

// ---------- the intake API (Open311 GeoReport v2 in spirit), acting as the key ----------

/** One service (a category of case) as the intake API lists it (the documented `openService`). */
export type OpenService = z.output<typeof openService>;

/** The categories a request may name (the built-in ones and the unit's own). */
export async function listOpenServices(tx: Tx): Promise<OpenService[]> {
  authorizeFor(tx, "case.register", tx.ctx.scope);
  return tx.sql<OpenService[]>`select code as service_code, name as service_name, 'realtime' as type, false as metadata
    from (select code, name, sort from ref.case_categories
          union all select code, name, 1000 from app.case_categories where active) c
    order by sort, code`;
}

/** A request as an integrator submits it (POST /api/v1/requests, parsed by `openRequestInput`). */
export type OpenRequestInput = z.output<typeof openRequestInput>;

/**
 * Registers a request as a case of the key's unit, by the key's channel, and ties it to the
 * key. Idempotent: the same Idempotency-Key with the same body answers the first result.
 */
export async function submitOpenRequest(
  tx: Tx,
  input: OpenRequestInput,
  options: { channel: ApiKeyRow["channel"]; cipher: FieldCipher; idempotencyKey: string },
): Promise<z.output<typeof openCreated>> {
  authorizeFor(tx, "case.register", tx.ctx.scope);
  // A key registers for its own unit: the place lies in that unit's area, never a neighbour's.
  if (input.location_code && !input.location_code.startsWith(tx.ctx.scope)) {
    throw new AppError(
      "VALIDATION",
      { zh: "发生地须在本密钥所属单位辖区内", en: "The location must lie in the key's own unit" },
      {
        fields: [
          {
            path: "location_code",
            zh: "发生地须在本密钥所属单位辖区内",
            en: "The location must lie in the key's own unit",
          },
        ],
      },
    );
  }
  const name = `${input.last_name ?? ""}${input.first_name ?? ""}`.trim() || "来电群众";
  const where = [
    input.address_string,
    input.lat !== undefined && input.long !== undefined ? `${input.lat},${input.long}` : null,
  ]
    .filter(Boolean)
    .join(" ");
  const registered = await registerCase(
    tx,
    {
      categoryCode: input.service_code,
      channel: options.channel,
      title: input.title ?? (input.description.split("\n")[0] ?? "").slice(0, 40),
      description: input.description,
      locationCode: input.location_code ?? tx.ctx.scope,
      address: where || null,
      peopleCount: 1,
      groupDispute: false,
      riskGrade: "none",
      difficulty: "simple",
      parties: [{ role: "applicant", kind: "person", name, phone: input.phone ?? null }],
    },
    options.cipher,
    options.idempotencyKey,
  );
  if (!registered.replayed) {
    const c = registeredCase(registered);
    await tx.db.insert(channelRequests).values({
      caseId: c.id,
      countyCode: c.county_code,
      apiKeyId: tx.ctx.apiKeyId!,
      externalId: input.external_id ?? null,
    });
    if (input.lat !== undefined && input.long !== undefined) {
      await setCasePosition(tx, c, { lat: input.lat, lng: input.long, source: "channel" });
    }
  }
  return { service_request_id: registered.id, code: registered.code, replayed: registered.replayed };
}

/** Where a case stands for an integrator (12345: 签收 → 反馈 → 办结 → 评价, and 重办). */
const STAGE_OF: Record<string, (typeof OPEN_STAGES)[number]> = {
  "case.registered": "received",
  "case.accept": "signed",
  "case.sign_for": "signed",
  "case.resolve": "answered",
  "case.fail": "answered",
  "case.refer": "answered",
  "case.record_referral_result": "answered",
  "case.close": "completed",
  "case.archive": "completed",
  "case.cancel": "completed",
  "case.mark_duplicate": "completed",
  "case.reopen": "reopened",
  "follow_up.recorded": "rated",
};
const STAGE_NAMES: Record<(typeof OPEN_STAGES)[number], { zh: string; en: string }> = {
  received: { zh: "已接收", en: "Received" },
  signed: { zh: "签收", en: "Signed for" },
  progress: { zh: "办理中", en: "In progress" },
  answered: { zh: "反馈", en: "Answered" },
  completed: { zh: "办结", en: "Completed" },
  rated: { zh: "评价", en: "Rated" },
  reopened: { zh: "重办", en: "Reopened for rework" },
};
const CLOSED_STATES: CaseState[] = ["resolved", "awaiting_follow_up", "closed", "archived", "cancelled", "duplicate"];
/** Texts of an event an integrator may read (the result, a reason): never names or numbers of parties. */
const PUBLIC_NOTES = ["outcome", "reason"];

/** A request with its status and history as its submitter reads it (the documented `openRequest`). */
export type OpenRequest = z.output<typeof openRequest>;

/** One request of this key (a request of another key or unit is not found). */
export async function getOpenRequest(tx: Tx, id: string): Promise<OpenRequest> {
  authorizeFor(tx, "case.read", tx.ctx.scope);
  const [row] = await openRequests(tx, { id }, 1);
  if (!row) throw notFound({ zh: "诉求", en: "request" });
  return row;
}

/** The requests of this key, newest first (at most `limit`). */
export async function listOpenRequests(
  tx: Tx,
  filter: { status?: "open" | "closed" | undefined; limit: number },
): Promise<OpenRequest[]> {
  authorizeFor(tx, "case.read", tx.ctx.scope);
  return openRequests(tx, { status: filter.status }, filter.limit);
}

async function openRequests(
  tx: Tx,
  where: { id?: string; status?: "open" | "closed" | undefined },
  limit: number,
): Promise<OpenRequest[]> {
  const rows = await tx.sql<
    (Omit<OpenRequest, "status" | "history" | "requested_datetime" | "updated_datetime"> & {
      requested: Date;
      events: { at: string; kind: string; payload: Record<string, unknown> }[];
    })[]
  >`select c.id as service_request_id, c.code, r.external_id, c.status as detailed_status,
      c.category_code as service_code, coalesce(rc.name, ac.name, c.category_code) as service_name, c.description,
      c.registered_at as requested,
      coalesce((select json_agg(json_build_object('at', e.at, 'kind', e.kind, 'payload', e.payload) order by e.seq)
        from app.case_events e where e.case_id = c.id), '[]') as events
    from app.channel_requests r join app.cases c on c.id = r.case_id
      left join ref.case_categories rc on rc.code = c.category_code
      left join app.case_categories ac on ac.code = c.category_code and ac.scope_code = c.scope_code
    where r.api_key_id = ${tx.ctx.apiKeyId ?? null}
      and (${where.id ?? null}::uuid is null or c.id = ${where.id ?? null}::uuid)
      and (${where.status ?? null}::text is null
        or (c.status = any(${CLOSED_STATES}::app.case_state[])) = (${where.status ?? null}::text = 'closed'))
    order by r.created_at desc limit ${limit}`;
  return rows.map(({ events, requested, ...r }) => {
    const history = events.map((e) => {
      const stage = STAGE_OF[e.kind] ?? "progress";
      const note = PUBLIC_NOTES.map((k) => e.payload[k]).find((v): v is string => typeof v === "string") ?? null;
      const action = e.kind.startsWith("case.") ? e.kind.slice(5) : null;
      const named = action && action in TRANSITIONS ? TRANSITIONS[action as keyof typeof TRANSITIONS].name : null;
      const label = stage === "progress" && named ? named : STAGE_NAMES[stage];
      return { at: new Date(e.at).toISOString(), stage, zh: label.zh, en: label.en, note };
    });
    return {
      ...r,
      status: CLOSED_STATES.includes(r.detailed_status) ? "closed" : "open",
      requested_datetime: requested.toISOString(),
      updated_datetime: history.at(-1)?.at ?? requested.toISOString(),
      history,
    };
  });
}

/**
 * The submitter's rating of the result (the citizen's evaluation, relayed by 12345): recorded
 * as the case's follow-up; an unsatisfied rating sends the case back for rework (重办).
 */
export async function rateOpenRequest(
  tx: Tx,
  id: string,
  input: { satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied"; comment?: string | undefined },
): Promise<OpenRequest> {
  await getOpenRequest(tx, id);
  await recordFollowUp(tx, {
    caseId: id,
    method: "phone",
    satisfaction: input.satisfaction,
    notes: input.comment ?? null,
  });
  return getOpenRequest(tx, id);
}
