import { createHash } from "node:crypto";
import type { Tx } from "@zongzhi/db/client";
import {
  AppError,
  authorize,
  availableActions,
  type CaseAction,
  type CaseState,
  type Channel,
  CLOCK_EFFECTS,
  CODE_LENGTH,
  chinaToday,
  conflict,
  holdWithinLimit,
  invalid,
  isDivisionCode,
  MAX_HOLD_DAYS,
  maskAddress,
  maskIdCardNumber,
  maskMobileNumber,
  maskPersonName,
  missingFields,
  nextState,
  notFound,
  type RiskGrade,
  type RouteKind,
  readsOnlySummoned,
  relationOf,
  TRANSITIONS,
  validateCreditCode,
  validateIdCardNumber,
  validateMobileNumber,
} from "@zongzhi/domain";
import type { PublicCase } from "../schemas/public.ts";
import { actorOf, authorizeFor, mayFor } from "./actor.ts";
import { nameOperationObject, recordAudit } from "./audit.ts";
import { calendarOf } from "./calendar.ts";
import { appendEvent, type CaseKey, ofCase } from "./case-events.ts";
import { type CaseFilter, caseConditions } from "./case-filter.ts";
import type {
  AgreementView,
  AttachmentView,
  CaseColumns,
  CaseDetail,
  CaseEvent,
  CasePage,
  CaseSummary,
  ConfirmationView,
  FollowUpView,
  LinkView,
  PartyView,
  ReferralView,
  SessionView,
  SummonsView,
} from "./case-views.ts";
import {
  caseDeadlines,
  completeDeadlines,
  pauseDeadlines,
  policyClock,
  resumeDeadlines,
  ruleInForce,
  type StoredRule,
  startDeadline,
} from "./deadlines.ts";
import { notifyReporter } from "./field-reports.ts";
import { caseHoldings } from "./holdings.ts";
import { assertLiaisonMayRead } from "./liaison-access.ts";
import { type FieldCipher, fieldContext } from "./personal-data.ts";
import { assertRecentAuth } from "./reauth.ts";
import { countCases } from "./rollups.ts";

export type { CaseFilter } from "./case-filter.ts";

const CASE = { zh: "案件", en: "case" };

/** A party as entered at intake (plaintext; encrypted before it reaches the database). */
export interface PartyInput {
  role: "applicant" | "respondent" | "third_party";
  kind: "person" | "organisation";
  name: string;
  idNumber?: string | null | undefined;
  phone?: string | null | undefined;
  address?: string | null | undefined;
  orgCode?: string | null | undefined;
}

/** What intake records. */
export interface CaseInput {
  categoryCode: string;
  channel: Channel;
  title: string;
  description: string;
  locationCode: string;
  address?: string | null | undefined;
  peopleCount: number;
  amountYuan?: number | null | undefined;
  groupDispute: boolean;
  riskGrade: RiskGrade;
  difficulty: "simple" | "complex";
  parties: PartyInput[];
}

function fieldError(path: string, zh: string, en: string): AppError {
  return invalid({ zh: `${zh}`, en }, { fields: [{ path, zh, en }] });
}

/** Validates, encrypts and masks one party. */
function sealParty(p: PartyInput, index: number, scope: string, cipher: FieldCipher) {
  const at = (f: string) => `parties.${index}.${f}`;
  let idNumber: string | null = null;
  if (p.idNumber) {
    const v = validateIdCardNumber(p.idNumber);
    if (!v.ok) throw fieldError(at("idNumber"), `身份证号码有误：${v.reason.zh}`, `ID card number: ${v.reason.en}`);
    idNumber = v.normalized;
  }
  let phone: string | null = null;
  if (p.phone) {
    const v = validateMobileNumber(p.phone);
    if (!v.ok) throw fieldError(at("phone"), `手机号码有误：${v.reason.zh}`, `Mobile number: ${v.reason.en}`);
    phone = v.normalized;
  }
  let orgCode: string | null = null;
  if (p.kind === "organisation" && p.orgCode) {
    const v = validateCreditCode(p.orgCode);
    if (!v.ok) throw fieldError(at("orgCode"), `统一社会信用代码有误：${v.reason.zh}`, `Credit code: ${v.reason.en}`);
    orgCode = v.normalized;
  }
  const enc = (column: string, value: string | null) =>
    value === null ? null : cipher.encrypt(value, fieldContext("case_parties", column, scope));
  return {
    role: p.role,
    kind: p.kind,
    nameEnc: enc("name", p.name),
    nameMasked: p.kind === "person" ? maskPersonName(p.name) : p.name,
    idEnc: enc("id_number", idNumber),
    idIndex: idNumber ? cipher.blindIndex("id_number", idNumber) : null,
    idMasked: idNumber ? maskIdCardNumber(idNumber) : null,
    phoneEnc: enc("phone", phone),
    phoneIndex: phone ? cipher.blindIndex("phone", phone) : null,
    phoneMasked: phone ? maskMobileNumber(phone) : null,
    addressEnc: enc("address", p.address ?? null),
    addressMasked: p.address ? maskAddress(p.address) : null,
    orgCode,
    phone,
  };
}

