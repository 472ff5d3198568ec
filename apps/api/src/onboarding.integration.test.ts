import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "./demo.ts";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const failure = refusal;

const json = { "content-type": "application/json" };

describe("browsing the subtree", () => {
  it("pages a county's registry units lazily with their onboarding state", async () => {
    const c = api.client(await api.login("yumen.admin"));
    const first = await c.tenants.units.query({ parentCode: "620981", limit: 5 });
    expect(first.items).toHaveLength(5);
    expect(first.next).toBe(first.items[4]!.code);
    const second = await c.tenants.units.query({ parentCode: "620981", limit: 5, after: first.next! });
    expect(second.items[0]!.code > first.items[4]!.code).toBe(true);
    const town = first.items.find((u) => u.code === "620981101")!;
    expect(town.tenant?.status).toBe("active");
    expect(town.registryChildren).toBeGreaterThan(0);
  });

  it("cannot browse above or beside its own unit", async () => {
    const c = api.client(await api.login("yumen.admin"));
    expect((await failure(c.tenants.units.query({ parentCode: "6209", limit: 5 }))).appCode).toBe("NOT_FOUND");
    expect((await failure(c.tenants.units.query({ parentCode: "620982", limit: 5 }))).appCode).toBe("NOT_FOUND");
  });

  it("searches the registry by Chinese name and by code inside its subtree only", async () => {
    const c = api.client(await api.login("jiuquan.admin"));
    const byName = await c.tenants.searchRegistry.query({ q: "花海" });
    expect(byName.map((h) => h.code)).toContain("620981103");
    expect(byName.find((h) => h.code === "620981103")?.path).toBe("甘肃省 / 酒泉市 / 玉门市");
    const byCode = await c.tenants.searchRegistry.query({ q: "620902", limit: 5 });
    expect(byCode[0]?.code).toBe("620902");
    expect(byCode.every((h) => h.code.startsWith("620902"))).toBe(true);
    // 永济 (Shanxi) is not under Jiuquan.
    expect(await c.tenants.searchRegistry.query({ q: "永济" })).toEqual([]);
  });
});

describe("onboarding", () => {
  it("a city onboards a township with its whole branch and a first admin who sets a password", async () => {
    const c = api.client(await api.login("jiuquan.admin"));
    const [town] = await api.db.admin<{ code: string; name: string }[]>`select code, name from ref.divisions
      where parent_code = '620902' and level = 'township' order by code limit 1`;
    const villages = await api.db.admin`select 1 from ref.divisions where parent_code = ${town!.code}`;
    const result = await c.tenants.onboard.mutate({
      codes: [town!.code],
      branch: true,
      firstAdmin: { username: "suzhou.town.admin", displayName: "镇综治中心管理员" },
    });
    // the county above it, the township, and every village
    expect(result.created.map((t) => t.code)).toEqual(expect.arrayContaining(["620902", town!.code]));
    expect(result.created).toHaveLength(2 + villages.length);
    expect(result.firstAdmin?.setupLink.url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/setup#[a-z2-7]{24}\.[a-z2-7]{32}$/);

    const again = await c.tenants.onboard.mutate({ codes: [town!.code], branch: true });
    expect(again.created).toEqual([]);
    expect(again.alreadyOnboarded).toEqual([town!.code]);

    const token = result.firstAdmin!.setupLink.url.split("#")[1]!;
    const inspect = await api.request("/auth/setup/inspect", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token }),
    });
    expect(await inspect.json()).toEqual({ username: "suzhou.town.admin", displayName: "镇综治中心管理员" });
    const weak = await api.request("/auth/setup", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token, password: "weakpass" }),
    });
    expect(weak.status).toBe(400);
    const done = await api.request("/auth/setup", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token, password: "Town#Admin2026" }),
    });
    expect(done.status).toBe(200);
    const reuse = await api.request("/auth/setup", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token, password: "Town#Admin2027" }),
    });
    expect(reuse.status).toBe(404);
    const me = await api.client(await api.login("suzhou.town.admin", "Town#Admin2026")).auth.me.query();
    expect(me.tenant?.code).toBe(town!.code);
    expect(me.path.map((p) => p.code)).toEqual(["62", "6209", "620902", town!.code]);
  });

  it("an expired setup link is refused", async () => {
    const c = api.client(await api.login("yumen.admin"));
    const { setupLink } = await c.users.create.mutate({
      username: "late.user",
      displayName: "迟到",
      roles: ["mediator"],
    });
    await api.db.admin`update app.user_setup_tokens set expires_at = now() - interval '1 second'`;
    const token = setupLink.url.split("#")[1]!;
    const res = await api.request("/auth/setup", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token, password: "Late#User2026" }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { zh: string }).zh).toContain("过期");
  });

  it("a county cannot onboard outside its subtree", async () => {
    const c = api.client(await api.login("yumen.admin"));
    expect((await failure(c.tenants.onboard.mutate({ codes: ["620982100"], branch: false }))).appCode).toBe(
      "NOT_FOUND",
    );
    expect((await failure(c.tenants.onboard.mutate({ codes: ["620981"], branch: false }))).appCode).toBe("NOT_FOUND");
    expect((await failure(c.tenants.onboard.mutate({ codes: ["140881100"], branch: false }))).appCode).toBe(
      "NOT_FOUND",
    );
  });

  it("rejects malformed and unknown codes with a clear message", async () => {
    const c = api.client(await api.login("yumen.admin"));
    const malformed = await failure(c.tenants.onboard.mutate({ codes: ["62098110"], branch: false }));
    expect(malformed.appCode).toBe("VALIDATION");
    expect(malformed.zh).toContain("区划代码应为2、4、6、9或12位数字");
    const unknown = await failure(c.tenants.onboard.mutate({ codes: ["620981999"], branch: false }));
    expect(unknown.appCode).toBe("VALIDATION");
    expect(unknown.zh).toContain("不在行政区划库中");
  });

  it("only admins may onboard", async () => {
    const c = api.client(await api.login("yumen.clerk"));
    expect((await failure(c.tenants.onboard.mutate({ codes: ["620981101"], branch: false }))).appCode).toBe(
      "FORBIDDEN",
    );
  });
});

