import type { TRPCClientError } from "@trpc/client";
import { verifyCaseChains } from "@zongzhi/db/case-chain";
import { idCardCheckDigit } from "@zongzhi/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Refusal, refusal, startTestApi, type TestApi } from "./test-harness.ts";

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let clerk: Client;
let admin: Client;
let clerkCookie: string;

type Data = Refusal;
const failure = refusal;

const id17 = "62098119800101123";
const idNumber = id17 + idCardCheckDigit(id17);
const wage = (over: Record<string, unknown> = {}) => ({
  categoryCode: "labour",
  channel: "visit" as const,
  title: "17名农民工被拖欠工资",
  description: "李某等17名农民工被包工头拖欠工资近32万元，情绪激动。",
  locationCode: "620981101",
  address: "玉门市玉门镇某工地",
  peopleCount: 17,
  amountYuan: 320000,
  groupDispute: true,
  riskGrade: "red" as const,
  difficulty: "complex" as const,
  parties: [
    {
      role: "applicant" as const,
      kind: "person" as const,
      name: "李建军",
      idNumber,
      phone: "13809375678",
      address: "玉门镇新村12号",
    },
    { role: "respondent" as const, kind: "person" as const, name: "王包工", phone: "13900001111" },
  ],
  ...over,
});

beforeAll(async () => {
  api = await startTestApi({ centres: true });
  clerkCookie = await api.login("yumenzhen.admin");
  clerk = api.client(clerkCookie);
  admin = api.client(await api.login("yumen.admin"));
});
afterAll(() => api.close());

