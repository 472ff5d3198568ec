import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateTOTP } from "@oslojs/otp";
import { TRPCError } from "@trpc/server";
import { type ApiContext, createCaller, toAppError } from "@zongzhi/api";
import { listProcedures, type ProcedureInfo } from "@zongzhi/api/procedures";
import { hashPassword, parseToken, type SessionUser, startSession } from "@zongzhi/auth";
import { cipherContext, createSm4Cipher, generateKeyringString, keyringFromEnv } from "@zongzhi/crypto";
import type { Sql } from "@zongzhi/db/client";
import {
  addDays,
  authorize,
  CASE_ACTIONS,
  type CaseAction,
  chinaToday,
  holds,
  INSTALLATION_CODE,
  type Level,
  PERMISSION_TABLE,
  type Permission,
  RELATIONS,
  type Relation,
  ROLES,
  type Role,
  relationOf,
} from "@zongzhi/domain";
import { createTestDatabase, statementRecorder, type TestDatabase } from "@zongzhi/testing";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDemo } from "./demo.ts";
import { TEST_WEBHOOK_NETWORK } from "./test-harness.ts";

/**
 * The authorisation matrix, exhaustively: every mutation of the router (read at run time with
 * listProcedures(), the workflow's actions one by one) × every role × every position of the
 * acting unit relative to the subject (own unit, the unit above, the origin below, a sibling
 * that watches the case, another deployment; the operator at the installation), each call
 * compared with the one table. An allowed call must succeed on a valid input; a refused one
 * must answer FORBIDDEN or NOT_FOUND and leave every row of every tenant table as it was.
 *
 * Speed: the fixtures are built once through the API and committed; every call then runs in a
 * transaction of its own that is rolled back (the API's own transaction becomes a savepoint in
 * it, run as zz_app), so all calls see the same state.
 */

const PASSWORD = "Matrix#Fixture-2026!";
const NEW_PASSWORD = "Qz8#rLm2!vTp9wX-matrix";
const UNIT_ROLES = ROLES.filter((r) => r !== "platform_admin");

/** Where the acting unit stands relative to the subjects (the township 玉门镇 owns them). */
const POSITIONS = ["own", "ancestor", "descendant", "sibling", "other_deployment"] as const;
type Position = (typeof POSITIONS)[number] | "installation";

const T1 = "620981101"; // 玉门镇: owns every subject
const C = "620981"; // 玉门市: the unit above
const T2 = "620981102"; // 赤金镇: a sibling; the origin of the cases it watches (set B)
const Y = "140881"; // 永济市: another deployment

let db: TestDatabase;
let cipher: ReturnType<typeof createSm4Cipher>;
let V1: string; // a village of 玉门镇: the origin of the cases of set A
let VX: string; // a village of 玉门镇 not onboarded (to onboard)

interface Unit {
  id: string;
  code: string;
  level: Level;
  rootCode: string;
  name: string;
}
const units = new Map<string, Unit>();
/** users.get(position).get(role) */
const users = new Map<Position, Map<Role, SessionUser>>();
const positionUnit: Record<Position, string> = {
  own: T1,
  ancestor: C,
  descendant: "",
  sibling: T2,
  other_deployment: Y,
  installation: INSTALLATION_CODE,
};

function ctxFor(user: SessionUser, sql: Sql): ApiContext {
  return {
    sql,
    user,
    client: { ip: "192.0.2.10", userAgent: "matrix" },
    requestId: "matrix",
    origin: "http://127.0.0.1:3000",
    cipher,
    webhookNetwork: TEST_WEBHOOK_NETWORK,
    idempotencyKey: undefined,
    setSessionToken() {},
  };
}

/** Calls a procedure by its dotted path as `user`. */
async function call(user: SessionUser, sql: Sql, path: string, input: unknown): Promise<unknown> {
  let fn: unknown = createCaller(ctxFor(user, sql));
  for (const part of path.split(".")) fn = (fn as Record<string, unknown>)[part];
  return (fn as (i: unknown) => Promise<unknown>)(input);
}

const as = (position: Position, role: Role) => users.get(position)!.get(role)!;

/** The cases and rows of one subject set, all owned by 玉门镇. */
interface Subjects {
  cases: Record<
    | "settled"
    | "returned"
    | "accepted"
    | "triaged"
    | "inMediation"
    | "referred"
    | "resolved"
    | "awaitingFollowUp"
    | "closed"
    | "onHold"
    | "awaitingSignFor",
    { id: string; version: number }
  >;
  summonsPending: { id: string; version: number };
  summonsAcknowledged: { id: string; version: number };
  session: { id: string; version: number };
  agreement: { id: string; version: number };
  confirmation: { id: string; version: number };
  supervision: { id: string; version: number };
}
const sets: { A?: Subjects; B?: Subjects } = {};

/** 玉门镇's own rows (configuration, a user, a booking) and each acting unit's room and stationing. */
const rows: Record<string, { id: string; version: number }> = {};
const roomOf = new Map<string, string>();
const noticeOf = new Map<string, string>();
const stationingOf = new Map<string, string>();
/** Each acting unit's own API key (for the webhook it may add). */
const keyOf = new Map<string, string>();
let kindCode = "";
/** The id of 玉门镇's user's session (24 base32 characters, as minted). */
const MATRIX_SESSION = "matrixsessionforcedsigno";

const dispute = (title: string, locationCode: string) => ({
  categoryCode: "neighbour",
  channel: "visit" as const,
  title,
  description: "权限矩阵测试用纠纷",
  locationCode,
  peopleCount: 2,
  groupDispute: false,
  riskGrade: "none" as const,
  difficulty: "simple" as const,
  parties: [{ role: "applicant" as const, kind: "person" as const, name: "测试人", phone: "13609371234" }],
});
const today = () => chinaToday();
const future = (days: number) => new Date(Date.now() + days * 86400e3);
const slot = (hour: number, days = 30) => {
  const d = new Date(future(days));
  d.setUTCHours(hour - 8, 0, 0, 0);
  return d;
};