describe("suspension", () => {
  it("a suspended unit's users cannot sign in and their sessions end; its data stays", async () => {
    const villager = await api.login("cun.mediator");
    const admin = api.client(await api.login("yumenzhen.admin"));
    const units = await admin.tenants.units.query({ parentCode: "620981101", limit: 50 });
    const village = units.items.find((u) => u.code === "620981101001")!;
    const suspended = await admin.tenants.setStatus.mutate({
      id: village.tenant!.id,
      status: "suspended",
      version: village.tenant!.version,
    });
    expect(suspended.status).toBe("suspended");
    expect((await failure(api.client(villager).auth.me.query())).appCode).toBe("UNAUTHENTICATED");
    const res = await api.request("/auth/login", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ username: "cun.grid", password: DEMO_PASSWORD }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { zh: string }).zh).toContain("暂停");
    const [kept] = await api.db.admin`select count(*)::int as n from app.users where scope_code = '620981101001'`;
    expect(kept!.n).toBe(2);

    // A stale version is a conflict, not a silent overwrite.
    const stale = await failure(
      admin.tenants.setStatus.mutate({ id: village.tenant!.id, status: "active", version: village.tenant!.version }),
    );
    expect(stale.appCode).toBe("CONFLICT");
    await admin.tenants.setStatus.mutate({ id: village.tenant!.id, status: "active", version: suspended.version });
    expect((await api.client(await api.login("cun.grid")).auth.me.query()).username).toBe("cun.grid");
  });

  it("a unit cannot suspend itself", async () => {
    const admin = api.client(await api.login("yumen.admin"));
    const me = await admin.auth.me.query();
    const own = await admin.tenants.get.query({});
    const res = await failure(
      admin.tenants.setStatus.mutate({ id: me.tenant!.id, status: "suspended", version: own.tenant.version }),
    );
    expect(res.appCode).toBe("FORBIDDEN");
  });
});

