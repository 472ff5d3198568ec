import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/** Dictionaries (字典管理), issue 12 §5: dispute categories, national plus each unit's own, inherited down the tree. */
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

describe("dispute categories", () => {
  it("a county's own category is listed after the national catalogue, inherited below and usable in intake", async () => {
    const national = await town.dictionaries.categories.query();
    expect(national.slice(0, 2).map((c) => c.name)).toEqual(["婚姻家庭", "邻里纠纷"]);
    expect(national.every((c) => c.id === null)).toBe(true);

    const { id, code } = await county.dictionaries.addCategory.mutate({ name: "草场纠纷", docking: true });
    expect(code).toMatch(/^x_[0-9a-f]{12}$/);
    const below = await town.dictionaries.categories.query();
    expect(below.at(-1)).toMatchObject({ id, code, name: "草场纠纷", unitName: "玉门市", own: false, docking: true });
    const c = await town.cases.register.mutate({ ...villageDispute("草场边界纠纷"), categoryCode: code });
    const detail = await town.cases.get.query({ id: c.id });
    expect(detail.categoryName).toBe("草场纠纷");
    // Another deployment does not see it, nor can it use the code.
    const yongji = api.client(await api.login("yongji.admin"));
    expect((await yongji.dictionaries.categories.query()).map((x) => x.code)).not.toContain(code);
  });

  it("a deactivated category cannot be chosen any more; only its own unit edits it", async () => {
    const { id, code } = await county.dictionaries.addCategory.mutate({ name: "临时类别", docking: false });
    expect(
      (
        await refusal(
          town.dictionaries.editCategory.mutate({ id, version: 1, name: "改", docking: false, active: false }),
        )
      ).appCode,
    ).toBe("FORBIDDEN");
    await county.dictionaries.editCategory.mutate({ id, version: 1, name: "临时类别", docking: false, active: false });
    expect((await county.dictionaries.categories.query()).find((x) => x.id === id)).toMatchObject({
      active: false,
      version: 2,
    });
    const refused = await refusal(town.cases.register.mutate({ ...villageDispute("用停用类别"), categoryCode: code }));
    expect(refused.appCode).toBe("VALIDATION");
    // A stale version is a conflict, not a lost update.
    const stale = await refusal(
      county.dictionaries.editCategory.mutate({ id, version: 1, name: "x", docking: false, active: true }),
    );
    expect(stale.appCode).toBe("CONFLICT");
    const clerk = api.client(await api.login("yumen.clerk"));
    expect((await refusal(clerk.dictionaries.addCategory.mutate({ name: "无权" }))).appCode).toBe("FORBIDDEN");
    expect((await refusal(county.dictionaries.addCategory.mutate({ name: "" }))).appCode).toBe("VALIDATION");
  });
});

describe("window service items and mediator qualifications", () => {
  it("a unit's entries are inherited by its subtree, not by its parent or another deployment", async () => {
    const { id } = await county.dictionaries.addEntry.mutate({ kind: "service_item", name: "  法律援助申请 " });
    const own = await town.dictionaries.addEntry.mutate({ kind: "qualification", name: "人民调解员证" });
    const below = await town.dictionaries.entries.query();
    expect(below.find((e) => e.id === id)).toMatchObject({
      kind: "service_item",
      name: "法律援助申请",
      unitName: "玉门市",
      own: false,
      active: true,
      version: 1,
    });
    expect(below.find((e) => e.id === own.id)).toMatchObject({ kind: "qualification", own: true });
    const above = await county.dictionaries.entries.query();
    expect(above.find((e) => e.id === id)?.own).toBe(true);
    expect(above.map((e) => e.id)).not.toContain(own.id);
    const yongji = api.client(await api.login("yongji.admin"));
    expect((await yongji.dictionaries.entries.query()).map((e) => e.id)).not.toContain(id);
    // Only the entry's own unit edits it; another deployment cannot even find it.
    const forbidden = await refusal(town.dictionaries.editEntry.mutate({ id, version: 1, name: "改", active: true }));
    expect(forbidden.appCode).toBe("FORBIDDEN");
    const hidden = await refusal(yongji.dictionaries.editEntry.mutate({ id, version: 1, name: "改", active: true }));
    expect(hidden.appCode).toBe("NOT_FOUND");
    expect(hidden.zh).toMatch(/字典项/);
    expect(hidden.en).toMatch(/dictionary entry/);
  });

  it("a name already in the unit's dictionary of that kind, a stale version and bad input are refused in both languages", async () => {
    const { id } = await county.dictionaries.addEntry.mutate({ kind: "qualification", name: "心理咨询师" });
    // The same name as another kind, or in the unit below, is fine.
    await county.dictionaries.addEntry.mutate({ kind: "service_item", name: "心理咨询师" });
    await town.dictionaries.addEntry.mutate({ kind: "qualification", name: "心理咨询师" });
    const taken = await refusal(county.dictionaries.addEntry.mutate({ kind: "qualification", name: "心理咨询师" }));
    expect(taken).toMatchObject({
      appCode: "CONFLICT",
      zh: expect.stringMatching(/已有/),
      en: expect.stringMatching(/exists/),
    });

    await county.dictionaries.editEntry.mutate({ id, version: 1, name: "心理咨询师（二级）", active: false });
    expect((await town.dictionaries.entries.query()).find((e) => e.id === id)).toMatchObject({
      name: "心理咨询师（二级）",
      active: false,
      version: 2,
    });
    const stale = await refusal(county.dictionaries.editEntry.mutate({ id, version: 1, name: "x", active: true }));
    expect(stale.appCode).toBe("CONFLICT");

    const bad = [
      () => county.dictionaries.addEntry.mutate({ kind: "qualification", name: "" }),
      () => county.dictionaries.addEntry.mutate({ kind: "qualification", name: "长".repeat(41) }),
      () => county.dictionaries.addEntry.mutate({ kind: "qualification", name: "换\n行" }),
      () => county.dictionaries.addEntry.mutate({ kind: "department" as "qualification", name: "未知种类" }),
      () => county.dictionaries.editEntry.mutate({ id: "not-a-uuid", version: 1, name: "x", active: true }),
    ];
    for (const call of bad) {
      const r = await refusal(call());
      expect(r.appCode).toBe("VALIDATION");
      expect(r.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(r.en).toMatch(/[a-z]/);
    }
    const clerk = api.client(await api.login("yumen.clerk"));
    expect((await refusal(clerk.dictionaries.addEntry.mutate({ kind: "service_item", name: "无权" }))).appCode).toBe(
      "FORBIDDEN",
    );
  });
});