/** What `app.intake_open` answers (migrations 0034, 0082). */
type IntakeOpened = {
  seq: number | null;
  category_known: boolean | null;
  prior_hash: string | null;
  prior_response: { id: string; code: string } | null;
  rules: StoredRule[] | null;
  /** The calendar entries of the unit's path (0082). */
  calendar: { date: string; workday: boolean; name: string | null; scopeCode: string }[] | null;
};

const hex = (b: Buffer | null) => (b === null ? null : b.toString("hex"));

/**
 * Registers a case at the caller's unit: validates it, gives it the next gapless code of the
 * unit and year (`620981-2026-000123`), stores its parties encrypted, links repeat claimants
 * (same ID number in other visible cases), starts its first clocks and its timeline. With an
 * idempotency key, a retry returns the first result and a different payload under the same key
 * is refused; parallel duplicates wait on the key's row and get the first result.
 *
 * Two statements (migration 0034): `app.intake_open` (key, category, number, the deadline rules
 * the unit inherits) rides with BEGIN and the settings; `app.intake_record` writes everything,
 * with COMMIT right behind it when `last` says nothing follows in the transaction. In between,
 * what needs the keys or the calendar (whose entries app.intake_open returns, 0082): ciphertexts, blind indexes, the lookup digest of the new
 * code, the clocks' due times. Any refusal rolls the transaction back, the number included.
 * `fingerprint` adds what else the request carried to the idempotency hash (a field report's
 * position and photos), so that a key reused for other photos is refused like other text.
 */
