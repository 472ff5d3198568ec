import { type ScopeContext, type Sql, type Tx, withScope } from "@zongzhi/db/client";
import { levelOfCode, parentCodeOf } from "@zongzhi/domain";

/** A tenant created for a test. */
export interface TestTenant {
  id: string;
  code: string;
}

/**
 * Creates tenants for the given division codes (any real or made-up codes of valid length),
 * parents before children; the first code of each branch without an onboarded parent
 * becomes a deployment root. Runs as the superuser: fixtures, not assertions.
 */
export async function createTenants(admin: Sql, codes: string[]): Promise<Map<string, TestTenant>> {
  const out = new Map<string, TestTenant>();
  const sorted = [...new Set(codes)].sort((a, b) => a.length - b.length || a.localeCompare(b));
  for (const code of sorted) {
    const level = levelOfCode(code);
    if (!level) throw new Error(`bad code ${code}`);
    let parent: TestTenant | undefined;
    for (let p = parentCodeOf(code); p && !parent; p = parentCodeOf(p)) parent = out.get(p);
    const [existingParent] = parent
      ? [parent]
      : await admin<TestTenant[]>`select id, code from app.tenants where code = ${parentCodeOf(code) ?? ""}`;
    const [rootRow] = existingParent
      ? await admin<{ root_code: string }[]>`select root_code from app.tenants where id = ${existingParent.id}`
      : [{ root_code: code }];
    const [row] = await admin<TestTenant[]>`insert into app.tenants (code, level, parent_id, root_code, name)
      values (${code}, ${level}, ${existingParent?.id ?? null}, ${rootRow!.root_code}, ${`单位${code}`})
      returning id, code`;
    out.set(code, row!);
  }
  return out;
}

/** Runs `fn` as a user of `tenant` holding `roles`, through the runtime role and RLS. */
export function asTenant<T>(
  app: Sql,
  tenant: TestTenant,
  fn: (tx: Tx) => Promise<T>,
  roles: string[] = ["tenant_admin"],
  userId: string | null = null,
): Promise<T> {
  const ctx: ScopeContext = { userId, tenantId: tenant.id, scope: tenant.code, roles };
  return withScope(app, ctx, fn);
}