async function insertUser(position: Position, role: Role, unit: Unit | null, hash: string): Promise<void> {
  const username = `m.${position}.${role}`.replaceAll("_", "-");
  const [row] = await db.admin<{ id: string }[]>`insert into app.users (tenant_id, username, display_name, roles,
      password_hash, must_change_password, password_changed_at)
    values (${unit?.id ?? null}, ${username}, ${username}, ${[role]}, ${hash}, false, now()) returning id`;
  const user: SessionUser = {
    sessionId: "matrix",
    sessionCreatedAt: new Date(),
    userId: row!.id,
    tenantId: unit?.id ?? null,
    scope: unit?.code ?? INSTALLATION_CODE,
    username,
    displayName: username,
    roles: [role],
    mustChangePassword: false,
    tenant: unit ? { name: unit.name, level: unit.level, rootCode: unit.rootCode } : null,
    totpEnabled: false,
    totpRequired: false,
    deploymentRequiresTotp: false,
  };
  if (!users.has(position)) users.set(position, new Map());
  users.get(position)!.set(role, user);
}

/** Runs a committed fixture step through the API as `user`. */
const step = (user: SessionUser, path: string, input: unknown) => call(user, db.app, path, input);
const version = async (id: string) =>
  (await db.admin<{ version: number }[]>`select version from app.cases where id = ${id}`)[0]!.version;

/**
 * Builds one subject set through the API. Set A: registered at the village 玉门镇 V1 and
 * escalated to 玉门镇 (V1 is the origin below the owner). Set B: registered at 赤金镇,
 * escalated to 玉门市 and assigned sideways to 玉门镇 (赤金镇 watches it as a sibling).
 */
async function buildSet(kind: "A" | "B"): Promise<Subjects> {
  const owner = as("own", "intake_clerk");
  const origin = kind === "A" ? as("descendant", "intake_clerk") : as("sibling", "intake_clerk");
  const county = as("ancestor", "intake_clerk");
  const originCode = kind === "A" ? V1 : T2;
  const bring = async (title: string, sign = true): Promise<{ id: string; version: number }> => {
    const { id } = (await step(origin, "cases.register", dispute(title, originCode))) as { id: string };
    if (kind === "A") {
      await step(origin, "escalation.escalate", { id, version: 1, toCode: T1, reason: "村级无法协调" });
    } else {
      await step(origin, "escalation.escalate", { id, version: 1, toCode: C, reason: "涉及玉门镇" });
      await step(county, "escalation.signFor", { id, version: await version(id) });
      await step(county, "escalation.assignDown", {
        id,
        version: await version(id),
        toCode: T1,
        instructions: "请玉门镇办理",
        deadline: future(7),
      });
    }
    if (sign) await step(owner, "escalation.signFor", { id, version: await version(id) });
    return { id, version: await version(id) };
  };
  const advance = async (c: { id: string }, steps: [CaseAction, Record<string, unknown>][]) => {
    for (const [action, data] of steps) {
      await step(owner, "cases.transition", { id: c.id, version: await version(c.id), action, data });
    }
    return { id: c.id, version: await version(c.id) };
  };
  const room = { kind: "room" };
  const cases = {} as Subjects["cases"];
  cases.settled = await bring(`${kind}-待受理`);
  cases.returned = await advance(await bring(`${kind}-退回`), [["return", { reason: "材料不全" }]]);
  cases.accepted = await advance(await bring(`${kind}-已受理`), [["accept", {}]]);
  cases.triaged = await advance(await bring(`${kind}-已分诊`), [
    ["accept", {}],
    ["triage", { route: room }],
  ]);
  cases.inMediation = await advance(await bring(`${kind}-调解中`), [
    ["accept", {}],
    ["triage", { route: room }],
    ["start_mediation", {}],
  ]);
  cases.referred = await advance(await bring(`${kind}-已转办`), [
    ["accept", {}],
    ["triage", { route: room }],
    ["refer", { referral: { kind: "litigation", receivingBody: "玉门市人民法院" } }],
  ]);
  cases.resolved = await advance(await bring(`${kind}-已化解`), [
    ["accept", {}],
    ["triage", { route: room }],
    ["resolve", { outcome: "双方和解" }],
  ]);
  const followUp = await advance(await bring(`${kind}-待回访`), [
    ["accept", {}],
    ["triage", { route: room }],
    ["resolve", { outcome: "双方和解" }],
    ["await_follow_up", {}],
  ]);
  await step(owner, "cases.recordFollowUp", { caseId: followUp.id, method: "phone", satisfaction: "satisfied" });
  cases.awaitingFollowUp = { id: followUp.id, version: await version(followUp.id) };
  const closed = await advance(await bring(`${kind}-已结案`), [
    ["accept", {}],
    ["triage", { route: room }],
    ["resolve", { outcome: "双方和解" }],
    ["await_follow_up", {}],
  ]);
  await step(owner, "cases.recordFollowUp", { caseId: closed.id, method: "visit", satisfaction: "satisfied" });
  cases.closed = await advance(closed, [["close", {}]]);
  cases.onHold = await advance(await bring(`${kind}-中止`), [
    ["accept", {}],
    ["hold", { reason: "等待当事人", holdUntil: addDays(today(), 5) }],
  ]);
  cases.awaitingSignFor = await bring(`${kind}-待签收`, false);

  const [pending, acknowledged] = (await step(owner, "cases.summon", {
    caseId: cases.triaged.id,
    stationingIds: [rows.summonedStationing!.id, rows.secondStationing!.id],
    dueHours: 8,
  })) as { id: string }[];
  await step(as("own", "department_liaison"), "cases.acknowledgeSummons", { id: acknowledged!.id, version: 1 });
  const session = (await step(owner, "cases.scheduleSession", {
    caseId: cases.triaged.id,
    roomId: roomOf.get(T1)!,
    // Held a month ago: its outcome may be recorded (a session still to come may not; 0022).
    startsAt: slot(kind === "A" ? 9 : 14, -30),
    endsAt: slot(kind === "A" ? 10 : 15, -30),
    mediatorIds: [],
  })) as { id: string };
  // The session took place a month ago (outcomes are recorded only once it has happened).
  await db.admin`update app.mediation_sessions set starts_at = starts_at - interval '31 days',
    ends_at = ends_at - interval '31 days' where id = ${session.id}`;
  await db.admin`update app.bookings set during = tstzrange(lower(during) - interval '31 days',
    upper(during) - interval '31 days', '[)') where id = (select booking_id from app.mediation_sessions where id = ${session.id})`;
  const agreed = await advance(await bring(`${kind}-达成协议`), [
    ["accept", {}],
    ["triage", { route: room }],
    ["start_mediation", {}],
  ]);
  const agreement = (await step(owner, "cases.recordAgreement", agreementInput(agreed.id))) as { id: string };
  const withConfirmation = (await step(owner, "cases.recordAgreement", agreementInput(agreed.id))) as { id: string };
  const confirmation = (await step(owner, "cases.applyForConfirmation", {
    agreementId: withConfirmation.id,
    courtName: "玉门市人民法院",
    appliedOn: today(),
  })) as { id: string };
  const supervision = (await step(as("ancestor", "leader"), "escalation.openSupervision", {
    caseId: cases.settled.id,
    instructions: "请三日内反馈",
    dueAt: future(3),
  })) as { id: string };
  cases.settled.version = await version(cases.settled.id);
  const v = async (table: string, id: string) =>
    (await db.admin<{ version: number }[]>`select version from ${db.admin(table)} where id = ${id}`)[0]!.version;
  return {
    cases,
    summonsPending: { id: pending!.id, version: await v("app.case_summons", pending!.id) },
    summonsAcknowledged: { id: acknowledged!.id, version: await v("app.case_summons", acknowledged!.id) },
    session: { id: session.id, version: await v("app.mediation_sessions", session.id) },
    agreement: { id: agreement.id, version: await v("app.agreements", agreement.id) },
    confirmation: { id: confirmation.id, version: await v("app.judicial_confirmations", confirmation.id) },
    supervision: { id: supervision.id, version: await v("app.supervisions", supervision.id) },
  };
}