export async function registerCase(
  tx: Tx,
  input: CaseInput,
  cipher: FieldCipher,
  idempotencyKey?: string | undefined,
  options: { last?: boolean; fingerprint?: string } = {},
): Promise<{ id: string; code: string; replayed: boolean }> {
  const scope = tx.ctx.scope;
  const year = Number(chinaToday().slice(0, 4));
  // What a retry must repeat: the input, and what else the request carried (a report's photos).
  const requestHash = idempotencyKey
    ? createHash("sha256")
        .update(JSON.stringify(input))
        .update(options.fingerprint ?? "")
        .digest("hex")
    : null;
  const [opened] = await tx.sql<IntakeOpened[]>`select seq, category_known, prior_hash, prior_response, rules,
      calendar
    from app.intake_open(${year}, ${input.categoryCode}, ${idempotencyKey ?? null}, ${requestHash})`;
  if (opened!.category_known === null) {
    const prior = opened!;
    if (prior.prior_hash !== requestHash || !prior.prior_response) {
      throw new AppError("CONFLICT", {
        zh: "该幂等键已用于内容不同的请求",
        en: "This Idempotency-Key was already used for a different request",
      });
    }
    return { ...prior.prior_response, replayed: true };
  }
  if (!isDivisionCode(input.locationCode) || !input.locationCode.startsWith(scope.slice(0, 6))) {
    throw fieldError("locationCode", "发生地须在本辖区内", "The location must be inside your area");
  }
  if (!opened!.category_known) throw fieldError("categoryCode", "纠纷类别不存在", "Unknown category");
  if (!input.parties.some((p) => p.role === "applicant")) {
    throw fieldError("parties", "至少需要一名申请人", "At least one applicant is required");
  }
  const parties = input.parties.map((p, i) => sealParty(p, i, scope, cipher));

  const seq = opened!.seq!;
  const code = `${scope}-${year}-${String(seq).padStart(6, "0")}`;
  const applicantPhone = parties.find((p) => p.role === "applicant" && p.phone)?.phone ?? null;
  const lookupDigest = applicantPhone ? cipher.blindIndex("lookup", `${code}:${applicantPhone.slice(-4)}`) : null;
  const at = new Date();
  const rules = (["first_contact", "resolution"] as const).map(
    (stage) =>
      [stage, ruleInForce(opened!.rules ?? [], { unitCode: scope, categoryCode: input.categoryCode, stage })] as const,
  );
  // Working days count on the unit's calendar (the package and the entries of its path, which
  // app.intake_open returned with the number: no round trip of its own).
  const entries = opened!.calendar ?? [];
  const calendar = rules.some(([, r]) => r.unit === "working_days")
    ? calendarOf(
        scope,
        entries.map((e) => ({ date: e.date, workday: e.workday, name: e.name, scope_code: e.scopeCode })),
      )
    : undefined;
  const clocks = rules.map(([stage, rule]) => {
    const c = policyClock(rule, at, calendar);
    return {
      stage,
      policy_id: c.policyId,
      policy_version: c.version,
      amount: c.amount,
      unit: c.unit,
      yellow_share: c.yellowShare,
      due_at: c.due.toISOString(),
    };
  });
  const payload = {
    code,
    channel: input.channel,
    category: input.categoryCode,
    groupDispute: input.groupDispute,
    riskGrade: input.riskGrade,
    parties: parties.length,
  };
  // A system actor's event names it (there is no user behind it), as appendEvent does.
  const event = tx.ctx.system ? { ...payload, system: tx.ctx.system } : payload;
  const record = tx.sql<{ id: string }[]>`select app.intake_record(${year}, ${seq}, ${input.categoryCode},
      ${input.channel}, ${input.title}, ${input.description}, ${input.locationCode},
      ${input.address ? cipher.encrypt(input.address, fieldContext("cases", "address", scope)) : null},
      ${input.address ? maskAddress(input.address) : null}, ${input.peopleCount},
      ${input.amountYuan == null ? null : Math.round(input.amountYuan * 100)}, ${input.groupDispute},
      ${input.riskGrade}, ${input.difficulty}, ${lookupDigest},
      ${tx.sql.json(
        parties.map((p) => ({
          role: p.role,
          kind: p.kind,
          name_enc: hex(p.nameEnc),
          name_masked: p.nameMasked,
          id_number_enc: hex(p.idEnc),
          id_number_index: hex(p.idIndex),
          id_number_masked: p.idMasked,
          phone_enc: hex(p.phoneEnc),
          phone_index: hex(p.phoneIndex),
          phone_masked: p.phoneMasked,
          address_enc: hex(p.addressEnc),
          address_masked: p.addressMasked,
          org_code: p.orgCode,
        })),
      )},
      ${tx.sql.json(clocks)}, ${at}, ${tx.sql.json(event)}, ${idempotencyKey ?? null}) as id`;
  const [row] = await (options.last ? tx.commitAfter(record) : record);
  nameOperationObject(tx, row!.id, `${code} ${input.title}`);
  return { id: row!.id, code, replayed: false };
}

/** Where triage sends a case (分诊). */
export interface Route {
  kind: RouteKind;
  windowId?: string | null | undefined;
  roomId?: string | null | undefined;
  committeeId?: string | null | undefined;
  mediatorId?: string | null | undefined;
  stationingIds?: string[] | undefined;
  note?: string | null | undefined;
}

/** Data a transition may carry; which of it is required depends on the action. */
export interface TransitionData {
  reason?: string | undefined;
  route?: Route | undefined;
  outcome?: string | undefined;
  referral?: { kind: "arbitration" | "litigation" | "administrative"; receivingBody: string } | undefined;
  duplicateOf?: string | undefined;
  holdUntil?: string | undefined;
}

type CaseRow = {
  id: string;
  status: CaseState;
  held_from: CaseState | null;
  version: number;
  code: string;
  title: string;
  scope_code: string;
  county_code: string;
  owner_code: string;
  hop_state: string;
  category_code: string;
};

/**
 * Moves a case through its workflow. The state machine (packages/domain) decides whether the
 * action is allowed from the current state for the caller's roles; the version check makes
 * concurrent conflicting transitions fail cleanly (exactly one wins, the rest get CONFLICT).
 */
