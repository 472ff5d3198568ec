import { hash } from "node:crypto";
import type { FieldCipher } from "@zongzhi/crypto";
import {
  addDays,
  type CaseAction,
  type CaseState,
  type Channel,
  checkConfirmationApplication,
  DEFAULT_POLICY,
  type DeadlineStage,
  type DeadlineUnit,
  dueAt,
  type Level,
  PRE_RESOLUTION_STATES,
  parentCodeOf,
  type RiskGrade,
  rulingDue,
  TRANSITIONS,
  warningColour,
} from "@zongzhi/domain";
import type { CopyTable } from "./copy.ts";
import {
  bytea,
  chinaDateOf,
  chinaDayOf,
  isoMicros,
  isoMillis,
  type Json,
  jsonbText,
  NULL,
  opt,
  text,
  textArray,
  tsOpt,
} from "./format.ts";
import { Random, Weighted } from "./random.ts";
import { COURTS, MATTERS, OUTCOMES, REASONS_ESCALATE, REASONS_RETURN, RECEIVING_BODIES, SURNAMES } from "./texts.ts";
import { type SealedPerson, sealPools, type Tree, type Unit } from "./tree.ts";

const US_PER_HOUR = 3_600_000_000;
const US_PER_DAY = 24 * US_PER_HOUR;
const YELLOW_SHARE = 0.333;

/** COPY columns of every case table the generator fills. */
export const CASE_COLUMNS = {
  "app.cases": [
    "id",
    "scope_code",
    "owner_code",
    "code",
    "year",
    "seq",
    "category_code",
    "channel",
    "title",
    "description",
    "location_code",
    "address_enc",
    "address_masked",
    "people_count",
    "amount_cents",
    "group_dispute",
    "risk_grade",
    "difficulty",
    "status",
    "held_from",
    "hold_until",
    "route",
    "mediator_id",
    "room_id",
    "window_id",
    "committee_id",
    "duplicate_of",
    "lookup_digest",
    "registered_by",
    "registered_at",
    "accepted_at",
    "resolved_at",
    "closed_at",
    "archived_at",
    "updated_at",
    "version",
    "event_seq",
    "last_hash",
    "handler_code",
    "hop_state",
    "bounces",
    "needs_leader_decision",
    "leader_id",
  ],
  "app.case_parties": [
    "id",
    "case_id",
    "scope_code",
    "role",
    "kind",
    "name_enc",
    "name_masked",
    "id_number_enc",
    "id_number_index",
    "id_number_masked",
    "phone_enc",
    "phone_index",
    "phone_masked",
    "address_enc",
    "address_masked",
    "org_code",
    "created_at",
    "handler_code",
  ],
  "app.case_events": [
    "case_id",
    "scope_code",
    "seq",
    "at",
    "actor_id",
    "actor_scope",
    "kind",
    "payload",
    "prev_hash",
    "hash",
    "handler_code",
  ],
  "app.case_deadlines": [
    "id",
    "case_id",
    "scope_code",
    "stage",
    "owner_code",
    "policy_id",
    "policy_version",
    "amount",
    "unit",
    "yellow_share",
    "started_at",
    "due_at",
    "paused_ms",
    "paused_since",
    "completed_at",
    "colour",
    "ref_id",
    "basis",
    "handed_over_to",
    "handler_code",
  ],
  "app.case_hops": [
    "id",
    "case_id",
    "scope_code",
    "kind",
    "from_code",
    "to_code",
    "reason",
    "instructions",
    "urgency",
    "deadline",
    "by_user",
    "at",
    "handler_code",
  ],
  "app.supervisions": [
    "id",
    "case_id",
    "scope_code",
    "deadline_id",
    "addressed_to",
    "level",
    "opened_by",
    "instructions",
    "due_at",
    "status",
    "answer",
    "answered_at",
    "created_at",
    "version",
    "handler_code",
  ],
  "app.notifications": ["scope_code", "kind", "case_id", "title", "created_at", "created_by"],
  "app.bookings": ["id", "scope_code", "room_id", "during", "title", "case_id", "created_by", "created_at"],
  "app.booking_mediators": ["booking_id", "mediator_id", "scope_code", "during"],
  "app.mediation_sessions": [
    "id",
    "case_id",
    "scope_code",
    "booking_id",
    "starts_at",
    "ends_at",
    "attendance",
    "notes",
    "outcome",
    "created_by",
    "created_at",
    "version",
    "handler_code",
  ],
  "app.agreements": [
    "id",
    "case_id",
    "scope_code",
    "signed_on",
    "facts",
    "disputed_matters",
    "terms",
    "performance_manner",
    "performance_place",
    "performance_deadline",
    "mediator_names",
    "performance_status",
    "created_by",
    "created_at",
    "version",
    "handler_code",
  ],
  "app.judicial_confirmations": [
    "id",
    "case_id",
    "agreement_id",
    "scope_code",
    "court_name",
    "applied_on",
    "accept_due",
    "accepted_on",
    "rule_due",
    "ruled_on",
    "result",
    "version",
    "handler_code",
  ],
  "app.referrals": [
    "id",
    "case_id",
    "scope_code",
    "kind",
    "receiving_body",
    "referred_at",
    "result",
    "result_at",
    "handler_code",
  ],
  "app.follow_ups": ["id", "case_id", "scope_code", "method", "satisfaction", "notes", "by_user", "at", "handler_code"],
  "app.case_summons": [
    "id",
    "case_id",
    "scope_code",
    "stationing_id",
    "summoned_by",
    "summoned_at",
    "due_at",
    "objection_deadline",
    "instructions",
    "status",
    "acknowledged_at",
    "acknowledged_by",
    "action",
    "feedback",
    "feedback_at",
    "version",
    "handler_code",
  ],
  "app.case_links": ["case_id", "related_id", "scope_code", "reason", "created_at", "handler_code"],
} as const;

/** A child row: its text, or text and pre-encoded bytes (parties), without handler_code. */
type Row = { table: keyof CaseTables; line?: string; parts?: (string | Buffer)[] };

/** Child tables without a handler_code column. */
const NO_HANDLER = new Set<string>(["app.bookings", "app.booking_mediators"]);

/** The tables a case writes to. */
export type CaseTables = Record<keyof typeof CASE_COLUMNS, CopyTable>;

/** Shares of the case mix. */
const CATEGORIES = new Weighted<string>([
  ["neighbour", 22],
  ["marriage_family", 18],
  ["land", 12],
  ["labour", 10],
  ["contract", 9],
  ["property", 6],
  ["traffic", 6],
  ["consumer", 5],
  ["petition", 5],
  ["demolition", 3],
  ["medical", 2],
  ["other", 2],
]);

