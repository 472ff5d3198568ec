import type { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Refusal, refusal, startTestApi, type TestApi } from "./test-harness.ts";

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let county: Client;
let town: Client;
let village: Client;
let sibling: Client;

type Data = Refusal;
const failure = refusal;

beforeAll(async () => {
  api = await startTestApi();
  county = api.client(await api.login("yumen.admin"));
  town = api.client(await api.login("yumenzhen.admin"));
  // Admins for a village of 玉门镇 and for the sibling township 赤金镇.
  // The village already has accounts: its administrator is a grant (the county's security administrator).
  const security = api.client(await api.login("yumen.security"));
  const { setupLink: v } = await security.users.create.mutate({
    tenantId: (await town.tenants.units.query({ parentCode: "620981101", limit: 1 })).items[0]!.tenant!.id,
    username: "cun.admin",
    displayName: "村管理员",
    roles: ["tenant_admin", "mediator"],
  });
  const sib = (await county.tenants.units.query({ parentCode: "620981", after: "620981101", limit: 1 })).items[0]!;
  const { setupLink: s } = await county.users.create.mutate({
    tenantId: sib.tenant!.id,
    username: "chijin.admin",
    displayName: "赤金镇管理员",
    roles: ["tenant_admin"],
  });
  for (const [link, pw] of [
    [v.url, "Cun#Admin2026"],
    [s.url, "Chijin#Admin2026"],
  ] as const) {
    await api.request("/auth/setup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: link.split("#")[1], password: pw }),
    });
  }
  village = api.client(await api.login("cun.admin", "Cun#Admin2026"));
  sibling = api.client(await api.login("chijin.admin", "Chijin#Admin2026"));
});
afterAll(() => api.close());