export async function transitionCase(
  tx: Tx,
  input: { id: string; version: number; action: CaseAction; data: TransitionData },
): Promise<{ status: CaseState; version: number }> {
  const [c] = await tx.sql<CaseRow[]>`select id, code, title, status, held_from, version, scope_code, county_code,
    owner_code, hop_state, category_code from app.cases where id = ${input.id}`;
  if (!c) throw notFound(CASE);
  nameOperationObject(tx, c.id, `${c.code} ${c.title}`);
  // The one table decides, by the action's permission and the caller's relation to the owner:
  // the owning tier and the units above it act; the origin below it only reads once it moved up.
  const relation = relationOf(tx.ctx.scope, c.owner_code);
  const actor = actorOf(tx);
  if (!authorize(actor, TRANSITIONS[input.action].permission, relation)) {
    if (relation === "descendant") {
      throw new AppError("FORBIDDEN", {
        zh: "案件已上报或交办，由当前承办单位办理",
        en: "The case was escalated or assigned: the unit that owns it now handles it",
      });
    }
    authorizeFor(tx, TRANSITIONS[input.action].permission, c.owner_code);
  }
  if (c.version !== input.version) throw conflict();
  if (c.hop_state === "awaiting_sign_for") {
    throw new AppError("PRECONDITION_FAILED", { zh: "案件待签收，签收后方可办理", en: "Sign for the case first" });
  }
  const to = nextState(c.status, input.action, actor, relation, c.held_from);
  const d = input.data;
  // What the action needs is the transition table's (TRANSITIONS[action].needs), checked once here.
  const [missing, ...more] = missingFields(input.action, d);
  if (missing) throw invalid(missing, { fields: [missing, ...more] });
  let set = tx.sql`status = ${to}`;
  const payload: Record<string, unknown> = { from: c.status, to };
  switch (input.action) {
    case "accept":
      set = tx.sql`${set}, accepted_at = now()`;
      break;
    case "return":
    case "fail":
    case "cancel":
    case "reopen":
      payload.reason = d.reason;
      if (input.action === "reopen") set = tx.sql`${set}, closed_at = null, resolved_at = null`;
      break;
    case "triage": {
      const r = d.route!;
      set = tx.sql`${set}, route = ${tx.sql.json(r as never)}, window_id = ${r.windowId ?? null}, room_id = ${r.roomId ?? null},
        committee_id = ${r.committeeId ?? null}, mediator_id = ${r.mediatorId ?? null}`;
      payload.route = r.kind;
      break;
    }
    case "resolve":
      set = tx.sql`${set}, resolved_at = now()`;
      payload.outcome = d.outcome;
      break;
    case "refer":
      await tx.sql`insert into app.referrals (case_id, county_code, kind, receiving_body)
        values (${c.id}, ${c.county_code}, ${d.referral!.kind}, ${d.referral!.receivingBody})`;
      payload.referral = d.referral;
      break;
    case "record_referral_result":
      await tx.sql`update app.referrals set result = ${d.outcome!}, result_at = now()
        where case_id = ${c.id} and county_code = ${c.county_code} and result is null`;
      payload.outcome = d.outcome;
      break;
    case "close": {
      const [f] = await tx.sql<{ satisfaction: string; override_reason: string | null }[]>`
        select satisfaction, override_reason from app.follow_ups where case_id = ${c.id} and county_code = ${c.county_code}
        order by at desc limit 1`;
      if (!f) throw new AppError("PRECONDITION_FAILED", { zh: "结案前须完成回访", en: "Follow up before closing" });
      if (f.satisfaction === "unsatisfied" && !f.override_reason) {
        throw new AppError("PRECONDITION_FAILED", {
          zh: "当事人不满意，须重办或由领导说明理由后方可结案",
          en: "The party is unsatisfied: rework it, or a supervisor must record why not",
        });
      }
      set = tx.sql`${set}, closed_at = now()`;
      break;
    }
    case "archive":
      set = tx.sql`${set}, archived_at = now()`;
      break;
    case "hold": {
      if (!holdWithinLimit(d.holdUntil!, chinaToday())) {
        throw fieldError(
          "holdUntil",
          `中止期限须在${MAX_HOLD_DAYS}天以内`,
          `A hold lasts at most ${MAX_HOLD_DAYS} days`,
        );
      }
      set = tx.sql`${set}, held_from = ${c.status}, hold_until = ${d.holdUntil!}`;
      payload.reason = d.reason;
      payload.holdUntil = d.holdUntil;
      break;
    }
    case "resume":
      set = tx.sql`${set}, held_from = null, hold_until = null`;
      break;
    case "mark_duplicate":
      set = tx.sql`${set}, duplicate_of = ${d.duplicateOf!}`;
      await tx.sql`insert into app.case_links (case_id, county_code, related_id, reason)
        values (${c.id}, ${c.county_code}, ${d.duplicateOf!}, 'duplicate') on conflict do nothing`;
      payload.duplicateOf = d.duplicateOf;
      break;
    default:
      break;
  }
  const [updated] = await tx.sql<
    { version: number }[]
  >`update app.cases set ${set}, version = version + 1, updated_at = now()
    where id = ${c.id} and county_code = ${c.county_code} and version = ${input.version} returning version`;
  if (!updated) throw conflict();
  await followClocks(tx, c, input.action);
  await appendEvent(tx, c, `case.${input.action}`, payload);
  // The reporter's loop: a grid worker's report whose result awaits confirmation on site.
  if (input.action === "await_follow_up") await notifyReporter(tx, c.id);
  return { status: to, version: updated.version };
}

