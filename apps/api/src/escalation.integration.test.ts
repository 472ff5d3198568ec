import type { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenEvents, type Refusal, refusal, startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let village: Client;
let town: Client;
let county: Client;
let countyCookie: string;

type Data = Refusal;
const failure = refusal;

const VILLAGE = "620981101001";
const dispute = villageDispute;

const listen = (cookie: string) => listenEvents(api, cookie);

beforeAll(async () => {
  api = await startTestApi({ centres: true });
  village = api.client(await api.login("cun.mediator"));
  town = api.client(await api.login("yumenzhen.admin"));
  countyCookie = await api.login("yumen.admin");
  county = api.client(countyCookie);
});
afterAll(() => api.close());

describe("escalation across tiers", () => {
  it("village → township → county → assigned back down to the township, which resolves it; the county hears of it live", async () => {
    const { id, code } = await village.cases.register.mutate(dispute("排水沟纠纷"));
    let v = 1;
    v = (await village.cases.transition.mutate({ id, version: v, action: "accept", data: {} })).version;

    const ups = await village.escalation.ancestors.query();
    expect(ups.map((u) => u.code)).toEqual(["62", "6209", "620981", "620981101"]);
    v = (
      await village.escalation.escalate.mutate({
        id,
        version: v,
        toCode: "620981101",
        reason: "涉及两个村民小组，村级无法协调",
      })
    ).version;
    // The village keeps reading its case but may no longer act on it.
    expect((await village.cases.get.query({ id })).ownerCode).toBe("620981101");
    expect(
      (
        await failure(
          village.cases.transition.mutate({ id, version: v, action: "triage", data: { route: { kind: "room" } } }),
        )
      ).appCode,
    ).toBe("FORBIDDEN");
    // Nobody may act before the receiving tier signs for it.
    expect(
      (
        await failure(
          town.cases.transition.mutate({ id, version: v, action: "triage", data: { route: { kind: "room" } } }),
        )
      ).appCode,
    ).toBe("PRECONDITION_FAILED");
    v = (await town.escalation.signFor.mutate({ id, version: v })).version;

    const stream = await listen(countyCookie);
    const sent = performance.now();
    v = (
      await town.escalation.escalate.mutate({
        id,
        version: v,
        toCode: "620981",
        reason: "需县级多部门会商",
        urgency: "urgent",
      })
    ).version;
    const heard = await stream.next();
    stream.close();
    const latency = heard.at - sent;
    console.log(`escalation → county's open stream: ${latency.toFixed(1)} ms`);
    expect(latency).toBeLessThan(1000);
    const inbox = await county.escalation.inbox.query({});
    expect(inbox.items[0]).toMatchObject({ caseCode: code, kind: "case.escalated", read: false });
    expect(inbox.items[0]!.title).toContain("【紧急】");
    expect(JSON.parse(heard.data).id).toBe(inbox.items[0]!.id);

    v = (await county.escalation.signFor.mutate({ id, version: v })).version;
    v = (
      await county.escalation.assignDown.mutate({
        id,
        version: v,
        toCode: "620981101",
        instructions: "由镇司法所牵头，7日内化解",
        deadline: new Date(Date.now() + 7 * 86400e3),
      })
    ).version;
    v = (await town.escalation.signFor.mutate({ id, version: v })).version;
    v = (
      await town.cases.transition.mutate({
        id,
        version: v,
        action: "triage",
        data: { route: { kind: "joint_consultation" } },
      })
    ).version;
    const done = await town.cases.transition.mutate({
      id,
      version: v,
      action: "resolve",
      data: { outcome: "疏通排水沟，双方和解" },
    });
    expect(done.status).toBe("resolved");

    const path = await county.escalation.path.query({ id });
    expect(path.map((h) => [h.kind, h.fromCode, h.toCode])).toEqual([
      ["escalate", "620981101001", "620981101"],
      ["sign_for", "620981101", "620981101"],
      ["escalate", "620981101", "620981"],
      ["sign_for", "620981", "620981"],
      ["assign_down", "620981", "620981101"],
      ["sign_for", "620981101", "620981101"],
    ]);
    await county.escalation.markRead.mutate({ ids: [] });
    expect((await county.escalation.inbox.query({})).unread).toBe(0);
  });

  it("refuses escalation to a non-ancestor, in the domain and in the database", async () => {
    const { id } = await village.cases.register.mutate(dispute("越级上报"));
    const sibling = await failure(
      village.escalation.escalate.mutate({ id, version: 1, toCode: "620981102", reason: "错误" }),
    );
    expect(sibling.appCode).toBe("VALIDATION");
    expect(sibling.zh).toContain("只能上报给上级单位");
    await expect(api.db.admin`update app.cases set owner_code = '620981102' where id = ${id}`).rejects.toThrow(
      /cases_owner_on_path/,
    );
  });

  it("two concurrent escalations of the same case: one wins, the other is refused cleanly", async () => {
    const { id } = await village.cases.register.mutate(dispute("并发上报"));
    const results = await Promise.allSettled([
      village.escalation.escalate.mutate({ id, version: 1, toCode: "620981101", reason: "甲" }),
      village.escalation.escalate.mutate({ id, version: 1, toCode: "620981", reason: "乙" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected")!;
    // The loser read the case either before the winner committed (stale version: CONFLICT) or
    // after it (the case now belongs to the tier above, which the village may no longer act on:
    // FORBIDDEN, checked before the version). Both are clean refusals; which one is timing.
    expect(["CONFLICT", "FORBIDDEN"]).toContain(
      ((rejected.reason as TRPCClientError<never>).data as unknown as Data).appCode,
    );
    const detail = await village.cases.get.query({ id });
    expect(detail.version).toBe(2);
  });

  it("a case bounced more than twice waits for the owning tier's leader", async () => {
    const { id } = await village.cases.register.mutate(dispute("反复退回"));
    let v = 1;
    for (let i = 0; i < 3; i++) {
      v = (
        await village.escalation.escalate.mutate({ id, version: v, toCode: "620981101", reason: `第${i + 1}次上报` })
      ).version;
      const r = await town.escalation.returnCase.mutate({ id, version: v, reason: "村级可以化解" });
      v = r.version;
      expect(r.needsLeader).toBe(i === 2);
    }
    const blocked = await failure(
      village.escalation.escalate.mutate({ id, version: v, toCode: "620981101", reason: "第4次" }),
    );
    expect(blocked.zh).toContain("领导");
  });

  it("a sideways assignment lets another township handle that case only; a sibling sees nothing", async () => {
    const { id, code } = await village.cases.register.mutate(dispute("跨镇交办"));
    let v = (await village.escalation.escalate.mutate({ id, version: 1, toCode: "620981", reason: "涉及赤金镇" }))
      .version;
    v = (await county.escalation.signFor.mutate({ id, version: v })).version;
    v = (
      await county.escalation.assignDown.mutate({
        id,
        version: v,
        toCode: "620981102",
        instructions: "请赤金镇办理",
        deadline: new Date(Date.now() + 3 * 86400e3),
      })
    ).version;
    const chijinCookie = await (async () => {
      const { setupLink } = await county.users.create.mutate({
        tenantId: (await county.tenants.units.query({ parentCode: "620981", after: "620981101", limit: 1 })).items[0]!
          .tenant!.id,
        username: "chijin.clerk",
        displayName: "赤金镇受理员",
        roles: ["intake_clerk"],
      });
      await api.request("/auth/setup", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token: setupLink.url.split("#")[1], password: "Chijin#Clerk2026" }),
      });
      return api.login("chijin.clerk", "Chijin#Clerk2026");
    })();
    const chijin = api.client(chijinCookie);
    const list = await chijin.cases.list.query({});
    expect(list.items.map((c) => c.code)).toEqual([code]);
    v = (await chijin.escalation.signFor.mutate({ id, version: v })).version;
    const detail = await chijin.cases.get.query({ id });
    expect((detail.events as { kind: string }[]).at(-1)?.kind).toBe("case.sign_for");
    // 花海镇 (another sibling) sees nothing of it.
    const [huahai] = await api.db.admin<{ id: string }[]>`select id from app.tenants where code = '620981103'`;
    const rows = await api.db.app.begin(async (tx) => {
      await tx`select set_config('app.scope', '620981103', true), set_config('app.tenant_id', ${huahai!.id}, true)`;
      return tx`select id from app.cases where id = ${id}`;
    });
    expect(rows).toHaveLength(0);
  });
});

describe("one permission table: the holes of issue 8 §4", () => {
  /** A demo-password account with `roles` at unit `code` (fixtures, as the superuser). */
  async function userAt(username: string, code: string, roles: string[]): Promise<Client> {
    await api.db.admin`insert into app.users (tenant_id, username, display_name, roles, password_hash,
        must_change_password, password_changed_at)
      select t.id, ${username}, ${username}, ${roles}, (select password_hash from app.users where username = 'cun.mediator'),
        false, now() from app.tenants t where t.code = ${code}`;
    return api.client(await api.login(username));
  }
  let villageLeader: Client;
  let townLeader: Client;
  let countyLeader: Client;
  let auditor: Client;
  beforeAll(async () => {
    villageLeader = await userAt("cun.leader", VILLAGE, ["leader"]);
    townLeader = await userAt("yumenzhen.leader", "620981101", ["leader"]);
    countyLeader = api.client(await api.login("yumen.leader"));
    auditor = await userAt("yumenzhen.auditor", "620981101", ["auditor"]);
  });

  it("a village mediator accepts, triages, mediates and records that mediation failed (小事不出村)", async () => {
    const { id } = await village.cases.register.mutate(dispute("村内调解"));
    let v = 1;
    for (const [action, data] of [
      ["accept", {}],
      ["triage", { route: { kind: "mediator" } }],
      ["start_mediation", {}],
      ["fail", { reason: "双方分歧较大" }],
    ] as const) {
      v = (await village.cases.transition.mutate({ id, version: v, action, data })).version;
    }
    expect((await village.cases.get.query({ id })).status).toBe("not_resolved");
  });

  it("a leader below the owner may neither take charge nor supervise; the owner's and those above may", async () => {
    const { id } = await village.cases.register.mutate(dispute("上报后包案"));
    let v = (await village.escalation.escalate.mutate({ id, version: 1, toCode: "620981101", reason: "村级无法协调" }))
      .version;
    v = (await town.escalation.signFor.mutate({ id, version: v })).version;
    const due = new Date(Date.now() + 2 * 86400e3);
    for (const call of [
      () => villageLeader.escalation.takeCharge.mutate({ caseId: id, version: v }),
      () => villageLeader.escalation.openSupervision.mutate({ caseId: id, instructions: "村督镇", dueAt: due }),
    ]) {
      expect((await failure(call())).appCode).toBe("FORBIDDEN");
    }
    v = (await town.escalation.escalate.mutate({ id, version: v, toCode: "620981", reason: "需县级协调" })).version;
    v = (await county.escalation.signFor.mutate({ id, version: v })).version;
    for (const call of [
      () => townLeader.escalation.takeCharge.mutate({ caseId: id, version: v }),
      () => townLeader.escalation.openSupervision.mutate({ caseId: id, instructions: "镇督县", dueAt: due }),
    ]) {
      const r = await failure(call());
      expect(r.appCode).toBe("FORBIDDEN");
      expect(r.zh).toContain("上级单位");
    }
    const [before] = await api.db.admin<{ version: number; leader_id: string | null; n: number }[]>`
      select version, leader_id, (select count(*)::int from app.supervisions s where s.case_id = c.id) as n
      from app.cases c where id = ${id}`;
    expect(before).toMatchObject({ version: v, leader_id: null, n: 0 });
    await countyLeader.escalation.openSupervision.mutate({ caseId: id, instructions: "三日内化解", dueAt: due });
    expect((await countyLeader.escalation.takeCharge.mutate({ caseId: id, version: v })).version).toBe(v + 1);
  });

  it("take-charge of a case the caller cannot see answers NOT_FOUND (not CONFLICT), like everything else", async () => {
    const yongji = api.client(await api.login("yongji.admin"));
    const { id } = await yongji.cases.register.mutate({ ...dispute("永济的案件"), locationCode: "140881" });
    for (const caseId of [id, "00000000-0000-4000-8000-000000000000"]) {
      expect((await failure(countyLeader.escalation.takeCharge.mutate({ caseId, version: 1 }))).appCode).toBe(
        "NOT_FOUND",
      );
    }
  });

  it("an auditor records no follow-up, so nobody can close a case on it; an unsatisfied one reopens as a named system actor", async () => {
    const { id } = await town.cases.register.mutate({ ...dispute("审计员回访"), locationCode: "620981101" });
    let v = 1;
    for (const [action, data] of [
      ["accept", {}],
      ["triage", { route: { kind: "room" } }],
      ["resolve", { outcome: "已化解" }],
      ["await_follow_up", {}],
    ] as const) {
      v = (await town.cases.transition.mutate({ id, version: v, action, data })).version;
    }
    const r = await failure(
      auditor.cases.recordFollowUp.mutate({ caseId: id, method: "phone", satisfaction: "satisfied" }),
    );
    expect(r.appCode).toBe("FORBIDDEN");
    const [rows] = await api.db.admin<
      { n: number }[]
    >`select count(*)::int as n from app.follow_ups where case_id = ${id}`;
    expect(rows!.n).toBe(0);
    expect((await failure(town.cases.transition.mutate({ id, version: v, action: "close", data: {} }))).appCode).toBe(
      "PRECONDITION_FAILED",
    );

    expect(
      (await town.cases.recordFollowUp.mutate({ caseId: id, method: "visit", satisfaction: "unsatisfied" })).reopened,
    ).toBe(true);
    const [reopen] = await api.db.admin<{ actor_id: string | null; payload: { system?: string } }[]>`
      select actor_id, payload from app.case_events where case_id = ${id} and kind = 'case.reopen'`;
    expect(reopen).toMatchObject({ actor_id: null, payload: { system: "follow_up_rule" } });
  });
});