function agreementInput(caseId: string) {
  return {
    caseId,
    signedOn: today(),
    facts: "事实",
    disputedMatters: "争议事项",
    terms: "协议内容",
    performanceManner: "一次性支付",
    performancePlace: "玉门镇",
    performanceDeadline: addDays(today(), 10),
    mediatorNames: ["调解员"],
  };
}

/** One call of the matrix: its input, the unit of its subject, and any set-up inside its transaction. */
interface Variant {
  label: string;
  input: unknown;
  subject: string;
  /** Runs first, in the same rolled-back transaction (e.g. a pending TOTP enrolment); may adjust the caller. */
  prepare?: (sql: Sql, user: SessionUser) => Promise<{ input?: unknown; user?: SessionUser }>;
}
type Builder = (user: SessionUser, s: Subjects) => Variant | Variant[];

const TRANSITION_DATA: Record<CaseAction, [keyof Subjects["cases"], Record<string, unknown>]> = {
  accept: ["settled", {}],
  return: ["settled", { reason: "材料不全" }],
  resubmit: ["returned", {}],
  triage: ["accepted", { route: { kind: "room" } }],
  start_mediation: ["triaged", {}],
  resolve: ["triaged", { outcome: "双方和解" }],
  fail: ["inMediation", { reason: "分歧较大" }],
  refer: ["triaged", { referral: { kind: "arbitration", receivingBody: "玉门市劳动人事争议仲裁委员会" } }],
  record_referral_result: ["referred", { outcome: "已判决" }],
  await_follow_up: ["resolved", {}],
  close: ["awaitingFollowUp", {}],
  reopen: ["awaitingFollowUp", { reason: "当事人反映未履行" }],
  archive: ["closed", {}],
  hold: ["accepted", { reason: "等待当事人", holdUntil: "" }],
  resume: ["onHold", {}],
  cancel: ["settled", { reason: "当事人撤回" }],
  mark_duplicate: ["settled", {}],
};

const own = (user: SessionUser) => user.scope;
const totpCode = (secretBase32: string) => generateTOTP(decodeBase32IgnorePadding(secretBase32), 30, 6);

/**
 * A valid input for every mutation (a mutation without one fails the test). The subject of a
 * creation is the caller's own unit; of everything else, the unit of the row acted on.
 */