describe("stationed departments and the roster", () => {
  it("a county stations permanent, rotating and on-call departments and sees them on the right days", async () => {
    await county.centre.station.mutate({ kindCode: "court", name: "玉门市人民法院", residency: "permanent" });
    await county.centre.station.mutate({
      kindCode: "human_resources",
      name: "玉门市人社局",
      residency: "rotating",
      slots: [{ weekdays: [2, 4], staffName: "张敏", staffPhone: "0937-3322110" }],
    });
    await county.centre.station.mutate({
      kindCode: "medical_mediation",
      name: "玉门市医调委",
      residency: "on_call",
      contactName: "刘医生",
      contactPhone: "13809371234",
      responseMinutes: 120,
    });
    const list = await county.centre.stationings.query({});
    expect(list.map((s) => [s.name, s.residency])).toEqual([
      ["玉门市人民法院", "permanent"],
      ["玉门市人社局", "rotating"],
      ["玉门市医调委", "on_call"],
    ]);
    expect(list[0]!.kindName).toBe("人民法院");

    const week = await county.centre.roster.query({ start: "2026-09-28" });
    const tuesday = week[1]!;
    expect(tuesday.date).toBe("2026-09-29");
    expect(tuesday.permanent.map((s) => s.name)).toEqual(["玉门市人民法院"]);
    expect(tuesday.rotating.map((r) => [r.stationing.name, r.staff[0]!.name])).toEqual([["玉门市人社局", "张敏"]]);
    expect(tuesday.onCall.map((s) => s.responseMinutes)).toEqual([120]);
    const nationalDay = week[3]!;
    expect(nationalDay.holiday).toBe("国庆节");
    expect(nationalDay.permanent).toEqual([]);
    expect(nationalDay.rotating).toEqual([]);
    const makeUp = (await county.centre.roster.query({ start: "2026-10-05" }))[5]!;
    expect(makeUp.date).toBe("2026-10-10");
    expect(makeUp.makeUpWorkday).toBe(true);
    expect(makeUp.permanent).toHaveLength(1);
  });

  it("explains what an on-call or rotating department is missing, in Chinese", async () => {
    const onCall = await failure(
      county.centre.station.mutate({ kindCode: "women_federation", name: "妇联", residency: "on_call" }),
    );
    expect(onCall.appCode).toBe("VALIDATION");
    expect(onCall.fields?.map((f) => f.path).sort()).toEqual(["contactPhone", "responseMinutes"]);
    const rotating = await failure(
      county.centre.station.mutate({ kindCode: "women_federation", name: "妇联", residency: "rotating" }),
    );
    expect(rotating.zh).toContain("轮值安排");
    const badRange = await failure(
      county.centre.station.mutate({
        kindCode: "women_federation",
        name: "妇联",
        residency: "rotating",
        slots: [{ weekdays: null, validFrom: "2026-10-10", validTo: "2026-10-01", staffName: "李娟" }],
      }),
    );
    expect(badRange.appCode).toBe("VALIDATION");
    expect(badRange.zh).toContain("结束日期不能早于开始日期");
    const unknownKind = await failure(
      county.centre.station.mutate({ kindCode: "no_such_kind", name: "某部门", residency: "permanent" }),
    );
    expect(unknownKind.zh).toContain("部门类别不存在");
  });

  it("a county reads its townships' configuration; a township cannot edit the county's, nor read a sibling's", async () => {
    await town.centre.station.mutate({ kindCode: "judicial_office", name: "玉门镇司法所", residency: "permanent" });
    const me = await town.auth.me.query();
    const seen = await county.centre.stationings.query({ tenantId: me.tenant!.id });
    expect(seen.map((s) => s.name)).toEqual(["玉门镇司法所"]);
    expect((await failure(sibling.centre.stationings.query({ tenantId: me.tenant!.id }))).appCode).toBe("NOT_FOUND");
    const countyOwn = (await county.centre.stationings.query({}))[0]!;
    const { id, version, kindCode, residency } = countyOwn;
    const edit = await failure(
      town.centre.editStationing.mutate({ id, version, kindCode, residency, name: "篡改", slots: [] }),
    );
    expect(["NOT_FOUND", "FORBIDDEN"]).toContain(edit.appCode);
    expect((await county.centre.stationings.query({}))[0]!.name).toBe("玉门市人民法院");
  });

  it("an extra department kind added by the county is offered to its townships", async () => {
    await county.centre.addDepartmentKind.mutate({
      code: "fire_rescue",
      name: "消防救援大队",
      category: "administrative",
    });
    const townKinds = await town.centre.departmentKinds.query();
    expect(townKinds.map((k) => k.code)).toContain("x_fire_rescue");
    const inherited = townKinds.find((k) => k.code === "x_fire_rescue")!;
    expect(inherited).toMatchObject({ builtin: false, own: false, scopeCode: "620981" });
    expect(inherited.unitName).toBeTruthy();
    expect((await county.centre.departmentKinds.query()).find((k) => k.code === "x_fire_rescue")?.own).toBe(true);
    expect(townKinds.find((k) => k.builtin)).toMatchObject({ own: false, scopeCode: null });
    expect((await sibling.centre.departmentKinds.query()).map((k) => k.code)).toContain("x_fire_rescue");
    expect(
      (await api.client(await api.login("yongji.admin")).centre.departmentKinds.query()).map((k) => k.code),
    ).not.toContain("x_fire_rescue");
  });

  it("a unit renames or deactivates only its own department kind, with bilingual refusals", async () => {
    const added = await county.centre.addDepartmentKind.mutate({
      code: "forestry",
      name: "林草局",
      category: "administrative",
    });
    const bad = await failure(
      county.centre.editDepartmentKind.mutate({ id: added.id!, version: added.version!, name: "", active: true }),
    );
    expect(bad.appCode).toBe("VALIDATION");
    expect(bad.zh).toBeTruthy();
    expect(bad.en).toBeTruthy();
    const byTown = await failure(
      town.centre.editDepartmentKind.mutate({ id: added.id!, version: added.version!, name: "篡改", active: true }),
    );
    expect(byTown.appCode).toBe("FORBIDDEN");
    expect(byTown.zh).toBeTruthy();
    const elsewhere = await failure(
      api
        .client(await api.login("yongji.admin"))
        .centre.editDepartmentKind.mutate({ id: added.id!, version: added.version!, name: "篡改", active: true }),
    );
    expect(elsewhere.appCode).toBe("NOT_FOUND");

    const renamed = await county.centre.editDepartmentKind.mutate({
      id: added.id!,
      version: added.version!,
      name: "林业和草原局",
      active: true,
    });
    expect((await town.centre.departmentKinds.query()).find((k) => k.code === "x_forestry")?.name).toBe("林业和草原局");
    const stale = await failure(
      county.centre.editDepartmentKind.mutate({ id: added.id!, version: added.version!, name: "旧版本", active: true }),
    );
    expect(stale.appCode).toBe("CONFLICT");

    await county.centre.editDepartmentKind.mutate({
      id: added.id!,
      version: renamed.version!,
      name: "林业和草原局",
      active: false,
    });
    expect((await town.centre.departmentKinds.query()).map((k) => k.code)).not.toContain("x_forestry");
    expect((await county.centre.departmentKinds.query()).find((k) => k.code === "x_forestry")?.active).toBe(false);
    const unusable = await failure(
      town.centre.station.mutate({ kindCode: "x_forestry", name: "林草站", residency: "permanent" }),
    );
    expect(unusable.zh).toContain("部门类别不存在");
  });
});

