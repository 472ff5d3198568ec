import { caseDeadlines, scanDeadlines, startDeadline } from "@zongzhi/api/services/deadlines";
import { withScope } from "@zongzhi/db/client";
import { chinaDate } from "@zongzhi/domain";
import { quickAddJob, runOnce } from "graphile-worker";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "./test-harness.ts";
import { prepareWorkerSchema, taskList } from "./worker.ts";

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let town: Client;
let county: Client;
let townId: string;

const petition = (title: string) => ({
  categoryCode: "petition",
  channel: "visit" as const,
  title,
  description: "群众反映村道维修问题",
  locationCode: "620981101",
  peopleCount: 1,
  groupDispute: false,
  riskGrade: "none" as const,
  difficulty: "simple" as const,
  parties: [{ role: "applicant" as const, kind: "person" as const, name: "马大姐", phone: "13709371234" }],
});
const cst = (s: string) => new Date(`${s}+08:00`);
const asTown = <T>(fn: Parameters<typeof withScope<T>>[2]) =>
  withScope(api.db.app, { userId: null, tenantId: townId, scope: "620981101", roles: ["tenant_admin"] }, fn);

beforeAll(async () => {
  api = await startTestApi({ centres: true });
  town = api.client(await api.login("yumenzhen.admin"));
  county = api.client(await api.login("yumen.admin"));
  townId = (await town.auth.me.query()).tenant!.id;
});
afterAll(() => api.close());