const BUILDERS: Record<string, Builder> = {
  "auth.changePassword": (u) => ({ label: "", input: { current: PASSWORD, next: NEW_PASSWORD }, subject: own(u) }),
  // A proof of the password for a real session of the caller (re-authentication, 0072).
  "auth.reauthenticate": (u) => ({
    label: "",
    input: { method: "password", secret: PASSWORD },
    subject: own(u),
    async prepare(sql, user) {
      const token = await startSession(sql, user.userId, { ip: "192.0.2.9", userAgent: "matrix" });
      return { user: { ...user, sessionId: parseToken(token)!.id } };
    },
  }),
  "mfa.begin": (u) => ({ label: "", input: undefined, subject: own(u) }),
  "mfa.confirm": (u) => ({
    label: "",
    input: { code: "000000" },
    subject: own(u),
    async prepare(sql, user) {
      const { secretBase32 } = (await call(user, sql, "mfa.begin", undefined)) as { secretBase32: string };
      return { input: { code: totpCode(secretBase32) } };
    },
  }),
  "mfa.disable": (u) => ({
    label: "",
    input: { password: PASSWORD, code: "000000" },
    subject: own(u),
    async prepare(sql, user) {
      const { secretBase32 } = (await call(user, sql, "mfa.begin", undefined)) as { secretBase32: string };
      const code = totpCode(secretBase32);
      await call(user, sql, "mfa.confirm", { code });
      return { input: { password: PASSWORD, code }, user: { ...user, totpEnabled: true } };
    },
  }),
  // New recovery codes: the caller has a second factor and a session that just proved itself.
  "mfa.recoveryCodes": (u) => ({
    label: "",
    input: undefined,
    subject: own(u),
    async prepare(sql, user) {
      const { secretBase32 } = (await call(user, sql, "mfa.begin", undefined)) as { secretBase32: string };
      await call(user, sql, "mfa.confirm", { code: totpCode(secretBase32) });
      const token = await startSession(sql, user.userId, { ip: "192.0.2.9", userAgent: "matrix" });
      return { user: { ...user, totpEnabled: true, sessionId: parseToken(token)!.id } };
    },
  }),
  "mfa.setRequired": (u) => ({ label: "", input: { required: false }, subject: u.tenant?.rootCode ?? own(u) }),
  "escalation.markRead": (u) => ({ label: "", input: { ids: [] }, subject: own(u) }),
  // The caller's own unit's cockpit settings (no unit has saved any: version 0).
  "cockpit.saveSettings": (u) => ({
    label: "",
    input: {
      ranking: {
        resolutionRate: 40,
        closureRate: 20,
        onTimeRate: 20,
        satisfactionRate: 20,
        followUpRate: 0,
        localShare: 0,
      },
      safety: null,
      version: 0,
    },
    subject: own(u),
  }),

  "platform.createDeployment": () => ({
    label: "",
    input: { code: "11", admin: { username: "matrix.beijing", displayName: "北京管理员" } },
    subject: INSTALLATION_CODE,
  }),
  // A deployment without a security administrator, made by the operator inside the rolled-back transaction.
  "platform.addSecurityAdmin": () => ({
    label: "",
    input: undefined,
    subject: INSTALLATION_CODE,
    async prepare(sql) {
      const made = (await call(as("installation", "platform_admin"), sql, "platform.createDeployment", {
        code: "11",
        admin: { username: "matrix.beijing", displayName: "北京管理员" },
      })) as { deployment: { id: string } };
      return {
        input: { id: made.deployment.id, security: { username: "matrix.bjsec", displayName: "北京安全管理员" } },
      };
    },
  }),
  "platform.setDeploymentStatus": () => ({
    label: "",
    input: { id: units.get(Y)!.id, status: "suspended", version: rows.deploymentY!.version },
    subject: INSTALLATION_CODE,
  }),
  "tenants.onboard": () => ({ label: "", input: { codes: [VX], branch: false }, subject: T1 }),
  "tenants.setStatus": () => ({
    label: "",
    input: { id: units.get(T1)!.id, status: "suspended", version: rows.tenantT1!.version },
    subject: T1,
  }),
  "users.create": () => ({
    label: "",
    input: { tenantId: units.get(T1)!.id, username: "matrix.newcomer", displayName: "新用户", roles: ["mediator"] },
    subject: T1,
  }),
  "users.edit": () => ({
    label: "",
    // The same roles: renaming is user.manage; changing roles also needs role.grant (separation-of-duties test).
    input: { id: rows.user!.id, version: rows.user!.version, displayName: "改名", roles: ["mediator"] },
    subject: T1,
  }),
  "users.setStatus": () => ({
    label: "",
    input: { id: rows.user!.id, version: rows.user!.version, status: "disabled" },
    subject: T1,
  }),
  "users.unlock": () => ({ label: "", input: { id: rows.user!.id, version: rows.user!.version }, subject: T1 }),
  "users.resetTotp": () => ({ label: "", input: { id: rows.user!.id }, subject: T1 }),
  "users.setupLink": () => ({ label: "", input: { id: rows.user!.id }, subject: T1 }),
  "users.signOut": () => ({ label: "", input: { sessionId: MATRIX_SESSION }, subject: T1 }),

  "centre.addDepartmentKind": (u) => ({
    label: "",
    input: { code: "matrix_kind", name: "测试部门类别", category: "administrative" },
    subject: own(u),
  }),
  "centre.editDepartmentKind": () => ({
    label: "",
    input: { id: rows.kind!.id, version: rows.kind!.version, name: "矩阵类别（改）", active: true },
    subject: T1,
  }),
  "centre.station": (u) => ({
    label: "",
    input: { kindCode, name: "测试入驻部门", residency: "permanent" },
    subject: own(u),
  }),
  "centre.editStationing": () => ({
    label: "",
    input: {
      id: rows.spareStationing!.id,
      version: rows.spareStationing!.version,
      kindCode,
      name: "备用部门（改）",
      residency: "permanent",
    },
    subject: T1,
  }),
  "centre.removeStationing": () => ({ label: "", input: { id: rows.spareStationing!.id }, subject: T1 }),
  "centre.createWindow": (u) => ({ label: "", input: { number: 901, name: "测试窗口" }, subject: own(u) }),
  "centre.editWindow": () => ({
    label: "",
    input: { id: rows.window!.id, version: rows.window!.version, number: 1, name: "综合窗口（改）" },
    subject: T1,
  }),
  "centre.addMediator": (u) => ({
    label: "",
    input: { name: "测试调解员", grade: "standard", affiliation: "volunteer" },
    subject: own(u),
  }),
  "centre.editMediator": () => ({
    label: "",
    input: {
      id: rows.mediator!.id,
      version: rows.mediator!.version,
      name: "调解员（改）",
      grade: "senior",
      affiliation: "volunteer",
    },
    subject: T1,
  }),
  "centre.createRoom": (u) => ({
    label: "",
    input: { name: "测试调解室", kind: "general", capacity: 6, area: "resolution" },
    subject: own(u),
  }),
  "centre.editRoom": () => ({
    label: "",
    input: {
      id: rows.room!.id,
      version: rows.room!.version,
      name: "调解室（改）",
      kind: "general",
      capacity: 8,
      area: "resolution",
    },
    subject: T1,
  }),
  "centre.saveCommittee": (u) => [
    { label: "new", input: { name: "测试调委会", field: "joint" }, subject: own(u) },
    {
      label: "edit",
      input: { id: rows.committee!.id, version: rows.committee!.version, name: "调委会（改）", field: "joint" },
      subject: T1,
    },
  ],
  "centre.book": () => ({
    label: "",
    input: { roomId: roomOf.get(T1)!, startsAt: slot(16), endsAt: slot(17), title: "测试预约" },
    subject: T1,
  }),
  "centre.cancelBooking": () => ({
    label: "",
    input: { id: rows.booking!.id, version: rows.booking!.version },
    subject: T1,
  }),
  // Online booking (网上预约): a room of the caller's own unit opened for booking; 玉门镇's offer edited.
  "appointments.saveOffer": (u) => [
    {
      label: "new",
      input: {
        kind: "mediation",
        roomId: roomOf.get(own(u)) ?? rows.room!.id,
        title: "矩阵调解预约",
        slotMinutes: 60,
        opensAt: "09:00",
        closesAt: "17:00",
        capacity: 1,
        daysAhead: 7,
        noticeHours: 2,
      },
      subject: own(u),
    },
    {
      label: "edit",
      input: {
        id: rows.offer!.id,
        version: rows.offer!.version,
        kind: "visit",
        windowId: rows.window!.id,
        title: "综合受理（改）",
        slotMinutes: 30,
        opensAt: "09:00",
        closesAt: "12:00",
        capacity: 2,
        daysAhead: 7,
        noticeHours: 1,
      },
      subject: T1,
    },
  ],
  "appointments.mark": () => ({
    label: "",
    input: { id: rows.appointment!.id, version: rows.appointment!.version, status: "arrived" },
    subject: T1,
  }),
  "appointments.receive": () => ({
    label: "",
    input: {
      id: rows.appointment!.id,
      version: rows.appointment!.version,
      categoryCode: "neighbour",
      title: "网上预约接待",
      description: "邻里纠纷",
      locationCode: T1,
    },
    subject: T1,
  }),
  "grids.create": (u) => ({
    label: "",
    input: { tier: "township", number: "M1", name: "矩阵网格", households: 300, population: 900 },
    subject: own(u),
  }),
  "grids.edit": () => ({
    label: "",
    input: { id: rows.grid!.id, version: rows.grid!.version, name: "网格（改）", households: 10, population: 30 },
    subject: T1,
  }),
  "grids.assign": () => ({
    label: "",
    input: {
      id: rows.grid!.id,
      version: rows.grid!.version,
      workers: [{ workerId: rows.gridWorker!.id, leader: true }],
    },
    subject: T1,
  }),
  "grids.addWorker": (u) => ({ label: "", input: { name: "矩阵网格员", kind: "part_time" }, subject: own(u) }),
  "grids.editWorker": () => ({
    label: "",
    input: { id: rows.gridWorker!.id, version: rows.gridWorker!.version, name: "网格员（改）", kind: "full_time" },
    subject: T1,
  }),
  "channels.createKey": (u) => ({
    label: "",
    input: { name: "矩阵密钥", channel: "hotline_12345", permissions: ["case.register", "case.read"] },
    subject: own(u),
  }),
  "channels.revokeKey": () => ({
    label: "",
    input: { id: rows.apiKey!.id, version: rows.apiKey!.version },
    subject: T1,
  }),
  "channels.createWebhook": (u) => ({
    label: "",
    input: { apiKeyId: keyOf.get(u.scope) ?? rows.apiKey!.id, url: "https://hooks.example.cn/matrix" },
    subject: own(u),
  }),
  "channels.replayDelivery": () => ({
    label: "",
    input: { id: rows.delivery!.id, version: rows.delivery!.version },
    subject: T1,
  }),
  "patrols.record": (u) => ({
    label: "",
    input: { startedAt: new Date(Date.now() - 7200e3), endedAt: new Date(Date.now() - 600e3), distanceMetres: 3100 },
    subject: own(u),
  }),
  "centre.saveContact": (u) => ({
    label: "",
    input: { phone: "0937-3221234", address: "玉门市新市区", openingHours: "工作日 8:30–17:30" },
    subject: own(u),
  }),
  "patrols.setNorm": (u) => ({
    label: "",
    input: { minutesPerDay: 120, metresPerDay: 3000, eventsPerWeek: 5 },
    subject: own(u),
  }),
  "calendar.setDays": (u) => ({
    label: "",
    input: { days: [{ date: "2027-02-10", workday: false, name: "春节" }] },
    subject: own(u),
  }),
  "calendar.removeDay": () => ({ label: "", input: { id: rows.calendarDay!.id }, subject: T1 }),
  "dictionaries.addCategory": (u) => ({ label: "", input: { name: "矩阵类别", docking: false }, subject: own(u) }),
  "dictionaries.editCategory": () => ({
    label: "",
    input: { id: rows.category!.id, version: rows.category!.version, name: "类别（改）", docking: true, active: true },
    subject: T1,
  }),
  "dictionaries.addEntry": (u) => ({
    label: "",
    input: { kind: "service_item", name: `矩阵事项${u.scope}` },
    subject: own(u),
  }),
  "dictionaries.editEntry": () => ({
    label: "",
    input: { id: rows.entry!.id, version: rows.entry!.version, name: "事项（改）", active: true },
    subject: T1,
  }),
  "notices.publish": (u) => ({ label: "", input: { title: "矩阵通知", body: "正文", levels: [] }, subject: own(u) }),
  "notices.acknowledge": (u) => ({
    label: "",
    input: { id: noticeOf.get(u.scope) ?? noticeOf.get(T1)! },
    subject: own(u),
  }),
  "escalation.setPolicy": (u) => ({
    label: "",
    input: { categoryCode: null, stage: "first_contact", amount: 3, unit: "working_days" },
    subject: own(u),
  }),

  "cases.register": (u) => ({
    label: "",
    input: dispute("矩阵登记", u.scope === INSTALLATION_CODE ? T1 : u.scope),
    subject: own(u),
  }),
  "cases.transition": (_u, s) =>
    CASE_ACTIONS.map((action) => {
      const [which, data] = TRANSITION_DATA[action];
      const c = s.cases[which];
      const filled =
        action === "hold"
          ? { ...data, holdUntil: addDays(today(), 5) }
          : action === "mark_duplicate"
            ? { duplicateOf: s.cases.accepted.id }
            : data;
      return { label: action, input: { id: c.id, version: c.version, action, data: filled }, subject: T1 };
    }),
  "cases.summon": (u, s) => ({
    label: "",
    input: {
      caseId: s.cases.triaged.id,
      stationingIds: [stationingOf.get(u.scope) ?? rows.summonedStationing!.id],
      dueHours: 4,
    },
    subject: T1,
  }),
  "cases.acknowledgeSummons": (_u, s) => ({ label: "", input: s.summonsPending, subject: T1 }),
  "cases.objectToSummons": (_u, s) => ({
    label: "",
    input: { ...s.summonsPending, reason: "不属于本部门职责" },
    subject: T1,
  }),
  "cases.summonsFeedback": (_u, s) => ({
    label: "",
    input: { ...s.summonsAcknowledged, action: "到场核实", feedback: "已处理" },
    subject: T1,
  }),
  "cases.scheduleSession": (u, s) => ({
    label: "",
    input: {
      caseId: s.cases.triaged.id,
      roomId: roomOf.get(u.scope) ?? roomOf.get(T1)!,
      startsAt: slot(11),
      endsAt: slot(12),
    },
    subject: T1,
  }),
  "cases.recordSession": (_u, s) => ({
    label: "",
    input: {
      ...s.session,
      attendance: [{ name: "测试人", role: "申请人", present: true }],
      notes: "",
      outcome: "continued",
    },
    subject: T1,
  }),
  "cases.recordAgreement": (_u, s) => ({ label: "", input: agreementInput(s.cases.inMediation.id), subject: T1 }),
  "cases.updatePerformance": (_u, s) => ({ label: "", input: { ...s.agreement, status: "performed" }, subject: T1 }),
  "cases.applyForConfirmation": (_u, s) => ({
    label: "",
    input: { agreementId: s.agreement.id, courtName: "玉门市人民法院", appliedOn: today() },
    subject: T1,
  }),
  "cases.recordConfirmationStep": (_u, s) => ({
    label: "",
    input: { ...s.confirmation, step: "accepted", on: today() },
    subject: T1,
  }),
  "cases.recordFollowUp": (_u, s) => ({
    label: "",
    input: { caseId: s.cases.awaitingFollowUp.id, method: "phone", satisfaction: "satisfied" },
    subject: T1,
  }),

  "escalation.escalate": (_u, s) => ({
    label: "",
    input: { ...s.cases.settled, toCode: C, reason: "需县级协调" },
    subject: T1,
  }),
  "escalation.signFor": (_u, s) => ({ label: "", input: s.cases.awaitingSignFor, subject: T1 }),
  "escalation.assignDown": (_u, s) => ({
    label: "",
    input: { ...s.cases.settled, toCode: V1, instructions: "请村里办理", deadline: future(5) },
    subject: T1,
  }),
  "escalation.returnCase": (_u, s) => ({
    label: "",
    input: { ...s.cases.settled, reason: "应由下级办理" },
    subject: T1,
  }),
  "escalation.openSupervision": (_u, s) => ({
    label: "",
    input: { caseId: s.cases.settled.id, instructions: "限期办结", dueAt: future(2) },
    subject: T1,
  }),
  "escalation.answerSupervision": (_u, s) => ({
    label: "",
    input: { ...s.supervision, answer: "已办理" },
    subject: T1,
  }),
  "escalation.takeCharge": (_u, s) => ({
    label: "",
    input: { caseId: s.cases.settled.id, version: s.cases.settled.version },
    subject: T1,
  }),
};

