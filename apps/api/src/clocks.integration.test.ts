import { scanDeadlines } from "@zongzhi/api/services/deadlines";
import { chinaToday } from "@zongzhi/domain";
import { asTenant } from "@zongzhi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

// Issue 8 §6: the clocks the workflow promises. An assign-down's deadline and a summons' hours
// are real clocks of whoever must meet them; the resolution clock follows the case's owner,
// and the holdings say how long each tier held it; nothing is recorded as having happened on a
// day still to come.

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let village: Client;
let town: Client;
let county: Client;
let villageCode: string;

const TOWN = "620981101";
const COUNTY = "620981";
const HOUR = 3_600_000;
const dispute = (title: string, locationCode = TOWN) => ({
  categoryCode: "neighbour",
  channel: "visit" as const,
  title,
  description: "邻里因宅基地界线发生争执",
  locationCode,
  peopleCount: 2,
  groupDispute: false,
  riskGrade: "none" as const,
  difficulty: "simple" as const,
  parties: [{ role: "applicant" as const, kind: "person" as const, name: "孙大姐", phone: "13709370002" }],
});

type Clock = Awaited<ReturnType<Client["cases"]["get"]["query"]>>["deadlines"][number];
const clocksOf = async (client: Client, id: string) => (await client.cases.get.query({ id })).deadlines;
const open = (clocks: Clock[], stage: string) => clocks.filter((d) => d.stage === stage && !d.completedAt);
/** The supervisions opened on a clock, as the database has them. */
const supervisionsOn = (deadlineId: string) =>
  api.db.admin<{ addressed_to: string; level: string }[]>`select addressed_to, level from app.supervisions
    where deadline_id = ${deadlineId}`;
/** A clock's colour as the scan last stored it. */
const storedColour = async (deadlineId: string) =>
  (await api.db.admin<{ colour: string }[]>`select colour from app.case_deadlines where id = ${deadlineId}`)[0]!.colour;

beforeAll(async () => {
  api = await startTestApi({ centres: true });
  village = api.client(await api.login("cun.mediator"));
  town = api.client(await api.login("yumenzhen.admin"));
  county = api.client(await api.login("yumen.admin"));
  villageCode = (await village.auth.me.query()).tenant!.code;
});
afterAll(() => api.close());

/** A township case escalated to the county, signed for there: ready to be assigned down. */
async function atCounty(title: string): Promise<{ id: string; version: number }> {
  const { id } = await town.cases.register.mutate(dispute(title));
  let v = (await town.escalation.escalate.mutate({ id, version: 1, toCode: COUNTY, reason: "需县级协调" })).version;
  v = (await county.escalation.signFor.mutate({ id, version: v })).version;
  return { id, version: v };
}

describe("the deadline of an assign-down (交办)", () => {
  it("is the receiving unit's resolution clock: due at the given time, coloured, and supervised at the receiver when missed", async () => {
    const c = await atCounty("交办期限");
    const deadline = new Date(Math.ceil((Date.now() + 5 * HOUR) / 1000) * 1000);
    await county.escalation.assignDown.mutate({
      id: c.id,
      version: c.version,
      toCode: TOWN,
      instructions: "5小时内到现场核实并反馈",
      deadline,
    });
    const [clock, ...more] = open(await clocksOf(town, c.id), "resolution");
    expect(more).toEqual([]);
    expect(clock).toMatchObject({ ownerCode: TOWN, colour: "blue" });
    expect(clock!.dueAt.getTime()).toBe(deadline.getTime());
    const [row] = await api.db.admin<{ basis: string; ref_kind: string }[]>`select d.basis, h.kind as ref_kind
      from app.case_deadlines d join app.case_hops h on h.id = d.ref_id where d.id = ${clock!.id}`;
    expect(row).toEqual({ basis: "instruction", ref_kind: "assign_down" });
    // The county's own segment was closed by the handover, not met.
    const countySegments = (await clocksOf(county, c.id)).filter(
      (d) => d.stage === "resolution" && d.ownerCode === COUNTY,
    );
    expect(countySegments.every((d) => d.completedAt)).toBe(true);

    // A third of the five hours left: yellow. Past the deadline: red, and a supervision for the township.
    await scanDeadlines(api.db.app, new Date(deadline.getTime() - HOUR));
    expect(await storedColour(clock!.id)).toBe("yellow");
    expect(await supervisionsOn(clock!.id)).toEqual([]);
    await scanDeadlines(api.db.app, new Date(deadline.getTime() + 60_000));
    expect(await storedColour(clock!.id)).toBe("red");
    expect(await supervisionsOn(clock!.id)).toEqual([{ addressed_to: TOWN, level: "chase" }]);
  });

  it("must lie ahead (and within a year): a past deadline is refused with a message", async () => {
    const c = await atCounty("过期的交办期限");
    for (const deadline of [new Date(Date.now() - HOUR), new Date(Date.now() + 400 * 24 * HOUR)]) {
      const refused = await refusal(
        county.escalation.assignDown.mutate({
          id: c.id,
          version: c.version,
          toCode: TOWN,
          instructions: "办理",
          deadline,
        }),
      );
      expect(refused).toMatchObject({ appCode: "VALIDATION" });
      expect(refused.fields?.[0]?.path).toBe("deadline");
    }
    expect((await county.cases.get.query({ id: c.id })).ownerCode).toBe(COUNTY);
  });
});