describe("intake", () => {
  it("gives each case the next gapless code of its unit and year; a refused intake uses no number", async () => {
    const year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
    const a = await clerk.cases.register.mutate(wage());
    expect(a.code).toBe(`620981101-${year}-000001`);
    const bad = await failure(
      clerk.cases.register.mutate(
        wage({ parties: [{ role: "applicant", kind: "person", name: "张三", idNumber: "620981198001011230" }] }),
      ),
    );
    expect(bad.appCode).toBe("VALIDATION");
    expect(bad.fields?.[0]?.path).toBe("parties.0.idNumber");
    expect(bad.zh).toContain("身份证号码有误");
    const b = await clerk.cases.register.mutate(wage({ title: "第二件" }));
    expect(b.code).toBe(`620981101-${year}-000002`);
  });

  it("stores personal numbers encrypted and shows them masked unless revealed (audited)", async () => {
    const { id } = await clerk.cases.register.mutate(wage({ title: "加密检查" }));
    const raw = await api.db.admin<{ name_enc: Buffer; id_number_enc: Buffer; phone_enc: Buffer }[]>`
      select name_enc, id_number_enc, phone_enc from app.case_parties where case_id = ${id}`;
    const bytes = Buffer.concat(
      raw.flatMap((r) => [r.name_enc, r.id_number_enc ?? Buffer.alloc(0), r.phone_enc ?? Buffer.alloc(0)]),
    );
    expect(bytes.includes(Buffer.from(idNumber))).toBe(false);
    expect(bytes.includes(Buffer.from("13809375678"))).toBe(false);
    expect(bytes.includes(Buffer.from("李建军"))).toBe(false);

    const masked = await clerk.cases.get.query({ id });
    const applicant = masked.parties.find((p) => p.role === "applicant")!;
    expect(applicant.idNumber).toBe("620***********" + idNumber.slice(-4));
    expect(applicant.phone).toBe("138****5678");
    expect(applicant.name).toBe("李**");
    expect(JSON.stringify(masked)).not.toContain(idNumber);

    const revealed = await clerk.cases.get.query({ id, reveal: true });
    expect(revealed.parties.find((p) => p.role === "applicant")!.idNumber).toBe(idNumber);
    const [audit] = await api.db
      .admin`select count(*)::int as n from app.audit_events where kind = 'personal_data.revealed' and subject_id = ${id}`;
    expect(audit!.n).toBe(1);

    // A leader may read the case but not reveal: the request is honoured masked.
    const leader = api.client(await api.login("yumen.leader"));
    const asLeader = await leader.cases.get.query({ id, reveal: true });
    expect(asLeader.parties[0]!.revealed).toBe(false);
  });

  it("links a repeat claimant (same ID number) across cases", async () => {
    const { id } = await clerk.cases.register.mutate(wage({ title: "再次来访" }));
    const c = await clerk.cases.get.query({ id });
    expect(
      (c.links as { reason: string }[]).filter((l) => l.reason === "repeat_claimant").length,
    ).toBeGreaterThanOrEqual(3);
  });

  it("an Idempotency-Key returns the first result, refuses another payload, and parallel retries create one case", async () => {
    const withKey = (key: string) =>
      api.request("/trpc/cases.register", {
        method: "POST",
        cookie: clerkCookie,
        headers: { "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify({ json: wage({ title: "幂等登记" }) }),
      });
    const first = (await (await withKey("retry-key-0001")).json()) as {
      result: { data: { json: { id: string; code: string; replayed: boolean } } };
    };
    const again = (await (await withKey("retry-key-0001")).json()) as typeof first;
    expect(again.result.data.json.id).toBe(first.result.data.json.id);
    expect(again.result.data.json.replayed).toBe(true);
    const other = await api.request("/trpc/cases.register", {
      method: "POST",
      cookie: clerkCookie,
      headers: { "content-type": "application/json", "idempotency-key": "retry-key-0001" },
      body: JSON.stringify({ json: wage({ title: "不同内容" }) }),
    });
    expect(other.status).toBe(409);
    const parallel = await Promise.all(Array.from({ length: 10 }, () => withKey("parallel-key-42")));
    const ids = new Set<string>();
    for (const r of parallel) ids.add(((await r.json()) as typeof first).result.data.json.id);
    expect(ids.size).toBe(1);
    const [n] = await api.db.admin`select count(*)::int as n from app.cases where title = '幂等登记'`;
    expect(n!.n).toBe(2);
  });
});

describe("the closed loop of the Yumen wage case", () => {
  it("register → accept → triage → summon two departments → acknowledge → mediate → agreement → judicial confirmation → follow-up → close → archive", async () => {
    const { id, code } = await clerk.cases.register.mutate(wage({ title: "欠薪群体纠纷" }));
    let c = await clerk.cases.get.query({ id });
    expect(c.actions).toContain("accept");
    let v = c.version as number;
    const step = async (action: string, data: Record<string, unknown> = {}) => {
      const r = await clerk.cases.transition.mutate({ id, version: v, action: action as never, data });
      v = r.version;
      return r.status;
    };
    expect(await step("accept")).toBe("accepted");
    const room = (await clerk.centre.rooms.query({}))[0]!;
    const suggestions = await clerk.cases.suggestMediators.query({ caseId: id });
    expect(suggestions[0]!.specialties).toContain("labour");
    expect(await step("triage", { route: { kind: "room", roomId: room.id, mediatorId: suggestions[0]!.id } })).toBe(
      "triaged",
    );

    // Whistle: the township summons two stationed departments.
    const stationings = await clerk.centre.stationings.query({});
    const summoned = await clerk.cases.summon.mutate({
      caseId: id,
      stationingIds: stationings.slice(0, 2).map((s) => s.id),
      dueHours: 24,
    });
    expect(summoned).toHaveLength(2);
    const [liaisonUser] = await api.db.admin<
      { id: string }[]
    >`select id from app.users where username = 'yumenzhen.mediator'`;
    await api.db.admin`update app.users set roles = '{department_liaison}' where id = ${liaisonUser!.id}`;
    await api.db
      .admin`insert into app.stationing_liaisons (stationing_id, user_id, scope_code) values (${summoned[0]!.stationingId}, ${liaisonUser!.id}, '620981101')`;
    const liaison = api.client(await api.login("yumenzhen.mediator"));
    const inbox = await liaison.cases.liaisonInbox.query({});
    expect(inbox.map((s) => s.code)).toEqual([code]);
    expect((await liaison.cases.list.query({})).items).toEqual([]);
    await liaison.cases.acknowledgeSummons.mutate({ id: summoned[0]!.id, version: 1 });
    // The clock ran from the summons, not from the acknowledgement.
    const [s0] = await api.db.admin<
      { hours: number }[]
    >`select extract(epoch from due_at - summoned_at)/3600 as hours from app.case_summons where id = ${summoned[0]!.id}`;
    expect(Number(s0!.hours)).toBe(24);
    await liaison.cases.summonsFeedback.mutate({
      id: summoned[0]!.id,
      version: 2,
      action: "劳动监察到场核实工资清单",
      feedback: "已核实欠薪金额31.8万元",
    });
    // The second department objects too late: after 8 hours it owns the work. (The centre's
    // own administrator answers for a department; the county's may not answer for the township's.)
    await api.db
      .admin`update app.case_summons set objection_deadline = now() - interval '1 minute' where id = ${summoned[1]!.id}`;
    expect(
      (await failure(admin.cases.objectToSummons.mutate({ id: summoned[1]!.id, version: 1, reason: "越级代答" })))
        .appCode,
    ).toBe("NOT_FOUND");
    const late = await failure(
      clerk.cases.objectToSummons.mutate({ id: summoned[1]!.id, version: 1, reason: "不属于本部门职责" }),
    );
    expect(late.zh).toContain("8小时");

    expect(await step("start_mediation")).toBe("in_mediation");
    // The session took place this morning: its outcome may be recorded (one in the future may not).
    const session = await clerk.cases.scheduleSession.mutate({
      caseId: id,
      roomId: room.id,
      startsAt: new Date(Date.now() - 3 * 3600e3),
      endsAt: new Date(Date.now() - 3600e3),
      mediatorIds: [],
    });
    await clerk.cases.recordSession.mutate({
      id: session.id,
      version: 1,
      attendance: [
        { name: "李建军", role: "申请人代表", present: true },
        { name: "王包工", role: "被申请人", present: true },
      ],
      notes: "双方就分期支付达成一致",
      outcome: "agreement",
    });
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const agreement = await clerk.cases.recordAgreement.mutate({
      caseId: id,
      signedOn: today,
      facts: "被申请人拖欠17名农民工工资31.8万元",
      disputedMatters: "欠薪金额及支付方式",
      terms: "被申请人当场支付10万元，余款于30日内付清",
      performanceManner: "银行转账",
      performancePlace: "玉门镇综治中心",
      performanceDeadline: today,
      mediatorNames: ["王振华"],
    });
    c = await clerk.cases.get.query({ id });
    expect(c.status).toBe("resolved");
    v = c.version as number;

    const refused = await failure(
      clerk.cases.applyForConfirmation.mutate({
        agreementId: agreement.id,
        courtName: "玉门市人民法院",
        appliedOn: today,
        matters: ["marriage_status"],
      }),
    );
    expect(refused.zh).toContain("不予受理");
    const conf = await clerk.cases.applyForConfirmation.mutate({
      agreementId: agreement.id,
      courtName: "玉门市人民法院",
      appliedOn: today,
      matters: [],
    });
    await clerk.cases.recordConfirmationStep.mutate({ id: conf.id, version: 1, step: "accepted", on: today });
    await clerk.cases.recordConfirmationStep.mutate({ id: conf.id, version: 2, step: "confirmed", on: today });

    expect(await step("await_follow_up")).toBe("awaiting_follow_up");
    const tooEarly = await failure(clerk.cases.transition.mutate({ id, version: v, action: "close", data: {} }));
    expect(tooEarly.zh).toContain("回访");
    await clerk.cases.recordFollowUp.mutate({ caseId: id, method: "phone", satisfaction: "satisfied" });
    expect(await step("close")).toBe("closed");
    expect(await step("archive")).toBe("archived");

    c = await clerk.cases.get.query({ id });
    const kinds = (c.events as { kind: string }[]).map((e) => e.kind);
    expect(kinds).toEqual([
      "case.registered",
      "case.accept",
      "case.triage",
      "summons.issued",
      "summons.issued",
      "summons.acknowledged",
      "summons.feedback",
      "case.start_mediation",
      "mediation.scheduled",
      "mediation.recorded",
      "agreement.signed",
      "case.resolve",
      "confirmation.applied",
      "confirmation.accepted",
      "confirmation.confirmed",
      "case.await_follow_up",
      "follow_up.recorded",
      "case.close",
      "case.archive",
    ]);
    expect((await verifyCaseChains(api.db.admin, { caseId: id })).broken).toEqual([]);

    // 一码可查: code + last 4 digits of the applicant's phone; stages and dates only.
    const res = await api.request("/public/lookup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code, phoneLast4: "5678" }),
    });
    expect(res.status).toBe(200);
    const pub = await res.text();
    expect(JSON.parse(pub)).toMatchObject({ code, status: "archived", category: "劳动争议/欠薪" });
    for (const secret of ["李", "王包工", "5678", "32万", "13809375678", idNumber]) expect(pub).not.toContain(secret);
    const wrong = await api.request("/public/lookup", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code, phoneLast4: "0000" }),
    });
    expect(wrong.status).toBe(404);
  });

  it("refuses a forbidden transition with a clear message", async () => {
    const { id } = await clerk.cases.register.mutate(wage({ title: "越级操作" }));
    const r = await failure(clerk.cases.transition.mutate({ id, version: 1, action: "close", data: {} }));
    expect(r.appCode).toBe("PRECONDITION_FAILED");
    expect(r.zh).toBe('案件当前为"已登记"，不能执行"结案"');
  });

  it("of 100 concurrent conflicting transitions exactly one succeeds, the rest get CONFLICT", async () => {
    const { id } = await clerk.cases.register.mutate(wage({ title: "并发受理" }));
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => clerk.cases.transition.mutate({ id, version: 1, action: "accept", data: {} })),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const codes = results
      .filter((r): r is PromiseRejectedResult => r.status === "rejected")
      .map((r) => ((r.reason as TRPCClientError<never>).data as unknown as Data).appCode);
    expect(ok).toHaveLength(1);
    expect(codes).toHaveLength(99);
    expect(new Set(codes)).toEqual(new Set(["CONFLICT"]));
    const [events] = await api.db
      .admin`select count(*)::int as n from app.case_events where case_id = ${id} and kind = 'case.accept'`;
    expect(events!.n).toBe(1);
  });

  it("an unsatisfied follow-up reopens the case unless a leader records why not", async () => {
    const { id } = await clerk.cases.register.mutate(wage({ title: "回访不满意" }));
    let v = 1;
    for (const [action, data] of [
      ["accept", {}],
      ["triage", { route: { kind: "joint_consultation" } }],
      ["resolve", { outcome: "已化解" }],
      ["await_follow_up", {}],
    ] as const) {
      v = (await clerk.cases.transition.mutate({ id, version: v, action, data })).version;
    }
    const r = await clerk.cases.recordFollowUp.mutate({
      caseId: id,
      method: "visit",
      satisfaction: "unsatisfied",
      notes: "款项未到账",
    });
    expect(r.reopened).toBe(true);
    expect((await clerk.cases.get.query({ id })).status).toBe("reopened");

    const { id: id2 } = await clerk.cases.register.mutate(wage({ title: "回访不满意但说明理由" }));
    v = 1;
    for (const [action, data] of [
      ["accept", {}],
      ["triage", { route: { kind: "litigation_docking" } }],
      ["resolve", { outcome: "已化解" }],
      ["await_follow_up", {}],
    ] as const) {
      v = (await clerk.cases.transition.mutate({ id: id2, version: v, action, data })).version;
    }
    const leader = api.client(await api.login("yumen.leader"));
    const countyClerk = api.client(await api.login("yumen.clerk"));
    const noOverride = await failure(
      countyClerk.cases.recordFollowUp.mutate({
        caseId: id2,
        method: "phone",
        satisfaction: "unsatisfied",
        overrideReason: "诉求超出法律规定",
      }),
    );
    expect(noOverride.appCode).toBe("FORBIDDEN");
    await leader.cases.recordFollowUp.mutate({
      caseId: id2,
      method: "phone",
      satisfaction: "unsatisfied",
      overrideReason: "诉求超出法律规定，已释法说理",
    });
    expect((await clerk.cases.transition.mutate({ id: id2, version: v, action: "close", data: {} })).status).toBe(
      "closed",
    );
    const rate = await admin.cases.followUpRate.query();
    expect(rate.closed).toBeGreaterThanOrEqual(2);
    expect(rate.rate).toBe(1);
  });
});

