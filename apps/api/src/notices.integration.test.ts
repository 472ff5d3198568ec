import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

/** Notices (通知公告), issue 12 §6: published down the tree, acknowledged by readers, receipts for the sender. */
let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let county: Client;
let town: Client;
let village: Client;
let sibling: Client;

beforeAll(async () => {
  api = await startTestApi({ centres: false });
  county = api.client(await api.login("yumen.admin"));
  town = api.client(await api.login("yumenzhen.admin"));
  village = api.client(await api.login("cun.mediator"));
  sibling = api.client(await api.login("yongji.admin"));
});
afterAll(() => api.close());

describe("notices", () => {
  it("a county's notice reaches every tier below, each reader acknowledges, and the county sees who has read", async () => {
    const { id } = await county.notices.publish.mutate({
      title: "关于春节期间值班安排的通知",
      body: "各单位：请做好值班。",
    });
    const received = await town.notices.list.query({});
    expect(received.items[0]).toMatchObject({ id, unitName: "玉门市", readAt: null });
    expect(received.unread).toBe(1);
    expect((await village.notices.list.query({ unread: true })).items.map((n) => n.id)).toEqual([id]);
    // Another deployment never sees it.
    expect((await sibling.notices.list.query({})).items).toEqual([]);
    expect((await refusal(sibling.notices.acknowledge.mutate({ id }))).appCode).toBe("NOT_FOUND");

    await town.notices.acknowledge.mutate({ id });
    await town.notices.acknowledge.mutate({ id }); // twice: no error, one receipt
    await village.notices.acknowledge.mutate({ id });
    expect((await town.notices.list.query({})).unread).toBe(0);
    expect((await town.notices.list.query({})).items[0]!.readAt).not.toBeNull();

    const receipts = await county.notices.receipts.query({ id });
    expect(receipts.read.map((r) => [r.username, r.unitName])).toEqual([
      ["yumenzhen.admin", "玉门镇"],
      ["cun.mediator", expect.any(String)],
    ]);
    expect(receipts.unread.map((r) => r.username)).toEqual(expect.arrayContaining(["yumen.clerk", "cun.grid"]));
    expect(receipts.recipients).toBe(receipts.read.length + receipts.unread.length);
    const sent = await county.notices.list.query({ box: "sent" });
    expect(sent.items[0]).toMatchObject({ id, reads: 2, authorName: "玉门市综治中心管理员" });
    // The township reads its own people's receipts; not the county's notice list of sent ones.
    expect((await town.notices.list.query({ box: "sent" })).items).toEqual([]);
  });

  it("a notice to chosen tiers reaches only them", async () => {
    const { id } = await county.notices.publish.mutate({ title: "致各村", body: "村级工作要求", levels: ["village"] });
    expect((await town.notices.list.query({})).items.map((n) => n.id)).not.toContain(id);
    expect((await village.notices.list.query({})).items.map((n) => n.id)).toContain(id);
    expect((await refusal(town.notices.acknowledge.mutate({ id }))).appCode).toBe("NOT_FOUND");
    const receipts = await county.notices.receipts.query({ id });
    expect(receipts.unread.map((r) => r.username).sort()).toEqual(["cun.grid", "cun.mediator"]);
    // A township may not address the county's tier.
    const up = await refusal(town.notices.publish.mutate({ title: "越级", body: "x", levels: ["county"] }));
    expect(up.appCode).toBe("VALIDATION");
  });

  it("only administrators and leaders publish; inputs are checked", async () => {
    const clerk = api.client(await api.login("yumen.clerk"));
    expect((await refusal(clerk.notices.publish.mutate({ title: "t", body: "b" }))).appCode).toBe("FORBIDDEN");
    const leader = api.client(await api.login("yumen.leader"));
    expect(await leader.notices.publish.mutate({ title: "领导通知", body: "内容" })).toHaveProperty("id");
    expect((await refusal(county.notices.publish.mutate({ title: "", body: "b" }))).appCode).toBe("VALIDATION");
    const { id } = (await county.notices.list.query({ box: "sent" })).items[0]!;
    // The township cannot read receipts of the county's notice (outside its subtree).
    expect((await refusal(town.notices.receipts.query({ id }))).appCode).toBe("NOT_FOUND");
  });
});