describe("a summons' hours", () => {
  it("drive its clock, the scan's colours and supervision, not the 24-hour default", async () => {
    const { id } = await town.cases.register.mutate(dispute("四小时报到"));
    const dept = (await town.centre.stationings.query({}))[0]!;
    const [summons] = await town.cases.summon.mutate({ caseId: id, stationingIds: [dept.id], dueHours: 4 });
    const [s] = await api.db.admin<{ summoned_at: Date; due_at: Date }[]>`select summoned_at, due_at
      from app.case_summons where id = ${summons!.id}`;
    const clock = open(await clocksOf(town, id), "summons_acknowledgement")[0]!;
    expect(clock.dueAt.getTime() - clock.startedAt.getTime()).toBe(4 * HOUR);
    expect(clock.dueAt.getTime()).toBe(s!.due_at.getTime());
    // Three hours in: one hour of four left is yellow (under the default 24 h it would be blue).
    await scanDeadlines(api.db.app, new Date(s!.summoned_at.getTime() + 3 * HOUR));
    expect(await storedColour(clock.id)).toBe("yellow");
    // Five hours in: overdue, supervised (under the default it would still be blue).
    await scanDeadlines(api.db.app, new Date(s!.summoned_at.getTime() + 5 * HOUR));
    expect(await storedColour(clock.id)).toBe("red");
    expect(await supervisionsOn(clock.id)).toEqual([{ addressed_to: TOWN, level: "chase" }]);
  });
});

describe("after escalation", () => {
  it("the resolution clock follows the owner: supervision goes to the tier that holds the case", async () => {
    const { id } = await village.cases.register.mutate(dispute("村里上报", villageCode));
    const before = open(await clocksOf(village, id), "resolution")[0]!;
    expect(before.ownerCode).toBe(villageCode);
    await village.escalation.escalate.mutate({ id, version: 1, toCode: TOWN, reason: "村级无法调处" });
    const clocks = await clocksOf(village, id);
    const [now] = open(clocks, "resolution");
    expect(now!.ownerCode).toBe(TOWN);
    expect(open(clocks, "resolution")).toHaveLength(1);
    const [closed] = await api.db.admin<{ handed_over_to: string; completed_at: Date | null }[]>`
      select handed_over_to, completed_at from app.case_deadlines where id = ${before.id}`;
    expect(closed).toMatchObject({ handed_over_to: TOWN });
    expect(closed!.completed_at).not.toBeNull();
    // Overdue: the township, which holds the case, is supervised; the village's old segment is not.
    await scanDeadlines(api.db.app, new Date(Math.max(before.dueAt.getTime(), now!.dueAt.getTime()) + 60_000));
    expect(await supervisionsOn(now!.id)).toEqual([{ addressed_to: TOWN, level: "chase" }]);
    expect(await supervisionsOn(before.id)).toEqual([]);
  });

  it("a return gives the unit back the time it had left, and the holdings say how long each tier held the case", async () => {
    const { id } = await village.cases.register.mutate(dispute("上报后退回", villageCode));
    const first = open(await clocksOf(village, id), "resolution")[0]!;
    let v = (await village.escalation.escalate.mutate({ id, version: 1, toCode: TOWN, reason: "村级无法调处" }))
      .version;
    v = (await town.escalation.signFor.mutate({ id, version: v })).version;
    const [left] = await api.db.admin<{ ms: number }[]>`select extract(epoch from due_at - completed_at) * 1000 as ms
      from app.case_deadlines where id = ${first.id}`;
    await new Promise((r) => setTimeout(r, 50));
    await town.escalation.returnCase.mutate({ id, version: v, reason: "属村内事务，退回村里调处" });
    const back = open(await clocksOf(village, id), "resolution");
    expect(back).toHaveLength(1);
    expect(back[0]!.ownerCode).toBe(villageCode);
    const remaining = back[0]!.dueAt.getTime() - Date.now();
    expect(Math.abs(remaining - Number(left!.ms))).toBeLessThan(5_000);

    const holdings = (await village.cases.get.query({ id })).holdings;
    expect(holdings.map((h) => [h.holderCode, h.level, h.ended])).toEqual([
      [villageCode, "village", "handover"],
      [TOWN, "township", "handover"],
      [villageCode, "village", null],
    ]);
    expect(holdings[1]!.hours).toBeGreaterThan(0);
    expect(holdings[1]!.heldFrom.getTime()).toBe(holdings[0]!.heldUntil!.getTime());

    // The cockpit's question, per tier over the subtree: the county sees both tiers' time.
    const tiers = await county.escalation.holdingByTier.query();
    const byLevel = Object.fromEntries(tiers.map((t) => [t.level, t]));
    expect(byLevel.village!.periods).toBeGreaterThanOrEqual(2);
    expect(byLevel.township!.cases).toBeGreaterThanOrEqual(1);
    expect(byLevel.township!.totalHours).toBeGreaterThan(0);
  });

  it("holdings are written by the database alone: the API role cannot add or change one", async () => {
    const { id } = await village.cases.register.mutate(dispute("伪造持有记录", villageCode));
    const [tenant] = await api.db.admin<{ id: string }[]>`select id from app.tenants where code = ${villageCode}`;
    const asVillage = { id: tenant!.id, code: villageCode };
    await expect(
      asTenant(
        api.db.app,
        asVillage,
        (tx) => tx.sql`insert into app.case_holdings (case_id, holder_code, held_from)
        values (${id}, '620981', now())`,
      ),
    ).rejects.toMatchObject({ code: "42501" });
    await expect(
      asTenant(
        api.db.app,
        asVillage,
        (tx) => tx.sql`update app.case_holdings set held_from = now() where case_id = ${id}`,
      ),
    ).rejects.toMatchObject({ code: "42501" });
  });
});

