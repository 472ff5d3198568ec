import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

// Issue 8 §5 through the real API: a reference to another unit's row, a random id or a
// deactivated row is refused cleanly (4xx, nothing stored), and every refusal a user can reach
// says what to do.

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let town: Client;
let county: Client;
let townCase: string;
let siblingCase: string;
let foreignCase: string;

const at = (day: number, h: number) => new Date(Date.UTC(2026, 10, day, h - 8));
const petition = (title: string) => ({
  categoryCode: "neighbour",
  channel: "visit" as const,
  title,
  description: "邻里因排水沟发生纠纷",
  locationCode: "620981101",
  peopleCount: 2,
  groupDispute: false,
  riskGrade: "none" as const,
  difficulty: "simple" as const,
  parties: [{ role: "applicant" as const, kind: "person" as const, name: "赵大哥", phone: "13709370001" }],
});

/** A case registered straight into the database at `scope` (a unit with no demo login). */
async function seedCase(scope: string, seq: number): Promise<string> {
  const [row] = await api.db.admin<{ id: string }[]>`insert into app.cases (scope_code, owner_code, code, year, seq,
      category_code, channel, title, description, location_code)
    values (${scope}, ${scope}, ${`${scope}-2026-${String(seq).padStart(6, "0")}`}, 2026, ${seq}, 'other', 'visit',
      '他人的案件', '他人的案件', ${scope}) returning id`;
  return row!.id;
}

beforeAll(async () => {
  api = await startTestApi({ centres: true });
  town = api.client(await api.login("yumenzhen.admin"));
  county = api.client(await api.login("yumen.admin"));
  townCase = (await town.cases.register.mutate(petition("本镇案件"))).id;
  siblingCase = await seedCase("620981102", 900001);
  foreignCase = await seedCase("140881", 900002);
});
afterAll(() => api.close());

const bookingsOf = async (roomId: string) =>
  (await api.db.admin<{ n: number }[]>`select count(*)::int as n from app.bookings where room_id = ${roomId}`)[0]!.n;

describe("centre.book and the case it names", () => {
  it("books a room for the unit's own case", async () => {
    const room = (await town.centre.rooms.query({}))[0]!;
    const b = await town.centre.book.mutate({
      roomId: room.id,
      startsAt: at(2, 9),
      endsAt: at(2, 10),
      title: "本镇调解",
      caseId: townCase,
    });
    expect(b.caseId).toBe(townCase);
  });

  it("refuses a random id, a sibling township's case and another deployment's case alike (404), storing nothing", async () => {
    const room = (await town.centre.rooms.query({}))[0]!;
    const before = await bookingsOf(room.id);
    const answers = [];
    for (const [i, caseId] of [crypto.randomUUID(), siblingCase, foreignCase].entries()) {
      answers.push(
        await refusal(
          town.centre.book.mutate({
            roomId: room.id,
            startsAt: at(3, 9 + i),
            endsAt: at(3, 10 + i),
            title: "伪造的案件",
            caseId,
          }),
        ),
      );
    }
    // Same code and words for all three: no oracle telling a foreign id from a missing one.
    expect(new Set(answers.map((a) => JSON.stringify([a.appCode, a.zh, a.en]))).size).toBe(1);
    expect(answers[0]).toMatchObject({ appCode: "NOT_FOUND", zh: "所选案件不存在或不属于可用范围，请重新选择" });
    expect(await bookingsOf(room.id)).toBe(before);
  });

  it("a county books its own room for a case of its township (the case lies in its subtree)", async () => {
    const room = (await county.centre.rooms.query({}))[0]!;
    const b = await county.centre.book.mutate({
      roomId: room.id,
      startsAt: at(4, 9),
      endsAt: at(4, 10),
      title: "县级调解",
      caseId: townCase,
    });
    expect(b.caseId).toBe(townCase);
  });
});

