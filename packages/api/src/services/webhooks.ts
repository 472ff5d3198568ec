import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { cipherContext } from "@zongzhi/crypto";
import { type ScopeContext, type Sql, type Tx, withScope } from "@zongzhi/db/client";
import { cases, webhookDeliveries, webhooks } from "@zongzhi/db/schema";
import { notFound } from "@zongzhi/domain";
import { countyOf } from "@zongzhi/domain/division";
// Drizzle's `sql` as `expr`: `sql` here is the pool (dispatchWebhooks).
import { and, desc, eq, sql as expr, lte, min } from "drizzle-orm";
import type { z } from "zod";
import type { createdWebhook, deliveryView, webhookView } from "../schemas/channels.ts";
import { authorizeFor } from "./actor.ts";
import { recordAudit } from "./audit.ts";
import { updateVersionedRow } from "./centre-target.ts";
import type { FieldCipher } from "./personal-data.ts";
import { PUBLIC_ONLY, postToWebhook, type WebhookNetwork } from "./webhook-targets.ts";

/** Signature header of a delivery: `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. */
export const SIGNATURE_HEADER = "x-zz-signature";
/** How old a signature's timestamp may be before a receiver refuses it (a replayed capture). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;
/** Attempts before a delivery is given up (then it waits for a replay). */
export const MAX_ATTEMPTS = 8;
/** Wait before the first retry; it doubles with every failure (30 s, 1 min, 2 min … 64 min). */
export const FIRST_RETRY_MS = 30_000;