describe("nothing happens on a day still to come", () => {
  /** A township case triaged to a room, with a session booked at `startsAt` for an hour. */
  async function withSession(title: string, startsAt: Date) {
    const { id } = await town.cases.register.mutate(dispute(title));
    let v = (await town.cases.transition.mutate({ id, version: 1, action: "accept", data: {} })).version;
    const room = await town.centre.createRoom.mutate({
      name: `调解室·${title}`,
      kind: "general",
      capacity: 6,
      area: "resolution",
    });
    v = (
      await town.cases.transition.mutate({
        id,
        version: v,
        action: "triage",
        data: { route: { kind: "room", roomId: room.id } },
      })
    ).version;
    const session = await town.cases.scheduleSession.mutate({
      caseId: id,
      roomId: room.id,
      startsAt,
      endsAt: new Date(startsAt.getTime() + HOUR),
      mediatorIds: [],
    });
    return { caseId: id, sessionId: session.id };
  }
  const record = (sessionId: string) =>
    town.cases.recordSession.mutate({
      id: sessionId,
      version: 1,
      attendance: [],
      notes: "达成协议",
      outcome: "agreement",
    });
  const agreement = (caseId: string, signedOn: string) =>
    town.cases.recordAgreement.mutate({
      caseId,
      signedOn,
      facts: "双方因宅基地界线发生争执",
      disputedMatters: "界线位置",
      terms: "以村委会测量为准",
      performanceManner: "现场立桩",
      performancePlace: "村委会",
      performanceDeadline: "2099-01-01",
      mediatorNames: ["王振华"],
    });

  it("a session 200 days ahead cannot be recorded with an agreement; one held earlier today can", async () => {
    const ahead = await withSession("未来的调解", new Date(Date.now() + 200 * 24 * HOUR));
    const refused = await refusal(record(ahead.sessionId));
    expect(refused).toMatchObject({ appCode: "VALIDATION" });
    expect(refused.zh).toContain("尚未进行");
    const [row] = await api.db.admin<{ outcome: string | null }[]>`select outcome from app.mediation_sessions
      where id = ${ahead.sessionId}`;
    expect(row!.outcome).toBeNull();
    const held = await withSession("已进行的调解", new Date(Date.now() - 2 * HOUR));
    await record(held.sessionId);
  });

  it("an agreement cannot be signed 10 days ahead; one signed today can", async () => {
    const { caseId } = await withSession("未来签订", new Date(Date.now() - 2 * HOUR));
    const later = new Date(Date.now() + 8 * HOUR + 10 * 24 * HOUR).toISOString().slice(0, 10);
    const refused = await refusal(agreement(caseId, later));
    expect(refused).toMatchObject({ appCode: "VALIDATION" });
    expect(refused.fields?.[0]?.path).toBe("signedOn");
    expect(refused.en).toContain("after today");
    await agreement(caseId, chinaToday());
  });

  it("the database refuses both too, whoever writes", async () => {
    const { caseId, sessionId } = await withSession("数据库拒绝", new Date(Date.now() + 200 * 24 * HOUR));
    await expect(
      api.db.admin`update app.mediation_sessions set outcome = 'agreement' where id = ${sessionId}`,
    ).rejects.toMatchObject({ code: "23514", constraint_name: "mediation_sessions_outcome_after_start" });
    await expect(
      api.db.admin`insert into app.agreements (case_id, signed_on, facts, disputed_matters, terms, performance_manner,
          performance_place, performance_deadline, mediator_names)
        values (${caseId}, current_date + 10, '事实', '争议', '内容', '方式', '地点', current_date + 20, '{王振华}')`,
    ).rejects.toMatchObject({ code: "23514", constraint_name: "agreements_signed_on_not_in_future" });
  });
});