const CHANNELS: Record<Level, Weighted<Channel>> = {
  village: new Weighted<Channel>([
    ["grid_patrol", 45],
    ["visit", 35],
    ["phone", 12],
    ["online", 4],
    ["hotline_12345", 4],
  ]),
  township: new Weighted<Channel>([
    ["visit", 40],
    ["hotline_12345", 20],
    ["phone", 15],
    ["online", 10],
    ["grid_patrol", 10],
    ["department_transfer", 5],
  ]),
  county: new Weighted<Channel>([
    ["visit", 30],
    ["hotline_12345", 25],
    ["township_report", 15],
    ["department_transfer", 15],
    ["online", 10],
    ["phone", 5],
  ]),
  city: new Weighted<Channel>([
    ["visit", 30],
    ["hotline_12345", 30],
    ["township_report", 10],
    ["department_transfer", 20],
    ["online", 10],
  ]),
  province: new Weighted<Channel>([
    ["hotline_12345", 40],
    ["department_transfer", 40],
    ["online", 20],
  ]),
};

const RISKS = new Weighted<RiskGrade>([
  ["none", 70],
  ["blue", 18],
  ["yellow", 9],
  ["red", 3],
]);

/** Chance that the owning tier escalates a case to the tier above. */
const ESCALATE: Record<Level, number> = { village: 0.12, township: 0.07, county: 0.04, city: 0.03, province: 0 };

/** Where a case stands and what happened to it, built up action by action. */
interface Deadline {
  id: string;
  stage: DeadlineStage;
  owner: string;
  amount: number;
  unit: DeadlineUnit;
  started: number;
  due: number;
  pausedMs: number;
  pausedSince: number | null;
  completed: number | null;
  refId: string | null;
  /** `instruction` for a clock a person set (an assignment's deadline, a summons' hours). */
  basis: "policy" | "instruction";
  /** The unit a duty clock was handed over to when the case moved (the segment's end). */
  handedOverTo: string | null;
  /** Hold intervals [from, to) during which the scan skipped this clock. */
  pauses: [number, number][];
}

/** Duty clocks follow the case's owner (the others belong to a hop or a summons). */
const DUTY: readonly DeadlineStage[] = ["first_contact", "resolution", "follow_up"];

interface Ev {
  at: number;
  actor: Unit | null;
  kind: string;
  payload: Json;
  /** A rule acted (no user): the event names the unit but no actor id. */
  rule?: boolean;
}

/** Shared state of one generation run. */
export interface GenState {
  seed: number;
  anchor: number;
  tree: Tree;
  cipher: FieldCipher;
  tables: CaseTables;
  /** `${scope}|${year}` → last number given. */
  counters: Map<string, number>;
  lastCaseOf: Map<string, string>;
  /** Hour slots taken per room and per mediator. */
  busy: Map<string, Set<number>>;
  statusCounts: Map<string, number>;
  events: number;
}

const dueCache = new Map<number, number>();
const UNIT_INDEX: Record<DeadlineUnit, number> = { hours: 0, working_days: 1, calendar_days: 2 };

/** When a clock of `amount unit` started at `startUs` falls due (domain rule; memoised per start day). */
function dueOf(startUs: number, amount: number, unit: DeadlineUnit): number {
  if (unit === "hours") return startUs + amount * US_PER_HOUR;
  const key = chinaDayOf(startUs) * 100_000 + amount * 10 + UNIT_INDEX[unit];
  let due = dueCache.get(key);
  if (due === undefined) {
    due = dueAt(new Date(Math.floor(startUs / 1000)), { amount, unit }).getTime() * 1000;
    dueCache.set(key, due);
  }
  return due;
}

function policyOf(stage: DeadlineStage, category: string): { amount: number; unit: DeadlineUnit } {
  const p =
    DEFAULT_POLICY.find((r) => r.stage === stage && r.categoryCode === category) ??
    DEFAULT_POLICY.find((r) => r.stage === stage && r.categoryCode === null);
  if (!p) throw new Error(`no default policy for ${stage}`);
  return { amount: p.amount, unit: p.unit };
}

function ancestorAt(unit: Unit, level: Level): Unit | null {
  let u: Unit | null = unit;
  while (u && u.level !== level) u = u.parent;
  return u;
}

/** Builds one case's whole history up to the anchor and writes its rows. */
class CaseBuilder {
  readonly id: string;
  readonly code: string;
  readonly category: string;
  readonly title: string;
  status: CaseState = "registered";
  heldFrom: CaseState | null = null;
  holdUntil: string | null = null;
  owner: Unit;
  handler: Unit | null = null;
  hopState: "settled" | "awaiting_sign_for" = "settled";
  bounces = 0;
  version = 1;
  t: number;
  acceptedAt: number | null = null;
  resolvedAt: number | null = null;
  closedAt: number | null = null;
  archivedAt: number | null = null;
  updatedAt: number;
  route: Json = null;
  mediator: { id: string; name: string } | null = null;
  roomId: string | null = null;
  windowId: string | null = null;
  committeeId: string | null = null;
  duplicateOf: string | null = null;
  leaderId: string | null = null;
  events: Ev[] = [];
  deadlines: Deadline[] = [];
  /** Child rows, each without its last column (handler_code, known only once the case is done). */
  rows: Row[] = [];
  notifications: { scope: string; kind: string; title: string; at: number; by: string | null }[] = [];
  /** False once the next action would fall after the anchor: the case stays where it is. */
  live = true;

  constructor(
    readonly g: GenState,
    readonly r: Random,
    readonly unit: Unit,
    readonly registeredAt: number,
    seq: number,
    year: number,
  ) {
    this.id = r.uuid();
    this.code = `${unit.code}-${year}-${String(seq).padStart(6, "0")}`;
    this.category = CATEGORIES.draw(r);
    const matter = MATTERS[this.category] ?? (MATTERS.other as { titles: string[]; detail: string[] });
    const place = unit.level === "village" || unit.level === "township" ? unit.name : "";
    this.title = `${place}${r.pick(SURNAMES)}某与${r.pick(SURNAMES)}某${r.pick(matter.titles)}`.slice(0, 100);
    this.owner = unit;
    this.t = registeredAt;
    this.updatedAt = registeredAt;
  }

  /** Moves the clock on by `hours`; false (and the case freezes) if that passes the anchor. */
  wait(hours: number): boolean {
    if (!this.live) return false;
    const next = this.t + Math.max(1, Math.round(hours * US_PER_HOUR));
    if (next >= this.g.anchor) {
      this.live = false;
      return false;
    }
    this.t = next;
    return true;
  }

