import {
  type Actor,
  AppError,
  authorize,
  holds,
  PERMISSION_TABLE,
  type Permission,
  type Relation,
  relationOf,
} from "@zongzhi/domain";

/**
 * The permission table itself is pure and lives in `@zongzhi/domain/permissions` so that the
 * admin UI (which imports only pure packages) asks the very same table; the server uses it
 * from here. See that file for the relations and how handlers, liaisons and operators fit.
 */
export {
  type Actor,
  authorize,
  authorizeOn,
  holds,
  PERMISSION_TABLE,
  PERMISSIONS,
  type Permission,
  permissionsOf,
  RELATIONS,
  type Relation,
  readsOnlySummoned,
  relationOf,
  SYSTEM_PERMISSIONS,
  type SystemActor,
} from "@zongzhi/domain";

/** True when any of the roles holds the permission for some relation. */
export function can(roles: readonly string[], permission: Permission): boolean {
  return holds(roles, permission);
}

const WHY: Record<Exclude<Relation, "own">, { zh: string; en: string }> = {
  ancestor: { zh: "该事项由下级单位办理", en: "it belongs to a unit below yours" },
  descendant: { zh: "该事项已由上级单位办理", en: "a unit above yours handles it now" },
  sibling: { zh: "该事项属于其他单位", en: "it belongs to another unit" },
  other_deployment: { zh: "该事项不属于本部署", en: "it belongs to another deployment" },
};

/** The FORBIDDEN answer: says why when the caller's roles would allow it elsewhere. */
function refusal(permission: Permission, relation?: Relation, roleHoldsIt = false): AppError {
  const name = PERMISSION_TABLE[permission].name;
  const why = relation && relation !== "own" ? WHY[relation] : null;
  return new AppError(
    "FORBIDDEN",
    why && roleHoldsIt
      ? { zh: `${why.zh}，您不能"${name.zh}"`, en: `You may not do this (${name.en.toLowerCase()}): ${why.en}` }
      : { zh: `您没有执行此操作的权限（${name.zh}）`, en: `You are not allowed to do this (${name.en.toLowerCase()})` },
    { permission, ...(relation ? { relation } : {}) },
  );
}

/** Throws FORBIDDEN unless some role holds one of the permissions (the router's coarse gate). */
export function assertCan(roles: readonly string[], ...permissions: Permission[]): void {
  if (!permissions.some((p) => can(roles, p))) throw refusal(permissions[0]!);
}

/**
 * Throws FORBIDDEN unless the actor may exercise `permission` on a subject of unit
 * `subjectCode` (the case's owner, a row's unit…): the services' one check.
 */
export function assertAuthorized(actor: Actor, permission: Permission, subjectCode: string): void {
  const relation = relationOf(actor.scope, subjectCode);
  if (!authorize(actor, permission, relation)) {
    throw refusal(permission, relation, actor.system === undefined && holds(actor.roles, permission));
  }
}
