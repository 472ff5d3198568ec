import { randomUUID } from "node:crypto";
import { withoutScope, withScope } from "@zongzhi/db/client";
import { CODE_LENGTH, LEVELS, levelOfCode, parentCodeOf } from "@zongzhi/domain";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../index.ts";

// The visibility rule as a property: over random trees of real-shaped division codes and
// random pairs of tenants (A, B), B's rows are visible to A if and only if B's code starts
// with A's code. Replay a failure with FC_SEED=<seed>.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

/** A few values per segment, chosen so that string prefixes collide without the codes nesting. */
const SEGMENTS = [
  ["62", "63", "11"],
  ["01", "09", "10"],
  ["81", "82", "01"],
  ["101", "102", "010"],
  ["001", "002", "100"],
];

/** One code at a random depth under one of a few provinces. */
const codeArb = fc
  .tuple(...SEGMENTS.map((values) => fc.constantFrom(...values)), fc.integer({ min: 1, max: 5 }))
  .map((parts) => parts.slice(0, parts[5] as number).join(""));

/**
 * A forest: random codes closed under their ancestors down from a deployment root whose
 * level is drawn per province (a deployment may start at a province, a city or a county).
 */
const treeArb = fc
  .record({
    codes: fc.uniqueArray(codeArb, { minLength: 1, maxLength: 14 }),
    rootDepth: fc.record({
      "62": fc.integer({ min: 0, max: 2 }),
      "63": fc.integer({ min: 0, max: 2 }),
      "11": fc.constant(0),
    }),
  })
  .map(({ codes, rootDepth }) => {
    const all = new Set<string>();
    for (const code of codes) {
      const rootLength = CODE_LENGTH[LEVELS[rootDepth[code.slice(0, 2) as "62"]]!];
      if (code.length < rootLength) continue;
      for (let c: string | null = code; c && c.length >= rootLength; c = parentCodeOf(c)) all.add(c);
    }
    return [...all].sort((a, b) => a.length - b.length || (a < b ? -1 : 1));
  })
  .filter((tree) => tree.length >= 2);

/** Replaces every tenant and user with the given tree and one user per tenant (as the superuser). */
async function plant(db: TestDatabase, tree: string[]): Promise<Map<string, string>> {
  const ids = new Map(tree.map((code) => [code, randomUUID()]));
  const rows = tree.map((code) => {
    let root = code;
    for (let p = parentCodeOf(code); p && ids.has(p); p = parentCodeOf(p)) root = p;
    const parent = parentCodeOf(code);
    return {
      id: ids.get(code),
      code,
      level: levelOfCode(code),
      parent_id: parent && ids.has(parent) ? ids.get(parent) : null,
      root_code: root,
      name: `单位${code}`,
    };
  });
  await db.admin.begin(async (tx) => {
    await tx`delete from app.users`;
    await tx`delete from app.tenants`;
    // Parents first, in one statement: the BEFORE trigger sees the rows inserted before it.
    await tx`insert into app.tenants (id, code, level, parent_id, root_code, name)
      select id, code, level, parent_id, root_code, name
      from jsonb_to_recordset(${tx.json(rows)}) as x(id uuid, code text, level app.tenant_level, parent_id uuid,
        root_code text, name text)
      order by length(code), code`;
    await tx`insert into app.users (tenant_id, username, display_name, roles)
      select id, 'p' || code, '成员' || code, '{mediator}' from app.tenants`;
  });
  return ids;
}

/** The property, against a given database; counts the (A, B) pairs it checked. */
function visibility(target: TestDatabase, counter: { pairs: number }) {
  return fc.asyncProperty(
    treeArb,
    fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 }),
    async (tree, pairs) => {
      const ids = await plant(target, tree);
      for (const [i, j] of pairs) {
        const a = tree[i % tree.length]!;
        const b = tree[j % tree.length]!;
        const ctx = { userId: null, tenantId: ids.get(a)!, scope: a, roles: ["tenant_admin"] };
        const seen = await withScope(target.app, ctx, async (tx) => {
          const [row] = await tx.sql<{ tenants: string[]; users: string[]; b_tenant: number; b_users: number }[]>`
            select
              coalesce((select array_agg(code order by code) from app.tenants), '{}') as tenants,
              coalesce((select array_agg(scope_code order by scope_code) from app.users), '{}') as users,
              (select count(*)::int from app.tenants where id = ${ids.get(b)!}) as b_tenant,
              (select count(*)::int from app.users where tenant_id = ${ids.get(b)!}) as b_users`;
          return row!;
        });
        counter.pairs += 1;
        const visible = b.startsWith(a);
        expect(seen.b_tenant, `${b}'s tenant row as seen by ${a}`).toBe(visible ? 1 : 0);
        expect(seen.b_users, `${b}'s users as seen by ${a}`).toBe(visible ? 1 : 0);
        // And the whole picture: A sees exactly its subtree, in both tables.
        const subtree = tree.filter((c) => c.startsWith(a)).sort();
        expect(seen.tenants).toEqual(subtree);
        expect(seen.users).toEqual(subtree);
      }
      const anonymous = await withoutScope(target.app, (tx) => tx.sql`select 1 from app.users`);
      expect(anonymous).toHaveLength(0);
    },
  );
}

const seed = Number(process.env.FC_SEED ?? Date.now() % 2_147_483_647);

describe("visibility over random trees", () => {
  it("B's rows are visible to A if and only if B's code starts with A's code", async () => {
    console.log(`isolation property: fast-check seed ${seed} (replay with FC_SEED=${seed})`);
    const counter = { pairs: 0 };
    await fc.assert(visibility(db, counter), { seed, numRuns: 120, verbose: true });
    console.log(`isolation property: ${counter.pairs} (A, B) pairs checked over 120 random trees`);
  });

  it("the property fails when the users policy loses its upper bound (it can catch a leak)", async () => {
    const scratch = await createTestDatabase();
    try {
      await scratch.admin.begin(async (tx) => {
        await tx`drop policy users_scope on app.users`;
        await tx`create policy users_scope on app.users for all to zz_app
          using (scope_code >= nullif(current_setting('app.scope', true), ''))
          with check (scope_code >= nullif(current_setting('app.scope', true), ''))`;
      });
      await expect(fc.assert(visibility(scratch, { pairs: 0 }), { seed, numRuns: 200 })).rejects.toThrow(/seed/);
    } finally {
      await scratch.close();
    }
  });
});
