import { type Tx, withScope } from "@zongzhi/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

/**
 * Separation of duties (三权分立, MLPS level 3): system, security and audit administration are
 * held by distinct accounts; role grants are the security administrator's; only auditors read
 * the logs. Each attack goes once through the API and once straight at the database as the
 * runtime role, which must refuse it whatever a future service forgets.
 */
let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let admin: Client;
let security: Client;
const YUMEN = "620981";

const idOf = async (username: string) =>
  (await api.db.admin<{ id: string }[]>`select id from app.users where username = ${username}`)[0]!.id;
const userRow = async (username: string) =>
  (
    await api.db.admin<{ id: string; version: number; roles: string[]; display_name: string }[]>`
    select id, version, roles, display_name from app.users where username = ${username}`
  )[0]!;

/** Runs `fn` as the runtime role in the county's scope with `roles` (what a forged service call could do). */
const asRuntime = <T>(roles: string[], fn: (tx: Tx) => Promise<T>, userId: string | null = null) =>
  withScope(api.db.app, { userId, tenantId: null, scope: YUMEN, roles }, fn);

/** The constraint (or trigger-raised rule) name of a refused statement. */
async function refusedBy(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (error) {
    return (error as { constraint_name?: string }).constraint_name;
  }
  throw new Error("expected the database to refuse");
}

beforeAll(async () => {
  api = await startTestApi();
  admin = api.client(await api.login("yumen.admin"));
  security = api.client(await api.login("yumen.security"));
});
afterAll(() => api.close());

describe("separation of duties in the database", () => {
  it("no account combines two administrative powers, whoever writes", async () => {
    const clerk = await idOf("yumen.clerk");
    // Even the owner (migrations, command-line tools) cannot write a combined account.
    for (const roles of [
      ["tenant_admin", "auditor"],
      ["tenant_admin", "security_admin"],
      ["security_admin", "auditor"],
      ["tenant_admin", "security_admin", "auditor", "mediator"],
    ]) {
      expect(await refusedBy(api.db.admin`update app.users set roles = ${roles} where id = ${clerk}`)).toBe(
        "users_separation_of_duties",
      );
      // A security administrator through the runtime role: the grant is allowed, the combination is not.
      expect(
        await refusedBy(
          asRuntime(["security_admin"], (tx) => tx.sql`update app.users set roles = ${roles} where id = ${clerk}`),
        ),
      ).toBe("users_separation_of_duties");
    }
    // One power with working roles is fine.
    await api.db.admin`update app.users set roles = '{tenant_admin,leader,intake_clerk}' where id = ${clerk}`;
    await api.db.admin`update app.users set roles = '{intake_clerk}' where id = ${clerk}`;
  });

  it("the runtime role changes roles only for a security administrator, never its own", async () => {
    const clerk = await idOf("yumen.clerk");
    // A centre administrator (or any other role) cannot grant, even a working role.
    for (const roles of [["tenant_admin"], ["leader"], ["auditor"]]) {
      expect(
        await refusedBy(
          asRuntime(roles, (tx) => tx.sql`update app.users set roles = '{intake_clerk,mediator}' where id = ${clerk}`),
        ),
      ).toBe("users_roles_granted_by_security");
    }
    // Nor create an account with an administrative role in a unit that has accounts.
    expect(
      await refusedBy(
        asRuntime(
          ["tenant_admin"],
          (tx) => tx.sql`insert into app.users (tenant_id, username, display_name, roles)
            values ((select id from app.tenants where code = ${YUMEN}), 'sod.forged', '伪造', '{auditor}')`,
        ),
      ),
    ).toBe("users_roles_granted_by_security");
    // A security administrator cannot change its own roles (e.g. take the audit power).
    const self = await idOf("yumen.security");
    expect(
      await refusedBy(
        asRuntime(
          ["security_admin"],
          (tx) => tx.sql`update app.users set roles = '{security_admin,leader}' where id = ${self}`,
          self,
        ),
      ),
    ).toBe("users_roles_not_own");
    // What a security administrator may do, it does.
    await asRuntime(
      ["security_admin"],
      (tx) => tx.sql`update app.users set roles = '{intake_clerk,mediator}' where id = ${clerk}`,
      self,
    );
    expect((await userRow("yumen.clerk")).roles).toEqual(["intake_clerk", "mediator"]);
    await api.db.admin`update app.users set roles = '{intake_clerk}' where id = ${clerk}`;
  });

  it("only auditors read the logs, also past the router", async () => {
    const count = (roles: string[]) =>
      asRuntime(roles, async (tx) => {
        const rows =
          await tx.sql`select * from auth.audit_search('sign_in', null, null, null, null, null, null, 50, null)`;
        const list = await tx.sql`select * from auth.audit_list(50, null)`;
        return rows.length + list.length;
      });
    expect(await count(["auditor"])).toBeGreaterThan(0);
    for (const roles of [["tenant_admin"], ["security_admin"], ["platform_admin"], ["leader"]]) {
      expect(await count(roles), roles.join()).toBe(0);
    }
  });

  it("sessions and the second-factor rule are refused to a centre administrator past the router", async () => {
    const clerk = await idOf("yumen.clerk");
    await api.login("yumen.clerk");
    const [session] = await api.db.admin<{ id: string }[]>`
      select id from auth.sessions where user_id = ${clerk} order by created_at desc limit 1`;
    const online = (roles: string[]) =>
      asRuntime(roles, async (tx) => (await tx.sql`select * from auth.sessions_online('1 hour', '1 day')`).length);
    expect(await online(["security_admin"])).toBeGreaterThan(0);
    expect(await online(["auditor"])).toBeGreaterThan(0);
    expect(await online(["tenant_admin"])).toBe(0);

    const revoke = (roles: string[]) =>
      asRuntime(roles, async (tx) => (await tx.sql`select auth.session_revoke(${session!.id}, null) as u`)[0]!.u);
    for (const roles of [["tenant_admin"], ["auditor"], ["leader"]])
      expect(await revoke(roles), roles.join()).toBeNull();
    expect(await api.db.admin`select 1 from auth.sessions where id = ${session!.id}`).toHaveLength(1);
    expect(await revoke(["security_admin"])).toBe(clerk);

    const requireTotp = (roles: string[]) =>
      asRuntime(roles, (tx) => tx.sql`select auth.set_require_totp(true)`).then(
        () => "done",
        (error: Error) => error.message,
      );
    expect(await requireTotp(["tenant_admin"])).toBe("the security administrator of the deployment root required");
    // A security administrator passes the role check; Yumen is not its deployment's root.
    expect(await requireTotp(["security_admin"])).toBe("only the deployment root sets this");
  });
});