describe("deadline policies", () => {
  it("are inherited down the tree, overridable, and versioned: a case keeps the version of its start", async () => {
    // Default (Yumen's double "123"): a simple petition is resolved within 3 working days.
    expect(
      await town.escalation.effectivePolicy.query({ categoryCode: "petition", stage: "resolution" }),
    ).toMatchObject({
      amount: 3,
      unit: "working_days",
      version: 0,
    });
    await county.escalation.setPolicy.mutate({
      categoryCode: "petition",
      stage: "resolution",
      amount: 5,
      unit: "working_days",
    });
    const inherited = await town.escalation.effectivePolicy.query({ categoryCode: "petition", stage: "resolution" });
    expect(inherited).toMatchObject({ amount: 5, version: 1, scopeCode: "620981" });
    const first = await town.cases.register.mutate(petition("第一件"));
    await county.escalation.setPolicy.mutate({
      categoryCode: "petition",
      stage: "resolution",
      amount: 4,
      unit: "working_days",
    });
    await town.escalation.setPolicy.mutate({
      categoryCode: null,
      stage: "first_contact",
      amount: 2,
      unit: "working_days",
    });
    const second = await town.cases.register.mutate(petition("第二件"));
    const d1 = (await town.cases.get.query({ id: first.id })).deadlines.find((d) => d.stage === "resolution")!;
    const d2 = (await town.cases.get.query({ id: second.id })).deadlines.find((d) => d.stage === "resolution")!;
    expect(d1.policyVersion).toBe(1);
    expect(d2.policyVersion).toBe(2);
    const policies = await town.escalation.policies.query();
    expect(policies.map((p) => [p.scopeCode, p.stage, p.version])).toEqual(
      expect.arrayContaining([
        ["620981", "resolution", 2],
        ["620981", "resolution", 1],
        ["620981101", "first_contact", 1],
      ]),
    );
    // A sibling township does not see 玉门镇's own rule, only the county's.
    const [other] = await api.db.admin<{ id: string }[]>`select id from app.tenants where code = '620981102'`;
    const seen = await withScope(
      api.db.app,
      { userId: null, tenantId: other!.id, scope: "620981102", roles: [] },
      (tx) => tx.sql<{ scope_code: string }[]>`select distinct scope_code from app.deadline_policies`,
    );
    expect(seen.map((r) => r.scope_code)).toEqual(["620981"]);
  });

  it('give complex petitions Yumen\'s second "123": 1, 2 and 3 weeks', async () => {
    // Yongji (another deployment) sets no rules of its own: the defaults apply.
    const [other] = await api.db.admin<{ id: string }[]>`select id from app.tenants where code = '140881'`;
    const rules = await withScope(
      api.db.app,
      { userId: null, tenantId: other!.id, scope: "140881", roles: [] },
      async (tx) => {
        const { effectiveRule } = await import("@zongzhi/api/services/deadlines");
        return Promise.all(
          (["sign_for", "first_contact", "resolution"] as const).map((stage) =>
            effectiveRule(tx, { unitCode: "140881", categoryCode: "petition", stage, complex: true }),
          ),
        );
      },
    );
    expect(rules.map((r) => [r.amount, r.unit])).toEqual([
      [7, "calendar_days"],
      [14, "calendar_days"],
      [21, "calendar_days"],
    ]);
  });

  it("count working days on the official calendar across the 2026 National Day holiday", async () => {
    const { id } = await town.cases.register.mutate(petition("国庆节前受理"));
    // Dispatched Wednesday 2026-09-30 10:00 with a 1-working-day sign-for: due the first working
    // day after the holiday (Thursday 10-08), not on 10-01.
    await asTown((tx) =>
      startDeadline(tx, {
        caseId: id,
        countyCode: "620981",
        stage: "sign_for",
        ownerCode: "620981101",
        categoryCode: "petition",
        at: cst("2026-09-30T10:00:00"),
      }),
    );
    const d = await asTown((tx) => caseDeadlines(tx, id, cst("2026-10-07T12:00:00")));
    const signFor = d.find((x) => x.stage === "sign_for")!;
    expect(chinaDate(signFor.dueAt)).toBe("2026-10-08");
    expect(signFor.colour).toBe("yellow");
    expect(
      (await asTown((tx) => caseDeadlines(tx, id, cst("2026-09-30T11:00:00")))).find((x) => x.stage === "sign_for")!
        .colour,
    ).toBe("blue");
    expect(
      (await asTown((tx) => caseDeadlines(tx, id, cst("2026-10-09T00:00:01")))).find((x) => x.stage === "sign_for")!
        .colour,
    ).toBe("red");
  });

  it("a sign-for clock starts at the escalation, not at the signature", async () => {
    const { id } = await town.cases.register.mutate(petition("上报计时"));
    const before = Date.now();
    await town.escalation.escalate.mutate({ id, version: 1, toCode: "620981", reason: "需县级协调" });
    await new Promise((r) => setTimeout(r, 50));
    await county.escalation.signFor.mutate({ id, version: 2 });
    const d = (await county.cases.get.query({ id })).deadlines.find((x) => x.stage === "sign_for")!;
    expect(d.startedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(d.completedAt!.getTime() - d.startedAt.getTime()).toBeGreaterThanOrEqual(40);
    expect(d.ownerCode).toBe("620981");
  });
});

describe("the deadline scan (injected clock)", () => {
  it("opens one supervision when a deadline goes red, tells the owner and its parent, and raises it to a notice when unanswered", async () => {
    const { id, code } = await town.cases.register.mutate(petition("超期督办"));
    const first = (await town.cases.get.query({ id })).deadlines.find((d) => d.stage === "first_contact")!;
    const late = new Date(first.dueAt.getTime() + 60_000);
    const r1 = await scanDeadlines(api.db.app, late);
    expect(r1.supervisionsOpened).toBeGreaterThanOrEqual(1);
    const again = await scanDeadlines(api.db.app, late);
    expect(again).toEqual({ recoloured: 0, supervisionsOpened: 0, supervisionsRaised: 0 });
    const sup = (await county.escalation.supervisions.query({ status: "open" })).find((s) => s.code === code)!;
    expect(sup).toMatchObject({ addressedTo: "620981101", level: "chase", openedBy: "system" });
    const townInbox = await town.escalation.inbox.query({});
    expect(townInbox.items.some((i) => i.caseCode === code && i.kind === "supervision.opened")).toBe(true);
    const countyInbox = await county.escalation.inbox.query({});
    expect(countyInbox.items.some((i) => i.caseCode === code && i.title.includes("下级超期督办"))).toBe(true);

    const r2 = await scanDeadlines(api.db.app, new Date(sup.dueAt.getTime() + 60_000));
    expect(r2.supervisionsRaised).toBeGreaterThanOrEqual(1);
    const raised = (await county.escalation.supervisions.query({})).find((s) => s.id === sup.id)!;
    expect(raised.level).toBe("notice");
    const events = (await town.cases.get.query({ id })).events as { kind: string }[];
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(["supervision.opened", "supervision.raised"]));
    await town.escalation.answerSupervision.mutate({
      id: sup.id,
      version: raised.version,
      answer: "已联系当事人，三日内办结",
    });
    expect((await county.escalation.supervisions.query({ status: "open" })).some((s) => s.id === sup.id)).toBe(false);
    expect(
      (await county.escalation.inbox.query({})).items.some(
        (i) => i.caseCode === code && i.kind === "supervision.answered",
      ),
    ).toBe(true);
    const counts = await county.escalation.deadlineCounts.query();
    expect(counts.units.find((c) => c.unitCode === "620981101")?.red).toBeGreaterThanOrEqual(1);
    expect(counts.totals.red).toBeGreaterThanOrEqual(1);
  });

  it("a leader opens a supervision by hand and takes personal charge (包案)", async () => {
    const { id } = await town.cases.register.mutate(petition("领导督办"));
    const leader = api.client(await api.login("yumen.leader"));
    await leader.escalation.openSupervision.mutate({
      caseId: id,
      instructions: "请三日内报告进展",
      dueAt: new Date(Date.now() + 3 * 86400e3),
    });
    const c = await leader.cases.get.query({ id });
    await leader.escalation.takeCharge.mutate({ caseId: id, version: c.version as number });
    const kinds = ((await leader.cases.get.query({ id })).events as { kind: string }[]).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["supervision.opened", "case.leader_in_charge"]));
    const clerk = api.client(await api.login("yumen.clerk"));
    await expect(
      clerk.escalation.openSupervision.mutate({ caseId: id, instructions: "x", dueAt: new Date() }),
    ).rejects.toThrow();
  });

  it("runs as a job in the PostgreSQL queue (graphile-worker) with the injected clock", async () => {
    await prepareWorkerSchema(api.db.workerUrl);
    const { id } = await town.cases.register.mutate(petition("队列任务"));
    const due = (await town.cases.get.query({ id })).deadlines.find((d) => d.stage === "resolution")!.dueAt;
    const now = () => new Date(due.getTime() + 3_600_000);
    await quickAddJob({ connectionString: api.db.workerUrl }, "deadline_scan", {});
    await runOnce({
      connectionString: api.db.workerUrl,
      taskList: taskList(api.db.app, pino({ level: "silent" }), now),
    });
    const [s] = await api.db.admin`select count(*)::int as n from app.supervisions where case_id = ${id}`;
    expect(s!.n).toBeGreaterThanOrEqual(1);
    const [left] = await api.db.admin`select count(*)::int as n from graphile_worker.jobs`;
    expect(left!.n).toBe(0);
  });

  it("a hold pauses the clocks and a resume moves their due time by the pause", async () => {
    const { id } = await town.cases.register.mutate(petition("中止计时"));
    let v = (await town.cases.transition.mutate({ id, version: 1, action: "accept", data: {} })).version;
    const holdUntil = new Date(Date.now() + 8 * 3600e3 + 5 * 86400e3).toISOString().slice(0, 10);
    v = (
      await town.cases.transition.mutate({
        id,
        version: v,
        action: "hold",
        data: { reason: "等待当事人返乡", holdUntil },
      })
    ).version;
    const paused = (await town.cases.get.query({ id })).deadlines.find((d) => d.stage === "resolution")!;
    expect(paused.paused).toBe(true);
    const tooLong = new Date(Date.now() + 8 * 3600e3 + 40 * 86400e3).toISOString().slice(0, 10);
    await new Promise((r) => setTimeout(r, 100));
    v = (await town.cases.transition.mutate({ id, version: v, action: "resume", data: {} })).version;
    const resumed = (await town.cases.get.query({ id })).deadlines.find((d) => d.stage === "resolution")!;
    expect(resumed.paused).toBe(false);
    expect(resumed.dueAt.getTime() - paused.dueAt.getTime()).toBeGreaterThanOrEqual(90);
    const refused = await town.cases.transition
      .mutate({ id, version: v, action: "hold", data: { reason: "再次中止", holdUntil: tooLong } })
      .catch((e: { data: { zh: string } }) => e.data.zh);
    expect(refused).toContain("30天以内");
  });
});
