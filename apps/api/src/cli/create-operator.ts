import { parseArgs } from "node:util";
import { mintToken } from "@zongzhi/auth";
import postgres from "postgres";
import { adminUrlOf, prepareDatabase } from "../database.ts";
import { readEnv } from "../env.ts";
import { createLogger } from "../logger.ts";
import { openDatabaseOrExit } from "../startup.ts";

/**
 * `pnpm admin:create --username ops --name "平台运维"`: creates a platform operator (the
 * first admin of a production installation, which loads no demo) and prints a one-time
 * setup link valid for 72 hours. Uses DATABASE_URL, or the embedded database under DATA_DIR.
 *
 * `pnpm admin:create --role auditor --username audit --name "平台审计员"`: the installation's
 * audit administrator instead (三权分立): reads the installation's own audit, operation and
 * sign-in logs (operators' actions, onboarding, operators' sign-ins), holds no operator power and
 * sees no deployment's data. Both are recorded in the installation's audit log.
 */
const ROLES = { operator: "platform_admin", auditor: "auditor" } as const;
const { values } = parseArgs({
  options: { username: { type: "string" }, name: { type: "string" }, role: { type: "string", default: "operator" } },
  allowPositionals: true,
});
const role = ROLES[values.role as keyof typeof ROLES] as (typeof ROLES)[keyof typeof ROLES] | undefined;
if (!values.username || !values.name || !role) {
  console.error('usage: pnpm admin:create [--role operator|auditor] --username <login> --name "<display name>"');
  process.exit(2);
}
const env = readEnv();
const logger = createLogger("warn");
const db = await openDatabaseOrExit(() => prepareDatabase(env, logger));
const sql = postgres(adminUrlOf(db), { max: 1, onnotice: () => {} });
try {
  const minted = mintToken();
  await sql.begin(async (tx) => {
    const [user] = await tx<{ id: string }[]>`insert into app.users (tenant_id, username, display_name, roles)
      values (null, ${values.username!.toLowerCase()}, ${values.name!}, ${[role]}) returning id`;
    await tx`insert into app.user_setup_tokens (id, secret_hash, user_id, expires_at)
      values (${minted.id}, ${Buffer.from(minted.secretHash)}, ${user!.id}, now() + interval '72 hours')`;
    await tx`insert into app.audit_events (county_code, scope_code, actor_id, kind, subject_id)
      values ('!', '!', null, ${role === "auditor" ? "platform.auditor_created" : "platform.operator_created"}, ${user!.id})`;
  });
  const origin = env.PUBLIC_ORIGIN ?? `http://${env.HOST}:${env.PORT}`;
  const what = role === "auditor" ? "Installation auditor" : "Operator";
  console.log(`${what} ${values.username} created. One-time setup link (72 h):\n  ${origin}/setup#${minted.token}`);
} catch (error) {
  const e = error as { code?: string };
  console.error(e.code === "23505" ? `login name ${values.username} is taken` : error);
  process.exitCode = 1;
} finally {
  await sql.end();
  await db.stop();
}