describe("users and foreign ids", () => {
  it("a foreign id and a missing id both answer NOT_FOUND", async () => {
    const yongji = api.client(await api.login("yongji.admin"));
    const [foreign] = await api.db.admin<
      { id: string; version: number }[]
    >`select id, version from app.users where username = 'yumen.clerk'`;
    const a = await failure(
      yongji.users.setStatus.mutate({ id: foreign!.id, version: foreign!.version, status: "disabled" }),
    );
    const b = await failure(
      yongji.users.setStatus.mutate({ id: "00000000-0000-4000-8000-000000000000", version: 1, status: "disabled" }),
    );
    expect(a).toEqual(b);
    expect(a.appCode).toBe("NOT_FOUND");
    const [tenant] = await api.db.admin<{ id: string }[]>`select id from app.tenants where code = '620981'`;
    expect((await failure(yongji.tenants.get.query({ id: tenant!.id }))).appCode).toBe("NOT_FOUND");
    expect(
      (
        await failure(
          yongji.users.create.mutate({
            tenantId: tenant!.id,
            username: "intruder",
            displayName: "x",
            roles: ["mediator"],
          }),
        )
      ).appCode,
    ).toBe("NOT_FOUND");
  });

  it("login names are unique across the installation", async () => {
    const c = api.client(await api.login("yongji.admin"));
    const taken = await failure(
      c.users.create.mutate({ username: "yumen.clerk", displayName: "重名", roles: ["mediator"] }),
    );
    expect(taken.appCode).toBe("CONFLICT");
    expect(taken.zh).toContain("登录名");
  });

  it("rejects a bad login name with a field message", async () => {
    const c = api.client(await api.login("yongji.admin"));
    const bad = await failure(c.users.create.mutate({ username: "张三", displayName: "张三", roles: ["mediator"] }));
    expect(bad.appCode).toBe("VALIDATION");
    expect(bad.fields?.[0]?.path).toBe("username");
    expect(bad.fields?.[0]?.zh).toContain("登录名");
  });

  it("an admin cannot disable itself; editing with a stale version conflicts", async () => {
    const c = api.client(await api.login("yongji.admin"));
    const { items } = await c.users.list.query({});
    const self = items.find((u) => u.username === "yongji.admin")!;
    expect(
      (await failure(c.users.setStatus.mutate({ id: self.id, version: self.version, status: "disabled" }))).appCode,
    ).toBe("FORBIDDEN");
    const { user } = await c.users.create.mutate({
      username: "yj.clerk",
      displayName: "受理员",
      roles: ["intake_clerk"],
    });
    await c.users.edit.mutate({
      id: user.id,
      version: user.version,
      displayName: "受理员甲",
      roles: ["intake_clerk"],
    });
    expect(
      (
        await failure(
          c.users.edit.mutate({ id: user.id, version: user.version, displayName: "乙", roles: ["intake_clerk"] }),
        )
      ).appCode,
    ).toBe("CONFLICT");
  });

  it("a new user must change the initial password before anything else", async () => {
    const c = api.client(await api.login("yongji.admin"));
    const { user } = await c.users.create.mutate({ username: "yj.initial", displayName: "初始", roles: ["mediator"] });
    // An administrator-set initial password (e.g. read out over the phone) must be changed at first sign-in.
    const { hashPassword } = await import("@zongzhi/auth");
    await api.db
      .admin`update app.users set password_hash = ${await hashPassword("Initial#2026")}, must_change_password = true where id = ${user.id}`;
    const cookie = await api.login("yj.initial", "Initial#2026");
    const me = await api.client(cookie).auth.me.query();
    expect(me.mustChangePassword).toBe(true);
    expect((await failure(api.client(cookie).tenants.get.query({}))).appCode).toBe("PASSWORD_CHANGE_REQUIRED");
  });
});

