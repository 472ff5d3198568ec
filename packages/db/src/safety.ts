import type { Sql } from "./client.ts";

/** What is wrong with the runtime role, empty when it is safe. */
export async function runtimeRoleProblems(sql: Sql): Promise<string[]> {
  const [role] = await sql<{ name: string; super: boolean; bypass: boolean; owned: number; createrole: boolean }[]>`
    select r.rolname as name, r.rolsuper as super, r.rolbypassrls as bypass, r.rolcreaterole as createrole,
      (select count(*)::int from pg_class c where c.relowner = r.oid) as owned
    from pg_roles r where r.rolname = current_user`;
  const problems: string[] = [];
  if (!role) return ["current role not found"];
  if (role.super) problems.push(`${role.name} is a superuser`);
  if (role.bypass) problems.push(`${role.name} has BYPASSRLS`);
  if (role.createrole) problems.push(`${role.name} has CREATEROLE`);
  if (role.owned > 0) problems.push(`${role.name} owns ${role.owned} relations`);
  const unforced = await sql<{ name: string }[]>`
    select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p') and n.nspname in ('app', 'auth', 'ref')
      and not (c.relrowsecurity and c.relforcerowsecurity)`;
  for (const t of unforced) problems.push(`table ${t.name} lacks forced row-level security`);
  return problems;
}

/**
 * Refuses to run when the app's database role could bypass row-level security. Why: every
 * isolation guarantee rests on RLS applying to this role; a superuser, a BYPASSRLS role or a
 * table owner (without FORCE) would silently see every tenant.
 */
export async function assertRuntimeRoleSafe(sql: Sql): Promise<void> {
  const problems = await runtimeRoleProblems(sql);
  if (problems.length > 0) {
    throw new Error(`refusing to start: the runtime database role is unsafe: ${problems.join("; ")}`);
  }
}

/**
 * Refuses a replica pool that does not connect as the primary pool's runtime role (an owner or
 * administrator URL on the replica would read every tenant past RLS), or whose role is unsafe.
 */
export async function assertReplicaRoleSafe(primary: Sql, replica: Sql): Promise<void> {
  const [[p], [r]] = await Promise.all([
    primary<{ name: string }[]>`select current_user as name`,
    replica<{ name: string }[]>`select current_user as name`,
  ]);
  const problems = await runtimeRoleProblems(replica);
  if (p?.name !== r?.name) problems.unshift(`the replica connects as ${r?.name}, the primary as ${p?.name}`);
  if (problems.length > 0) {
    throw new Error(`refusing to start: REPLICA_DATABASE_URL is unsafe: ${problems.join("; ")}`);
  }
}