/** Starts, stops, pauses and resumes the case's clocks as its workflow moves (CLOCK_EFFECTS). */
async function followClocks(tx: Tx, c: CaseRow, action: CaseAction): Promise<void> {
  const effect = CLOCK_EFFECTS[action];
  switch (effect.kind) {
    case "complete":
      return completeDeadlines(tx, c, [...effect.stages]);
    case "start":
      await startDeadline(tx, {
        caseId: c.id,
        countyCode: c.county_code,
        stage: effect.stage,
        ownerCode: c.owner_code,
        categoryCode: c.category_code,
      });
      return;
    case "pause":
      return pauseDeadlines(tx, c);
    case "resume":
      return resumeDeadlines(tx, c);
    case "none":
      return;
  }
}

/** A page cursor: the last row's registration time to the microsecond, and its id. */
const CURSOR =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Work-list filters of the role homes: per user or unit, served by the caller's own subtree query. */
const WORK_FILTERS = [
  "registeredSince",
  "mine",
  "ownedHere",
  "awaitingSignFor",
  "pendingSummons",
  "sessionOn",
] as const;

/**
 * One page of the cases the caller may see, newest first (keyset on registration time and id).
 * The inbox's filters go to auth.case_page, which picks the page's ids in the subtree the query
 * names (the caller's scope, or a unit inside it) with the planner seeing every filter
 * (migration 0031); the work lists' filters (a user's or a unit's own queue) are read from the
 * caller's subtree directly. Either way the rows are read through the caller's policy. The
 * cursor carries the registration time to the microsecond, as stored, so that no row is
 * skipped at a page boundary.
 */