  /** Time of the last event of the main flow (side flows stamp their own times). */
  private stamp = 0;

  /**
   * Records an event at the case's current time; several events of one action lie a few
   * hundred microseconds apart, as within one transaction. `at` stamps a side flow's event.
   */
  event(kind: string, payload: Json, actor: Unit | null = this.owner, at?: number): void {
    if (at !== undefined) {
      this.events.push({ at, actor, kind, payload });
      return;
    }
    const stamped = this.stamp >= this.t ? this.stamp + this.r.int(80, 400) : this.t;
    this.stamp = stamped;
    this.events.push({ at: stamped, actor, kind, payload });
  }

  /** A workflow transition (checked against the domain's table), with its event. */
  transition(action: CaseAction, extra: Record<string, Json> = {}, system?: "follow_up_rule" | "agreement_rule"): void {
    const rule = TRANSITIONS[action];
    if (!rule.from.includes(this.status)) throw new Error(`generator bug: ${action} from ${this.status}`);
    const to: CaseState = rule.to === "held_from" ? (this.heldFrom as CaseState) : rule.to;
    const from = this.status;
    this.status = to;
    this.version++;
    this.updatedAt = this.t;
    if (system) {
      // A rule acts on its own authority: the event names it and no user.
      this.event(`case.${action}`, { from, to, ...extra, system });
      (this.events.at(-1) as Ev).rule = true;
    } else this.event(`case.${action}`, { from, to, ...extra });
  }

  startDeadline(
    stage: DeadlineStage,
    owner: string,
    refId: string | null = null,
    given?: { due: number } | { hours: number },
  ): Deadline {
    // Clocks start from a JavaScript Date in the service: millisecond precision.
    const started = Math.floor(this.t / 1000) * 1000;
    let amount: number;
    let unit: DeadlineUnit;
    let due: number;
    if (given && "due" in given) {
      due = given.due;
      amount = Math.max(1, Math.ceil((due - started) / US_PER_HOUR));
      unit = "hours";
    } else if (given) {
      amount = given.hours;
      unit = "hours";
      due = started + given.hours * US_PER_HOUR;
    } else {
      ({ amount, unit } = policyOf(stage, this.category));
      due = dueOf(started, amount, unit);
    }
    const d: Deadline = {
      id: this.r.uuid(),
      stage,
      owner,
      amount,
      unit,
      started,
      due,
      pausedMs: 0,
      pausedSince: this.status === "on_hold" ? started : null,
      completed: null,
      refId,
      basis: given ? "instruction" : "policy",
      handedOverTo: null,
      pauses: [],
    };
    this.deadlines.push(d);
    return d;
  }

  /**
   * The duty clocks follow the case to its new owner (deadlines.ts handOverClocks): the open
   * segments close as handed over; an assignment's deadline becomes the receiver's clock; a
   * returned case takes up its earlier segment again, shifted by the time it was away.
   */
  handOver(kind: "escalate" | "assign_down" | "return", to: string, deadline?: number, hopId?: string): void {
    const stages = new Set<DeadlineStage>();
    for (const d of this.deadlines) {
      if (d.completed !== null || !DUTY.includes(d.stage)) continue;
      this.close(d);
      d.handedOverTo = to;
      stages.add(d.stage);
    }
    let primary: DeadlineStage | null = null;
    if (kind === "assign_down") {
      primary = stages.has("resolution")
        ? "resolution"
        : stages.has("follow_up") || !PRE_RESOLUTION_STATES.includes(this.status)
          ? "follow_up"
          : "resolution";
      stages.add(primary);
    }
    const now = Math.floor(this.t / 1000) * 1000;
    for (const stage of stages) {
      if (stage === primary && deadline !== undefined) {
        this.startDeadline(stage, to, hopId ?? null, { due: deadline });
        continue;
      }
      if (kind === "return") {
        const before = this.deadlines
          .filter((d) => d.stage === stage && d.owner === to && d.handedOverTo !== null && d.completed !== null)
          .sort((a, b) => (b.completed as number) - (a.completed as number))[0];
        if (before) {
          const away = now - (before.completed as number);
          this.deadlines.push({
            ...before,
            id: this.r.uuid(),
            started: before.started + away,
            due: before.due + away,
            pausedMs: 0,
            pausedSince: this.status === "on_hold" ? now : null,
            completed: null,
            refId: null,
            handedOverTo: null,
            pauses: [],
          });
          continue;
        }
      }
      this.startDeadline(stage, to);
    }
  }

  private close(d: Deadline): void {
    if (d.pausedSince !== null) {
      d.pausedMs += Math.round((this.t - d.pausedSince) / 1000);
      d.pauses.push([d.pausedSince, this.t]);
      d.pausedSince = null;
    }
    d.completed = this.t;
  }

  complete(stages: DeadlineStage[] | "all", refId?: string): void {
    for (const d of this.deadlines) {
      if (d.completed !== null) continue;
      if (stages !== "all" && !stages.includes(d.stage)) continue;
      if (refId && d.refId !== refId) continue;
      this.close(d);
    }
  }

  pause(): void {
    for (const d of this.deadlines) if (d.completed === null && d.pausedSince === null) d.pausedSince = this.t;
  }

  resume(): void {
    for (const d of this.deadlines) {
      if (d.completed !== null || d.pausedSince === null) continue;
      const paused = this.t - d.pausedSince;
      d.pausedMs += Math.round(paused / 1000);
      d.due += paused;
      d.pauses.push([d.pausedSince, this.t]);
      d.pausedSince = null;
    }
  }

  notify(scope: string, kind: string, title: string, by: Unit | null, at = this.t): void {
    this.notifications.push({ scope, kind, title: title.slice(0, 200), at, by: by?.userId ?? null });
  }

  hop(
    kind: string,
    from: Unit,
    to: Unit,
    extra: { reason?: string; instructions?: string; deadline?: number; urgency?: string },
  ): string {
    const id = this.r.uuid();
    const at = this.t;
    const by = this.owner.userId;
    const scope = this.unit.code;
    this.rows.push({
      table: "app.case_hops",
      line: [
        id,
        this.id,
        scope,
        kind,
        from.code,
        to.code,
        opt(extra.reason),
        opt(extra.instructions),
        extra.urgency ?? "normal",
        tsOpt(extra.deadline),
        by,
        isoMicros(at),
      ].join("\t"),
    });
    return id;
  }

