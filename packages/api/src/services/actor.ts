import { type Actor, assertAuthorized, authorizeOn, type Permission, type SystemActor } from "@zongzhi/auth";
import type { Tx } from "@zongzhi/db/client";

/** Who acts in this transaction: the user (roles at its unit) or a named system actor. */
export function actorOf(tx: Tx): Actor {
  const { system, scope, roles, keyPermissions } = tx.ctx;
  if (system) return { system: system as SystemActor, scope };
  return keyPermissions ? { roles: [], scope, key: keyPermissions as Permission[] } : { roles, scope };
}

/**
 * Throws FORBIDDEN unless the acting user (or system actor) may exercise `permission` on a
 * subject of unit `subjectCode` (a case's owner, a row's unit), by the one table.
 */
export function authorizeFor(tx: Tx, permission: Permission, subjectCode: string): void {
  assertAuthorized(actorOf(tx), permission, subjectCode);
}

/** Whether the actor may, without throwing (to offer or quietly withhold something). */
export function mayFor(tx: Tx, permission: Permission, subjectCode: string): boolean {
  return authorizeOn(actorOf(tx), permission, subjectCode);
}

/**
 * The same transaction acting as a named system actor: what a rule does on its own authority
 * (an unsatisfied follow-up reopens the case) is authorised as that actor, not by handing the
 * user a role it lacks. Events it writes carry no user (`actor_id` null) and name the actor.
 */
export function asSystem(tx: Tx, actor: SystemActor): Tx {
  return { ...tx, ctx: { ...tx.ctx, userId: null, roles: [], system: actor } };
}
