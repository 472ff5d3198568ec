import { type CalendarGap, onCalendarGap } from "@zongzhi/api";
import { type CaseInput, registerCase } from "@zongzhi/api/services/cases";
import { caseDeadlines, scanDeadlines, startDeadline } from "@zongzhi/api/services/deadlines";
import { withScope } from "@zongzhi/db/client";
import { addDays, chinaDate, chinaToday, dueAt, withOverrides } from "@zongzhi/domain";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/** The working calendar beyond the package (issue 12 §7): entries win, inherited down the tree, gaps warned. */
let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let province: Client;
let county: Client;
let town: Client;
let townId: string;

const cst = (s: string) => new Date(`${s}+08:00`);
const asTown = <T>(fn: Parameters<typeof withScope<T>>[2]) =>
  withScope(api.db.app, { userId: null, tenantId: townId, scope: "620981101", roles: ["tenant_admin"] }, fn);

/** 2027's Spring Festival as the State Council's notice would set it (the package ends with 2026). */
const SPRING_2027 = [
  ...["2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"].map((date) => ({
    date,
    workday: false,
    name: "春节",
  })),
  { date: "2027-02-13", workday: true },
];

beforeAll(async () => {
  api = await startTestApi({ centres: false });
  province = api.client(await api.login("gansu.admin"));
  county = api.client(await api.login("yumen.admin"));
  town = api.client(await api.login("yumenzhen.admin"));
  townId = (await town.auth.me.query()).tenant!.id;
});
afterAll(() => api.close());

/** A 3-working-day clock of the township started Friday 2027-02-05 10:00 (China time); its due date and gap. */
async function clockFrom2027(title: string): Promise<{ due: string; gap: string | null }> {
  const { id } = await town.cases.register.mutate({ ...villageDispute(title), locationCode: "620981101" });
  await asTown((tx) =>
    startDeadline(tx, {
      caseId: id,
      countyCode: "620981",
      stage: "sign_for",
      ownerCode: "620981101",
      categoryCode: "neighbour",
      at: cst("2027-02-05T10:00:00"),
      given: { amount: 3, unit: "working_days" },
    }),
  );
  const clock = (await asTown((tx) => caseDeadlines(tx, id))).find((d) => d.stage === "sign_for")!;
  return { due: chinaDate(clock.dueAt), gap: clock.calendarGap };
}

