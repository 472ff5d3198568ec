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

  it("a notice's files: uploaded by its unit with the case files' checks, downloaded by its audience and nobody else", async () => {
    const { id } = await county.notices.publish.mutate({ title: "附件通知", body: "见附件", levels: ["village"] });
    const countyCookie = await api.login("yumen.admin");
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 5, 6, 7, 8]);
    const upload = (cookie: string, bytes: Uint8Array, name: string, notice = id) => {
      const form = new FormData();
      form.set("file", new File([bytes], name));
      return api.request(`/notices/${notice}/attachments`, { method: "POST", cookie, body: form });
    };
    const ok = await upload(countyCookie, png, "值班表.png");
    expect(ok.status).toBe(201);
    const saved = (await ok.json()) as { id: string; filename: string; mime: string; sizeBytes: number };
    expect(saved).toMatchObject({ filename: "值班表.png", mime: "image/png", sizeBytes: 12 });
    // The same content checks as a case's materials, with bilingual refusals.
    const exe = await upload(countyCookie, new Uint8Array([0x4d, 0x5a, 0x90, 0]), "表.png");
    expect(exe.status).toBe(400);
    expect(await exe.json()).toMatchObject({
      zh: expect.stringContaining("仅支持"),
      en: expect.stringContaining("PDF"),
    });
    expect((await upload(countyCookie, new Uint8Array(), "空.pdf")).status).toBe(400);

    // The audience sees the file with the notice and downloads it; the sender sees it too.
    const villageNotice = (await village.notices.list.query({})).items.find((n) => n.id === id)!;
    expect(villageNotice.attachments).toEqual([
      { id: saved.id, filename: "值班表.png", mime: "image/png", sizeBytes: 12 },
    ]);
    expect((await county.notices.list.query({ box: "sent" })).items.find((n) => n.id === id)!.attachments).toHaveLength(
      1,
    );
    const download = (cookie: string) => api.request(`/notice-attachments/${saved.id}`, { cookie });
    const got = await download(await api.login("cun.grid"));
    expect(got.status).toBe(200);
    expect(got.headers.get("content-disposition")).toContain(encodeURIComponent("值班表.png"));
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(png);
    expect((await download(countyCookie)).status).toBe(200);
    // Outside the audience: the township (a tier not addressed), the city above (RLS lets it see
    // the row, the notice is not for it) and another deployment get the same 404 as a missing file.
    for (const username of ["yumenzhen.admin", "jiuquan.admin", "yongji.admin"]) {
      const answer = await download(await api.login(username));
      expect(answer.status, username).toBe(404);
    }
    expect(
      (await api.request("/notice-attachments/00000000-0000-4000-8000-000000000000", { cookie: countyCookie })).status,
    ).toBe(404);

    // Only the publishing unit's publishers attach: another unit's admin gets 404, a clerk 403.
    expect((await upload(await api.login("yumenzhen.admin"), png, "x.png")).status).toBe(404);
    expect((await upload(await api.login("yumen.clerk"), png, "x.png")).status).toBe(403);
    const [lines] = await api.db.admin<{ ok: number; refused: number }[]>`select
        count(*) filter (where detail->>'result' = 'ok')::int as ok,
        count(*) filter (where detail->>'result' <> 'ok')::int as refused
      from app.audit_events where kind = 'op.notices.attach'`;
    expect(lines).toEqual({ ok: 1, refused: 4 });
    const [named] = await api.db.admin<{ object: string }[]>`select detail->>'object' as object from app.audit_events
      where kind = 'op.notices.attach' and detail->>'result' = 'ok'`;
    expect(named!.object).toBe("附件通知");

    // At most ten files a notice.
    for (let i = 2; i <= 10; i++) expect((await upload(countyCookie, png, `第${i}页.png`)).status).toBe(201);
    const eleventh = await upload(countyCookie, png, "第11页.png");
    expect(eleventh.status).toBe(400);
    expect(((await eleventh.json()) as { zh: string }).zh).toContain("最多10个附件");
  });
});