describe("the timeline", () => {
  it("rejects UPDATE and DELETE of events, even by the owner, and audit:verify names the first broken link", async () => {
    const { id } = await clerk.cases.register.mutate(wage({ title: "篡改检测" }));
    await clerk.cases.transition.mutate({ id, version: 1, action: "accept", data: {} });
    // Digests are for auditors only: the case page carries none, the integrity view is refused to staff.
    const shown = await clerk.cases.get.query({ id });
    expect(shown.events.length).toBe(2);
    expect(JSON.stringify(shown.events)).not.toMatch(/[0-9a-f]{64}/);
    expect((await failure(clerk.cases.integrity.query({ id }))).appCode).toBe("FORBIDDEN");
    const auditor = api.client(await api.login("yumen.auditor"));
    const before = await auditor.cases.integrity.query({ id });
    expect(before).toMatchObject({ intact: true, headMatches: true });
    expect(before.links.map((l) => [l.seq, l.problem])).toEqual([
      [1, null],
      [2, null],
    ]);
    expect(before.links[1]?.prevHash).toBe(before.links[0]?.hash);
    expect(before.head).toBe(before.links[1]?.hash);
    await expect(api.db.admin`update app.case_events set kind = 'case.forged' where case_id = ${id}`).rejects.toThrow(
      /append-only/,
    );
    await expect(api.db.admin`delete from app.case_events where case_id = ${id}`).rejects.toThrow(/append-only/);
    await expect(api.db.app`update app.case_events set kind = 'x'`).rejects.toThrow(/permission denied/);
    // Someone with the power to disable triggers forges the payload of event #1.
    await api.db.admin.begin(async (tx) => {
      await tx`alter table app.case_events disable trigger case_events_append_only`;
      await tx`update app.case_events set payload = payload || '{"amountYuan": 1}' where case_id = ${id} and seq = 1`;
      await tx`alter table app.case_events enable trigger case_events_append_only`;
    });
    const report = await verifyCaseChains(api.db.admin, { caseId: id });
    expect(report.broken).toEqual([expect.objectContaining({ caseId: id, seq: 1, reason: "hash_mismatch" })]);
    // The auditor's view recomputes the chain too and names the forged link.
    const after = await auditor.cases.integrity.query({ id });
    expect(after.intact).toBe(false);
    expect(after.links.map((l) => l.problem)).toEqual(["hash_mismatch", null]);
  });
});