describe("deployments", () => {
  it("an operator creates a deployment rooted at a township elsewhere, which sees nothing of the others", async () => {
    const op = api.client(await api.login("operator"));
    const before = await op.platform.deployments.query();
    expect(before.map((d) => d.code)).toEqual(["140881", "62"]);
    const [town] = await api.db.admin<
      { code: string }[]
    >`select code from ref.divisions where parent_code = '140105' order by code limit 1`;
    const created = await op.platform.createDeployment.mutate({
      code: town!.code,
      admin: { username: "xiaodian.admin", displayName: "小店街道管理员" },
      security: { username: "xiaodian.security", displayName: "小店街道安全管理员" },
    });
    expect(created.setupLink.url).toContain("/setup#");
    expect(created.security?.user.roles).toEqual(["security_admin"]);
    expect(created.security?.setupLink.url).toContain("/setup#");
    const overlap = await failure(
      op.platform.createDeployment.mutate({ code: "14", admin: { username: "sx.admin", displayName: "山西" } }),
    );
    expect(overlap.appCode).toBe("CONFLICT");
    const inside = await failure(
      op.platform.createDeployment.mutate({ code: "620981102", admin: { username: "cj.admin", displayName: "赤金" } }),
    );
    expect(inside.appCode).toBe("CONFLICT");

    const token = created.setupLink.url.split("#")[1]!;
    await api.request("/auth/setup", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token, password: "Xiao#Dian2026" }),
    });
    const townAdmin = api.client(await api.login("xiaodian.admin", "Xiao#Dian2026"));
    const home = await townAdmin.tenants.get.query({});
    expect(home.tenant.code).toBe(town!.code);
    expect(home.counts).toMatchObject({ province: 0, county: 0, township: 1 });
    expect((await townAdmin.users.list.query({})).items.map((u) => u.username).sort()).toEqual([
      "xiaodian.admin",
      "xiaodian.security",
    ]);
    // The first security administrator holds the security powers the centre administrator lacks (三权分立).
    await api.request("/auth/setup", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token: created.security!.setupLink.url.split("#")[1]!, password: "Xiao#Anquan2026" }),
    });
    const townSecurity = api.client(await api.login("xiaodian.security", "Xiao#Anquan2026"));
    expect((await townSecurity.mfa.status.query()).canConfigure).toBe(true);
    expect((await townSecurity.users.online.query()).map((x) => x.username)).toContain("xiaodian.admin");
    expect((await failure(townAdmin.users.online.query())).appCode).toBe("FORBIDDEN");
    expect((await townAdmin.mfa.status.query()).canConfigure).toBe(false);
    // The operator sees deployments, never a deployment's users or units through tenant procedures.
    expect((await failure(op.tenants.units.query({ parentCode: "62", limit: 5 }))).appCode).toBe("NOT_FOUND");
  });

  it("a deployment made without a security administrator shows it, and the operator adds its first one, once", async () => {
    const op = api.client(await api.login("operator"));
    // The demo's deployments each have one.
    for (const d of await op.platform.deployments.query()) expect(d.securityAdmins, d.code).toBeGreaterThan(0);
    // As every deployment made before the role existed (or made without the optional account).
    const [town] = await api.db.admin<
      { code: string }[]
    >`select code from ref.divisions where parent_code = '140106' order by code limit 1`;
    const created = await op.platform.createDeployment.mutate({
      code: town!.code,
      admin: { username: "yingze.admin", displayName: "迎泽街道管理员" },
    });
    const gap = (await op.platform.deployments.query()).find((d) => d.code === town!.code)!;
    expect(gap.securityAdmins).toBe(0);
    // The deployment's own centre administrator is told too (at the root, whose users it sees).
    await api.request("/auth/setup", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token: created.setupLink.url.split("#")[1]!, password: "Ying#Admin2026" }),
    });
    const townAdmin = api.client(await api.login("yingze.admin", "Ying#Admin2026"));
    expect(await townAdmin.users.securityAdmins.query()).toEqual({ securityAdmins: 0 });
    expect(await api.client(await api.login("gansu.admin")).users.securityAdmins.query()).toEqual({
      securityAdmins: 1,
    });
    expect(await api.client(await api.login("yumen.admin")).users.securityAdmins.query()).toEqual({
      securityAdmins: null,
    });

    // Only the operator, and only for a deployment it lists.
    const centre = api.client(await api.login("gansu.admin"));
    const security = { username: "yingze.security", displayName: "迎泽街道安全管理员" };
    expect((await failure(centre.platform.addSecurityAdmin.mutate({ id: gap.id, security }))).appCode).toBe(
      "FORBIDDEN",
    );
    const [yumen] = await api.db.admin<{ id: string }[]>`select id from app.tenants where code = '620981'`;
    expect((await failure(op.platform.addSecurityAdmin.mutate({ id: yumen!.id, security }))).appCode).toBe("NOT_FOUND");

    const added = await op.platform.addSecurityAdmin.mutate({ id: gap.id, security });
    expect(added.user).toMatchObject({ username: "yingze.security", roles: ["security_admin"], tenantId: gap.id });
    expect(added.setupLink.url).toContain("/setup#");
    expect((await op.platform.deployments.query()).find((d) => d.code === town!.code)!.securityAdmins).toBe(1);
    expect(await townAdmin.users.securityAdmins.query()).toEqual({ securityAdmins: 1 });
    // Once: after that, further security administrators are theirs to grant.
    const again = await failure(
      op.platform.addSecurityAdmin.mutate({ id: gap.id, security: { username: "yingze.sec2", displayName: "二号" } }),
    );
    expect(again.appCode).toBe("PRECONDITION_FAILED");
    expect(again.zh).toContain("已有安全管理员");
    // The installation's log names it (the installation's auditor reads it).
    const [logged] = await api.db.admin<{ kind: string; scope_code: string; detail: { deployment: string } }[]>`
      select kind, scope_code, detail from app.audit_events where kind = 'platform.security_admin_added'`;
    expect(logged).toMatchObject({ scope_code: "!", detail: { deployment: town!.code } });

    // The new security administrator holds the deployment's security powers.
    await api.request("/auth/setup", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ token: added.setupLink.url.split("#")[1]!, password: "Ying#Anquan2026" }),
    });
    const townSecurity = api.client(await api.login("yingze.security", "Ying#Anquan2026"));
    expect((await townSecurity.mfa.status.query()).canConfigure).toBe(true);
    expect(created.security).toBeNull();
  });

  it("only operators manage deployments", async () => {
    const c = api.client(await api.login("gansu.admin"));
    expect((await failure(c.platform.deployments.query())).appCode).toBe("FORBIDDEN");
  });
});
