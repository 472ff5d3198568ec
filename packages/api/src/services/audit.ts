import type { Tx } from "@zongzhi/db/client";

/** Appends one line to the security audit, in the caller's own scope. */
export async function recordAudit(
  tx: Tx,
  event: { kind: string; subjectId?: string | null; detail?: Record<string, unknown>; ip?: string },
): Promise<void> {
  // Raw SQL: the runtime role may INSERT only the listed columns (not the identity id).
  await tx.sql`insert into app.audit_events (scope_code, tenant_id, actor_id, kind, subject_id, ip, request_id, detail)
    values (${tx.ctx.scope}, ${tx.ctx.tenantId}, ${tx.ctx.userId}, ${event.kind}, ${event.subjectId ?? null},
      ${event.ip ?? null}, ${tx.ctx.requestId ?? null}, ${tx.sql.json((event.detail ?? {}) as never)})`;
}

/** One audit line as auditors read it. */
export interface AuditLine {
  id: number;
  at: Date;
  scopeCode: string;
  actorId: string | null;
  actorUsername: string | null;
  actorName: string | null;
  kind: string;
  subjectId: string | null;
  ip: string | null;
  detail: unknown;
}

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