describe("windows", () => {
  it("numbers windows uniquely per centre", async () => {
    await county.centre.createWindow.mutate({ number: 1, name: "综合受理", services: ["登记", "分流"] });
    const dup = await failure(county.centre.createWindow.mutate({ number: 1, name: "法律援助" }));
    expect(dup.appCode).toBe("CONFLICT");
    await town.centre.createWindow.mutate({ number: 1, name: "综合受理" });
    expect((await county.centre.windows.query({})).map((w) => w.name)).toEqual(["综合受理"]);
  });
});

describe("mediator pools", () => {
  it("a village draws on its township's and county's pools, a sibling township does not see the township's", async () => {
    await county.centre.addMediator.mutate({
      name: "周广龙",
      grade: "chief",
      specialties: ["land"],
      affiliation: "notable_villager",
    });
    await town.centre.addMediator.mutate({
      name: "马有信",
      grade: "senior",
      specialties: ["land", "neighbour"],
      affiliation: "committee",
    });
    await village.centre.addMediator.mutate({
      name: "村调解员甲",
      grade: "standard",
      specialties: ["neighbour"],
      affiliation: "grid_worker",
    });
    const land = await village.centre.mediators.query({ specialty: "land" });
    expect(land.map((m) => [m.name, m.own])).toEqual([
      ["马有信", false],
      ["周广龙", false],
    ]);
    expect((await village.centre.mediators.query({})).map((m) => m.name)).toEqual(["村调解员甲", "马有信", "周广龙"]);
    expect((await sibling.centre.mediators.query({})).map((m) => m.name)).toEqual(["周广龙"]);
    expect((await county.centre.mediators.query({ grade: "chief" })).map((m) => m.name)).toEqual(["周广龙"]);
    expect((await county.centre.mediators.query({ includeSubtree: true })).map((m) => m.name).sort()).toEqual(
      ["周广龙", "村调解员甲", "马有信"].sort(),
    );
  });
});