  /** Ownership moves (escalate, assign down, sign for): the service's `move()`. */
  move(
    kind: "escalate" | "assign_down" | "sign_for",
    to: Unit,
    extra: { reason?: string; instructions?: string; deadline?: number; urgency?: string },
  ): string {
    const from = this.owner;
    const hopId = this.hop(kind, from, to, extra);
    this.version++;
    this.updatedAt = this.t;
    this.event(
      `case.${kind}`,
      {
        from: from.code,
        to: to.code,
        reason: extra.reason ?? null,
        urgency: extra.urgency ?? "normal",
        deadline: extra.deadline === undefined ? null : isoMillis(extra.deadline),
      },
      from,
    );
    return hopId;
  }

  escalate(to: Unit): boolean {
    if (!this.wait(this.r.logNormal(6, 1))) return false;
    const urgent = this.r.chance(0.1);
    const reason = this.r.pick(REASONS_ESCALATE);
    this.move("escalate", to, { reason, urgency: urgent ? "urgent" : "normal" });
    const from = this.owner;
    this.owner = to;
    this.hopState = "awaiting_sign_for";
    this.startDeadline("sign_for", to.code);
    // The resolution clock follows the case: the receiving tier answers for it from now.
    this.handOver("escalate", to.code);
    this.notify(to.code, "case.escalated", `${urgent ? "【紧急】" : ""}上报待签收：${this.code} ${this.title}`, from);
    return this.signOrReturn(from);
  }

  assignDown(to: Unit): boolean {
    if (!this.wait(this.r.logNormal(4, 1))) return false;
    const onBranch = this.unit.code.startsWith(to.code);
    const from = this.owner;
    const deadline = Math.floor((this.t + this.r.int(5, 15) * US_PER_DAY) / 1000) * 1000;
    const hopId = this.move("assign_down", to, { instructions: "请按期办理并反馈结果", deadline });
    if (!onBranch) this.handler = to;
    this.owner = to;
    this.hopState = "awaiting_sign_for";
    this.startDeadline("sign_for", to.code);
    // The deadline given with the assignment is the receiving unit's clock.
    this.handOver("assign_down", to.code, deadline, hopId);
    this.notify(to.code, "case.assigned", `交办待签收：${this.code} ${this.title}`, from);
    return this.signOrReturn(from);
  }

  /** The receiver signs for the case, or now and then sends it back (bounce). */
  private signOrReturn(from: Unit): boolean {
    if (!this.wait(this.r.chance(0.06) ? this.r.range(20, 60) : this.r.logNormal(3, 1))) return false;
    if (this.r.chance(0.08)) {
      const receiver = this.owner;
      const reason = this.r.pick(REASONS_RETURN);
      this.bounces++;
      this.hop("return", receiver, from, { reason });
      if (this.handler && this.handler === receiver && !from.code.startsWith(this.handler.code)) this.handler = null;
      this.owner = from;
      this.hopState = "settled";
      this.version++;
      this.updatedAt = this.t;
      this.complete(["sign_for"]);
      this.handOver("return", from.code);
      this.event("case.return_hop", { from: receiver.code, to: from.code, reason, bounces: this.bounces }, receiver);
      this.notify(
        from.code,
        this.bounces > 2 ? "case.leader_decision" : "case.returned",
        this.bounces > 2 ? `多次退回，须领导决定：${this.code}` : `被退回：${this.code} ${this.title}`,
        receiver,
      );
      return true;
    }
    this.complete(["sign_for"]);
    this.move("sign_for", this.owner, {});
    this.hopState = "settled";
    return true;
  }

  /** Tiers above the owner, by escalation chance. */
  escalations(): void {
    for (;;) {
      const parent = this.owner.parent;
      if (!parent || this.handler) return;
      const p = ESCALATE[this.owner.level] * (this.groupDispute || this.risk === "red" ? 3 : 1);
      if (!this.r.chance(p)) return;
      const before = this.owner;
      if (!this.escalate(parent)) return;
      if (this.owner === before) return; // returned
    }
  }

  groupDispute = false;
  risk: RiskGrade = "none";

  /** A county or city hands the case down (交办), on the branch or sideways. */
  maybeAssignDown(): void {
    const o = this.owner;
    if (!(o.level === "county" || o.level === "city") || this.handler) return;
    const fromAbove = this.unit !== o;
    if (!this.r.chance(fromAbove ? 0.3 : 0.25)) return;
    const childLevel: Level = o.level === "county" ? "township" : "county";
    const onBranch = ancestorAt(this.unit, childLevel);
    const target = onBranch && !this.r.chance(0.1) ? onBranch : o.children.length ? this.r.pick(o.children) : null;
    if (target) this.assignDown(target);
  }

  /** Where a case of this owner is handled: its own pool, else the nearest pool above. */
  pool<K extends "mediators" | "rooms" | "windows" | "committees" | "stationings">(key: K): Unit | null {
    let u: Unit | null = this.owner;
    while (u && u[key].length === 0) u = u.parent;
    return u;
  }
}

/** Reserves one free hour slot in a room (and for a mediator), or null when none fits. */
function book(
  g: GenState,
  r: Random,
  roomId: string,
  mediatorId: string | null,
  after: number,
): [number, number] | null {
  const room = g.busy.get(roomId) ?? new Set<number>();
  g.busy.set(roomId, room);
  const mediator = mediatorId ? (g.busy.get(mediatorId) ?? new Set<number>()) : null;
  if (mediatorId && mediator) g.busy.set(mediatorId, mediator);
  const firstDay = Math.floor((after + 8 * US_PER_HOUR) / US_PER_DAY) + 1;
  for (let attempt = 0; attempt < 12; attempt++) {
    const day = firstDay + Math.floor(attempt / 3) + r.int(0, 2);
    const hour = r.int(9, 16); // China time
    const slot = day * 24 + hour - 8;
    if (room.has(slot) || mediator?.has(slot)) continue;
    room.add(slot);
    mediator?.add(slot);
    const start = slot * US_PER_HOUR;
    return [start, start + US_PER_HOUR];
  }
  return null;
}

/** Forgets slots before `before` (no later case can book them). */
export function pruneSlots(g: GenState, before: number): void {
  const limit = Math.floor(before / US_PER_HOUR);
  for (const [key, slots] of g.busy) {
    for (const s of slots) if (s < limit) slots.delete(s);
    if (slots.size === 0) g.busy.delete(key);
  }
}

function party(c: CaseBuilder, role: "applicant" | "respondent" | "third_party", p: SealedPerson, at: number): Row {
  return {
    table: "app.case_parties",
    parts: [`${c.r.uuid()}\t${c.id}\t${c.unit.code}\t${role}\t`, p.copyText, `\t${isoMicros(at)}`],
  };
}

