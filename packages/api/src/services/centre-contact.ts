import type { Tx } from "@zongzhi/db/client";
import { centreContacts, refDivisions } from "@zongzhi/db/schema";
import { conflict } from "@zongzhi/domain";
import { countyOf } from "@zongzhi/domain/division";
import { and, desc, eq, sql } from "drizzle-orm";
import type { CentreContact } from "../schemas/centre-views.ts";
import { authorizeFor } from "./actor.ts";

/** A centre's public contact (对外联系信息), as the papers print it (schemas/centre-views.ts). */
export type { CentreContact };

/**
 * The contact a paper of `unitCode` prints: the unit's own, else the nearest centre's above it;
 * null when none is set on its path (or none the caller may read: RLS decides).
 */
export async function contactFor(tx: Tx, unitCode: string): Promise<CentreContact | null> {
  const [row] = await tx.db
    .select({
      scopeCode: centreContacts.scopeCode,
      unitName: refDivisions.name,
      phone: centreContacts.phone,
      address: centreContacts.address,
      openingHours: centreContacts.openingHours,
      version: centreContacts.version,
    })
    .from(centreContacts)
    .leftJoin(refDivisions, eq(refDivisions.code, centreContacts.scopeCode))
    .where(sql`starts_with(${unitCode}, ${centreContacts.scopeCode})`)
    .orderBy(desc(sql`length(${centreContacts.scopeCode})`))
    .limit(1);
  return row ? { ...row, own: row.scopeCode === unitCode } : null;
}

/**
 * Sets the caller's unit's own contact (its administrator, at home). The first save creates it;
 * later ones carry the version they read (CONFLICT when someone saved in between).
 */
export async function saveCentreContact(
  tx: Tx,
  input: {
    version?: number | undefined;
    phone: string;
    address?: string | null | undefined;
    openingHours?: string | null | undefined;
  },
): Promise<CentreContact> {
  const scope = tx.ctx.scope;
  authorizeFor(tx, "centre.configure", scope);
  const values = {
    phone: input.phone,
    address: input.address ?? null,
    openingHours: input.openingHours ?? null,
  };
  const saved =
    input.version === undefined
      ? // ON CONFLICT ON CONSTRAINT has no query-builder form: the one statement kept as SQL.
        await tx.sql<
          { id: string }[]
        >`insert into app.centre_contacts (county_code, phone, address, opening_hours, updated_by)
          values (${countyOf(scope)}, ${values.phone}, ${values.address}, ${values.openingHours}, ${tx.ctx.userId})
          on conflict on constraint centre_contacts_scope_code_key do nothing returning id`
      : await tx.db
          .update(centreContacts)
          .set({ ...values, updatedBy: tx.ctx.userId, updatedAt: sql`now()`, version: sql`version + 1` })
          .where(
            and(
              eq(centreContacts.countyCode, countyOf(scope)),
              eq(centreContacts.scopeCode, scope),
              eq(centreContacts.version, input.version),
            ),
          )
          .returning({ id: centreContacts.id });
  // Created meanwhile by another save, or saved since this version was read.
  if (saved.length === 0) throw conflict();
  return (await contactFor(tx, scope))!;
}
