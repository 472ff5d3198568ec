import type { FieldCipher } from "@zongzhi/api";
import { hashPassword } from "@zongzhi/auth";
import type { Sql } from "@zongzhi/db/client";
import { levelOfCode, type Role } from "@zongzhi/domain";
import postgres from "postgres";
import { loadDemoCases } from "./demo-cases.ts";
import { loadDemoCentres } from "./demo-centre.ts";

/** Password of every demo account (printed at start; demo deployments only). */
export const DEMO_PASSWORD = "Zongzhi@2026";

/** A demo account as printed at start. */
export interface DemoLogin {
  username: string;
  roles: Role[];
  unit: string;
}

const YUMEN = "620981";
const YUMEN_TOWN = "620981101";

/** Login names of the demo accounts, in the order they are printed. */
export const DEMO_USERNAMES = [
  "operator",
  "gansu.admin",
  "gansu.security",
  "jiuquan.admin",
  "yumen.admin",
  "yumen.leader",
  "yumen.clerk",
  "yumen.mediator",
  "yumen.liaison",
  "yumen.auditor",
  "yumen.security",
  "yumenzhen.admin",
  "yumenzhen.mediator",
  "cun.mediator",
  "cun.grid",
  "yongji.admin",
  "yongji.security",
] as const;

/**
 * The demo accounts still present, as printed at start (after a restart as after the first
 * load): none when the database holds no demo deployment. Accounts of demo units only, plus
 * the demo's operator. Read through the runtime pool (`auth.demo_logins`, a definer function
 * that answers nothing outside demo deployments), so that no owner credential is needed.
 */
export async function presentDemoLogins(sql: Sql): Promise<DemoLogin[]> {
  const rows = await sql<{ username: string; roles: Role[]; code: string | null }[]>`
    select username, roles, code from auth.demo_logins(${[...DEMO_USERNAMES]}::text[])`;
  return rows.map((r) => ({ username: r.username, roles: r.roles, unit: unitLabel(r.code) }));
}

function unitLabel(code: string | null): string {
  return code ? `${code} (${levelOfCode(code)})` : "platform";
}

/**
 * Loads the clearly marked demo deployments when the database has no tenant yet: Gansu
 * province (root) → Jiuquan → Yumen with all its real townships and villages, plus a
 * separate county deployment (Yongji, Shanxi) to show that deployments never see each other.
 * With `centres` (default), also the Yumen and 玉门镇 centre configuration (issue #3).
 * Returns null when the database already has data.
 */
export async function loadDemo(
  adminUrl: string,
  options: { centres?: boolean; cipher?: FieldCipher } = {},
): Promise<DemoLogin[] | null> {
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [any] = await sql`select 1 from app.tenants limit 1`;
    if (any) return null;
    const hash = await hashPassword(DEMO_PASSWORD);
    const demoLogins = await sql.begin(async (tx) => {
      async function unit(code: string, root: string) {
        const [row] = await tx<
          { id: string }[]
        >`insert into app.tenants (code, level, parent_id, root_code, name, is_demo)
          select d.code, d.level, p.id, ${root}, d.name, true
          from ref.divisions d left join app.tenants p on p.code = d.parent_code where d.code = ${code} returning id`;
        return row!.id;
      }
      async function branch(code: string, root: string) {
        for (const level of ["township", "village"] as const) {
          await tx`insert into app.tenants (code, level, parent_id, root_code, name, is_demo)
            select d.code, d.level, p.id, ${root}, d.name, true
            from ref.divisions d join app.tenants p on p.code = d.parent_code
            where d.code > ${code} and d.code < ${code} || ':' and d.level = ${level} order by d.code`;
        }
      }
      await unit("62", "62");
      await unit("6209", "62");
      await unit(YUMEN, "62");
      await branch(YUMEN, "62");
      await unit("140881", "140881");
      await branch("140881", "140881");
      const [village] = await tx<{ code: string }[]>`select code from app.tenants
        where parent_id = (select id from app.tenants where code = ${YUMEN_TOWN}) order by code limit 1`;
      const logins: [(typeof DEMO_USERNAMES)[number], string | null, Role[], string][] = [
        ["operator", null, ["platform_admin"], "平台运维"],
        ["gansu.admin", "62", ["tenant_admin", "leader"], "甘肃省综治中心管理员"],
        // Each deployment root has a security administrator: the second-factor policy is theirs.
        ["gansu.security", "62", ["security_admin"], "甘肃省安全管理员"],
        ["jiuquan.admin", "6209", ["tenant_admin"], "酒泉市综治中心管理员"],
        ["yumen.admin", YUMEN, ["tenant_admin"], "玉门市综治中心管理员"],
        ["yumen.leader", YUMEN, ["leader"], "玉门市分管领导"],
        ["yumen.clerk", YUMEN, ["intake_clerk"], "玉门市受理窗口"],
        ["yumen.mediator", YUMEN, ["mediator"], "玉门市首席调解员"],
        ["yumen.liaison", YUMEN, ["department_liaison"], "人社局入驻联络员"],
        ["yumen.auditor", YUMEN, ["auditor"], "玉门市审计员"],
        ["yumen.security", YUMEN, ["security_admin"], "玉门市安全管理员"],
        ["yumenzhen.admin", YUMEN_TOWN, ["tenant_admin", "intake_clerk"], "玉门镇综治中心管理员"],
        ["yumenzhen.mediator", YUMEN_TOWN, ["mediator"], "玉门镇调解员"],
        ["cun.mediator", village!.code, ["mediator"], "村调解员"],
        ["cun.grid", village!.code, ["grid_worker"], "网格员"],
        ["yongji.admin", "140881", ["tenant_admin"], "永济市综治中心管理员"],
        ["yongji.security", "140881", ["security_admin"], "永济市安全管理员"],
      ];
      if (options.centres !== false) await loadDemoCentres(tx);
      const out: DemoLogin[] = [];
      for (const [username, code, roles, displayName] of logins) {
        // The unit's id looked up first: Citus takes no subquery inside an INSERT's values.
        const [unit] = code ? await tx<{ id: string }[]>`select id from app.tenants where code = ${code}` : [];
        await tx`insert into app.users (tenant_id, username, display_name, roles, password_hash,
            must_change_password, password_changed_at)
          values (${unit?.id ?? null}, ${username}, ${displayName}, ${roles}, ${hash}, false, now())`;
        out.push({ username, roles, unit: unitLabel(code) });
      }
      return out;
    });
    if (options.cipher && options.centres !== false) {
      const users = await sql<{ id: string; scope_code: string }[]>`select id, scope_code from app.users
        where username in ('yumen.clerk', 'yumenzhen.admin', 'cun.mediator')`;
      await loadDemoCases(sql, options.cipher, new Map(users.map((u) => [u.scope_code, u.id])));
    }
    return demoLogins;
  } finally {
    await sql.end();
  }
}