describe("resetting a second factor in the database", () => {
  it("only a security administrator clears another account's key; nobody writes one", async () => {
    const clerk = await idOf("yumen.clerk");
    const self = await idOf("yumen.admin");
    // A key to clear (what an enrolment leaves), written as the owner.
    const plant = () =>
      api.db.admin`update app.users set totp_key = decode('00', 'hex'), totp_enabled_at = now() where id = ${clerk}`;
    const keyOf = async () =>
      (await api.db.admin<{ k: Buffer | null }[]>`select totp_key as k from app.users where id = ${clerk}`)[0]!.k;
    const clear = (roles: string[], userId: string | null = null) =>
      asRuntime(
        roles,
        (tx) => tx.sql`update app.users set totp_key = null, totp_enabled_at = null, totp_last_step = null
          where id = ${clerk}`,
        userId,
      );
    await plant();
    for (const roles of [["tenant_admin"], ["auditor"], ["leader"], ["intake_clerk"]]) {
      expect(await refusedBy(clear(roles, self)), roles.join()).toBe("users_totp_reset_by_security");
    }
    expect(await keyOf()).not.toBeNull();
    // Nobody plants a key through the runtime role, not even a security administrator.
    expect(
      await refusedBy(
        asRuntime(
          ["security_admin"],
          (tx) =>
            tx.sql`update app.users set totp_key = decode('01', 'hex'), totp_enabled_at = now() where id = ${clerk}`,
        ),
      ),
    ).toBe("users_totp_key_by_enrolment");
    // One's own withdrawal is one's own, whatever the role.
    await clear(["intake_clerk"], clerk);
    expect(await keyOf()).toBeNull();
    await plant();
    await clear(["security_admin"], await idOf("yumen.security"));
    expect(await keyOf()).toBeNull();
  });
});

