import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/** The work lists each role's home reads from `cases.list` (issue 12 §1). */
let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let villageMediator: Client;
let grid: Client;
let town: Client;
let townMediator: Client;

const TOWN = "620981101";
const dispute = villageDispute;
const titles = (r: { items: { title: string }[] }) => r.items.map((i) => i.title).sort();

beforeAll(async () => {
  api = await startTestApi({ centres: true });
  villageMediator = api.client(await api.login("cun.mediator"));
  grid = api.client(await api.login("cun.grid"));
  town = api.client(await api.login("yumenzhen.admin"));
  townMediator = api.client(await api.login("yumenzhen.mediator"));
});
afterAll(() => api.close());

describe("work lists", () => {
  it("my reports, today's intake, what my unit owns, and what awaits my sign-for", async () => {
    await grid.cases.register.mutate(dispute("网格上报一"));
    await villageMediator.cases.register.mutate(dispute("调解员登记"));
    const { id } = await villageMediator.cases.register.mutate(dispute("需上报乡镇"));
    expect(titles(await grid.cases.list.query({ mine: "registered" }))).toEqual(["网格上报一"]);
    expect(titles(await villageMediator.cases.list.query({ mine: "registered" }))).toEqual([
      "调解员登记",
      "需上报乡镇",
    ]);
    const startOfDay = new Date(`${new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)}T00:00:00+08:00`);
    expect((await grid.cases.list.query({ registeredSince: startOfDay })).items).toHaveLength(3);
    expect((await grid.cases.list.query({ registeredSince: new Date(Date.now() + 3600e3) })).items).toEqual([]);

    let v = (await villageMediator.cases.transition.mutate({ id, version: 1, action: "accept", data: {} })).version;
    v = (await villageMediator.escalation.escalate.mutate({ id, version: v, toCode: TOWN, reason: "村级无法协调" }))
      .version;
    // The village no longer owns it; the township must sign for it.
    expect(titles(await villageMediator.cases.list.query({ ownedHere: true }))).toEqual(["网格上报一", "调解员登记"]);
    expect(titles(await villageMediator.cases.list.query({ awaitingSignFor: true }))).toEqual([]);
    expect(titles(await town.cases.list.query({ awaitingSignFor: true }))).toEqual(["需上报乡镇"]);
    expect(titles(await town.cases.list.query({ ownedHere: true }))).toEqual(["需上报乡镇"]);
    await town.escalation.signFor.mutate({ id, version: v });
    expect((await town.cases.list.query({ awaitingSignFor: true })).items).toEqual([]);
    expect(titles(await town.cases.list.query({ ownedHere: true }))).toEqual(["需上报乡镇"]);
  });

  it("cases with an unanswered summons, my mediations and my sessions of a day", async () => {
    const { id } = await town.cases.register.mutate({ ...dispute("召集部门"), locationCode: TOWN });
    await town.cases.register.mutate({ ...dispute("无召集"), locationCode: TOWN });
    const stationings = await town.centre.stationings.query({});
    const [summons] = await town.cases.summon.mutate({ caseId: id, stationingIds: [stationings[0]!.id], dueHours: 24 });
    expect(titles(await town.cases.list.query({ pendingSummons: true }))).toEqual(["召集部门"]);
    await town.cases.acknowledgeSummons.mutate({ id: summons!.id, version: 1 });
    expect((await town.cases.list.query({ pendingSummons: true })).items).toEqual([]);

    // The township mediator's account is linked to a mediator of the pool; the case is assigned to it.
    const [mediator] = await api.db.admin<{ id: string }[]>`update app.mediators set user_id =
        (select id from app.users where username = 'yumenzhen.mediator')
      where id = (select id from app.mediators where scope_code = ${TOWN} order by name limit 1) returning id`;
    const room = (await town.centre.rooms.query({}))[0]!;
    let v = (await town.cases.transition.mutate({ id, version: 1, action: "accept", data: {} })).version;
    v = (
      await town.cases.transition.mutate({
        id,
        version: v,
        action: "triage",
        data: { route: { kind: "room", roomId: room.id, mediatorId: mediator!.id } },
      })
    ).version;
    expect(titles(await townMediator.cases.list.query({ mine: "mediating" }))).toEqual(["召集部门"]);
    expect((await town.cases.list.query({ mine: "mediating" })).items).toEqual([]);

    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const start = new Date(`${today}T09:00:00+08:00`);
    await town.cases.scheduleSession.mutate({
      caseId: id,
      roomId: room.id,
      startsAt: start,
      endsAt: new Date(start.getTime() + 3600e3),
      mediatorIds: [],
    });
    expect(titles(await townMediator.cases.list.query({ mine: "mediating", sessionOn: today }))).toEqual(["召集部门"]);
    const tomorrow = new Date(start.getTime() + 86400e3 + 8 * 3600e3).toISOString().slice(0, 10);
    expect((await townMediator.cases.list.query({ sessionOn: tomorrow })).items).toEqual([]);
  });
});