/** Scratch space for the bytes an event hash covers (previous hash, then the event's text). */
let scratch = Buffer.allocUnsafe(64 * 1024);

/**
 * Generates case number `index` of the run, registered at `registeredAt` at `unit`: its whole
 * history up to the anchor (transitions, hops, clocks, supervisions, sessions, agreements,
 * follow-ups, notifications) and a timeline hash chain exactly as the database computes it.
 */
export function generateCase(g: GenState, index: number, registeredAt: number, unit: Unit): void {
  const r = new Random(g.seed, `case:${index}`);
  const year = Number(chinaDateOf(registeredAt).slice(0, 4));
  const counterKey = `${unit.code}|${year}`;
  const seq = (g.counters.get(counterKey) ?? 0) + 1;
  g.counters.set(counterKey, seq);
  const c = new CaseBuilder(g, r, unit, registeredAt, seq, year);
  const pools = sealPools(unit, g.cipher, g.seed);
  const channel = CHANNELS[unit.level].draw(r);
  c.groupDispute = r.chance(0.04);
  c.risk = c.groupDispute ? (r.chance(0.5) ? "red" : "yellow") : RISKS.draw(r);
  const peopleCount = c.groupDispute ? r.int(5, 300) : r.chance(0.2) ? r.int(2, 4) : 1;
  const complex = c.groupDispute || r.chance(0.12);
  const amount =
    c.category === "labour" || c.category === "contract" || c.category === "traffic" || c.category === "demolition"
      ? r.int(500, 500_000) * 100
      : null;
  const location =
    unit.level === "city"
      ? unit.children.length
        ? r.pick(unit.children).code
        : unit.code
      : unit.level === "village" || unit.children.length === 0 || r.chance(0.5)
        ? unit.code
        : r.pick(unit.children).code;
  const address = r.chance(0.5) ? r.pick(pools.addresses) : null;
  const matter = MATTERS[c.category] ?? (MATTERS.other as { titles: string[]; detail: string[] });
  const description = `${r.pick(matter.detail)}${c.groupDispute ? `涉及群众约${peopleCount}人。` : ""}申请人请求依法调解。`;

  // Parties: an applicant (a person, or an organisation now and then), a respondent, and more
  // applicants for a group dispute.
  const applicant = r.chance(0.92) ? r.pick(pools.people) : r.pick(pools.orgs);
  c.rows.push(party(c, "applicant", applicant, registeredAt));
  const extraApplicants = c.groupDispute ? r.int(1, 4) : 0;
  for (let i = 0; i < extraApplicants; i++) c.rows.push(party(c, "applicant", r.pick(pools.people), registeredAt));
  c.rows.push(party(c, "respondent", r.chance(0.7) ? r.pick(pools.people) : r.pick(pools.orgs), registeredAt));
  if (r.chance(0.05)) c.rows.push(party(c, "third_party", r.pick(pools.people), registeredAt));
  const partyCount = c.rows.length;
  const lookupDigest = applicant.phone ? g.cipher.blindIndex("lookup", `${c.code}:${applicant.phone.slice(-4)}`) : null;

  c.startDeadline("first_contact", unit.code);
  c.startDeadline("resolution", unit.code);
  c.event("case.registered", {
    code: c.code,
    channel,
    category: c.category,
    groupDispute: c.groupDispute,
    riskGrade: c.risk,
    parties: partyCount,
  });

  simulate(c);

  // Supervisions the minute scan opened for every clock that went red while open.
  for (const d of c.deadlines) supervise(c, d);

  // The timeline, in time order, hash-chained.
  c.events.sort((a, b) => a.at - b.at);
  let prev: Buffer | null = null;
  let prevText = NULL;
  let seqNo = 0;
  const handler = c.handler?.code ?? NULL;
  const events = g.tables["app.case_events"];
  for (const e of c.events) {
    seqNo++;
    const payload = jsonbText(e.payload);
    const actor = e.rule ? "" : (e.actor?.userId ?? "");
    const at = isoMicros(e.at);
    const covered = `${c.id}|${seqNo}|${at}|${actor}|${e.kind}|${payload}`;
    if (scratch.length < covered.length * 3 + 32) scratch = Buffer.allocUnsafe(covered.length * 3 + 32);
    let n = 0;
    if (prev) n = prev.copy(scratch, 0);
    n += scratch.write(covered, n, "utf8");
    const digest = hash("sha256", scratch.subarray(0, n), "buffer") as unknown as Buffer;
    const digestText = `\\\\x${digest.toString("hex")}`;
    events.push(
      `${c.id}\t${unit.code}\t${seqNo}\t${at}\t${actor || NULL}\t${e.actor?.code ?? g.tree.root.code}\t${e.kind}\t${text(payload)}\t${prevText}\t${digestText}\t${handler}`,
    );
    prev = digest;
    prevText = digestText;
  }
  g.events += seqNo;

  for (const row of c.rows) {
    const t = g.tables[row.table];
    if (row.parts) t.pushParts(NO_HANDLER.has(row.table) ? row.parts : [...row.parts, `\t${handler}`]);
    else t.push(NO_HANDLER.has(row.table) ? (row.line as string) : `${row.line}\t${handler}`);
  }
  for (const d of c.deadlines) {
    const colourAt = d.completed ?? d.pausedSince ?? g.anchor;
    const colour = warningColour(
      new Date(d.started / 1000),
      new Date(d.due / 1000),
      new Date(colourAt / 1000),
      YELLOW_SHARE,
    );
    g.tables["app.case_deadlines"].push(
      [
        d.id,
        c.id,
        unit.code,
        d.stage,
        d.owner,
        NULL,
        "0",
        String(d.amount),
        d.unit,
        String(YELLOW_SHARE),
        isoMicros(d.started),
        isoMicros(d.due),
        String(d.pausedMs),
        tsOpt(d.pausedSince),
        tsOpt(d.completed),
        colour,
        opt(d.refId),
        d.basis,
        opt(d.handedOverTo),
        handler,
      ].join("\t"),
    );
  }
  for (const n of c.notifications) {
    g.tables["app.notifications"].push(
      [n.scope, n.kind, c.id, text(n.title), isoMicros(n.at), n.by ?? NULL].join("\t"),
    );
  }
  if (c.duplicateOf) {
    g.tables["app.case_links"].push([c.id, c.duplicateOf, unit.code, "duplicate", isoMicros(c.t), handler].join("\t"));
  }
  g.lastCaseOf.set(unit.code, c.id);
  g.statusCounts.set(c.status, (g.statusCounts.get(c.status) ?? 0) + 1);
  g.tables["app.cases"].push(
    [
      c.id,
      unit.code,
      c.owner.code,
      c.code,
      String(year),
      String(seq),
      c.category,
      channel,
      text(c.title),
      text(description),
      location,
      address?.encText ?? NULL,
      opt(address?.masked),
      String(peopleCount),
      amount === null ? NULL : String(amount),
      c.groupDispute ? "t" : "f",
      c.risk,
      complex ? "complex" : "simple",
      c.status,
      opt(c.heldFrom),
      opt(c.holdUntil),
      c.route === null ? NULL : text(jsonbText(c.route)),
      c.mediator?.id ?? NULL,
      c.roomId ?? NULL,
      c.windowId ?? NULL,
      c.committeeId ?? NULL,
      c.duplicateOf ?? NULL,
      bytea(lookupDigest),
      unit.userId,
      isoMicros(registeredAt),
      tsOpt(c.acceptedAt),
      tsOpt(c.resolvedAt),
      tsOpt(c.closedAt),
      tsOpt(c.archivedAt),
      isoMicros(c.updatedAt),
      String(c.version),
      String(seqNo),
      bytea(prev),
      handler,
      c.hopState,
      String(c.bounces),
      c.bounces > 2 ? "t" : "f",
      c.leaderId ?? NULL,
    ].join("\t"),
  );
}

