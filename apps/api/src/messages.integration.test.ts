import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/** The message centre's inbox: filters by kind and read state, unread counts per kind (issue 12 §2). */
let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let village: Client;
let town: Client;

const dispute = villageDispute;

beforeAll(async () => {
  api = await startTestApi({ centres: true });
  village = api.client(await api.login("cun.mediator"));
  town = api.client(await api.login("yumenzhen.admin"));
});
afterAll(() => api.close());

async function escalate(title: string, urgency: "normal" | "urgent") {
  const { id } = await village.cases.register.mutate(dispute(title));
  const v = (await village.cases.transition.mutate({ id, version: 1, action: "accept", data: {} })).version;
  await village.escalation.escalate.mutate({ id, version: v, toCode: "620981101", reason: "村级无法协调", urgency });
  return { id, version: v + 1 };
}

describe("message centre inbox", () => {
  it("filters unread and by kind, and counts unread per kind", async () => {
    await escalate("普通上报", "normal");
    const urgent = await escalate("紧急上报", "urgent");
    let inbox = await town.escalation.inbox.query({});
    expect(inbox.unread).toBe(2);
    expect(inbox.unreadByKind).toEqual({ "case.escalated": 2 });
    expect(inbox.items[0]!.title).toContain("【紧急】");

    // The township signs for the urgent one (its notification stays unread) and reads the other.
    await town.escalation.signFor.mutate({ id: urgent.id, version: urgent.version });
    await town.escalation.markRead.mutate({ ids: [inbox.items[1]!.id] });
    inbox = await town.escalation.inbox.query({ unread: true });
    expect(inbox.items.map((i) => i.title)).toEqual([expect.stringContaining("紧急上报")]);
    expect(inbox.unread).toBe(1);
    expect((await town.escalation.inbox.query({ kind: "case.escalated" })).items).toHaveLength(2);
    expect((await town.escalation.inbox.query({ kind: "supervision.opened" })).items).toEqual([]);
    expect((await village.escalation.inbox.query({})).unreadByKind).toEqual({});
  });
});