export async function listCases(tx: Tx, f: CaseFilter): Promise<CasePage> {
  // A liaison works from its summons inbox and sees only the cases its department is summoned to.
  if (readsOnlySummoned(tx.ctx.roles)) return { items: [], next: null, total: { n: 0, exact: true } };
  const cursor = f.before ? CURSOR.exec(f.before) : null;
  if (f.before && !cursor) throw fieldError("before", "翻页位置无效，请从第一页重新浏览", "Invalid page cursor");
  // The time travels as text: a timestamptz parameter would pass through a JavaScript Date and
  // lose its microseconds (the driver's serializer), and the cursor would skip rows.
  const beforeAt = cursor?.[1] ?? null;
  const beforeId = cursor?.[2] ?? null;
  const work = WORK_FILTERS.some((k) => f[k] !== undefined && f[k] !== false);
  const source = work
    ? tx.sql`(select c.id, c.registered_at, c.county_code from app.cases c
        where true ${caseConditions(tx, f)}
          ${f.unitCode ? tx.sql`and c.scope_code >= ${f.unitCode} and c.scope_code < ${f.unitCode} || ':'` : tx.sql``}
          ${f.q ? tx.sql`and (strpos(c.code, ${f.q}) > 0 or strpos(c.title, ${f.q}) > 0)` : tx.sql``}
          ${beforeAt ? tx.sql`and (c.registered_at, c.id) < (${beforeAt}::text::timestamptz, ${beforeId}::uuid)` : tx.sql``}
        order by c.registered_at desc, c.id desc limit ${f.limit + 1})`
    : tx.sql`auth.case_page(${f.unitCode ?? tx.ctx.scope}, ${f.status?.length ? f.status : null}::app.case_state[],
        ${f.categoryCode ?? null}, ${f.channel ?? null}::app.case_channel, ${f.riskGrade ?? null}::app.risk_grade,
        ${f.deadlineColour ?? null}, ${f.level ? CODE_LENGTH[f.level] : null}::integer, ${f.q || null},
        ${beforeAt}::text::timestamptz, ${beforeId}::uuid, ${f.limit + 1}::integer)`;
  // The page's rows as the caller sees them, by county and id (app.case_rows, migration 0190: on
  // Citus each county's rows from its shard alone), in the same round trip.
  const rows = await tx.sql<(CaseSummary & { cursorAt: string })[]>`select r.* from
      (select array_agg(p.id) as ids, array_agg(p.county_code) as counties from ${source} p) s,
      app.case_rows(s.ids, s.counties) r
    order by r."registeredAt" desc, r.id desc`;
  const page = rows.slice(0, f.limit);
  const last = page.at(-1);
  const items = page.map(({ cursorAt: _, ...item }) => item);
  // The total ("共 N 件") comes with the first page of the inbox, from the rollups (or bounded).
  // A text's comes from the page itself: exact when the first page holds every match, else "more
  // than a page". Counting a frequent text's matches is a trigram lookup over the whole subtree
  // (18 ms at a province of 1 M cases, the page itself 3 ms), and it grows with the province.
  const text = Boolean(f.q?.trim());
  const total =
    work || f.before
      ? null
      : text
        ? { n: Math.min(rows.length, f.limit + 1), exact: rows.length <= f.limit }
        : await countCases(tx, f);
  return { items, next: rows.length > f.limit && last ? `${last.cursorAt}|${last.id}` : null, total };
}

/**
 * The case's links, both ways, with the other case of each (the caller's policy decides which
 * it sees). A link may join cases of two counties (a city links its branches' cases), so the
 * other case is read by id in a statement of its own: on Citus a join of two distributed tables
 * must be on the county, which the link does not hold for the other side.
 */
async function caseLinks(tx: Tx, key: CaseKey): Promise<LinkView[]> {
  const links = await tx.sql<{ reason: LinkView["reason"]; other: string }[]>`select l.reason,
      case when l.case_id = ${key.id} then l.related_id else l.case_id end as other
    from app.case_links l
    where (${ofCase(tx, key, "l")}) or l.related_id = ${key.id}`;
  if (!links.length) return [];
  const others = await tx.sql<Omit<LinkView, "reason">[]>`select c.id, c.code, c.title, c.status from app.cases c
    where c.id = any(${links.map((l) => l.other)}::uuid[])`;
  const byId = new Map(others.map((o) => [o.id, o]));
  return links.flatMap((l) => {
    const o = byId.get(l.other);
    return o ? [{ reason: l.reason, ...o }] : [];
  });
}

/**
 * The case's mediation sessions with the room each was booked in. A session's booking may be in
 * a room of the centre above (another county's rows), so the rooms are read by the bookings'
 * ids in a statement of their own (on Citus, not a join of two distributed tables off the county).
 */
async function caseSessions(tx: Tx, key: CaseKey): Promise<SessionView[]> {
  const sessions = await tx.sql<SessionView[]>`select ms.id,
      ms.starts_at as "startsAt", ms.ends_at as "endsAt", ms.attendance, ms.notes, ms.outcome,
      ms.booking_id as "bookingId", null::text as "roomName", ms.version
    from app.mediation_sessions ms where ${ofCase(tx, key)} order by ms.starts_at`;
  const bookings = [...new Set(sessions.flatMap((s) => (s.bookingId ? [s.bookingId] : [])))];
  if (!bookings.length) return sessions;
  const rooms = await tx.sql<{ id: string; name: string | null }[]>`select b.id, r.name from app.bookings b
      left join app.mediation_rooms r on r.id = b.room_id
    where b.id = any(${bookings}::uuid[])`;
  const roomOf = new Map(rooms.map((r) => [r.id, r.name]));
  return sessions.map((s) => ({ ...s, roomName: s.bookingId ? (roomOf.get(s.bookingId) ?? null) : null }));
}