describe("attachments", () => {
  it("stores accepted files outside the database, refuses others, and serves them only within the subtree", async () => {
    const { id } = await clerk.cases.register.mutate(wage({ title: "附件" }));
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
    const upload = (bytes: Uint8Array, name: string, cookie = clerkCookie) => {
      const form = new FormData();
      form.set("file", new File([bytes], name));
      return api.request(`/cases/${id}/attachments`, { method: "POST", cookie, body: form });
    };
    const ok = await upload(png, "现场照片.png");
    expect(ok.status).toBe(201);
    const saved = (await ok.json()) as { id: string; mime: string };
    expect(saved.mime).toBe("image/png");
    const exe = await upload(new Uint8Array([0x4d, 0x5a, 0x90, 0]), "photo.png");
    expect(exe.status).toBe(400);
    expect(((await exe.json()) as { zh: string }).zh).toContain("仅支持");
    const [row] = await api.db.admin`select filename, size_bytes from app.attachments where id = ${saved.id}`;
    expect(row).toMatchObject({ filename: "现场照片.png", size_bytes: 12 });

    const down = await api.request(`/attachments/${saved.id}`, { cookie: clerkCookie });
    expect(down.status).toBe(200);
    expect(new Uint8Array(await down.arrayBuffer())).toEqual(png);
    const stranger = await api.login("yongji.admin");
    expect((await api.request(`/attachments/${saved.id}`, { cookie: stranger })).status).toBe(404);
    expect((await upload(png, "x.png", stranger)).status).toBe(404);
    // Reading is not writing: the auditor above reads the file but may not attach one.
    const auditor = await api.login("yumen.auditor");
    expect((await api.request(`/attachments/${saved.id}`, { cookie: auditor })).status).toBe(200);
    expect((await upload(png, "审计员.png", auditor)).status).toBe(403);
    const [count] = await api.db.admin<
      { n: number }[]
    >`select count(*)::int as n from app.attachments where case_id = ${id}`;
    expect(count!.n).toBe(1);
  });
});

describe("the inbox's deadline-colour filter", () => {
  it("finds cases by the colour of their most urgent open deadline", async () => {
    const { id } = await clerk.cases.register.mutate(wage({ title: "超期案件" }));
    await api.db
      .admin`update app.case_deadlines set started_at = now() - interval '10 days', due_at = now() - interval '1 hour'
      where case_id = ${id} and stage = 'first_contact'`;
    const red = await clerk.cases.list.query({ deadlineColour: "red" });
    expect(red.items.map((c) => c.id)).toContain(id);
    expect(red.items.every((c) => c.deadlineColour === "red")).toBe(true);
    const blue = await clerk.cases.list.query({ deadlineColour: "blue" });
    expect(blue.items.map((c) => c.id)).not.toContain(id);
    expect(blue.items.length).toBeGreaterThan(0);
  });
});
