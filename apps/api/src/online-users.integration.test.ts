import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

/**
 * Online users (在线用户) and the forced sign-out (强制退出), issue 12 §4: the security
 * administrator's (三权分立), the auditor watches; the centre administrator neither.
 */
let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let county: Client;
let town: Client;

/** A demo-password account with `roles` at unit `code` (fixtures, as the superuser). */
async function userAt(username: string, code: string, roles: string[]): Promise<Client> {
  await api.db.admin`insert into app.users (tenant_id, username, display_name, roles, password_hash,
      must_change_password, password_changed_at)
    select t.id, ${username}, ${username}, ${roles}, (select password_hash from app.users where username = 'cun.mediator'),
      false, now() from app.tenants t where t.code = ${code}`;
  return api.client(await api.login(username));
}

beforeAll(async () => {
  api = await startTestApi({ centres: false });
  county = api.client(await api.login("yumen.security"));
  town = await userAt("yumenzhen.security", "620981101", ["security_admin"]);
});
afterAll(() => api.close());

describe("online users", () => {
  it("a security administrator sees the live sessions of its subtree, never the secret's hash, and marks its own", async () => {
    const mediator = api.client(await api.login("yumenzhen.mediator"));
    await mediator.auth.me.query();
    const online = await county.users.online.query();
    const mine = online.find((s) => s.current);
    expect(mine?.username).toBe("yumen.security");
    const theirs = online.find((s) => s.username === "yumenzhen.mediator");
    expect(theirs).toMatchObject({ scopeCode: "620981101", unitName: "玉门镇", current: false });
    expect(theirs?.ip).toBeTruthy();
    expect(Object.keys(theirs ?? {})).not.toContain("secretHash");
    // The township sees its own people, not the county's.
    const townView = await town.users.online.query();
    expect(townView.map((s) => s.username)).toContain("yumenzhen.mediator");
    expect(townView.map((s) => s.username)).not.toContain("yumen.security");
    // Another deployment sees none of them.
    const yongji = api.client(await api.login("yongji.security"));
    expect((await yongji.users.online.query()).map((s) => s.username)).toEqual(["yongji.security"]);
  });

  it("a forced sign-out ends the session at once and is written to the sign-in log", async () => {
    const clerk = api.client(await api.login("yumen.clerk"));
    expect((await clerk.auth.me.query()).username).toBe("yumen.clerk");
    const session = (await county.users.online.query()).find((s) => s.username === "yumen.clerk")!;
    expect(await county.users.signOut.mutate({ sessionId: session.id })).toMatchObject({ userId: session.userId });
    expect((await refusal(clerk.auth.me.query())).appCode).toBe("UNAUTHENTICATED");
    expect((await county.users.online.query()).map((s) => s.username)).not.toContain("yumen.clerk");
    // Read by the county's auditor: only audit administrators read the logs (separation of duties).
    const countyAuditor = api.client(await api.login("yumen.auditor"));
    const log = await countyAuditor.audit.search.query({ log: "sign_in", kind: "auth.forced_logout" });
    expect(log.items[0]).toMatchObject({
      actorUsername: "yumen.security",
      subjectId: session.userId,
      scopeCode: "620981",
    });
    // Gone already: NOT_FOUND, not a 500.
    expect((await refusal(county.users.signOut.mutate({ sessionId: session.id }))).appCode).toBe("NOT_FOUND");
  });

  it("a unit below, an auditor and a centre administrator cannot sign anyone out", async () => {
    const countyMediator = api.client(await api.login("yumen.mediator"));
    const target = (await county.users.online.query()).find((s) => s.username === "yumen.mediator")!;
    // The township does not see the county's session at all.
    expect((await refusal(town.users.signOut.mutate({ sessionId: target.id }))).appCode).toBe("NOT_FOUND");
    const auditor = api.client(await api.login("yumen.auditor"));
    expect((await auditor.users.online.query()).length).toBeGreaterThan(0);
    expect((await refusal(auditor.users.signOut.mutate({ sessionId: target.id }))).appCode).toBe("FORBIDDEN");
    expect((await refusal(countyMediator.users.online.query())).appCode).toBe("FORBIDDEN");
    // The centre administrator (system administrator) neither sees nor ends sessions.
    const countyAdmin = api.client(await api.login("yumen.admin"));
    const online = await refusal(countyAdmin.users.online.query());
    expect(online.appCode).toBe("FORBIDDEN");
    expect(online.zh).toContain("查看在线用户");
    const signOut = await refusal(countyAdmin.users.signOut.mutate({ sessionId: target.id }));
    expect(signOut.appCode).toBe("FORBIDDEN");
    expect(signOut.zh).toContain("强制退出登录");
    expect((await countyMediator.auth.me.query()).username).toBe("yumen.mediator");
    const malformed = await refusal(county.users.signOut.mutate({ sessionId: "not a session" }));
    expect(malformed.appCode).toBe("VALIDATION");
  });
});
