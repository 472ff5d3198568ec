import type { Tx } from "@zongzhi/db/client";
import { countyOf } from "@zongzhi/domain/division";
import type { z } from "zod";
import type { auditLine, logLine, logPage } from "../schemas/logs.ts";

/** Appends one line to the security audit, in the caller's own scope. */
export async function recordAudit(
  tx: Tx,
  event: { kind: string; subjectId?: string | null; detail?: Record<string, unknown>; ip?: string },
): Promise<void> {
  // Raw SQL: the runtime role may INSERT only the listed columns (not the identity id).
  await tx.sql`insert into app.audit_events (county_code, scope_code, tenant_id, actor_id, kind, subject_id, ip,
      request_id, detail)
    values (${countyOf(tx.ctx.scope)}, ${tx.ctx.scope}, ${tx.ctx.tenantId}, ${tx.ctx.userId}, ${event.kind}, ${event.subjectId ?? null},
      ${event.ip ?? tx.ctx.ip ?? null}, ${tx.ctx.requestId ?? null}, ${tx.sql.json((event.detail ?? {}) as never)})`;
}

/** One audit line as auditors read it. */
export type AuditLine = z.output<typeof auditLine>;

/** Reads the audit within the caller's scope (through a definer function: zz_app cannot SELECT it). */
export async function listAudit(tx: Tx, input: { limit: number; before?: number | undefined }): Promise<AuditLine[]> {
  const rows = await tx.sql<
    {
      id: string;
      at: Date;
      scope_code: string;
      actor_id: string | null;
      actor_username: string | null;
      actor_name: string | null;
      kind: string;
      subject_id: string | null;
      ip: string | null;
      detail: unknown;
    }[]
  >`select id, at, scope_code, actor_id, actor_username, actor_name, kind, subject_id, ip, detail
    from auth.audit_list(${input.limit}, ${input.before ?? null})`;
  return rows.map((r) => ({
    id: Number(r.id),
    at: r.at,
    scopeCode: r.scope_code,
    actorId: r.actor_id,
    actorUsername: r.actor_username,
    actorName: r.actor_name,
    kind: r.kind,
    subjectId: r.subject_id,
    ip: r.ip,
    detail: r.detail,
  }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CODE = /^\d{2,12}$/;
const OBJECT_KEYS = ["id", "caseId", "agreementId", "stationingId", "userId", "roomId", "windowId"] as const;

/** The object of an operation: the first id the input (or, on success, the output) names, or a unit code. */
export function operationObject(input: unknown, output: unknown): { id: string | null; code: string | null } {
  const pick = (v: unknown) => {
    if (!v || typeof v !== "object") return null;
    for (const key of OBJECT_KEYS) {
      const value = (v as Record<string, unknown>)[key];
      if (typeof value === "string" && UUID.test(value)) return value;
    }
    return null;
  };
  const code = (() => {
    if (!input || typeof input !== "object") return null;
    for (const key of ["toCode", "code", "parentCode"]) {
      const value = (input as Record<string, unknown>)[key];
      if (typeof value === "string" && CODE.test(value)) return value;
    }
    return null;
  })();
  return { id: pick(input) ?? pick(output), code };
}

/**
 * The names of the objects a request's own transaction already loaded, by the request's tenant
 * context (the same object in each of its transactions): the operation log takes the name from
 * here instead of looking it up again in a round trip of its own.
 */
const knownNames = new WeakMap<Tx["ctx"], Map<string, string>>();

/**
 * Tells the operation log the name of the object `id` as the caller saw it (a case's number and
 * title, read under RLS in the mutation's own transaction), so that it needs no lookup.
 */
export function nameOperationObject(tx: Pick<Tx, "ctx">, id: string, name: string): void {
  let names = knownNames.get(tx.ctx);
  if (!names) {
    names = new Map();
    knownNames.set(tx.ctx, names);
  }
  names.set(id, name);
}

/**
 * Appends one line to the operation log: the procedure, its result (`ok` or the refusal's
 * code), the object named as the caller sees it (a case's number and title, a user's name, a
 * unit …; RLS decides what it may name), the workflow action if any, IP and request id.
 */
export async function recordOperation(
  tx: Tx,
  op: { kind: string; result: string; input: unknown; output: unknown; ip: string },
  options: { last?: boolean } = {},
): Promise<void> {
  const { id, code } = operationObject(op.input, op.output);
  // The name as the mutation saw it (nameOperationObject); else looked up first, as the caller
  // sees it (RLS), and written as a value: Citus writes an INSERT … SELECT into a distributed
  // table through COPY, which RLS refuses, and refuses a subquery inside INSERT … VALUES.
  const known = id ? knownNames.get(tx.ctx)?.get(id) : undefined;
  const lookup = known
    ? null
    : id
      ? tx.sql`coalesce(
        (select c.code || ' ' || c.title from app.cases c where c.id = ${id}),
        (select c.code || ' ' || c.title from app.case_summons s join app.cases c on c.id = s.case_id where s.id = ${id}),
        (select c.code || ' ' || c.title from app.agreements a join app.cases c on c.id = a.case_id where a.id = ${id}),
        (select c.code || ' ' || c.title from app.mediation_sessions m join app.cases c on c.id = m.case_id where m.id = ${id}),
        (select u.display_name || '（' || u.username || '）' from app.users u where u.id = ${id}),
        (select t.name from app.tenants t where t.id = ${id}),
        (select m.name from app.mediators m where m.id = ${id}),
        (select r.name from app.mediation_rooms r where r.id = ${id}),
        (select w.number || '号窗口 ' || w.name from app.service_windows w where w.id = ${id}),
        (select st.name from app.stationings st where st.id = ${id}),
        (select n.title from app.notices n where n.id = ${id}),
        (select k.name from app.case_categories k where k.id = ${id}))`
      : code
        ? tx.sql`(select name from ref.divisions where code = ${code})`
        : null;
  const [named] = lookup
    ? await tx.sql<{ name: string | null }[]>`select ${lookup} as name`
    : [{ name: known ?? null }];
  const input = op.input && typeof op.input === "object" ? (op.input as Record<string, unknown>) : {};
  const detail: Record<string, unknown> = { result: op.result };
  if (typeof input.action === "string") detail.action = input.action;
  if (named?.name) detail.object = named.name;
  // Raw SQL: the runtime role may INSERT only the listed columns (not the identity id).
  const insert = tx.sql`insert into app.audit_events (county_code, scope_code, tenant_id, actor_id, kind, subject_id,
      ip, request_id, detail)
    values (${countyOf(tx.ctx.scope)}, ${tx.ctx.scope}, ${tx.ctx.tenantId}, ${tx.ctx.userId}, ${op.kind},
      ${id ?? code}, ${op.ip}, ${tx.ctx.requestId ?? null}, ${tx.sql.json(detail as never)})`;
  await (options.last ? tx.commitAfter(insert) : insert);
}

/** One line of the operation or sign-in log. */
export type LogLine = z.output<typeof logLine>;

/** Filters of the two logs. */
export interface LogFilter {
  log: "operations" | "sign_in";
  actor?: string | undefined;
  unitCode?: string | undefined;
  kind?: string | undefined;
  object?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  before?: number | undefined;
  limit: number;
}

/** The most rows auth.audit_search returns at once. */
const SEARCH_CAP = 500;

/** Reads one of the logs of the caller's subtree, filtered, newest first (through a definer function). */
export async function searchLog(tx: Tx, f: LogFilter): Promise<z.output<typeof logPage>> {
  // The function returns at most 500 rows, and one more than a page tells that another follows:
  // a page of 500 would never say so.
  const limit = Math.min(f.limit, SEARCH_CAP - 1);
  const rows = await tx.sql<
    {
      id: string;
      at: Date;
      scope_code: string;
      unit_name: string | null;
      actor_id: string | null;
      actor_username: string | null;
      actor_name: string | null;
      kind: string;
      subject_id: string | null;
      ip: string | null;
      request_id: string | null;
      detail: unknown;
    }[]
  >`select * from auth.audit_search(${f.log}, ${f.actor ?? null}, ${f.unitCode ?? null}, ${f.kind ?? null},
      ${f.object ?? null}, ${f.from ?? null}, ${f.to ?? null}, ${limit + 1}, ${f.before ?? null})`;
  const items = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    at: r.at,
    scopeCode: r.scope_code,
    unitName: r.unit_name,
    actorId: r.actor_id,
    actorUsername: r.actor_username,
    actorName: r.actor_name,
    kind: r.kind,
    subjectId: r.subject_id,
    ip: r.ip,
    requestId: r.request_id,
    detail: r.detail,
  }));
  return { items, next: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}