describe("deactivated rooms, mediators and departments", () => {
  it("a deactivated room cannot be booked through the API, and can again once reactivated", async () => {
    const room = await town.centre.createRoom.mutate({
      name: "停用测试室",
      kind: "general",
      capacity: 4,
      area: "resolution",
    });
    const edit = (version: number, active: boolean) =>
      town.centre.editRoom.mutate({
        id: room.id,
        version,
        name: room.name,
        kind: room.kind,
        capacity: room.capacity,
        area: room.area,
        active,
      });
    const off = await edit(room.version, false);
    const refused = await refusal(
      town.centre.book.mutate({ roomId: room.id, startsAt: at(5, 9), endsAt: at(5, 10), title: "停用后预约" }),
    );
    expect(refused).toMatchObject({ appCode: "VALIDATION" });
    expect(refused.zh).toContain("调解室已停用");
    expect(refused.en).toContain("deactivated");
    expect(await bookingsOf(room.id)).toBe(0);
    await edit(off.version, true);
    await town.centre.book.mutate({ roomId: room.id, startsAt: at(5, 9), endsAt: at(5, 10), title: "启用后预约" });
  });

  it("a deactivated mediator cannot be booked", async () => {
    const m = await town.centre.addMediator.mutate({ name: "停用调解员", grade: "standard", affiliation: "volunteer" });
    await town.centre.editMediator.mutate({
      id: m.id,
      version: m.version,
      name: m.name,
      grade: m.grade,
      affiliation: m.affiliation,
      active: false,
    });
    const room = (await town.centre.rooms.query({}))[0]!;
    const refused = await refusal(
      town.centre.book.mutate({
        roomId: room.id,
        startsAt: at(6, 9),
        endsAt: at(6, 10),
        title: "停用调解员",
        mediatorIds: [m.id],
      }),
    );
    expect(refused.zh).toContain("调解员已停用");
  });

  it("a booking longer than 12 hours gets its own message", async () => {
    const room = (await town.centre.rooms.query({}))[0]!;
    const refused = await refusal(
      town.centre.book.mutate({ roomId: room.id, startsAt: at(7, 8), endsAt: at(7, 21), title: "全天调解" }),
    );
    expect(refused).toMatchObject({ appCode: "VALIDATION" });
    expect(refused.zh).toContain("不超过12小时");
    expect(refused.en).toContain("at most 12 hours");
  });

  it("removing a summoned department says how many cases it was summoned to and to deactivate it instead", async () => {
    const dept = await town.centre.station.mutate({
      kindCode: "legal_aid",
      name: "法律援助工作站",
      residency: "permanent",
    });
    const a = (await town.cases.register.mutate(petition("召集一"))).id;
    const b = (await town.cases.register.mutate(petition("召集二"))).id;
    for (const caseId of [a, b]) await town.cases.summon.mutate({ caseId, stationingIds: [dept.id], dueHours: 8 });
    const refused = await refusal(town.centre.removeStationing.mutate({ id: dept.id }));
    expect(refused).toMatchObject({ appCode: "CONFLICT" });
    expect(refused.zh).toBe("该部门已被召集参与2件案件，不能删除——请改为停用");
    expect(refused.en).toContain("deactivate it instead");
    // Deactivated, it stays on those cases' record but can no longer be summoned.
    await town.centre.editStationing.mutate({
      id: dept.id,
      version: dept.version,
      kindCode: dept.kindCode,
      name: dept.name,
      residency: dept.residency,
      active: false,
    });
    const again = await refusal(town.cases.summon.mutate({ caseId: a, stationingIds: [dept.id], dueHours: 8 }));
    expect(again).toMatchObject({ appCode: "VALIDATION" });
    expect(again.zh).toContain("入驻部门已停用，不能召集");
    const unused = await town.centre.station.mutate({ kindCode: "notary", name: "公证工作站", residency: "permanent" });
    await town.centre.removeStationing.mutate({ id: unused.id });
  });

  it("a case cannot be routed to a deactivated room", async () => {
    const room = await town.centre.createRoom.mutate({
      name: "分诊停用室",
      kind: "general",
      capacity: 4,
      area: "resolution",
    });
    await town.centre.editRoom.mutate({
      id: room.id,
      version: room.version,
      name: room.name,
      kind: room.kind,
      capacity: room.capacity,
      area: room.area,
      active: false,
    });
    const { id } = await town.cases.register.mutate(petition("分诊到停用室"));
    const v = (await town.cases.transition.mutate({ id, version: 1, action: "accept", data: {} })).version;
    const refused = await refusal(
      town.cases.transition.mutate({
        id,
        version: v,
        action: "triage",
        data: { route: { kind: "room", roomId: room.id } },
      }),
    );
    expect(refused.zh).toContain("调解室已停用");
  });

  it("a case cannot be routed to another township's room", async () => {
    const [other] = await api.db.admin<{ id: string }[]>`insert into app.mediation_rooms (scope_code, name)
      values ('620981102', '邻镇调解室') returning id`;
    const { id } = await town.cases.register.mutate(petition("分诊到邻镇"));
    const v = (await town.cases.transition.mutate({ id, version: 1, action: "accept", data: {} })).version;
    const refused = await refusal(
      town.cases.transition.mutate({
        id,
        version: v,
        action: "triage",
        data: { route: { kind: "room", roomId: other!.id } },
      }),
    );
    expect(refused).toMatchObject({ appCode: "NOT_FOUND", zh: "所选调解室不存在或不属于可用范围，请重新选择" });
  });
});