/** A change detector over every row of every table of the app and auth schemas, per table. */
let digestQuery = "";
async function digest(sql: postgres.ReservedSql): Promise<Record<string, string>> {
  const [row] = await sql.unsafe<{ d: Record<string, string> }[]>(digestQuery);
  return row!.d;
}

/**
 * A pool stand-in over one reserved superuser connection inside an open transaction: the API's
 * BEGIN becomes a savepoint run as zz_app (RLS applies), its COMMIT releases it, its ROLLBACK
 * rolls back to it. The test rolls back the outer transaction after each call.
 */
function savepointPool(conn: postgres.ReservedSql, options: unknown): Sql {
  const tx = new Proxy(conn, {
    get(target, prop, receiver) {
      if (prop === "unsafe") {
        return (query: string, ...rest: unknown[]) => {
          // withScope sends BEGIN together with its SET LOCALs in one message (packages/db client.ts).
          if (/^begin\b/.test(query)) {
            const settings = query.replace(/^begin;?/, "");
            return target.unsafe(`savepoint api_call; set local role zz_app;${settings}`);
          }
          if (query === "commit") return target.unsafe("release savepoint api_call; reset role");
          if (query === "rollback") return target.unsafe("rollback to savepoint api_call; release savepoint api_call");
          return (target.unsafe as (...a: unknown[]) => unknown)(query, ...rest);
        };
      }
      if (prop === "release") return () => {};
      return Reflect.get(target, prop, receiver);
    },
  });
  return new Proxy(conn, {
    get(target, prop, receiver) {
      if (prop === "reserve") return async () => tx;
      if (prop === "options") return options;
      return Reflect.get(target, prop, receiver);
    },
  }) as unknown as Sql;
}

