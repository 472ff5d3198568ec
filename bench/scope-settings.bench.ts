import { pathToFileURL } from "node:url";
import { registerCase } from "@zongzhi/api/services/cases";
import { createSm4Cipher, type FieldCipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import { createPool, type ScopeContext, type Sql, type Tx, withScope } from "@zongzhi/db/client";
import { createTemplate, startTestCluster, TEST_APP_PASSWORD, withDatabase } from "@zongzhi/testing/cluster";
import { createTenants } from "@zongzhi/testing/fixtures";
import { intakeInput } from "./lib/intake.ts";
import type { BenchUnit } from "./lib/units.ts";

/**
 * How the tenant context is opened: today's `withScope` (BEGIN and five `SET LOCAL app.… = '…'`
 * in one simple-protocol message, the form Citus passes on to its workers) against the form it
 * replaced (BEGIN, then one `select set_config(…, true)` with five bound parameters, pipelined
 * behind it). Both are one round trip; the figure says what each costs in an intake
 * (`registerCase`, two statements) and in an empty transaction, alternating in blocks so that
 * drift of the machine affects both alike. Prints medians and 95th percentiles; never fails.
 */

const ROUNDS = 8;
const PER_ROUND = 200;

/** The replaced opening: BEGIN + `set_config(…, true)` with bound parameters, then the body. */
async function withSetConfig<T>(sql: Sql, ctx: ScopeContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const conn = await sql.reserve();
  let open = true;
  try {
    const ready = Promise.all([
      conn.unsafe("begin"),
      conn`select set_config('app.scope', ${ctx.scope}, true), set_config('app.tenant_id', ${ctx.tenantId ?? ""}, true),
        set_config('app.user_id', ${ctx.userId ?? ""}, true), set_config('app.roles', ${ctx.roles.join(",")}, true),
        set_config('app.request_id', ${ctx.requestId ?? ""}, true)`,
    ]);
    const tx = {
      get db(): never {
        throw new Error("not in this benchmark");
      },
      sql: conn,
      ctx,
      async commitAfter<R>(query: PromiseLike<R>): Promise<R> {
        open = false;
        const [rows] = await Promise.all([query, conn.unsafe("commit")]);
        return rows;
      },
    } as Tx;
    const [, body] = await Promise.all([ready, fn(tx)]);
    if (open) await conn.unsafe("commit");
    open = false;
    return body;
  } finally {
    if (open) await conn.unsafe("rollback").catch(() => {});
    conn.release();
  }
}

type Opening = typeof withScope;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)] ?? 0;

async function timed(n: number, once: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await once();
    out.push(performance.now() - t);
  }
  return out;
}

/** Per opening: the times of empty transactions and of intakes, in alternating blocks. */
async function measure(app: Sql, unit: BenchUnit, cipher: FieldCipher, rounds = ROUNDS) {
  const openings: [string, Opening][] = [
    ["SET LOCAL (withScope)", withScope],
    ["set_config (before)", withSetConfig],
  ];
  const times = new Map(openings.map(([name]) => [name, { empty: [] as number[], intake: [] as number[] }]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, open] of round % 2 === 0 ? openings : [...openings].reverse()) {
      const t = times.get(name)!;
      t.empty.push(...(await timed(PER_ROUND, () => open(app, unit.ctx, (tx) => tx.sql`select 1`))));
      t.intake.push(
        ...(await timed(PER_ROUND / 4, () =>
          open(app, unit.ctx, (tx) => registerCase(tx, intakeInput(unit) as never, cipher)),
        )),
      );
    }
  }
  return times;
}

export async function run(): Promise<void> {
  const cluster = await startTestCluster();
  try {
    await createTemplate(cluster.adminUrl, "zz_bench_scope");
    const adminUrl = withDatabase(cluster.adminUrl, "zz_bench_scope");
    const admin = createPool(adminUrl, { max: 1 });
    const tenants = await createTenants(admin, ["62", "6209", "620981", "620981101", "620981101001"]);
    await admin.end();
    const village = tenants.get("620981101001")!;
    const unit = {
      code: village.code,
      ctx: { userId: null, tenantId: village.id, scope: village.code, roles: ["tenant_admin"], requestId: "bench" },
    } as unknown as BenchUnit;
    const app = createPool(withDatabase(adminUrl, "zz_bench_scope", { user: "zz_app", password: TEST_APP_PASSWORD }), {
      max: 1,
    });
    const cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));
    // A warm-up of both (connection, prepared statements, caches).
    await measure(app, unit, cipher, 2);
    const times = await measure(app, unit, cipher);
    await app.end();
    for (const [name, t] of times) {
      const f = (xs: number[]) => `median ${quantile(xs, 0.5).toFixed(3)} ms, p95 ${quantile(xs, 0.95).toFixed(3)} ms`;
      console.log(
        `${name}: empty transaction ${f(t.empty)} (n=${t.empty.length}); intake ${f(t.intake)} (n=${t.intake.length})`,
      );
    }
  } finally {
    await cluster.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await run();