/** The case's workflow from registration to wherever it is at the anchor. */
function simulate(c: CaseBuilder): void {
  const r = c.r;
  const g = c.g;
  // Duplicates and returns happen right after registration.
  const previous = g.lastCaseOf.get(c.unit.code);
  if (previous && r.chance(0.01)) {
    if (!c.wait(r.range(0.5, 24))) return;
    c.duplicateOf = previous;
    c.transition("mark_duplicate", { duplicateOf: previous });
    c.complete("all");
    return;
  }
  if (r.chance(0.03)) {
    if (!c.wait(r.range(1, 8))) return;
    c.transition("return", { reason: r.pick(REASONS_RETURN) });
    if (!c.wait(r.range(2, 48))) return;
    c.transition("resubmit");
  }
  if (r.chance(0.015)) {
    if (!c.wait(r.range(1, 72))) return;
    c.transition("cancel", { reason: "当事人撤回申请" });
    c.complete("all");
    return;
  }
  // Acceptance: mostly within hours; some late (the first-contact clock goes red).
  if (!c.wait(r.chance(0.07) ? r.range(72, 200) : r.logNormal(5, 1.1))) return;
  c.transition("accept");
  c.acceptedAt = c.t;
  c.complete(["first_contact"]);

  c.escalations();
  if (!c.live) return;
  c.maybeAssignDown();
  if (!c.live) return;
  if (c.leaderId === null && c.owner.level !== "village" && c.owner.level !== "township" && r.chance(0.08)) {
    if (!c.wait(r.range(1, 24))) return;
    c.leaderId = c.owner.userId;
    c.version++;
    c.updatedAt = c.t;
    c.event("case.leader_in_charge", { leaderId: c.owner.userId });
  }

  let reworked = false;
  for (;;) {
    if (!triageAndMediate(c)) return;
    // Follow-up, close, archive; an unsatisfied party reopens the case once.
    if (!c.wait(r.range(1, 72))) return;
    if (c.status === "resolved") {
      c.transition("await_follow_up");
      c.startDeadline("follow_up", c.owner.code);
    }
    if (!c.wait(r.chance(0.05) ? r.range(150, 300) : r.logNormal(48, 0.8))) return;
    const satisfaction = reworked
      ? r.chance(0.8)
        ? "satisfied"
        : "basically_satisfied"
      : r.chance(0.03)
        ? "unsatisfied"
        : r.chance(0.85)
          ? "satisfied"
          : "basically_satisfied";
    const method = r.pick(["phone", "phone", "visit", "on_site"] as const);
    const fid = r.uuid();
    const at = c.t;
    const by = c.owner.userId;
    const scope = c.unit.code;
    c.rows.push({
      table: "app.follow_ups",
      line: [fid, c.id, scope, method, satisfaction, "当事人对处理结果的意见已记录", by, isoMicros(at)].join("\t"),
    });
    c.complete(["follow_up"]);
    c.event("follow_up.recorded", { method, satisfaction, overridden: false });
    if (satisfaction === "unsatisfied") {
      c.transition("reopen", { reason: "回访不满意，重办" }, "follow_up_rule");
      c.closedAt = null;
      c.resolvedAt = null;
      c.startDeadline("resolution", c.owner.code);
      reworked = true;
      continue;
    }
    if (!c.wait(r.range(0.5, 48))) return;
    c.transition("close");
    c.closedAt = c.t;
    c.complete("all");
    if (!c.wait(r.range(30 * 24, 120 * 24))) return;
    c.transition("archive");
    c.archivedAt = c.t;
    return;
  }
}