beforeAll(async () => {
  db = await createTestDatabase();
  cipher = createSm4Cipher(keyringFromEnv(generateKeyringString()));
  await loadDemo(db.adminUrl, { centres: false });
  const [v1, vx] = await db.admin<{ code: string }[]>`select code from app.tenants
    where parent_id = (select id from app.tenants where code = ${T1}) order by code limit 2`;
  V1 = v1!.code;
  VX = vx!.code;
  positionUnit.descendant = V1;
  await db.admin`delete from app.tenants where code = ${VX}`;
  for (const u of await db.admin<Unit[]>`select id, code, level, root_code as "rootCode", name from app.tenants
      where code = any(${[T1, C, V1, T2, Y]}::text[])`) {
    units.set(u.code, u);
  }
  const hash = await hashPassword(PASSWORD);
  for (const position of POSITIONS) {
    for (const role of UNIT_ROLES) await insertUser(position, role, units.get(positionUnit[position])!, hash);
  }
  await insertUser("installation", "platform_admin", null, hash);
  const [kind] = await db.admin<{ code: string }[]>`select code from ref.department_kinds order by code limit 1`;
  kindCode = kind!.code;

  // Each acting unit's own room and stationed department (for the inputs that use the caller's own).
  for (const position of POSITIONS) {
    const admin = as(position, "tenant_admin");
    const code = positionUnit[position];
    const room = (await step(admin, "centre.createRoom", {
      name: `${code}调解室`,
      kind: "general",
      capacity: 10,
      area: "resolution",
    })) as { id: string };
    roomOf.set(code, room.id);
    const s = (await step(admin, "centre.station", { kindCode, name: `${code}司法所`, residency: "permanent" })) as {
      id: string;
    };
    stationingOf.set(code, s.id);
    const k = (await step(admin, "channels.createKey", {
      name: `${code}密钥`,
      channel: "online",
      permissions: ["case.read"],
    })) as { key: { id: string } };
    keyOf.set(code, k.key.id);
    // Each unit's grid worker is registered as one (for the patrols it records).
    await step(admin, "grids.addWorker", {
      name: `${code}网格员`,
      kind: "full_time",
      userId: as(position, "grid_worker").userId,
    });
  }
  // 玉门镇's rows acted on by the matrix.
  const t1 = as("own", "tenant_admin");
  rows.summonedStationing = { id: stationingOf.get(T1)!, version: 1 };
  const second = (await step(t1, "centre.station", { kindCode, name: "玉门镇人社所", residency: "permanent" })) as {
    id: string;
  };
  rows.secondStationing = { id: second.id, version: 1 };
  const spare = (await step(t1, "centre.station", { kindCode, name: "备用部门", residency: "permanent" })) as {
    id: string;
    version: number;
  };
  rows.spareStationing = { id: spare.id, version: spare.version };
  await db.admin`insert into app.stationing_liaisons (stationing_id, user_id, scope_code)
    select s, ${as("own", "department_liaison").userId}, ${T1} from unnest(${[second.id, stationingOf.get(T1)!]}::uuid[]) s`;
  rows.window = (await step(t1, "centre.createWindow", { number: 1, name: "综合窗口" })) as {
    id: string;
    version: number;
  };
  rows.mediator = (await step(t1, "centre.addMediator", {
    name: "镇调解员",
    grade: "standard",
    affiliation: "committee",
  })) as { id: string; version: number };
  rows.room = (await step(t1, "centre.createRoom", {
    name: "第二调解室",
    kind: "family",
    capacity: 4,
    area: "resolution",
  })) as { id: string; version: number };
  rows.committee = (await step(t1, "centre.saveCommittee", { name: "镇人民调解委员会", field: "joint" })) as {
    id: string;
    version: number;
  };
  rows.booking = (await step(t1, "centre.book", {
    roomId: rows.room.id,
    startsAt: slot(9),
    endsAt: slot(10),
    title: "已有预约",
  })) as { id: string; version: number };
  rows.offer = (await step(t1, "appointments.saveOffer", {
    kind: "visit",
    windowId: rows.window.id,
    title: "综合受理",
    slotMinutes: 30,
    opensAt: "09:00",
    closesAt: "17:00",
    capacity: 2,
    daysAhead: 7,
    noticeHours: 1,
  })) as { id: string; version: number };
  // A booking a person made (as the public page would: sealed name and phone).
  const seal = (column: string, value: string) => cipher.encrypt(value, cipherContext("appointments", column, T1));
  const [appointment] = await db.admin<{ id: string; version: number }[]>`insert into app.appointments (scope_code,
      offer_id, code, starts_at, ends_at, seat, name_enc, name_masked, phone_enc, phone_index, phone_masked,
      category_code, matter, lookup_digest, idempotency_key, request_hash)
    values (${T1}, ${rows.offer.id}, ${`${T1}-MATR1XAA`}, ${slot(10, 3)}, ${new Date(slot(10, 3).getTime() + 1800e3)}, 1,
      ${seal("name", "测试人")}, '测**', ${seal("phone", "13609371234")}, ${cipher.blindIndex("phone", "13609371234")},
      '136****1234', 'neighbour', '邻里纠纷', '\\x00', 'matrix-appointment', 'x')
    returning id, version`;
  rows.appointment = appointment!;
  rows.grid = (await step(t1, "grids.create", {
    tier: "township",
    number: "01",
    name: "玉门镇一级网格",
    households: 3000,
    population: 9000,
  })) as { id: string; version: number };
  rows.apiKey = (
    (await step(t1, "channels.createKey", {
      name: "12345 热线",
      channel: "hotline_12345",
      permissions: ["case.register"],
    })) as { key: { id: string; version: number } }
  ).key;
  rows.gridWorker = (await step(t1, "grids.addWorker", { name: "镇网格员", kind: "full_time" })) as {
    id: string;
    version: number;
  };
  const [target] = await db.admin<{ id: string; version: number }[]>`insert into app.users (tenant_id, username,
      display_name, roles) values (${units.get(T1)!.id}, 'matrix.target', '被管理用户', '{mediator}') returning id, version`;
  rows.user = target!;
  const [calendarDay] = await db.admin<{ id: string; version: number }[]>`insert into app.calendar_days
      (scope_code, day, workday, name) values (${T1}, '2027-02-11', false, '春节') returning id, version`;
  rows.calendarDay = calendarDay!;
  const [category] = await db.admin<{ id: string; version: number }[]>`insert into app.case_categories
      (scope_code, code, name) values (${T1}, 'x_matrix', '矩阵类别') returning id, version`;
  rows.category = category!;
  const [dictEntry] = await db.admin<{ id: string; version: number }[]>`insert into app.dictionary_entries
      (scope_code, kind, name) values (${T1}, 'qualification', '矩阵资质') returning id, version`;
  rows.entry = dictEntry!;
  const [ownKind] = await db.admin<{ id: string; version: number }[]>`insert into app.department_kinds
      (scope_code, code, name, category) values (${T1}, 'x_matrix_edit', '矩阵类别', 'administrative') returning id, version`;
  rows.kind = ownKind!;
  // A notice of each acting unit to itself, for the acknowledgement (通知公告).
  for (const position of POSITIONS) {
    const code = positionUnit[position];
    const [n] = await db.admin<{ id: string }[]>`insert into app.notices (scope_code, title, body)
      values (${code}, ${`${code}通知`}, '正文') returning id`;
    noticeOf.set(code, n!.id);
  }
  // A live session of 玉门镇's user, for the forced sign-out (在线用户).
  await db.admin`insert into auth.sessions (id, secret_hash, user_id, scope_code)
    values (${MATRIX_SESSION}, '\\x00', ${target!.id}, ${T1})`;
  for (const [key, code] of [
    ["tenantT1", T1],
    ["deploymentY", Y],
  ] as const) {
    const [t] = await db.admin<
      { id: string; version: number }[]
    >`select id, version from app.tenants where code = ${code}`;
    rows[key] = t!;
  }
  // A failed delivery of 玉门镇's webhook, to replay.
  const hook = (await step(t1, "channels.createWebhook", {
    apiKeyId: rows.apiKey!.id,
    url: "https://hooks.example.cn/t1",
  })) as { webhook: { id: string } };
  const [caseOfT1] = await db.admin<{ id: string }[]>`insert into app.cases (scope_code, owner_code, code, year, seq,
      category_code, channel, title, description, location_code)
    values (${T1}, ${T1}, ${`${T1}-2020-000001`}, 2020, 1, 'other', 'online', '推送测试', '推送测试', ${T1}) returning id`;
  const [delivery] = await db.admin<{ id: string; version: number }[]>`insert into app.webhook_deliveries
      (scope_code, webhook_id, case_id, event, payload, status, attempts)
    values (${T1}, ${hook.webhook.id}, ${caseOfT1!.id}, 'request.status_changed', '{}', 'failed', 8)
    returning id, version`;
  rows.delivery = delivery!;
  sets.A = await buildSet("A");
  sets.B = await buildSet("B");

  const tables = await db.admin<{ name: string }[]>`select format('%I.%I', n.nspname, c.relname) as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind = 'r' and n.nspname in ('app', 'auth') order by 1`;
  // json_build_object takes at most 100 arguments (50 tables): one object per 40 tables, merged.
  const entry = (t: { name: string }) =>
    // The operation log records every call, refused ones too (issue 12): its op.* lines are not a change.
    `'${t.name}', (select count(*) || ':' || coalesce(sum(hashtextextended(x::text, 0)::numeric), 0) from ${t.name} x${
      t.name === "app.audit_events" ? ` where x.kind not like 'op.%'` : ""
    })`;
  const chunks: string[] = [];
  for (let i = 0; i < tables.length; i += 40) {
    chunks.push(
      `jsonb_build_object(${tables
        .slice(i, i + 40)
        .map(entry)
        .join(", ")})`,
    );
  }
  digestQuery = `select ${chunks.join(" || ")} as d`;
}, 300_000);
afterAll(() => db?.close());