describe("separation of duties through the API", () => {
  it("a centre administrator manages accounts but grants no role", async () => {
    const clerk = await userRow("yumen.clerk");
    const edit = await refusal(
      admin.users.edit.mutate({
        id: clerk.id,
        version: clerk.version,
        displayName: clerk.display_name,
        roles: ["mediator"],
      }),
    );
    expect(edit.appCode).toBe("FORBIDDEN");
    expect(edit.zh).toContain("授予或收回角色");
    // Renaming is account management, still the centre administrator's.
    await admin.users.edit.mutate({
      id: clerk.id,
      version: clerk.version,
      displayName: "玉门市受理窗口甲",
      roles: ["intake_clerk"],
    });
    const create = await refusal(
      admin.users.create.mutate({ username: "sod.auditor", displayName: "审计员乙", roles: ["auditor"] }),
    );
    expect(create.appCode).toBe("FORBIDDEN");
    // Working roles: allowed.
    await admin.users.create.mutate({ username: "sod.mediator", displayName: "调解员乙", roles: ["mediator"] });
  });

  it("a security administrator grants roles, but never two powers to one account, nor to itself", async () => {
    const clerk = await userRow("yumen.clerk");
    const granted = await security.users.edit.mutate({
      id: clerk.id,
      version: clerk.version,
      displayName: clerk.display_name,
      roles: ["intake_clerk", "leader"],
    });
    expect(granted.roles).toEqual(["intake_clerk", "leader"]);

    const yumenAdmin = await userRow("yumen.admin");
    const combined = await refusal(
      security.users.edit.mutate({
        id: yumenAdmin.id,
        version: yumenAdmin.version,
        displayName: yumenAdmin.display_name,
        roles: ["tenant_admin", "auditor"],
      }),
    );
    expect(combined.appCode).toBe("VALIDATION");
    expect(combined.zh).toBe("三权分立：同一账号不能兼任系统管理员和审计管理员");
    expect(combined.en).toContain("Separation of duties");
    expect(combined.fields?.[0]?.path).toBe("roles");

    const twoPowers = await refusal(
      security.users.create.mutate({ username: "sod.both", displayName: "兼任", roles: ["security_admin", "auditor"] }),
    );
    expect(twoPowers.appCode).toBe("VALIDATION");

    const self = await userRow("yumen.security");
    const own = await refusal(
      security.users.edit.mutate({
        id: self.id,
        version: self.version,
        displayName: self.display_name,
        roles: ["security_admin", "leader"],
      }),
    );
    expect(own.appCode).toBe("FORBIDDEN");
    expect(own.zh).toContain("不能更改自己的角色");

    // A new auditor is the security administrator's to create.
    const { user } = await security.users.create.mutate({
      username: "sod.auditor2",
      displayName: "审计员丙",
      roles: ["auditor"],
    });
    expect(user.roles).toEqual(["auditor"]);
  });

  it("sessions and the second-factor policy are the security administrator's: a centre administrator is refused", async () => {
    const clerk = api.client(await api.login("yumen.clerk"));
    await clerk.auth.me.query();
    const session = (await security.users.online.query()).find((s) => s.username === "yumen.clerk")!;
    expect(session).toBeDefined();
    // Through the client: FORBIDDEN with both languages, naming the power.
    for (const [call, name] of [
      [() => admin.users.online.query(), "查看在线用户"],
      [() => admin.users.signOut.mutate({ sessionId: session.id }), "强制退出登录"],
      [() => admin.mfa.setRequired.mutate({ required: true }), "要求两步验证"],
    ] as const) {
      const refused = await refusal(call());
      expect(refused.appCode).toBe("FORBIDDEN");
      expect(refused.zh).toContain(name);
      expect(refused.en).toMatch(/\w/);
    }
    // On the wire: HTTP 403, and the clerk is still signed in.
    const cookie = await api.login("yumen.admin");
    for (const [path, input] of [
      ["users.signOut", { sessionId: session.id }],
      ["mfa.setRequired", { required: true }],
    ] as const) {
      const res = await api.request(`/trpc/${path}`, {
        method: "POST",
        cookie,
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ json: input }),
      });
      expect(res.status, path).toBe(403);
      const body = JSON.stringify(await res.json());
      expect(body).toContain("FORBIDDEN");
    }
    expect((await clerk.auth.me.query()).username).toBe("yumen.clerk");
    expect((await api.client(await api.login("gansu.admin")).mfa.status.query()).canConfigure).toBe(false);
    // The security administrator does it.
    expect(await security.users.signOut.mutate({ sessionId: session.id })).toMatchObject({ userId: session.userId });
    expect((await refusal(clerk.auth.me.query())).appCode).toBe("UNAUTHENTICATED");
  });

  it("the system and security administrators do not read the logs; the auditor does", async () => {
    for (const client of [admin, security]) {
      expect((await refusal(client.audit.search.query({ log: "sign_in" }))).appCode).toBe("FORBIDDEN");
    }
    const auditor = api.client(await api.login("yumen.auditor"));
    expect((await auditor.audit.search.query({ log: "sign_in" })).items.length).toBeGreaterThan(0);
  });
});
