import { randomUUID } from "node:crypto";
import type { Tx } from "@zongzhi/db/client";
import { noticeAttachments, noticeReads, notices } from "@zongzhi/db/schema";
import { AppError, ancestorCodesOf, LEVELS, type Level, levelOfCode, notFound } from "@zongzhi/domain";
import { countyOf } from "@zongzhi/domain/division";
import { and, count, eq, gte, lt } from "drizzle-orm";
import type { z } from "zod";
import type { noticeFile, noticeList, noticeReceiptsView, noticeRef, noticeView } from "../schemas/notices.ts";
import { authorizeFor } from "./actor.ts";
import { type AttachmentStore, checkUpload, type StagedFile, safeFilename, verifiedBytes } from "./attachments.ts";

/** A file that goes with a notice (通知附件), as its readers see it. */
export type NoticeFile = z.output<typeof noticeFile>;

/** A notice as its readers and its sender see it. */
export type Notice = z.output<typeof noticeView>;

const NOTICE = { zh: "通知", en: "notice" };
/** Most files one notice carries. */
export const MAX_NOTICE_ATTACHMENTS = 10;

/**
 * Who may see a notice, as SQL over `n` (app.notices): its audience (a notice of the caller's unit
 * or of a unit above it, addressed to every tier or to the caller's) and the publishing unit.
 * Why: RLS lets a unit read every notice of its subtree (the sender's superiors count receipts),
 * but the body and the files are for the audience alone.
 */
function visibleTo(tx: Tx) {
  return tx.sql`(${addressedTo(tx)} or n.scope_code = ${tx.ctx.scope})`;
}

/** The notices addressed to the caller's unit, as SQL over `n`: its own and its ancestors', for its tier. */
function addressedTo(tx: Tx) {
  const scope = tx.ctx.scope;
  return tx.sql`(n.scope_code = any(${[scope, ...ancestorCodesOf(scope)]}::text[])
    and (cardinality(n.levels) = 0 or ${levelOfCode(scope)}::text = any(n.levels)))`;
}

/** The tiers a unit may address: its own and those below it. */
function addressable(unitCode: string): Level[] {
  const level = levelOfCode(unitCode);
  return level ? LEVELS.slice(LEVELS.indexOf(level)) : [];
}

/**
 * Publishes a notice to the caller's subtree (通知公告): every tier, or the tiers chosen (its own
 * and those below). Only the unit's administrator or leader, at home.
 */
export async function publishNotice(
  tx: Tx,
  input: { title: string; body: string; levels: Level[] },
): Promise<z.output<typeof noticeRef>> {
  authorizeFor(tx, "notice.publish", tx.ctx.scope);
  const allowed = addressable(tx.ctx.scope);
  const wrong = input.levels.filter((l) => !allowed.includes(l));
  if (wrong.length > 0) {
    throw new AppError("VALIDATION", {
      zh: "只能向本级及下级层级发布通知",
      en: "A notice goes to your own tier and those below only",
    });
  }
  const levels = [...new Set(input.levels)];
  const [row] = await tx.db
    .insert(notices)
    .values({ title: input.title, body: input.body, levels, createdBy: tx.ctx.userId })
    .returning({ id: notices.id });
  return { id: row!.id };
}

type Row = {
  id: string;
  scope_code: string;
  unit_name: string | null;
  title: string;
  body: string;
  levels: Level[];
  published_at: Date;
  author_name: string | null;
  read_at: Date | null;
  reads: number | null;
};
const toNotice = (r: Row): Notice => ({
  id: r.id,
  scopeCode: r.scope_code,
  unitName: r.unit_name,
  title: r.title,
  body: r.body,
  levels: r.levels,
  publishedAt: r.published_at,
  authorName: r.author_name,
  readAt: r.read_at,
  reads: r.reads === null ? null : Number(r.reads),
  attachments: [],
});

/**
 * The notices addressed to the caller's unit (its own and its ancestors', for its tier), newest
 * first, with the caller's acknowledgement; or, with `box: "sent"`, the unit's own with read counts.
 */