describe("the working calendar", () => {
  it("a year the package does not know is flagged, and its deadlines warn", async () => {
    const y = await town.calendar.year.query({ year: 2027 });
    expect(y).toMatchObject({ year: 2027, nationalData: false, national: [], entries: [] });
    expect((await town.calendar.year.query({ year: 2026 })).national).toContainEqual({
      date: "2026-10-01",
      workday: false,
      name: "国庆节",
    });
    // Without data, Spring Festival counts as working days: due Wednesday 02-10, with a warning on
    // the clock and in the server's log (the unit and the first date without data).
    const gaps: CalendarGap[] = [];
    onCalendarGap((gap) => gaps.push(gap));
    expect(await clockFrom2027("无日历数据")).toEqual({ due: "2027-02-10", gap: "2027-02-05" });
    expect(gaps).toContainEqual(expect.objectContaining({ unitCode: "620981101", date: "2027-02-05" }));
  });

  it("the province enters the notice, every unit below counts on it, and deadlines follow", async () => {
    expect(await province.calendar.setDays.mutate({ days: SPRING_2027 })).toEqual({ saved: 8 });
    const gaps: CalendarGap[] = [];
    onCalendarGap((gap) => gaps.push(gap));
    const y = await town.calendar.year.query({ year: 2027 });
    expect(y.entries).toHaveLength(8);
    expect(y.entries[0]).toMatchObject({ date: "2027-02-06", unitName: "甘肃省", own: false, workday: false });
    expect(y.entries.every((e) => e.disagreement === "no_national_data")).toBe(true);
    // 02-06..12 off, Saturday 02-13 worked, then Monday 15 and Tuesday 16; the year is known now.
    expect(await clockFrom2027("有日历数据")).toEqual({ due: "2027-02-16", gap: null });
    expect(gaps).toEqual([]);
  });

  it("a unit's own adjustment wins over its ancestors' and is flagged when it disagrees with the national calendar", async () => {
    await county.calendar.setDays.mutate({
      days: [
        { date: "2027-02-12", workday: true, note: "县里安排值班" },
        { date: "2026-10-12", workday: false, name: "地方节日" },
        { date: "2026-10-01", workday: false, name: "国庆节" },
      ],
    });
    const y = await town.calendar.year.query({ year: 2027 });
    const feb12 = y.entries.filter((e) => e.date === "2027-02-12");
    // Both are listed, the nearest unit's first (it is the one in force).
    expect(feb12.map((e) => e.scopeCode)).toEqual(["620981", "62"]);
    expect(await clockFrom2027("县级调整")).toEqual({ due: "2027-02-15", gap: null });
    const mine = (await county.calendar.year.query({ year: 2026 })).entries;
    expect(mine.find((e) => e.date === "2026-10-12")).toMatchObject({
      own: true,
      disagreement: "national_workday_off",
    });
    expect(mine.find((e) => e.date === "2026-10-01")).toMatchObject({ disagreement: null });
    // Replacing a date keeps one entry; removing it brings the ancestors' entry back.
    await county.calendar.setDays.mutate({ days: [{ date: "2027-02-12", workday: true, note: "改" }] });
    const own = (await county.calendar.year.query({ year: 2027 })).entries.find((e) => e.own)!;
    expect(own).toMatchObject({ note: "改", version: 2 });
    await county.calendar.removeDay.mutate({ id: own.id });
    expect(await clockFrom2027("删除县级调整")).toEqual({ due: "2027-02-16", gap: null });
  });

  it("only the unit's own administrator changes its entries; bad input is a clear 4xx", async () => {
    const provinceEntry = (await town.calendar.year.query({ year: 2027 })).entries[0]!;
    expect((await refusal(county.calendar.removeDay.mutate({ id: provinceEntry.id }))).appCode).toBe("FORBIDDEN");
    const clerk = api.client(await api.login("yumen.clerk"));
    expect((await refusal(clerk.calendar.setDays.mutate({ days: SPRING_2027 }))).appCode).toBe("FORBIDDEN");
    const yongji = api.client(await api.login("yongji.admin"));
    expect((await yongji.calendar.year.query({ year: 2027 })).entries).toEqual([]);
    expect((await refusal(yongji.calendar.removeDay.mutate({ id: provinceEntry.id }))).appCode).toBe("NOT_FOUND");
    const old = await refusal(county.calendar.setDays.mutate({ days: [{ date: "1950-01-01", workday: false }] }));
    expect(old.appCode).toBe("VALIDATION");
    expect(old.zh).toMatch(/2000/);
    const named = await refusal(
      county.calendar.setDays.mutate({ days: [{ date: "2027-03-01", workday: false, name: "很长".repeat(11) }] }),
    );
    expect(named.appCode).toBe("VALIDATION");
  });

  it("intake counts its working-day clock on the unit's calendar, read with the intake's first statement", async () => {
    // The next ten days off by the province's entries, the fourth of them worked by the county's.
    const days = Array.from({ length: 10 }, (_, i) => addDays(chinaToday(), i + 1));
    await province.calendar.setDays.mutate({ days: days.map((date) => ({ date, workday: false, name: "测试假期" })) });
    await county.calendar.setDays.mutate({ days: [{ date: days[3]!, workday: true, note: "值班" }] });
    // Statements as the service sends them (BEGIN, the settings and COMMIT aside).
    const sent: string[] = [];
    const traced = postgres(api.db.appUrl, {
      max: 1,
      prepare: false,
      onnotice: () => {},
      debug: (_c, text) => sent.push(text),
    });
    try {
      const { id } = await withScope(
        traced,
        { userId: null, tenantId: townId, scope: "620981101", roles: ["tenant_admin"] },
        (tx) => registerCase(tx, villageDispute("节假日登记") as CaseInput, api.cipher),
      );
      // The driver's own type lookup on connecting aside: app.intake_open, then app.intake_record.
      const own = sent.filter((t) => !/^\s*(begin|commit|rollback|set local app\.)|pg_catalog\.pg_type/i.test(t));
      expect(own.map((t) => /app\.intake_\w+/.exec(t)?.[0])).toEqual(["app.intake_open", "app.intake_record"]);
      const clock = (await asTown((tx) => caseDeadlines(tx, id))).find((d) => d.stage === "first_contact")!;
      // Three working days (the default first contact): the county's worked day, then after the holiday.
      const calendar = withOverrides([
        { date: days[3]!, workday: true, name: null },
        ...days.map((date) => ({ date, workday: false, name: "测试假期" })),
      ]);
      expect(clock.dueAt.getTime()).toBe(
        dueAt(clock.startedAt, { amount: 3, unit: "working_days" }, 0, calendar).getTime(),
      );
      expect(chinaDate(clock.dueAt) > days[9]!).toBe(true);
    } finally {
      await traced.end({ timeout: 1 });
    }
  });

  it("a raised supervision is due by the next working day of the unit that owes the answer, on that unit's calendar", async () => {
    // Wednesday 2031-04-16 is a day off for the township alone (its own entry); its county works.
    await town.calendar.setDays.mutate({ days: [{ date: "2031-04-16", workday: false, name: "镇庆" }] });
    const leader = api.client(await api.login("yumen.leader"));
    const clerk = api.client(await api.login("yumen.clerk"));
    const townCase = await town.cases.register.mutate({ ...villageDispute("镇里督办"), locationCode: "620981101" });
    const countyCase = await clerk.cases.register.mutate(villageDispute("县里督办"));
    const open = (caseId: string) =>
      leader.escalation.openSupervision.mutate({
        caseId,
        instructions: "请尽快报告",
        dueAt: cst("2031-04-14T12:00:00"),
      });
    const toTown = await open(townCase.id);
    const toCounty = await open(countyCase.id);
    // Tuesday 2031-04-15 10:00: both chases are late and become notices, each due by the next
    // working day of its own addressee: the county Wednesday, the township (off Wednesday) Thursday.
    await scanDeadlines(api.db.app, cst("2031-04-15T10:00:00"));
    const rows = await api.db.admin<{ id: string; addressed_to: string; level: string; due_at: Date }[]>`
      select id, addressed_to, level, due_at from app.supervisions where id = any(${[toTown.id, toCounty.id]}::uuid[])`;
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(toTown.id)).toMatchObject({ addressed_to: "620981101", level: "notice" });
    expect(byId.get(toCounty.id)).toMatchObject({ addressed_to: "620981", level: "notice" });
    expect(chinaDate(byId.get(toCounty.id)!.due_at)).toBe("2031-04-16");
    expect(chinaDate(byId.get(toTown.id)!.due_at)).toBe("2031-04-17");
  });
});
