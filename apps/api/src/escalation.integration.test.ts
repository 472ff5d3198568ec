import type { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Refusal, refusal, startTestApi, type TestApi } from "./test-harness.ts";

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let village: Client;
let town: Client;
let county: Client;
let countyCookie: string;

type Data = Refusal;
const failure = refusal;

const VILLAGE = "620981101001";
const dispute = (title: string) => ({
  categoryCode: "neighbour",
  channel: "grid_patrol" as const,
  title,
  description: "邻里之间因排水沟堵塞发生争执",
  locationCode: VILLAGE,
  peopleCount: 2,
  groupDispute: false,
  riskGrade: "blue" as const,
  difficulty: "simple" as const,
  parties: [{ role: "applicant" as const, kind: "person" as const, name: "刘大爷", phone: "13609371234" }],
});

/** Opens the SSE stream as `cookie` and resolves with the first notification's arrival time. */
async function listen(
  cookie: string,
): Promise<{ next: () => Promise<{ at: number; data: string }>; close: () => void }> {
  const controller = new AbortController();
  const res = await api.request("/events", { cookie, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const read = async (event: string) => {
    for (;;) {
      const match = new RegExp(`event: ${event}\\ndata: (.*)\\n`).exec(buffer);
      if (match) {
        buffer = buffer.slice(match.index + match[0].length);
        return { at: performance.now(), data: match[1]! };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buffer += decoder.decode(value, { stream: true });
    }
  };
  await read("ready");
  return { next: () => read("notification"), close: () => controller.abort() };
}

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

  it("two concurrent escalations of the same case: one wins, one gets CONFLICT", async () => {
    const { id } = await village.cases.register.mutate(dispute("并发上报"));
    const results = await Promise.allSettled([
      village.escalation.escalate.mutate({ id, version: 1, toCode: "620981101", reason: "甲" }),
      village.escalation.escalate.mutate({ id, version: 1, toCode: "620981", reason: "乙" }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected")!;
    expect(((rejected.reason as TRPCClientError<never>).data as unknown as Data).appCode).toBe("CONFLICT");
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