describe("every reference a procedure takes", () => {
  /** Rows of another township of the same county, and of another deployment, as the attacker aims at them. */
  const others: Record<string, { sibling: string; foreign: string }> = {};
  const seedRow = async (table: string, scope: string, values: Record<string, unknown>) => {
    const columns = ["scope_code", ...Object.keys(values)];
    const params = [scope, ...Object.values(values)] as never[];
    const [row] = await api.db.admin.unsafe<{ id: string }[]>(
      `insert into ${table} (${columns.join(", ")}) values (${columns.map((_, i) => `$${i + 1}`).join(", ")}) returning id`,
      params,
    );
    return row!.id;
  };
  /** Row counts of every table a forged reference could have written to. */
  const counts = async () =>
    (
      await api.db.admin<{ t: string; n: number }[]>`
      select 'bookings' as t, count(*)::int as n from app.bookings
      union all select 'booking_mediators', count(*)::int from app.booking_mediators
      union all select 'case_summons', count(*)::int from app.case_summons
      union all select 'mediation_sessions', count(*)::int from app.mediation_sessions
      union all select 'service_windows', count(*)::int from app.service_windows
      union all select 'mediation_rooms', count(*)::int from app.mediation_rooms
      union all select 'mediation_committees', count(*)::int from app.mediation_committees
      union all select 'committee_members', count(*)::int from app.committee_members
      union all select 'stationings', count(*)::int from app.stationings
      union all select 'stationing_liaisons', count(*)::int from app.stationing_liaisons
      union all select 'mediators', count(*)::int from app.mediators
      union all select 'case_links', count(*)::int from app.case_links
      union all select 'routed cases', count(*)::int from app.cases
        where room_id is not null or window_id is not null or committee_id is not null or mediator_id is not null
          or duplicate_of is not null`
    )
      .map((r) => `${r.t}=${r.n}`)
      .join(" ");

  beforeAll(async () => {
    for (const [key, scope] of [
      ["sibling", "620981102"],
      ["foreign", "140881"],
    ] as const) {
      const n = key === "sibling" ? 901 : 902;
      const row = (kind: string, id: string) => {
        others[kind] = { ...(others[kind] ?? { sibling: "", foreign: "" }), [key]: id };
      };
      row(
        "stationing",
        await seedRow("app.stationings", scope, { kind_code: "court", name: `他处法庭${n}`, residency: "permanent" }),
      );
      row("room", await seedRow("app.mediation_rooms", scope, { name: `他处调解室${n}` }));
      row("window", await seedRow("app.service_windows", scope, { number: n, name: `他处窗口${n}` }));
      row("committee", await seedRow("app.mediation_committees", scope, { name: `他处调委会${n}`, field: "joint" }));
      row("mediator", await seedRow("app.mediators", scope, { name: `他处调解员${n}`, affiliation: "committee" }));
      const [t] = await api.db.admin<{ id: string }[]>`select id from app.tenants where code = ${scope}`;
      const [u] = await api.db.admin<{ id: string }[]>`insert into app.users (tenant_id, username, display_name, roles)
        values (${t!.id}, ${`other.user${n}`}, '他处用户', '{department_liaison}') returning id`;
      row("user", u!.id);
      row("case", key === "sibling" ? siblingCase : foreignCase);
    }
  });

  it("refuses a random id, a sibling township's row and another deployment's row in every one of them (404), storing nothing", async () => {
    const room = (await town.centre.rooms.query({}))[0]!;
    const accepted = (await town.cases.register.mutate(petition("引用攻击"))).id;
    const v = (await town.cases.transition.mutate({ id: accepted, version: 1, action: "accept", data: {} })).version;
    const triaged = (await town.cases.register.mutate(petition("引用攻击·已分诊"))).id;
    let tv = (await town.cases.transition.mutate({ id: triaged, version: 1, action: "accept", data: {} })).version;
    tv = (
      await town.cases.transition.mutate({
        id: triaged,
        version: tv,
        action: "triage",
        data: { route: { kind: "room", roomId: room.id } },
      })
    ).version;
    const triage = (route: Record<string, unknown>) =>
      town.cases.transition.mutate({ id: accepted, version: v, action: "triage", data: { route: route as never } });
    const attacks: [string, string, (id: string) => Promise<unknown>][] = [
      [
        "cases.summon stationingIds",
        "stationing",
        (id) => town.cases.summon.mutate({ caseId: accepted, stationingIds: [id], dueHours: 8 }),
      ],
      ["triage roomId", "room", (id) => triage({ kind: "room", roomId: id })],
      ["triage windowId", "window", (id) => triage({ kind: "window", windowId: id })],
      ["triage committeeId", "committee", (id) => triage({ kind: "committee", committeeId: id })],
      ["triage mediatorId", "mediator", (id) => triage({ kind: "mediator", mediatorId: id })],
      [
        "mark_duplicate duplicateOf",
        "case",
        (id) =>
          town.cases.transition.mutate({
            id: accepted,
            version: v,
            action: "mark_duplicate",
            data: { duplicateOf: id },
          }),
      ],
      [
        "cases.scheduleSession roomId",
        "room",
        (id) =>
          town.cases.scheduleSession.mutate({
            caseId: triaged,
            roomId: id,
            startsAt: at(20, 9),
            endsAt: at(20, 10),
            mediatorIds: [],
          }),
      ],
      [
        "centre.book mediatorIds",
        "mediator",
        (id) =>
          town.centre.book.mutate({
            roomId: room.id,
            startsAt: at(21, 9),
            endsAt: at(21, 10),
            title: "伪造调解员",
            mediatorIds: [id],
          }),
      ],
      [
        "centre.book roomId",
        "room",
        (id) => town.centre.book.mutate({ roomId: id, startsAt: at(22, 9), endsAt: at(22, 10), title: "伪造调解室" }),
      ],
      [
        "centre.saveCommittee members",
        "mediator",
        (id) =>
          town.centre.saveCommittee.mutate({
            name: `伪造成员${id.slice(0, 8)}`,
            field: "joint",
            members: [{ mediatorId: id, role: "member" }],
          }),
      ],
      [
        "centre.createWindow stationingId",
        "stationing",
        (id) => town.centre.createWindow.mutate({ number: 990, name: "伪造窗口", stationingId: id }),
      ],
      [
        "centre.createRoom chiefMediatorId",
        "mediator",
        (id) =>
          town.centre.createRoom.mutate({
            name: `伪造首席${id.slice(0, 8)}`,
            kind: "general",
            capacity: 4,
            area: "resolution",
            chiefMediatorId: id,
          }),
      ],
      [
        "centre.station liaisonUserIds",
        "user",
        (id) =>
          town.centre.station.mutate({
            kindCode: "court",
            name: `伪造联络员${id.slice(0, 8)}`,
            residency: "permanent",
            liaisonUserIds: [id],
          }),
      ],
      [
        "centre.addMediator userId",
        "user",
        (id) =>
          town.centre.addMediator.mutate({ name: "伪造账号", grade: "standard", affiliation: "volunteer", userId: id }),
      ],
    ];
    const before = await counts();
    const wrong: string[] = [];
    for (const [name, kind, call] of attacks) {
      for (const [whose, id] of [
        ["random", crypto.randomUUID()],
        ["sibling", others[kind]!.sibling],
        ["other deployment", others[kind]!.foreign],
      ] as const) {
        const answer = await call(id).then(
          () => ({ appCode: "ACCEPTED" }),
          (e: unknown) => (e as { data?: { appCode?: string } }).data ?? { appCode: String(e) },
        );
        if (answer.appCode !== "NOT_FOUND") wrong.push(`${name} with a ${whose} id: ${answer.appCode}`);
      }
    }
    console.log(`[references] ${attacks.length} references × 3 foreign ids = ${attacks.length * 3} attacks`);
    expect(wrong).toEqual([]);
    expect(await counts()).toBe(before);
  });
});
