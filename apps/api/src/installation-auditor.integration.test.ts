import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/**
 * Separation of duties (三权分立) at the installation: its own audit administrator, created by
 * `pnpm admin:create --role auditor`, reads the installation's audit, operation and sign-in logs
 * (the operators' actions and sign-ins, onboarding of deployments) and nothing of a deployment:
 * no log line, no unit, no case. It holds no operator power, and no account is both.
 */
const run = promisify(execFile);
let api: TestApi;
let env: NodeJS.ProcessEnv;
type Client = ReturnType<TestApi["client"]>;
let auditor: Client;
let operator: Client;
let yumenCase: string;
const PASSWORD = "Audit#Install2027";

const cli = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "apps/api/src/cli/create-operator.ts", ...args], {
    env,
    cwd: process.cwd(),
  })
    .then((r) => ({ code: 0, out: r.stdout + r.stderr }))
    .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }));

beforeAll(async () => {
  api = await startTestApi();
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: api.db.adminUrl,
    APP_DATABASE_URL: api.db.appUrl,
    WORKER_DATABASE_URL: api.db.workerUrl,
    MIGRATE: "off",
    PUBLIC_ORIGIN: api.origin,
  };
  const clerk = api.client(await api.login("yumen.clerk"));
  ({ id: yumenCase } = await clerk.cases.register.mutate(villageDispute("平台审计隔离")));
  operator = api.client(await api.login("operator"));
  await operator.platform.createDeployment.mutate({
    code: "140882",
    admin: { username: "hejin.admin", displayName: "河津市综治中心管理员" },
  });
});
afterAll(() => api.close());

describe("the installation's auditor", () => {
  it("is created on the command line, audited, and signs in through its setup link", async () => {
    expect((await cli("--role", "judge", "--username", "x.y", "--name", "x")).code).toBe(2);
    const made = await cli("--role", "auditor", "--username", "ops.audit", "--name", "平台审计员");
    expect(made.code, made.out).toBe(0);
    expect(made.out).toContain("Installation auditor ops.audit created");
    const token = /\/setup#(\S+)/.exec(made.out)![1]!;
    const setup = await api.request("/auth/setup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token, password: PASSWORD }),
    });
    expect(setup.status).toBe(200);
    const [row] = await api.db.admin<{ roles: string[]; tenant_id: string | null; scope_code: string }[]>`
      select roles, tenant_id, scope_code from app.users where username = 'ops.audit'`;
    expect(row).toEqual({ roles: ["auditor"], tenant_id: null, scope_code: "!" });
    auditor = api.client(await api.login("ops.audit", PASSWORD));
    const me = await auditor.auth.me.query();
    expect(me).toMatchObject({ roles: ["auditor"], tenant: null });
  });

  it("reads the installation's own logs: the operators' actions and sign-ins, onboarding", async () => {
    const audit = await auditor.audit.list.query({ limit: 200 });
    const kinds = audit.map((a) => a.kind);
    expect(kinds).toEqual(expect.arrayContaining(["platform.deployment_created", "platform.auditor_created"]));
    expect(new Set(audit.map((a) => a.scopeCode))).toEqual(new Set(["!"]));

    const signIns = await auditor.audit.search.query({ log: "sign_in", limit: 200 });
    expect(signIns.items.some((l) => l.kind === "auth.login" && l.actorUsername === "operator")).toBe(true);
    expect(signIns.items.some((l) => l.actorUsername === "yumen.clerk")).toBe(false);
    expect(new Set(signIns.items.map((l) => l.scopeCode))).toEqual(new Set(["!"]));

    const operations = await auditor.audit.search.query({ log: "operations", limit: 200 });
    expect(
      operations.items.some((l) => l.kind === "op.platform.create_deployment" && l.actorUsername === "operator"),
    ).toBe(true);
    expect(operations.items.some((l) => l.kind.startsWith("op.cases."))).toBe(false);
    expect(new Set(operations.items.map((l) => l.scopeCode))).toEqual(new Set(["!"]));
    // Asking for a deployment's unit gives nothing either.
    expect((await auditor.audit.search.query({ log: "operations", unitCode: "620981", limit: 50 })).items).toEqual([]);
  });

  it("reads no case, no unit and no deployment, and holds no operator power", async () => {
    expect((await refusal(auditor.cases.get.query({ id: yumenCase }))).appCode).toBe("NOT_FOUND");
    const [seen] = await api.db.admin<{ n: number }[]>`select count(*)::int as n from app.cases`;
    expect(seen!.n).toBeGreaterThan(0);
    expect((await refusal(auditor.platform.deployments.query())).appCode).toBe("FORBIDDEN");
    expect(
      (
        await refusal(
          auditor.platform.createDeployment.mutate({
            code: "140881",
            admin: { username: "x.admin", displayName: "某管理员" },
          }),
        )
      ).appCode,
    ).toBe("FORBIDDEN");
    expect(
      (await refusal(auditor.users.create.mutate({ username: "ops.two", displayName: "二号", roles: ["auditor"] })))
        .appCode,
    ).toBe("FORBIDDEN");
    // The operator, for its part, reads no installation log.
    expect((await refusal(operator.audit.list.query({ limit: 10 }))).appCode).toBe("FORBIDDEN");
  });

  it("the database allows an installation account to be an operator or an auditor, never both, nothing else", async () => {
    const refusedBy = async (roles: string[]) => {
      try {
        await api.db.admin`insert into app.users (tenant_id, username, display_name, roles)
          values (null, 'ops.shape', '形状', ${roles})`;
      } catch (error) {
        return (error as { constraint_name?: string }).constraint_name;
      }
      await api.db.admin`delete from app.users where username = 'ops.shape'`;
      return "accepted";
    };
    expect(await refusedBy(["auditor"])).toBe("accepted");
    expect(await refusedBy(["platform_admin"])).toBe("accepted");
    expect(await refusedBy(["platform_admin", "auditor"])).toBe("users_separation_of_duties");
    for (const roles of [["tenant_admin"], ["security_admin"], ["mediator"], ["auditor", "leader"]]) {
      expect(await refusedBy(roles), roles.join()).toBe("users_operator_shape");
    }
    // And a unit's account never holds the operator role.
    const [yumen] = await api.db.admin<{ id: string }[]>`select id from app.tenants where code = '620981'`;
    await expect(
      api.db.admin`insert into app.users (tenant_id, username, display_name, roles)
        values (${yumen!.id}, 'yumen.ops', '运维', '{platform_admin}')`,
    ).rejects.toMatchObject({ constraint_name: "users_operator_shape" });
  });
});
