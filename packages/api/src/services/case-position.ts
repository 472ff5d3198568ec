import type { Tx } from "@zongzhi/db/client";
import type { CaseKey } from "./case-events.ts";

/** Where a case's event happened as a point, and who said so (migration 0064). */
export interface CasePosition {
  lat: number;
  lng: number;
  source: "device" | "photo" | "channel";
}

/** Sets the point of a case just registered, in the same transaction (the phone, a photo's GPS, an integrator). */
export async function setCasePosition(tx: Tx, c: CaseKey, position: CasePosition): Promise<void> {
  await tx.sql`update app.cases set latitude = ${position.lat}, longitude = ${position.lng},
    position_source = ${position.source} where id = ${c.id} and county_code = ${c.county_code}`;
}
