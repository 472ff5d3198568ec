import type { TestTenant } from "./fixtures.ts";
import type { Actor } from "./isolation-probe.ts";
import type { SeededRow } from "./table-fixtures.ts";

/**
 * The tenant tree the isolation probes run on (a Yumen-like branch of Gansu). Siblings sit on
 * both sides of each victim, so that a policy missing its lower or its upper bound is caught.
 */
export const ISOLATION_TREE = [
  "62",
  "6209",
  "620981",
  "620982",
  "620981101",
  "620981102",
  "620981103",
  "620982101",
  "620981101001",
  "620981102001",
  "620981102002",
  "620981102003",
] as const;

/** Attackers that are not a tenant. */
export const NO_CONTEXT = "(none)";
export const EMPTIED_CONTEXT = "(emptied)";
export const OPERATOR = "!";

/** One attack: an attacker against a victim, with the words for a test title. */
export interface Attack {
  victim: string;
  attacker: string;
  /** "a township (lower code)" */
  who: string;
  /** "a sibling township's" */
  whose: string;
}

const township = "620981102";
const village = "620981102002";
const county = "620981";

/** Every attack the isolation suite runs against every tenant-scoped table. */
export const ATTACKS: readonly Attack[] = [
  { victim: township, attacker: "620981101", who: "a township (lower code)", whose: "a sibling township's" },
  { victim: township, attacker: "620981103", who: "a township (higher code)", whose: "a sibling township's" },
  { victim: township, attacker: "620981102001", who: "a village", whose: "its own township's" },
  { victim: township, attacker: "620982101", who: "a township of another county", whose: "a township's" },
  { victim: township, attacker: NO_CONTEXT, who: "a request with no tenant context", whose: "a township's" },
  { victim: township, attacker: EMPTIED_CONTEXT, who: "a request whose context was emptied", whose: "a township's" },
  { victim: township, attacker: OPERATOR, who: "an operator (pseudo-scope '!')", whose: "a township's" },
  { victim: village, attacker: "620981102001", who: "a village (lower code)", whose: "a sibling village's" },
  { victim: village, attacker: "620981102003", who: "a village (higher code)", whose: "a sibling village's" },
  { victim: village, attacker: "620981101001", who: "a village of another township", whose: "a village's" },
  { victim: village, attacker: "620981101", who: "a neighbouring township", whose: "a village's" },
  { victim: village, attacker: NO_CONTEXT, who: "a request with no tenant context", whose: "a village's" },
  { victim: county, attacker: "620982", who: "a county", whose: "a sibling county's" },
  { victim: county, attacker: "620981102", who: "a township", whose: "its own county's" },
  { victim: county, attacker: "620981102001", who: "a village", whose: "its own county's" },
  { victim: "6209", attacker: county, who: "a county", whose: "its own city's" },
];

/** The actor behind an attacker name, with its own row in the probed table when it is a tenant. */
export function actorFor(
  attacker: string,
  tenants: ReadonlyMap<string, TestTenant>,
  rows: ReadonlyMap<string, SeededRow>,
): Actor {
  if (attacker === NO_CONTEXT) return { label: "no context", scope: null, tenant: null };
  if (attacker === EMPTIED_CONTEXT) return { label: "emptied context", scope: "", tenant: null };
  if (attacker === OPERATOR) return { label: "operator", scope: OPERATOR, tenant: null };
  const tenant = tenants.get(attacker);
  if (!tenant) throw new Error(`attacker ${attacker} is not in the tree`);
  const own = rows.get(attacker);
  return own ? { label: attacker, scope: attacker, tenant, own } : { label: attacker, scope: attacker, tenant };
}
