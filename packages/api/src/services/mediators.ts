import type { Tx } from "@zongzhi/db/client";
import { mediators } from "@zongzhi/db/schema";
import { notFound } from "@zongzhi/domain";
import { sql } from "drizzle-orm";
import type { Mediator } from "../schemas/centre-views.ts";
import { recordAudit } from "./audit.ts";
import { updateVersionedRow } from "./centre-target.ts";

/** A mediator of a pool, with the unit that owns the pool (schemas/centre-views.ts). */
export type { Mediator };

/** Fields of a mediator. */
export interface MediatorInput {
  name: string;
  grade: Mediator["grade"];
  specialties: string[];
  qualifications: string[];
  affiliation: Mediator["affiliation"];
  affiliationName?: string | null | undefined;
  userId?: string | null | undefined;
  phone?: string | null | undefined;
}

const columns = (tx: Tx) => tx.sql`m.id, m.scope_code as "scopeCode",
  coalesce((select t.name from app.tenants t where t.code = m.scope_code),
    (select d.name from ref.divisions d where d.code = m.scope_code)) as "poolName",
  m.scope_code = ${tx.ctx.scope} as own, m.name, m.grade, m.specialties, m.qualifications, m.affiliation,
  m.affiliation_name as "affiliationName", m.user_id as "userId", m.phone, m.active, m.version`;

/**
 * Searches the pools a centre may draw on — its own, its ancestors' (a village uses the
 * township's and county's mediators) and, with `includeSubtree`, its descendants' — by
 * specialty and grade. Own pool first, then nearest ancestors; chief mediators first.
 */
export async function searchMediators(
  tx: Tx,
  input: {
    specialty?: string | undefined;
    grade?: Mediator["grade"] | undefined;
    q?: string | undefined;
    includeSubtree?: boolean | undefined;
    activeOnly?: boolean | undefined;
  },
): Promise<Mediator[]> {
  const scope = tx.ctx.scope;
  return tx.sql<Mediator[]>`select ${columns(tx)} from app.mediators m
    where ${input.includeSubtree ? tx.sql`true` : tx.sql`(m.scope_code = ${scope} or length(m.scope_code) < ${scope.length})`}
      ${input.specialty ? tx.sql`and ${input.specialty} = any(m.specialties)` : tx.sql``}
      ${input.grade ? tx.sql`and m.grade = ${input.grade}` : tx.sql``}
      ${input.q ? tx.sql`and strpos(m.name, ${input.q}) > 0` : tx.sql``}
      ${input.activeOnly !== false ? tx.sql`and m.active` : tx.sql``}
    order by m.scope_code = ${scope} desc, length(m.scope_code) desc,
      array_position(array['chief','senior','standard']::app.mediator_grade[], m.grade), m.name
    limit 200`;
}

/** One mediator the caller may see. */
export async function getMediator(tx: Tx, id: string): Promise<Mediator> {
  const [row] = await tx.sql<Mediator[]>`select ${columns(tx)} from app.mediators m where m.id = ${id}`;
  if (!row) throw notFound({ zh: "调解员", en: "mediator" });
  return row;
}

/** The columns a mediator's form sets, on create and on edit. */
function mediatorColumns(input: MediatorInput) {
  return {
    name: input.name,
    grade: input.grade,
    specialties: input.specialties,
    qualifications: input.qualifications,
    affiliation: input.affiliation,
    affiliationName: input.affiliationName ?? null,
    userId: input.userId ?? null,
    phone: input.phone ?? null,
  };
}

/** Adds a mediator to the caller's pool. */
export async function addMediator(tx: Tx, input: MediatorInput): Promise<Mediator> {
  const [row] = await tx.db.insert(mediators).values(mediatorColumns(input)).returning({ id: mediators.id });
  await recordAudit(tx, { kind: "centre.mediator_added", subjectId: row!.id });
  return getMediator(tx, row!.id);
}

/** Changes a mediator of the caller's own pool. */
export async function editMediator(
  tx: Tx,
  input: MediatorInput & { id: string; version: number; active: boolean },
): Promise<Mediator> {
  await updateVersionedRow(tx, mediators, input.id, input.version, {
    ...mediatorColumns(input),
    active: input.active,
    updatedAt: sql`now()`,
  });
  return getMediator(tx, input.id);
}
