import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

/** Online users (在线用户) and the forced sign-out (强制退出), issue 12 §4. */
let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let county: Client;
let town: Client;

beforeAll(async () => {
  api = await startTestApi({ centres: false });
  county = api.client(await api.login("yumen.admin"));
  town = api.client(await api.login("yumenzhen.admin"));
});
afterAll(() => api.close());

describe("online users", () => {
  it("an administrator sees the live sessions of its subtree, never the secret's hash, and marks its own", async () => {
    const mediator = api.client(await api.login("yumenzhen.mediator"));
    await mediator.auth.me.query();
    const online = await county.users.online.query();
    const mine = online.find((s) => s.current);
    expect(mine?.username).toBe("yumen.admin");
    const theirs = online.find((s) => s.username === "yumenzhen.mediator");
    expect(theirs).toMatchObject({ scopeCode: "620981101", unitName: "玉门镇", current: false });
    expect(theirs?.ip).toBeTruthy();
    expect(Object.keys(theirs ?? {})).not.toContain("secretHash");
    // The township sees its own people, not the county's.
    const townView = await town.users.online.query();
    expect(townView.map((s) => s.username)).toContain("yumenzhen.mediator");
    expect(townView.map((s) => s.username)).not.toContain("yumen.admin");
    // Another deployment sees none of them.
    const yongji = api.client(await api.login("yongji.admin"));
    expect((await yongji.users.online.query()).map((s) => s.username)).toEqual(["yongji.admin"]);
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
      actorUsername: "yumen.admin",
      subjectId: session.userId,
      scopeCode: "620981",
    });
    // Gone already: NOT_FOUND, not a 500.
    expect((await refusal(county.users.signOut.mutate({ sessionId: session.id }))).appCode).toBe("NOT_FOUND");
  });

  it("a unit below, a sibling and an auditor cannot sign anyone out", async () => {
    const countyMediator = api.client(await api.login("yumen.mediator"));
    const target = (await county.users.online.query()).find((s) => s.username === "yumen.mediator")!;
    // The township does not see the county's session at all.
    expect((await refusal(town.users.signOut.mutate({ sessionId: target.id }))).appCode).toBe("NOT_FOUND");
    const auditor = api.client(await api.login("yumen.auditor"));
    expect((await auditor.users.online.query()).length).toBeGreaterThan(0);
    expect((await refusal(auditor.users.signOut.mutate({ sessionId: target.id }))).appCode).toBe("FORBIDDEN");
    expect((await refusal(countyMediator.users.online.query())).appCode).toBe("FORBIDDEN");
    expect((await countyMediator.auth.me.query()).username).toBe("yumen.mediator");
    const malformed = await refusal(county.users.signOut.mutate({ sessionId: "not a session" }));
    expect(malformed.appCode).toBe("VALIDATION");
  });
});