export async function listNotices(
  tx: Tx,
  input: { box: "received" | "sent"; unread?: boolean | undefined; limit: number },
): Promise<z.output<typeof noticeList>> {
  const scope = tx.ctx.scope;
  const addressed = addressedTo(tx);
  const rows =
    input.box === "sent"
      ? await tx.sql<Row[]>`select n.id, n.scope_code, d.name as unit_name, n.title, n.body, n.levels,
            n.published_at, u.display_name as author_name, null::timestamptz as read_at,
            (select count(*) from app.notice_reads r where r.notice_id = n.id) as reads
          from app.notices n left join ref.divisions d on d.code = n.scope_code
            left join app.users u on u.id = n.created_by
          where n.scope_code = ${scope} order by n.published_at desc limit ${input.limit}`
      : await tx.sql<Row[]>`select n.id, n.scope_code, d.name as unit_name, n.title, n.body, n.levels,
            n.published_at, null as author_name, r.read_at, null::bigint as reads
          from app.notices n left join ref.divisions d on d.code = n.scope_code
            left join app.notice_reads r on r.notice_id = n.id and r.user_id = ${tx.ctx.userId}
          where ${addressed} ${input.unread ? tx.sql`and r.read_at is null` : tx.sql``}
          order by n.published_at desc limit ${input.limit}`;
  const [count] = await tx.sql<{ n: number }[]>`select count(*)::int as n from app.notices n
    where ${addressed} and not exists (select 1 from app.notice_reads r where r.notice_id = n.id and r.user_id = ${tx.ctx.userId})`;
  const items = rows.map(toNotice);
  const files = await tx.sql<(NoticeFile & { noticeId: string })[]>`select a.notice_id as "noticeId", a.id,
      a.filename, a.mime, a.size_bytes as "sizeBytes"
    from app.notice_attachments a where a.notice_id = any(${items.map((n) => n.id)}::uuid[])
    order by a.uploaded_at, a.id`;
  const byNotice = new Map(items.map((n) => [n.id, n]));
  for (const { noticeId, ...file } of files) byNotice.get(noticeId)?.attachments.push(file);
  return { items, unread: count?.n ?? 0 };
}

/** Acknowledges a notice addressed to the caller's unit (once; a second time changes nothing). */
export async function acknowledgeNotice(tx: Tx, id: string): Promise<z.output<typeof noticeRef>> {
  authorizeFor(tx, "notice.acknowledge", tx.ctx.scope);
  const scope = tx.ctx.scope;
  const [n] = await tx.sql<{ id: string }[]>`select n.id from app.notices n where n.id = ${id} and ${addressedTo(tx)}`;
  if (!n) throw notFound(NOTICE);
  await tx.db
    .insert(noticeReads)
    .values({ noticeId: id, countyCode: countyOf(scope), userId: tx.ctx.userId!, scopeCode: scope })
    .onConflictDoNothing();
  return { id };
}

/** Who has read a notice of the caller's subtree, and who has not yet (the sender's view; at most 500 each). */
export async function noticeReceipts(tx: Tx, id: string): Promise<z.output<typeof noticeReceiptsView>> {
  const scope = tx.ctx.scope;
  const [n] = await tx.db
    .select({ scopeCode: notices.scopeCode, levels: notices.levels })
    .from(notices)
    .where(and(eq(notices.id, id), gte(notices.scopeCode, scope), lt(notices.scopeCode, `${scope}:`)));
  if (!n) throw notFound(NOTICE);
  const recipients = tx.sql`u.status = 'active' and u.scope_code >= ${n.scopeCode} and u.scope_code < ${`${n.scopeCode}:`}
    and (${n.levels.length === 0} or t.level::text = any(${n.levels}::text[]))`;
  const [total] = await tx.sql<{ n: number }[]>`select count(*)::int as n from app.users u
    join app.tenants t on t.id = u.tenant_id where ${recipients}`;
  const read = await tx.sql<
    { userId: string; displayName: string; username: string; unitName: string | null; readAt: Date }[]
  >`select u.id as "userId", u.display_name as "displayName", u.username, t.name as "unitName", r.read_at as "readAt"
    from app.notice_reads r join app.users u on u.id = r.user_id left join app.tenants t on t.id = u.tenant_id
    where r.notice_id = ${id} order by r.read_at limit 500`;
  const unread = await tx.sql<{ userId: string; displayName: string; username: string; unitName: string | null }[]>`
    select u.id as "userId", u.display_name as "displayName", u.username, t.name as "unitName"
    from app.users u join app.tenants t on t.id = u.tenant_id
    where ${recipients} and not exists (select 1 from app.notice_reads r where r.notice_id = ${id} and r.user_id = u.id)
    order by u.scope_code, u.username limit 500`;
  return { recipients: total?.n ?? 0, read, unread };
}