/** Mutations whose allowed call may find nothing to change (marking an empty inbox read). */
const MAY_CHANGE_NOTHING = ["escalation.markRead"];

interface Outcome {
  procedure: string;
  role: Role;
  position: Position;
  relation: Relation;
  expected: boolean;
  /** The role holds the permission for some relation (it passes the router's gate). */
  roleHolds: boolean;
  got: "ok" | string;
  message?: string;
  changed?: string[];
}

/** The permission a call of `info` with `input` is authorised by (any of them, for the gate's list). */
function permissionsFor(info: ProcedureInfo, input: unknown): readonly Permission[] {
  const meta = info.meta;
  if (meta?.permissionOf) return [meta.permissionOf(input)];
  return meta?.permissions ?? [];
}

describe("the authorisation matrix", () => {
  it("every mutation × every role × every relation does exactly what the table says", async () => {
    const mutations = listProcedures().filter((p) => p.type === "mutation");
    const undeclared = mutations.filter((p) => !p.meta?.permissions?.length).map((p) => p.path);
    expect(undeclared, "mutations that declare no permission of the table").toEqual([]);
    // A mutation guarded by a read permission is a hole (an auditor could record a follow-up).
    const byRead = mutations
      .filter((p) => p.meta?.permissions?.some((perm) => PERMISSION_TABLE[perm].kind !== "write"))
      .map((p) => p.path);
    expect(byRead, "mutations guarded by a read permission").toEqual([]);
    const unbuilt = mutations.filter((p) => !BUILDERS[p.path]).map((p) => p.path);
    expect(unbuilt, "mutations without an input builder in this test").toEqual([]);
    expect(
      Object.keys(BUILDERS).filter((k) => !mutations.some((m) => m.path === k)),
      "builders of procedures that no longer exist",
    ).toEqual([]);

    // Every statement the API sends, for the Citus routing check below.
    const recorder = statementRecorder();
    const recorded = postgres(db.adminUrl, { max: 1, onnotice: () => {}, debug: recorder.debug });
    const conn = await recorded.reserve();
    const pool = savepointPool(conn, db.app.options);
    const outcomes: Outcome[] = [];
    const started = Date.now();
    await conn.unsafe("begin");
    const baseline = await digest(conn);
    await conn.unsafe("rollback");
    const actors: [Position, Role][] = [
      ...POSITIONS.flatMap((position) => UNIT_ROLES.map((role) => [position, role] as [Position, Role])),
      ["installation", "platform_admin"],
    ];
    try {
      for (const info of mutations) {
        for (const [position, role] of actors) {
          let user = as(position, role);
          const subjects = position === "sibling" ? sets.B! : sets.A!;
          const built = BUILDERS[info.path]!(user, subjects);
          for (const variant of Array.isArray(built) ? built : [built]) {
            const procedure = variant.label ? `${info.path}:${variant.label}` : info.path;
            const relation = relationOf(user.scope, variant.subject, user.tenant?.rootCode);
            const actor = { roles: user.roles, scope: user.scope };
            const expected = permissionsFor(info, variant.input).some((p) => authorize(actor, p, relation));
            const roleHolds = permissionsFor(info, variant.input).some((p) => holds(user.roles, p));
            const outcome: Outcome = { procedure, role, position, relation, expected, roleHolds, got: "ok" };
            await conn.unsafe("begin");
            try {
              let input = variant.input;
              let before = baseline;
              if (variant.prepare) {
                const prepared = await variant.prepare(pool, user);
                input = prepared.input ?? input;
                user = prepared.user ?? user;
                before = await digest(conn);
              }
              try {
                await call(user, pool, info.path, input);
              } catch (e) {
                const app = toAppError(e instanceof TRPCError ? (e.cause ?? e) : e);
                outcome.got = app?.code ?? (e instanceof TRPCError ? e.code : String(e));
                outcome.message = app?.messages.en ?? (e as Error).message;
              }
              const after = await digest(conn);
              outcome.changed = Object.keys(after).filter((t) => after[t] !== before[t]);
            } finally {
              await conn.unsafe("rollback");
            }
            outcomes.push(outcome);
          }
        }
      }
    } finally {
      conn.release();
      await recorded.end();
    }
    const seconds = (Date.now() - started) / 1000;

    // Allowed: it succeeds and changes something (it is not a quiet no-op). Refused: FORBIDDEN
    // or NOT_FOUND, and no row of any table changed.
    // Another deployment's subject is invisible: once past the role gate, NOT_FOUND (no oracle).
    const wrong = outcomes.filter((o) =>
      o.expected
        ? o.got !== "ok" || (o.changed?.length === 0 && !MAY_CHANGE_NOTHING.includes(o.procedure))
        : !(o.got === "FORBIDDEN" || o.got === "NOT_FOUND") ||
          (o.changed?.length ?? 0) > 0 ||
          (o.relation === "other_deployment" && o.roleHolds && o.got !== "NOT_FOUND"),
    );
    const procedures = new Set(outcomes.map((o) => o.procedure));
    const byRelation = Object.fromEntries(RELATIONS.map((r) => [r, outcomes.filter((o) => o.relation === r).length]));
    const allowed = outcomes.filter((o) => o.expected).length;
    console.log(
      `authorisation matrix: ${procedures.size} mutations (${mutations.length} procedures, the workflow's actions one by one)` +
        ` × ${ROLES.length} roles × ${POSITIONS.length} positions of the acting unit (+ the operator) = ${outcomes.length} calls` +
        ` in ${seconds.toFixed(1)} s; ${allowed} allowed, ${outcomes.length - allowed} refused;` +
        ` by relation to the subject: ${JSON.stringify(byRelation)}; ${wrong.length} differ from the table`,
    );
    for (const o of wrong.slice(0, 40)) {
      console.log(
        `  ${o.procedure} as ${o.role} (${o.position}, ${o.relation}): table says ${o.expected ? "allowed" : "refused"},` +
          ` got ${o.got}${o.message ? ` (${o.message})` : ""}, changed ${o.changed?.join(", ") || "nothing"}`,
      );
    }
    // Every case-bound mutation met every relation; every role was tried.
    expect(new Set(outcomes.map((o) => o.relation))).toEqual(new Set(RELATIONS));
    expect(new Set(outcomes.map((o) => o.role))).toEqual(new Set(ROLES));
    expect(wrong).toEqual([]);
    // On Citus a write into a distributed table is routed by the county it names: every
    // INSERT the mutations sent names county_code, every UPDATE and DELETE filters on it
    // (packages/testing citus-writes.ts; infra/SCALE.md).
    const unrouted = await recorder.unrouted(db.admin);
    expect(unrouted.map((u) => `${u.table}: ${u.reason}: ${u.statement.replace(/\s+/g, " ")}`)).toEqual([]);
  }, 600_000);
});
