import { scanDeadlines } from "@zongzhi/api/services/deadlines";
import { warningColour } from "@zongzhi/domain";
import { statementRecorder } from "@zongzhi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./test-harness.ts";

// The scan is set-based over the clocks' stored turning instants (migration 0030): it reads and
// locks only the clocks whose colour changes, so a pass costs what changes, not what is open.

let api: TestApi;
/** Every statement of the API and the scan, for the Citus routing check at the end. */
const recorder = statementRecorder();
type Clock = { id: string; case_id: string; colour: string; started_at: Date; due_at: Date; yellow_share: string };

const HOUR = 3_600_000;
const T0 = new Date("2031-03-03T02:00:00Z");

const wage = (title: string) => ({
  categoryCode: "labour",
  channel: "visit" as const,
  title,
  description: "工人反映工资被拖欠",
  locationCode: "620981101",
  peopleCount: 3,
  groupDispute: false,
  riskGrade: "none" as const,
  difficulty: "simple" as const,
  parties: [{ role: "applicant" as const, kind: "person" as const, name: "王师傅", phone: "13709371234" }],
});

/** Every open running clock, as stored. */
const openClocks = () => api.db.admin<Clock[]>`select id, case_id, colour, started_at, due_at, yellow_share
  from app.case_deadlines where completed_at is null and paused_since is null order by id`;

/** Row versions and lockers of every clock: xmax is set by a row lock as well as by an update. */
const versions = async () =>
  new Map(
    (
      await api.db.admin<{ id: string; v: string }[]>`select id, concat_ws('/', ctid, xmin, xmax) as v
        from app.case_deadlines`
    ).map((r) => [r.id, r.v]),
  );

beforeAll(async () => {
  api = await startTestApi({ centres: true, onStatement: recorder.onStatement });
  const town = api.client(await api.login("yumenzhen.admin"));
  for (let i = 0; i < 6; i++) await town.cases.register.mutate(wage(`欠薪${i}`));
  // Spread the clocks over T0: clock k started k hours before T0 and runs 6 hours, so at T0
  // some are blue, some yellow and some overdue. Numbered case by case (ids are random), so the
  // first case's clocks are all early (blue) and the last case's all overdue (red).
  await api.db.admin`
    with c as (select id, row_number() over (order by case_id, id) as k from app.case_deadlines
      where completed_at is null)
    update app.case_deadlines d set started_at = ${T0}::timestamptz - c.k * interval '1 hour',
      due_at = ${T0}::timestamptz - c.k * interval '1 hour' + interval '6 hours'
    from c where c.id = d.id`;
});
afterAll(() => api.close());

describe("the set-based deadline scan", () => {
  it("recolours exactly the clocks whose colour changed, leaves every other row untouched and unlocked, and is idempotent", async () => {
    const before = await openClocks();
    const stamp = await versions();
    const at = (c: Clock) => warningColour(c.started_at, c.due_at, T0, Number(c.yellow_share));
    const changing = before.filter((c) => c.started_at <= T0 && at(c) !== c.colour).map((c) => c.id);
    expect(changing.length).toBeGreaterThan(0);
    expect(changing.length).toBeLessThan(before.length);

    const r = await scanDeadlines(api.db.app, T0);
    expect(r.recoloured).toBe(changing.length);
    const after = await openClocks();
    for (const c of after) expect([c.id, c.colour]).toEqual([c.id, at(c)]);
    const restamped = await versions();
    const touched = [...restamped].filter(([id, v]) => stamp.get(id) !== v).map(([id]) => id);
    expect(touched.sort()).toEqual([...changing].sort());

    expect(await scanDeadlines(api.db.app, T0)).toEqual({
      recoloured: 0,
      supervisionsOpened: 0,
      supervisionsRaised: 0,
    });
    expect([...(await versions())]).toEqual([...restamped]);
  });

  it("gives every case the worst colour of its running clocks", async () => {
    const rows = await api.db.admin<{ id: string; stored: string | null; worst: string | null }[]>`
      select c.id, c.deadline_colour as stored,
        (select d.colour from app.case_deadlines d where d.case_id = c.id and d.completed_at is null and d.paused_since is null
         order by array_position(array['blue', 'yellow', 'red'], d.colour) desc limit 1) as worst
      from app.cases c`;
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.filter((r) => r.stored !== r.worst)).toEqual([]);
    expect(new Set(rows.map((r) => r.stored)).size).toBeGreaterThan(1);
  });

  it("skips a clock another transaction holds instead of waiting, and takes it on the next pass", async () => {
    const later = new Date(T0.getTime() + 5 * HOUR);
    const [held] = await api.db.admin<Clock[]>`select id, case_id, colour, started_at, due_at, yellow_share
      from app.case_deadlines where completed_at is null and paused_since is null and colour <> 'red'
        and due_at < ${later} order by due_at limit 1`;
    expect(held).toBeDefined();
    const locker = await api.db.admin.reserve();
    try {
      await locker`begin`;
      await locker`select 1 from app.case_deadlines where id = ${held!.id} for update`;
      const started = Date.now();
      const first = await scanDeadlines(api.db.app, later);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(first.recoloured).toBeGreaterThan(0);
      const [still] = await api.db.admin<
        { colour: string }[]
      >`select colour from app.case_deadlines where id = ${held!.id}`;
      expect(still!.colour).toBe(held!.colour);
      await locker`commit`;
    } finally {
      locker.release();
    }
    const second = await scanDeadlines(api.db.app, later);
    expect(second.recoloured).toBe(1);
    const [now] = await api.db.admin<
      { colour: string }[]
    >`select colour from app.case_deadlines where id = ${held!.id}`;
    expect(now!.colour).toBe("red");
  });

  it("opens one supervision per clock gone red, with its event and the notices to the unit and its parent", async () => {
    const red = await api.db.admin<{ id: string; case_id: string }[]>`select id, case_id from app.case_deadlines
      where colour = 'red' and completed_at is null`;
    expect(red.length).toBeGreaterThan(0);
    const sup = await api.db.admin<{ deadline_id: string; addressed_to: string }[]>`
      select deadline_id, addressed_to from app.supervisions where deadline_id = any(${red.map((r) => r.id)}::uuid[])`;
    expect(sup.map((s) => s.deadline_id).sort()).toEqual(red.map((r) => r.id).sort());
    const [events] = await api.db.admin<{ n: number }[]>`select count(*)::int as n from app.case_events
      where kind = 'supervision.opened' and case_id = any(${red.map((r) => r.case_id)}::uuid[])`;
    expect(events!.n).toBe(red.length);
    const [notes] = await api.db.admin<{ own: number; parent: number }[]>`select
        count(*) filter (where scope_code = '620981101')::int as own, count(*) filter (where scope_code = '620981')::int as parent
      from app.notifications where kind = 'supervision.opened'`;
    expect(notes).toEqual({ own: red.length, parent: red.length });
  });
});

describe("on Citus", () => {
  it("every write the API and the job sent into a distributed table names county_code (packages/testing citus-writes.ts)", async () => {
    const unrouted = await recorder.unrouted(api.db.admin);
    expect(unrouted.map((u) => `${u.table}: ${u.reason}: ${u.statement.replace(/\s+/g, " ")}`)).toEqual([]);
  });
});