/**
 * Keeps an uploaded file (already streamed into the store) as an attachment of one of the caller's
 * unit's own notices, with the same checks as a case's materials (type by content, size, name).
 * Only the publishing unit's holders of `notice.publish` attach; at most
 * {@link MAX_NOTICE_ATTACHMENTS} files a notice. The bytes move under their key only when every
 * check passed; the caller discards them otherwise.
 */
export async function attachToNotice(
  tx: Tx,
  input: { noticeId: string; filename: string; file: StagedFile },
): Promise<NoticeFile> {
  const type = checkUpload(input.file);
  const [n] = await tx.db
    .select({ id: notices.id, scopeCode: notices.scopeCode })
    .from(notices)
    .where(and(eq(notices.id, input.noticeId), eq(notices.scopeCode, tx.ctx.scope)));
  if (!n) throw notFound(NOTICE);
  authorizeFor(tx, "notice.publish", n.scopeCode);
  // Two uploads at once to one notice must not both pass the count below (notices are never
  // updated, so the runtime role cannot lock the row itself).
  await tx.sql`select pg_advisory_xact_lock(hashtext(${`notice-files:${n.id}`}))`;
  const [files] = await tx.db
    .select({ n: count() })
    .from(noticeAttachments)
    .where(eq(noticeAttachments.noticeId, n.id));
  if ((files?.n ?? 0) >= MAX_NOTICE_ATTACHMENTS) {
    throw new AppError("VALIDATION", {
      zh: `每条通知最多${MAX_NOTICE_ATTACHMENTS}个附件`,
      en: `A notice carries at most ${MAX_NOTICE_ATTACHMENTS} files`,
    });
  }
  const filename = safeFilename(input.filename, type.ext);
  const key = `notices/${n.scopeCode}/${n.id}/${randomUUID()}.${type.ext}`;
  const [row] = await tx.db
    .insert(noticeAttachments)
    .values({
      noticeId: n.id,
      storageKey: key,
      filename,
      mime: type.mime,
      sizeBytes: input.file.sizeBytes,
      sha256: input.file.sha256,
      uploadedBy: tx.ctx.userId,
    })
    .returning({ id: noticeAttachments.id });
  // Last, so that a refused upload leaves nothing under a key.
  await input.file.commit(key);
  return { id: row!.id, filename, mime: type.mime, sizeBytes: input.file.sizeBytes };
}

/**
 * Reads a notice's file for a caller who may see the notice: its audience or its publishing unit
 * (a unit RLS lets see the row but the notice was not addressed to, and any other, get NOT_FOUND).
 */
export async function readNoticeAttachment(
  tx: Tx,
  store: AttachmentStore,
  id: string,
): Promise<{ filename: string; mime: string; bytes: Buffer }> {
  const [a] = await tx.sql<{ storage_key: string; filename: string; mime: string; sha256: string }[]>`
    select a.storage_key, a.filename, a.mime, a.sha256
    from app.notice_attachments a join app.notices n on n.id = a.notice_id
    where a.id = ${id} and ${visibleTo(tx)}`;
  if (!a) throw notFound({ zh: "附件", en: "attachment" });
  return { filename: a.filename, mime: a.mime, bytes: await verifiedBytes(store, a.storage_key, a.sha256) };
}