/** Triage, summons, holds, sessions and the outcome. False when the case stops before follow-up. */
function triageAndMediate(c: CaseBuilder): boolean {
  const r = c.r;
  const g = c.g;
  if (!c.wait(r.logNormal(6, 1))) return false;
  const mediatorUnit = c.pool("mediators");
  const mediator = mediatorUnit ? r.pick(mediatorUnit.mediators) : null;
  const roomUnit = c.owner.rooms.length ? c.owner : null;
  const kind = c.groupDispute
    ? "joint_consultation"
    : roomUnit && r.chance(0.5)
      ? "room"
      : c.owner.committees.length && r.chance(0.3)
        ? "committee"
        : mediator
          ? "mediator"
          : "window";
  const route: Record<string, Json> = { kind };
  if (mediator) {
    route.mediatorId = mediator.id;
    c.mediator = mediator;
  }
  if (kind === "room" && roomUnit) {
    const room = r.pick(roomUnit.rooms);
    route.roomId = room.id;
    c.roomId = room.id;
  } else c.roomId = null;
  if (kind === "committee") {
    const committee = r.pick(c.owner.committees);
    route.committeeId = committee.id;
    c.committeeId = committee.id;
  } else c.committeeId = null;
  if (kind === "window" && c.owner.windows.length) {
    const w = r.pick(c.owner.windows);
    route.windowId = w.id;
    c.windowId = w.id;
  } else c.windowId = null;
  c.route = route;
  c.transition("triage", { route: kind });

  // Whistle and report: departments stationed at the owning centre are summoned.
  if (c.owner.stationings.length && r.chance(c.groupDispute ? 0.5 : 0.05)) summon(c);
  if (!c.live) return false;

  // Simple matters are settled on the spot; others go to mediation sessions.
  const direct = !c.groupDispute && r.chance(c.owner.level === "village" ? 0.55 : 0.3);
  if (!direct) {
    if (!c.wait(r.logNormal(10, 1))) return false;
    c.transition("start_mediation");
  }
  if (r.chance(0.03) && c.status !== "resolved") {
    if (!c.wait(r.range(2, 72))) return false;
    const days = r.int(3, 25);
    c.heldFrom = c.status;
    c.holdUntil = addDays(chinaDateOf(c.t), days);
    c.transition("hold", { reason: "等待当事人补充材料", holdUntil: c.holdUntil });
    c.pause();
    if (!c.wait(r.range(24, days * 24))) return false;
    c.transition("resume");
    c.heldFrom = null;
    c.holdUntil = null;
    c.resume();
  }
  const sessions = direct ? 0 : c.owner.rooms.length ? r.int(1, 3) : 0;
  const fails = !direct && r.chance(0.1);
  const agreement = !direct && !fails && r.chance(0.45);
  for (let i = 0; i < sessions; i++) {
    if (!c.wait(r.range(2, 96))) return false;
    const room = r.pick(c.owner.rooms);
    const slot = book(g, r, room.id, c.mediator?.id ?? null, c.t);
    if (!slot) continue;
    const [start, end] = slot;
    const sid = r.uuid();
    const bid = r.uuid();
    const scope = c.unit.code;
    const ownerScope = c.owner.code;
    const by = c.owner.userId;
    const during = `[${isoMicros(start)},${isoMicros(end)})`;
    const bookedAt = c.t;
    const last = i === sessions - 1;
    const outcome = last ? (fails ? "failed" : agreement ? "agreement" : "continued") : "continued";
    c.rows.push({
      table: "app.bookings",
      line: [bid, ownerScope, room.id, during, text(`调解 ${c.code}`), c.id, by, isoMicros(bookedAt)].join("\t"),
    });
    if (c.mediator && c.owner.mediators.some((m) => m.id === c.mediator?.id)) {
      const mid = c.mediator.id;
      c.rows.push({ table: "app.booking_mediators", line: [bid, mid, ownerScope, during].join("\t") });
    }
    c.event("mediation.scheduled", {
      sessionId: sid,
      room: room.name,
      startsAt: isoMillis(start),
      endsAt: isoMillis(end),
      mediators: c.mediator ? [c.mediator.name] : [],
    });
    const recorded = end + r.int(10, 120) * 60_000_000 < g.anchor;
    const attendance = recorded
      ? `[{"name": "申请人", "role": "applicant", "present": true}, {"name": "被申请人", "role": "respondent", "present": true}]`
      : "[]";
    c.rows.push({
      table: "app.mediation_sessions",
      line: [
        sid,
        c.id,
        scope,
        bid,
        isoMicros(start),
        isoMicros(end),
        text(attendance),
        recorded ? "双方到场陈述，调解员释法说理。" : NULL,
        recorded ? outcome : NULL,
        by,
        isoMicros(bookedAt),
        recorded ? "2" : "1",
      ].join("\t"),
    });
    if (!recorded) {
      c.live = false;
      return false;
    }
    c.t = Math.max(c.t, end + r.int(10, 120) * 60_000_000);
    c.event("mediation.recorded", { sessionId: sid, outcome, present: 2 });
  }

  if (fails) {
    if (!c.wait(r.range(2, 72))) return false;
    c.transition("fail", { reason: "双方分歧较大，调解不成" });
    if (r.chance(0.1)) return false;
    if (!c.wait(r.range(24, 120))) return false;
    const referral = {
      kind: r.pick(["arbitration", "litigation", "administrative"] as const),
      receivingBody: r.pick(RECEIVING_BODIES),
    };
    const rid = r.uuid();
    const referredAt = c.t;
    c.transition("refer", { referral });
    c.complete("all");
    const resultLater = r.range(10 * 24, 60 * 24);
    const resultAt = c.t + resultLater * US_PER_HOUR;
    const resulted = resultAt < g.anchor;
    const scope = c.unit.code;
    c.rows.push({
      table: "app.referrals",
      line: [
        rid,
        c.id,
        scope,
        referral.kind,
        text(referral.receivingBody),
        isoMicros(referredAt),
        resulted ? "已依法处理" : NULL,
        resulted ? isoMicros(resultAt) : NULL,
      ].join("\t"),
    });
    if (!c.wait(resultLater)) return false;
    c.transition("record_referral_result", { outcome: "已依法处理" });
    c.startDeadline("follow_up", c.owner.code);
    return true;
  }

  if (!c.wait(direct ? r.logNormal(20, 1) : r.logNormal(60, 1.2))) return false;
  if (agreement) {
    const aid = r.uuid();
    const signedOn = chinaDateOf(c.t);
    const deadline = addDays(signedOn, r.int(7, 60));
    const scope = c.unit.code;
    const by = c.owner.userId;
    const at = c.t;
    const names = c.mediator ? [c.mediator.name] : [`${r.pick(SURNAMES)}调解员`];
    const performed = Date.parse(`${deadline}T00:00:00Z`) * 1000 < g.anchor;
    const status = performed
      ? r.pick(["performed", "performed", "performed", "performed", "partly", "breached"])
      : "pending";
    c.rows.push({
      table: "app.agreements",
      line: [
        aid,
        c.id,
        scope,
        signedOn,
        text(`经查明，${c.title}。`),
        "双方就赔偿（给付）金额及履行方式存在争议。",
        "一、双方自愿达成如下协议；二、按约定期限履行完毕；三、双方不再就此事发生争议。",
        "一次性给付",
        text(`${c.unit.name}综治中心`.slice(0, 200)),
        deadline,
        textArray(names),
        status,
        by,
        isoMicros(at),
        status === "pending" ? "1" : "2",
      ].join("\t"),
    });
    c.event("agreement.signed", { agreementId: aid, signedOn });
    c.transition("resolve", { outcome: "达成调解协议" }, "agreement_rule");
    if (r.chance(0.1)) confirm(c, aid, signedOn);
  } else {
    c.transition("resolve", { outcome: r.pick(OUTCOMES) });
  }
  c.resolvedAt = c.t;
  c.complete(["resolution"]);
  return true;
}