/** Everything about one case the caller may see. */
export async function getCase(
  tx: Tx,
  id: string,
  options: { reveal: boolean; cipher: FieldCipher },
): Promise<CaseDetail> {
  const [row] = await tx.sql<
    (CaseColumns & { addressEnc: Buffer | null; countyCode: string })[]
  >`select c.id, c.county_code as "countyCode", c.code, c.title, c.description, c.status,
      c.held_from as "heldFrom", c.hold_until as "holdUntil", c.category_code as "categoryCode",
      coalesce(rc.name, ac.name, c.category_code) as "categoryName", c.channel, c.location_code as "locationCode",
      (select d.name from ref.divisions d where d.code = c.location_code) as "locationName",
      c.address_masked as "address", c.address_enc as "addressEnc",
      case when c.latitude is not null then json_build_object('lat', c.latitude, 'lng', c.longitude,
        'source', c.position_source) end as "position", c.people_count as "peopleCount",
      c.amount_cents as "amountCents", c.group_dispute as "groupDispute", c.risk_grade as "riskGrade", c.difficulty,
      c.route, c.mediator_id as "mediatorId", c.room_id as "roomId", c.window_id as "windowId",
      c.committee_id as "committeeId", c.scope_code as "scopeCode", coalesce(t.name, c.scope_code) as "unitName",
      c.owner_code as "ownerCode", c.handler_code as "handlerCode", c.hop_state as "hopState", c.bounces,
      c.needs_leader_decision as "needsLeaderDecision", c.leader_id as "leaderId",
      (select u.display_name from app.users u where u.id = c.leader_id) as "leaderName",
      c.registered_at as "registeredAt", c.accepted_at as "acceptedAt",
      c.resolved_at as "resolvedAt", c.closed_at as "closedAt", c.archived_at as "archivedAt", c.version,
      (select m.name from app.mediators m where m.id = c.mediator_id) as "mediatorName",
      (select r.name from app.mediation_rooms r where r.id = c.room_id) as "roomName"
    from app.cases c
    left join ref.case_categories rc on rc.code = c.category_code
    left join app.case_categories ac on ac.code = c.category_code
    left join app.tenants t on t.code = c.scope_code
    where c.id = ${id}`;
  if (!row) throw notFound(CASE);
  const { addressEnc, countyCode, ...c } = row;
  // Every row of the case is read by its county too (on Citus: the case's shard alone).
  const key: CaseKey = { id, county_code: countyCode };
  await assertLiaisonMayRead(tx, key);
  const scope = c.scopeCode;
  // Asked for and allowed by the table for the caller's relation to the owner; otherwise masked.
  const reveal = options.reveal && mayFor(tx, "personal.reveal", c.ownerCode);
  // MLPS level 3: the full numbers only after a proof of identity within the last minutes.
  if (reveal) await assertRecentAuth(tx);
  const parties = await tx.sql<
    {
      id: string;
      role: PartyInput["role"];
      kind: PartyInput["kind"];
      name_enc: Buffer;
      name_masked: string;
      id_number_enc: Buffer | null;
      id_number_masked: string | null;
      phone_enc: Buffer | null;
      phone_masked: string | null;
      address_enc: Buffer | null;
      address_masked: string | null;
      org_code: string | null;
    }[]
  >`select id, role, kind, name_enc, name_masked, id_number_enc, id_number_masked, phone_enc, phone_masked,
      address_enc, address_masked, org_code from app.case_parties where ${ofCase(tx, key)} order by role, created_at`;
  const dec = (b: Buffer | null, column: string) =>
    b ? options.cipher.decrypt(b, fieldContext("case_parties", column, scope)) : null;
  const partyViews: PartyView[] = parties.map((p) =>
    reveal
      ? {
          id: p.id,
          role: p.role,
          kind: p.kind,
          name: dec(p.name_enc, "name")!,
          idNumber: dec(p.id_number_enc, "id_number"),
          phone: dec(p.phone_enc, "phone"),
          address: dec(p.address_enc, "address"),
          orgCode: p.org_code,
          revealed: true,
        }
      : {
          id: p.id,
          role: p.role,
          kind: p.kind,
          name: p.name_masked,
          idNumber: p.id_number_masked,
          phone: p.phone_masked,
          address: p.address_masked,
          orgCode: p.org_code,
          revealed: false,
        },
  );
  if (reveal) {
    await recordAudit(tx, {
      kind: "personal_data.revealed",
      subjectId: id,
      detail: { parties: parties.length, object: `${c.code} ${c.title}`, result: "ok" },
    });
    if (addressEnc) c.address = options.cipher.decrypt(addressEnc, fieldContext("cases", "address", scope));
  }
  const [events, links, summons, sessions, agreements, confirmations, referrals, followUps, attachments] =
    await Promise.all([
      tx.sql<CaseEvent[]>`select e.seq, e.at, e.kind, e.payload, e.actor_id as "actorId", u.display_name as "actorName"
      from app.case_events e left join app.users u on u.id = e.actor_id where ${ofCase(tx, key, "e")}
        order by e.seq`,
      caseLinks(tx, key),
      tx.sql<
        SummonsView[]
      >`select s.id, s.stationing_id as "stationingId", st.name as "departmentName", st.residency, s.summoned_at as "summonedAt",
        s.due_at as "dueAt", s.objection_deadline as "objectionDeadline", s.instructions, s.status,
        s.acknowledged_at as "acknowledgedAt", s.objected_at as "objectedAt", s.objection_reason as "objectionReason",
        s.objection_responsible as "objectionResponsible", s.action, s.feedback, s.feedback_at as "feedbackAt", s.version
      from app.case_summons s join app.stationings st on st.id = s.stationing_id where ${ofCase(tx, key, "s")}
        order by s.summoned_at`,
      caseSessions(tx, key),
      tx.sql<AgreementView[]>`select id, signed_on as "signedOn", facts, disputed_matters as "disputedMatters", terms,
        performance_manner as "performanceManner", performance_place as "performancePlace",
        performance_deadline as "performanceDeadline", mediator_names as "mediatorNames",
        performance_status as "performanceStatus", performance_note as "performanceNote", version
      from app.agreements where ${ofCase(tx, key)} order by created_at`,
      tx.sql<
        ConfirmationView[]
      >`select id, agreement_id as "agreementId", court_name as "courtName", applied_on as "appliedOn",
        accept_due as "acceptDue", accepted_on as "acceptedOn", rule_due as "ruleDue", extended, ruled_on as "ruledOn",
        result, result_note as "resultNote", version
      from app.judicial_confirmations where ${ofCase(tx, key)}`,
      tx.sql<
        ReferralView[]
      >`select id, kind, receiving_body as "receivingBody", referred_at as "referredAt", result, result_at as "resultAt"
      from app.referrals where ${ofCase(tx, key)} order by referred_at`,
      tx.sql<
        FollowUpView[]
      >`select f.id, f.method, f.satisfaction, f.notes, f.override_reason as "overrideReason", f.at,
        u.display_name as "byName" from app.follow_ups f left join app.users u on u.id = f.by_user
      where ${ofCase(tx, key, "f")} order by f.at`,
      tx.sql<
        AttachmentView[]
      >`select id, filename, mime, size_bytes as "sizeBytes", uploaded_at as "uploadedAt" from app.attachments
      where ${ofCase(tx, key)} order by uploaded_at`,
    ]);
  return {
    ...c,
    deadlines: await caseDeadlines(tx, key),
    holdings: await caseHoldings(tx, key),
    parties: partyViews,
    events,
    links,
    summons,
    sessions,
    agreements,
    confirmations,
    referrals,
    followUps,
    attachments,
    actions: availableActions(c.status, actorOf(tx), relationOf(tx.ctx.scope, c.ownerCode)),
  };
}

/** What the public lookup (一码可查, /public/lookup) shows of a case: stages and dates only (schemas/public.ts). */
export type { PublicCase };

/** The public view of a case by code and the last 4 digits of the applicant's phone (一码可查). */
export async function publicLookup(
  sql: Tx["sql"] | import("@zongzhi/db/client").Sql,
  cipher: FieldCipher,
  input: { code: string; phoneLast4: string },
): Promise<PublicCase | null> {
  const digest = cipher.blindIndex("lookup", `${input.code}:${input.phoneLast4}`);
  const [row] = await sql<
    PublicCase[]
  >`select code, status, category, stages from auth.public_case_lookup(${input.code}, ${digest})`;
  return row ?? null;
}