describe("rooms and bookings", () => {
  it("books rooms and mediators; a double booking is refused with a message naming the conflict", async () => {
    const zhou = (await town.centre.mediators.query({ q: "周广龙" }))[0]!;
    const room = await town.centre.createRoom.mutate({
      name: "土地纠纷调解室",
      kind: "land",
      studioName: "周广龙调解室",
      chiefMediatorId: zhou.id,
      capacity: 10,
      area: "resolution",
    });
    expect(room.chiefMediatorName).toBe("周广龙");
    const at = (h: number, m = 0) => new Date(Date.UTC(2026, 9, 12, h - 8, m));
    const first = await town.centre.book.mutate({
      roomId: room.id,
      startsAt: at(9),
      endsAt: at(11),
      title: "邻里土地纠纷调解",
      mediatorIds: [zhou.id],
    });
    expect(first.mediators.map((m) => m.name)).toEqual(["周广龙"]);

    const clash = await failure(
      town.centre.book.mutate({
        roomId: room.id,
        startsAt: at(10, 30),
        endsAt: at(12),
        title: "另一场调解",
        mediatorIds: [],
      }),
    );
    expect(clash.appCode).toBe("CONFLICT");
    expect(clash.zh).toContain("土地纠纷调解室");
    expect(clash.zh).toContain("邻里土地纠纷调解");
    // Back-to-back is fine: ranges are half-open.
    await town.centre.book.mutate({
      roomId: room.id,
      startsAt: at(11),
      endsAt: at(12),
      title: "紧接着的调解",
      mediatorIds: [],
    });

    // The county's chief mediator is already booked by the township at 9–11: the village cannot book him then.
    const vRoom = await village.centre.createRoom.mutate({
      name: "村调解室",
      kind: "neighbour",
      capacity: 6,
      area: "resolution",
    });
    const busy = await failure(
      village.centre.book.mutate({
        roomId: vRoom.id,
        startsAt: at(10),
        endsAt: at(10, 30),
        title: "村里调解",
        mediatorIds: [zhou.id],
      }),
    );
    expect(busy.appCode).toBe("CONFLICT");
    expect(busy.zh).toBe("调解员周广龙在该时段已有其他安排");
    expect(busy.zh).not.toContain("邻里土地纠纷调解");

    await town.centre.cancelBooking.mutate({ id: first.id, version: first.version });
    const after = await village.centre.book.mutate({
      roomId: vRoom.id,
      startsAt: at(10),
      endsAt: at(10, 30),
      title: "村里调解",
      mediatorIds: [zhou.id],
    });
    expect(after.status).toBe("active");
  });

  it("of ten simultaneous bookings of one slot exactly one succeeds", async () => {
    const room = await county.centre.createRoom.mutate({
      name: "首席调解员工作室",
      kind: "general",
      capacity: 8,
      area: "resolution",
    });
    const at = (h: number) => new Date(Date.UTC(2026, 9, 13, h - 8));
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        county.centre.book.mutate({
          roomId: room.id,
          startsAt: at(14),
          endsAt: at(15),
          title: `并发预约${i}`,
          mediatorIds: [],
        }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const codes = results
      .filter((r) => r.status === "rejected")
      .map((r) => ((r as PromiseRejectedResult).reason as TRPCClientError<never>).data);
    expect(codes.every((d) => (d as unknown as Data).appCode === "CONFLICT")).toBe(true);
  });

  it("a forged id of another unit's mediator or room is NOT_FOUND", async () => {
    const sibMediator = await sibling.centre.addMediator.mutate({
      name: "赤金调解员",
      grade: "standard",
      affiliation: "committee",
    });
    const vRoom = (await village.centre.rooms.query({}))[0]!;
    const at = (h: number) => new Date(Date.UTC(2026, 9, 14, h - 8));
    const forged = await failure(
      village.centre.book.mutate({
        roomId: vRoom.id,
        startsAt: at(9),
        endsAt: at(10),
        title: "伪造",
        mediatorIds: [sibMediator.id],
      }),
    );
    expect(forged.appCode).toBe("NOT_FOUND");
    const townRoom = (await town.centre.rooms.query({}))[0]!;
    expect(
      (
        await failure(
          village.centre.book.mutate({
            roomId: townRoom.id,
            startsAt: at(9),
            endsAt: at(10),
            title: "借用",
            mediatorIds: [],
          }),
        )
      ).appCode,
    ).toBe("NOT_FOUND");
    const linkForeign = await failure(
      village.centre.createRoom.mutate({
        name: "伪造工作室",
        kind: "general",
        capacity: 2,
        area: "resolution",
        chiefMediatorId: sibMediator.id,
      }),
    );
    expect(linkForeign.appCode).toBe("NOT_FOUND");
  });
});

describe("demo configuration", () => {
  it("gives Yumen its 13 departments, 20 windows, 8 committees, 3 studios, and cases in every state", async () => {
    const demo = await startTestApi({ centres: true, cases: true });
    try {
      const c = demo.client(await demo.login("yumen.clerk"));
      expect(await c.centre.stationings.query({})).toHaveLength(13);
      expect(await c.centre.windows.query({})).toHaveLength(20);
      expect(await c.centre.committees.query({})).toHaveLength(8);
      const studios = (await c.centre.rooms.query({})).filter((r) => r.studioName);
      expect(studios.map((r) => r.studioName).sort()).toEqual(
        ["周广龙调解室", "老法官调解室", "马有信特色调解室"].sort(),
      );
      const states = new Set((await c.cases.list.query({ limit: 200 })).items.map((i) => i.status));
      const { CASE_STATES } = await import("@zongzhi/domain");
      expect([...states].sort()).toEqual([...CASE_STATES].sort());
      const { verifyCaseChains } = await import("@zongzhi/db/case-chain");
      expect((await verifyCaseChains(demo.db.admin)).broken).toEqual([]);
      const liaison = demo.client(await demo.login("yumen.liaison"));
      expect((await liaison.cases.liaisonInbox.query({})).map((i) => [i.title, i.status])).toEqual([
        ["20名工人被拖欠工资97万元", "pending"],
      ]);
      const t = demo.client(await demo.login("yumenzhen.admin"));
      expect((await t.centre.stationings.query({})).map((s) => s.residency)).toEqual([
        "permanent",
        "rotating",
        "on_call",
      ]);
    } finally {
      await demo.close();
    }
  });
});

describe("the centre's public contact (the receipt's phone)", () => {
  it("a unit's administrator sets it, units below print it until they set their own, and the input is checked", async () => {
    expect(await county.centre.contact.query({})).toBeNull();
    const saved = await county.centre.saveContact.mutate({
      phone: "0937-3221234",
      address: "玉门市新市区综治中心一楼",
      openingHours: "工作日 8:30–12:00，14:30–18:00",
    });
    expect(saved).toMatchObject({
      scopeCode: "620981",
      unitName: "玉门市",
      phone: "0937-3221234",
      own: true,
      version: 1,
    });
    // A township and a village without one of their own print the county's; another county does not see it.
    expect(await town.centre.contact.query({})).toMatchObject({ scopeCode: "620981", own: false });
    expect(await village.centre.contact.query({})).toMatchObject({ phone: "0937-3221234", own: false });
    const yongji = api.client(await api.login("yongji.admin"));
    expect(await yongji.centre.contact.query({ unitCode: "620981" })).toBeNull();
    await town.centre.saveContact.mutate({ phone: "13909371234", address: null });
    expect(await village.centre.contact.query({})).toMatchObject({ scopeCode: "620981101", phone: "13909371234" });
    // The county reads what a township's receipt prints.
    expect(await county.centre.contact.query({ unitCode: "620981101" })).toMatchObject({ own: true, address: null });

    // Versioned: a stale save is a conflict, a first save twice too.
    const edited = await county.centre.saveContact.mutate({ version: 1, phone: "0937-3221235" });
    expect(edited).toMatchObject({ version: 2, address: null, openingHours: null });
    expect((await refusal(county.centre.saveContact.mutate({ version: 1, phone: "0937-3221236" }))).appCode).toBe(
      "CONFLICT",
    );
    expect((await refusal(county.centre.saveContact.mutate({ phone: "0937-3221236" }))).appCode).toBe("CONFLICT");
    // Bilingual refusals of a bad phone and over-long text; only the unit's administrator sets it.
    const bad = await refusal(county.centre.saveContact.mutate({ version: 2, phone: "电话" }));
    expect(bad).toMatchObject({ appCode: "VALIDATION", zh: expect.stringContaining("电话号码格式不正确") });
    expect(bad.en).toMatch(/phone/);
    const long = await refusal(
      county.centre.saveContact.mutate({ version: 2, phone: "12345", address: "长".repeat(201) }),
    );
    expect(long.appCode).toBe("VALIDATION");
    const clerk = api.client(await api.login("yumen.clerk"));
    expect((await refusal(clerk.centre.saveContact.mutate({ phone: "0937-3221234" }))).appCode).toBe("FORBIDDEN");
    const leader = api.client(await api.login("yumen.leader"));
    expect(await leader.centre.contact.query({})).toMatchObject({ phone: "0937-3221235" });
  });
});