/** Judicial confirmation of an agreement (applied within days of signing). */
function confirm(c: CaseBuilder, agreementId: string, signedOn: string): void {
  const r = c.r;
  const applied = addDays(signedOn, r.int(1, 20));
  const appliedUs = Date.parse(`${applied}T02:00:00Z`) * 1000;
  if (appliedUs >= c.g.anchor) return;
  const { acceptDue } = checkConfirmationApplication({ signedOn, appliedOn: applied, matters: [] });
  const accepted = addDays(applied, r.int(1, 3));
  const acceptedUs = Date.parse(`${accepted}T02:00:00Z`) * 1000;
  const ruleDue = rulingDue(accepted, false);
  const ruled = addDays(accepted, r.int(3, 14));
  const ruledUs = Date.parse(`${ruled}T02:00:00Z`) * 1000;
  const isAccepted = acceptedUs < c.g.anchor;
  const isRuled = ruledUs < c.g.anchor;
  const id = r.uuid();
  const court = r.pick(COURTS);
  const scope = c.unit.code;
  c.rows.push({
    table: "app.judicial_confirmations",
    line: [
      id,
      c.id,
      agreementId,
      scope,
      court,
      applied,
      acceptDue,
      isAccepted ? accepted : NULL,
      isAccepted ? ruleDue : NULL,
      isRuled ? ruled : NULL,
      isRuled ? "confirmed" : isAccepted ? "accepted" : "pending",
      String(1 + (isAccepted ? 1 : 0) + (isRuled ? 1 : 0)),
    ].join("\t"),
  });
  const owner = c.owner;
  c.event("confirmation.applied", { confirmationId: id, court, acceptDue }, owner, appliedUs);
  if (isAccepted) c.event("confirmation.accepted", { confirmationId: id, on: accepted }, owner, acceptedUs);
  if (isRuled) c.event("confirmation.confirmed", { confirmationId: id, on: ruled }, owner, ruledUs);
}

/** Departments summoned to the case report within hours and feed back later. */
function summon(c: CaseBuilder): void {
  const r = c.r;
  if (!c.wait(r.range(1, 24))) return;
  const st = r.pick(c.owner.stationings);
  const id = r.uuid();
  const dueHours = r.pick([24, 48]);
  const at = c.t;
  const by = c.owner.userId;
  const scope = c.unit.code;
  const owner = c.owner;
  // The hours the clerk gave are the clock, not the default policy.
  c.startDeadline("summons_acknowledgement", owner.code, id, { hours: dueHours });
  c.event("summons.issued", { summonsId: id, department: st.name, dueHours });
  const ackAt = at + r.logNormal(4, 1) * US_PER_HOUR;
  const feedbackAt = ackAt + r.range(24, 240) * US_PER_HOUR;
  const acked = ackAt < c.g.anchor;
  const fed = feedbackAt < c.g.anchor;
  c.rows.push({
    table: "app.case_summons",
    line: [
      id,
      c.id,
      scope,
      st.id,
      by,
      isoMicros(at),
      isoMicros(at + dueHours * US_PER_HOUR),
      isoMicros(at + 8 * US_PER_HOUR),
      "请派员到场参与联合调处",
      fed ? "done" : acked ? "acknowledged" : "pending",
      acked ? isoMicros(ackAt) : NULL,
      acked ? by : NULL,
      fed ? "已到场参与调处" : NULL,
      fed ? "已依职责处理完毕" : NULL,
      fed ? isoMicros(feedbackAt) : NULL,
      String(1 + (acked ? 1 : 0) + (fed ? 1 : 0)),
    ].join("\t"),
  });
  if (!acked) return;
  // The case goes on once the department has reported; its feedback comes later.
  c.t = Math.max(c.t, Math.round(ackAt));
  c.complete(["summons_acknowledgement"], id);
  c.event("summons.acknowledged", { summonsId: id, department: st.name }, owner);
  if (fed) c.event("summons.feedback", { summonsId: id, department: st.name }, owner, Math.round(feedbackAt));
}

/** The supervision the scan opened when `d` went red while open (and what became of it). */
function supervise(c: CaseBuilder, d: Deadline): void {
  const r = c.r;
  const g = c.g;
  const opened = d.due + r.int(1, 60) * 1_000_000;
  if (opened >= g.anchor) return;
  if (d.completed !== null && d.completed <= opened) return;
  if (d.pausedSince !== null && d.pausedSince <= opened) return;
  if (d.pauses.some(([a, b]) => a <= opened && opened < b)) return;
  const id = r.uuid();
  const owner = g.tree.byCode.get(d.owner) ?? c.owner;
  const parent = parentCodeOf(d.owner);
  const rootLength = g.tree.root.code.length;
  let due = dueOf(opened, 1, "working_days");
  let level = "chase";
  let version = 1;
  c.event(
    "supervision.opened",
    { supervisionId: id, stage: d.stage, level: "chase", addressedTo: d.owner },
    null,
    opened,
  );
  c.notify(d.owner, "supervision.opened", `【督办】超期未办：${c.code} ${c.title}`, null, opened);
  if (parent && parent.length >= rootLength)
    c.notify(parent, "supervision.opened", `下级超期督办：${c.code} ${c.title}`, null, opened);
  let answeredAt: number | null = null;
  const answer = r.chance(0.6) ? opened + r.range(0.5, 30) * US_PER_HOUR : null;
  if (answer !== null && answer < due && answer < g.anchor) answeredAt = answer;
  if (answeredAt === null) {
    const raised = due + r.int(1, 60) * 1_000_000;
    if (raised < g.anchor) {
      level = "notice";
      version++;
      due = dueOf(raised, 1, "working_days");
      c.event("supervision.raised", { supervisionId: id, level: "notice" }, null, raised);
      c.notify(d.owner, "supervision.notice", `【通报】督办未回复：${c.code}`, null, raised);
      if (parent && parent.length >= rootLength)
        c.notify(parent, "supervision.notice", `【通报】下级督办未回复：${c.code}`, null, raised);
      const late = raised + r.range(1, 40) * US_PER_HOUR;
      if (r.chance(0.7) && late < g.anchor) answeredAt = late;
    }
  }
  if (answeredAt !== null) {
    version++;
    c.event("supervision.answered", { supervisionId: id }, owner, answeredAt);
    if (parent) c.notify(parent, "supervision.answered", `督办已回复：${c.code}`, owner, answeredAt);
  }
  const scope = c.unit.code;
  const instructions = `${d.stage} 已超期，请于下一个工作日内办理并反馈`;
  const answered = answeredAt;
  c.rows.push({
    table: "app.supervisions",
    line: [
      id,
      c.id,
      scope,
      d.id,
      d.owner,
      level,
      "system",
      text(instructions),
      isoMicros(due),
      answered === null ? "open" : "answered",
      answered === null ? NULL : "已按要求办理",
      tsOpt(answered),
      isoMicros(opened),
      String(version),
    ].join("\t"),
  });
}
