import { createQuery } from "@tanstack/solid-query";
import {
  CASE_STATE_NAMES,
  type CaseAction,
  type CaseState,
  CHANNEL_NAMES,
  type Channel,
  RISK_GRADE_NAMES,
  type RiskGrade,
  TRANSITIONS,
} from "@zongzhi/domain/case-workflow";
import { WARNING_COLOUR_NAMES, type WarningColour } from "@zongzhi/domain/deadlines";
import { readsOnlySummoned } from "@zongzhi/domain/permissions";
import { Show } from "solid-js";
import { type Me, trpc } from "../api.ts";

/** A date-only value: a Date at UTC midnight, or ISO text. */
type DayValue = Date | string;

import { CASE_CATEGORIES, type CaseCategory } from "../i18n/cases.ts";
import { formatDateTime, locale, named, pick, t } from "../i18n.ts";
import { Badge, type BadgeTone } from "../ui/badge.tsx";

/** Name of a workflow state in the current language. */
export function stateName(state: CaseState): string {
  return pick(CASE_STATE_NAMES[state]);
}

/** Name of a source channel. */
export function channelName(channel: Channel): string {
  return pick(CHANNEL_NAMES[channel]);
}

/** Name of a risk grade (红色风险 …). */
export function riskName(grade: RiskGrade): string {
  return pick(RISK_GRADE_NAMES[grade]);
}

/** Name of a workflow action (受理, 分诊 …). */
export function actionName(action: CaseAction): string {
  return pick(TRANSITIONS[action].name);
}

/** Name of a case category: the static list, else what the server sent, else the code. */
export function categoryName(code: string, fallback?: string): string {
  const known = CASE_CATEGORIES.find((c) => c.code === code);
  if (known) return locale() === "en" ? known.en : known.zh;
  return fallback ?? code;
}

/** The categories as select options. */
export function categoryOptions(): { value: CaseCategory; label: string }[] {
  return CASE_CATEGORIES.map((c) => ({ value: c.code, label: locale() === "en" ? c.en : c.zh }));
}

/**
 * The categories my unit may use as select options (字典管理: the national catalogue, then the
 * active entries of my unit and the units above it); the national list until they arrive.
 */
export function createCategoryOptions(): () => { value: string; label: string }[] {
  const categories = createQuery(() => ({
    queryKey: ["dictionaries.categories"],
    queryFn: () => trpc.dictionaries.categories.query(),
    staleTime: 60_000,
  }));
  return () =>
    categories.data
      ? categories.data
          .filter((c) => c.active)
          .map((c) => ({ value: c.code, label: c.id ? c.name : categoryName(c.code, c.name) }))
      : categoryOptions();
}

const STATE_TONE: Record<CaseState, BadgeTone> = {
  registered: "info",
  returned: "warning",
  accepted: "info",
  triaged: "info",
  in_mediation: "info",
  on_hold: "warning",
  resolved: "success",
  not_resolved: "danger",
  referred: "warning",
  awaiting_follow_up: "info",
  reopened: "warning",
  closed: "success",
  archived: "neutral",
  cancelled: "neutral",
  duplicate: "neutral",
};

/** The state of a case as a coloured label. */
export function StatusBadge(props: { state: CaseState }) {
  return <Badge tone={STATE_TONE[props.state]}>{stateName(props.state)}</Badge>;
}

const RISK_TONE: Record<Exclude<RiskGrade, "none">, BadgeTone> = { red: "danger", yellow: "warning", blue: "info" };

/**
 * The risk grade (danger of escalation into a group incident or petition). Its label always
 * says "风险" so that it is never read as a deadline colour.
 */
export function RiskBadge(props: { grade: RiskGrade; showNone?: boolean }) {
  return (
    <Show
      when={props.grade !== "none" ? (props.grade as Exclude<RiskGrade, "none">) : null}
      fallback={props.showNone ? <Badge tone="neutral">{riskName("none")}</Badge> : null}
    >
      {(grade) => (
        <Badge tone={RISK_TONE[grade()]} class={`risk-badge risk-${grade()}`}>
          <span class="risk-dot" aria-hidden="true" />
          {riskName(grade())}
        </Badge>
      )}
    </Show>
  );
}

const DEADLINE_TONE = { red: "danger", yellow: "warning", blue: "info" } as const;

/**
 * A deadline warning (time left on a clock). Square-cornered and labelled "预警", so that it
 * is never confused with the risk grade.
 */
export function DeadlineBadge(props: { colour: WarningColour | null; dueAt?: Date | null }) {
  return (
    <Show when={props.colour}>
      {(colour) => (
        <Badge
          tone={DEADLINE_TONE[colour()]}
          class="deadline-badge"
          title={props.dueAt ? t("cases.deadline.due", { time: formatDateTime(props.dueAt) }) : undefined}
        >
          {named(WARNING_COLOUR_NAMES, colour())}
        </Badge>
      )}
    </Show>
  );
}

/** The group-dispute flag (群体性). */
export function GroupBadge() {
  return (
    <Badge tone="danger" class="group-badge">
      {t("cases.groupDispute")}
    </Badge>
  );
}

/** YYYY-MM-DD of a date-only value (superjson brings it as UTC midnight). */
export function isoDay(value: DayValue): string {
  return typeof value === "string" ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}

/** Today in China (YYYY-MM-DD), the units' own calendar: the domain's one rule. */
/** Adds days to a YYYY-MM-DD date. */
export { addDays, chinaToday } from "@zongzhi/domain/dates";

/** An amount in yuan from cents (bigint columns arrive as text). */
export function formatAmount(cents: string | number | null | undefined): string {
  if (cents === null || cents === undefined) return "—";
  const yuan = Number(cents) / 100;
  return `¥${yuan.toLocaleString("zh-CN", { maximumFractionDigits: 2 })}`;
}

/** True when the user may only see the cases its departments are summoned to (the API's table). */
export function isLiaisonOnly(me: Me): boolean {
  return readsOnlySummoned(me.roles);
}