/** The signature header for `body` sent at `at`. */
export function signWebhook(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

/**
 * What a receiver does with a delivery: recompute the HMAC over the timestamp and the raw body
 * and compare in constant time, and refuse a timestamp older (or newer) than the tolerance.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string,
  now: Date = new Date(),
): boolean {
  const match = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header ?? "");
  if (!match) return false;
  const t = Number(match[1]);
  if (Math.abs(now.getTime() / 1000 - t) > SIGNATURE_TOLERANCE_SECONDS) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(match[2]!, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const secretContext = (scope: string) => cipherContext("webhooks", "secret", scope);

/** A webhook as the unit's administrators see it (never its secret). */
export type WebhookRow = z.output<typeof webhookView>;

/** The webhooks of the caller's unit. */
export async function listWebhooks(tx: Tx): Promise<WebhookRow[]> {
  return tx.sql<WebhookRow[]>`select w.id, w.api_key_id as "apiKeyId", k.name as "apiKeyName", w.url, w.active,
      w.created_at as "createdAt", w.version,
      (select count(*)::int from app.webhook_deliveries d where d.webhook_id = w.id and d.status = 'pending') as pending,
      (select count(*)::int from app.webhook_deliveries d where d.webhook_id = w.id and d.status = 'failed') as failed
    from app.webhooks w join app.api_keys k on k.id = w.api_key_id
    where w.scope_code = ${tx.ctx.scope} order by w.created_at desc`;
}

/**
 * Adds a webhook to one of the unit's keys. The signing secret is in the answer only (it is
 * kept encrypted, to sign with, and never shown again).
 */
export async function createWebhook(
  tx: Tx,
  cipher: FieldCipher,
  input: { apiKeyId: string; url: string },
): Promise<z.output<typeof createdWebhook>> {
  authorizeFor(tx, "channel.manage", tx.ctx.scope);
  const secret = `whsec_${randomBytes(24).toString("base64url")}`;
  const [row] = await tx.db
    .insert(webhooks)
    .values({
      apiKeyId: input.apiKeyId,
      url: input.url,
      secretEnc: cipher.encrypt(secret, secretContext(tx.ctx.scope)),
      createdBy: tx.ctx.userId,
    })
    .returning({ id: webhooks.id });
  await recordAudit(tx, { kind: "channel.webhook_created", subjectId: row!.id });
  const [webhook] = (await listWebhooks(tx)).filter((w) => w.id === row!.id);
  return { webhook: webhook!, secret };
}

/** One line of the delivery log. */
export type DeliveryRow = z.output<typeof deliveryView>;

/** The delivery log of the unit's webhooks (or one of them), newest first. */
export async function listDeliveries(
  tx: Tx,
  input: { webhookId?: string | undefined; limit: number },
): Promise<DeliveryRow[]> {
  const d = webhookDeliveries;
  return tx.db
    .select({
      id: d.id,
      webhookId: d.webhookId,
      caseId: d.caseId,
      code: cases.code,
      event: d.event,
      status: expr<DeliveryRow["status"]>`${d.status}`,
      attempts: d.attempts,
      nextAttemptAt: d.nextAttemptAt,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      deliveredAt: d.deliveredAt,
      createdAt: d.createdAt,
      version: d.version,
      payload: expr<DeliveryRow["payload"]>`${d.payload}`,
    })
    .from(d)
    .innerJoin(cases, and(eq(cases.id, d.caseId), eq(cases.countyCode, d.countyCode)))
    .where(
      and(
        eq(d.countyCode, countyOf(tx.ctx.scope)),
        eq(d.scopeCode, tx.ctx.scope),
        input.webhookId === undefined ? undefined : eq(d.webhookId, input.webhookId),
      ),
    )
    .orderBy(desc(d.createdAt))
    .limit(input.limit);
}

/** Sends a delivery again (the same id and body, a fresh signature), at once. */
export async function replayDelivery(tx: Tx, input: { id: string; version: number }): Promise<DeliveryRow> {
  await updateVersionedRow(
    tx,
    webhookDeliveries,
    input.id,
    input.version,
    { status: "pending", nextAttemptAt: expr`now()` },
    "channel.manage",
  );
  await recordAudit(tx, { kind: "channel.delivery_replayed", subjectId: input.id });
  const [row] = (await listDeliveries(tx, { limit: 500 })).filter((d) => d.id === input.id);
  if (!row) throw notFound({ zh: "推送记录", en: "delivery" });
  return row;
}

/** What one dispatch run did. */
export interface DispatchResult {
  sent: number;
  failed: number;
  /** When the earliest delivery still pending is due (to schedule the next run), if any. */
  nextDueAt: Date | null;
}

const dispatcher = (root: { id: string; code: string }): ScopeContext => ({
  userId: null,
  tenantId: root.id,
  scope: root.code,
  roles: [],
  system: "webhook_dispatch",
});

/**
 * Sends the deliveries that are due, deployment by deployment (as the named system actor at
 * each deployment's root). A delivery is leased first (its next attempt moved 5 minutes on, in
 * a transaction of its own, skipping rows another instance holds), then sent with a 10 s
 * timeout, then recorded: a 2xx answer delivers it; anything else waits 30 s × 2^(attempts−1)
 * for the next attempt, and after {@link MAX_ATTEMPTS} it fails until replayed. Each send
 * resolves the target again and connects only to an address `network` allows (see
 * webhook-targets.ts): a target that has come to point inside the network fails like a refusal.
 */
export async function dispatchWebhooks(
  sql: Sql,
  cipher: FieldCipher,
  now: Date,
  network: WebhookNetwork = PUBLIC_ONLY,
): Promise<DispatchResult> {
  const result: DispatchResult = { sent: 0, failed: 0, nextDueAt: null };
  const roots = await sql<{ id: string; code: string }[]>`select id, code from auth.deployment_roots()`;
  for (const root of roots) {
    // Which counties have deliveries due (a read over the deployment's counties; on Citus every
    // shard of the deployment answers it, unlocked), then the lease county by county: each
    // statement names its county, so that on Citus it is routed to that county's shard, where a
    // lock (FOR UPDATE SKIP LOCKED) is allowed. A delivery is in its webhook's county, the
    // county of the case (a case an open channel brought in is registered at the key's unit).
    const counties = await withScope(sql, dispatcher(root), (tx) =>
      tx.db
        .selectDistinct({ county_code: webhookDeliveries.countyCode })
        .from(webhookDeliveries)
        .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, now))),
    );
    const leased: {
      id: string;
      county_code: string;
      scope_code: string;
      url: string;
      secret_enc: Buffer;
      payload: unknown;
      attempts: number;
    }[] = [];
    for (const { county_code: county } of counties) {
      if (leased.length >= 50) break;
      const rows = await withScope(
        sql,
        dispatcher(root),
        (tx) =>
          tx.sql<(typeof leased)[number][]>`
          with due as (
            select d.id from app.webhook_deliveries d
            where d.county_code = ${county} and d.status = 'pending' and d.next_attempt_at <= ${now}
            order by d.next_attempt_at limit ${50 - leased.length} for update skip locked)
          update app.webhook_deliveries d set next_attempt_at = ${now}::timestamptz + interval '5 minutes'
          from due, app.webhooks w where d.county_code = ${county} and d.id = due.id and w.id = d.webhook_id
          returning d.id, d.county_code, w.scope_code, w.url, w.secret_enc, d.payload, d.attempts`,
      );
      leased.push(...rows);
    }
    for (const d of leased) {
      const body = JSON.stringify({ id: d.id, ...(d.payload as object) });
      let status: number | null = null;
      let error: string | null = null;
      try {
        const secret = cipher.decrypt(d.secret_enc, secretContext(d.scope_code));
        const res = await postToWebhook(
          d.url,
          {
            headers: {
              "content-type": "application/json",
              "user-agent": "zongzhi-webhooks/1",
              "x-zz-delivery": d.id,
              "x-zz-event": "request.status_changed",
              [SIGNATURE_HEADER]: signWebhook(secret, body, now),
            },
            body,
            timeoutMs: 10_000,
          },
          network,
        );
        status = res.status;
        if (status < 200 || status > 299) error = `HTTP ${status}`;
      } catch (e) {
        error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
      }
      const attempts = d.attempts + 1;
      const delivered = error === null;
      const gaveUp = !delivered && attempts >= MAX_ATTEMPTS;
      const next = new Date(now.getTime() + FIRST_RETRY_MS * 2 ** (attempts - 1));
      await withScope(sql, dispatcher(root), (tx) =>
        tx.db
          .update(webhookDeliveries)
          .set({
            attempts,
            lastStatus: status,
            lastError: error,
            status: delivered ? "delivered" : gaveUp ? "failed" : "pending",
            deliveredAt: delivered ? now : null,
            nextAttemptAt: delivered || gaveUp ? now : next,
            version: expr`${webhookDeliveries.version} + 1`,
          })
          .where(and(eq(webhookDeliveries.id, d.id), eq(webhookDeliveries.countyCode, d.county_code))),
      );
      if (delivered) result.sent += 1;
      else result.failed += 1;
    }
    const [due] = await withScope(sql, dispatcher(root), (tx) =>
      tx.db
        .select({ at: min(webhookDeliveries.nextAttemptAt) })
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.status, "pending")),
    );
    if (due?.at && (!result.nextDueAt || due.at < result.nextDueAt)) result.nextDueAt = due.at;
  }
  return result;
}
