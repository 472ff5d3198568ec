import { createQuery, useQueryClient } from "@tanstack/solid-query";
import { DEADLINE_STAGES, type DeadlineStage, type WarningColour } from "@zongzhi/domain/deadlines";
import { LEVEL_NAMES, levelOfCode, parentCodeOf } from "@zongzhi/domain/division";
import { type Accessor, createSignal, type JSX, onCleanup } from "solid-js";
import { type Me, type Outputs, trpc } from "../../api.ts";
import { pick, t } from "../../i18n.ts";
import { InputField } from "../../ui/input-field.tsx";
import { type FieldFrameProps, TextArea } from "../../ui/text-field.tsx";
import { DialogForm, type DialogFormHandle } from "../dialog-form.tsx";

export { DEADLINE_STAGES, type DeadlineStage };

/** One hop of a case across tiers (escalation.path). */
export type Hop = Outputs["escalation"]["path"][number];
/** A deadline warning colour (time left), never a risk grade. */
export type Colour = WarningColour;

/** The case fields the escalation parts read (a subset of cases.get's answer). */
export interface CaseRef {
  id: string;
  code: string;
  title: string;
  version: number;
  ownerCode: string;
  scopeCode: string;
}

/** Query key of the signed-in user's inbox. */
export const INBOX_KEY = ["escalation.inbox"] as const;
/** Query key of the supervision list. */
export const SUPERVISIONS_KEY = ["escalation.supervisions"] as const;
/** Query key of a case's path across tiers. */
export const pathKey = (caseId: string) => ["escalation.path", caseId] as const;

/** A case's path across tiers, in order. */
export function createPath(caseId: () => string) {
  return createQuery(() => ({
    queryKey: pathKey(caseId()),
    queryFn: () => trpc.escalation.path.query({ id: caseId() }),
  }));
}

/**
 * Whether the owner still has to sign for the case (签收): the last hop moved it (escalated
 * or assigned) and no sign-for followed. The hops are the record the server keeps of it.
 */
export function awaitsSignFor(hops: readonly Hop[]): boolean {
  const last = hops.at(-1);
  return last?.kind === "escalate" || last?.kind === "assign_down";
}

/** The unit the case last came from to its owner (where a return sends it), if it came at all. */
export function cameFrom(hops: readonly Hop[], ownerCode: string): string | null {
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if ((hop.kind === "escalate" || hop.kind === "assign_down") && hop.toCode === ownerCode) return hop.fromCode;
  }
  return null;
}

/** Refreshes everything that shows a case's tier, path, clocks or supervisions after a change. */
export function useEscalationRefresh(caseId: () => string) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ["cases.get", caseId()] }),
      queryClient.invalidateQueries({ queryKey: ["cases.list"] }),
      queryClient.invalidateQueries({ queryKey: pathKey(caseId()) }),
      queryClient.invalidateQueries({ queryKey: SUPERVISIONS_KEY }),
      queryClient.invalidateQueries({ queryKey: ["escalation.deadlineCounts"] }),
    ]);
}

const [clock, setClock] = createSignal(Date.now());
let clockUsers = 0;
let clockTimer: ReturnType<typeof setInterval> | undefined;

/**
 * The current time for "time left" texts, ticking every 30 s: one timer shared by every chip
 * on the page, running only while some component uses it.
 */
export function useNow(): Accessor<number> {
  if (clockUsers++ === 0) {
    setClock(Date.now());
    clockTimer = setInterval(() => setClock(Date.now()), 30_000);
  }
  onCleanup(() => {
    if (--clockUsers === 0) clearInterval(clockTimer);
  });
  return clock;
}

/** A span of time as people say it: 2天3小时, 5小时10分, 12分钟 (or 2 d 3 h …). */
export function formatSpan(ms: number): string {
  const minutes = Math.max(1, Math.floor(Math.abs(ms) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0) return t("escalation.span.days", { d: days, h: hours });
  if (hours > 0) return t("escalation.span.hours", { h: hours, m: mins });
  return t("escalation.span.minutes", { m: mins });
}

/** Time left until `due` ("剩余 …") or past it ("超期 …"). */
export function timeLeftText(due: Date, now: number): string {
  const ms = due.getTime() - now;
  return ms >= 0
    ? t("escalation.deadline.left", { span: formatSpan(ms) })
    : t("escalation.deadline.overdue", { span: formatSpan(ms) });
}

const EVENT_KINDS = [
  "case.escalate",
  "case.sign_for",
  "case.assign_down",
  "case.return_hop",
  "case.leader_in_charge",
  "supervision.opened",
  "supervision.raised",
  "supervision.answered",
] as const;

/** A readable title for an escalation or supervision event of a case's timeline, or null. */
export function escalationEventTitle(kind: string): string | null {
  return (EVENT_KINDS as readonly string[]).includes(kind)
    ? t(`escalation.event.${kind as (typeof EVENT_KINDS)[number]}`)
    : null;
}

/** Name of a deadline stage (签收, 首次联系 …). */
export function stageName(stage: string): string {
  return (DEADLINE_STAGES as readonly string[]).includes(stage)
    ? t(`escalation.stage.${stage as DeadlineStage}`)
    : stage;
}

/** Name of a tier by the length of a division code (乡镇级 …), or "". */
export function tierOfCode(code: string): string {
  const level = levelOfCode(code);
  return level ? pick(LEVEL_NAMES[level]) : "";
}

/** The unit one tier up, by division code. */
export function parentOf(code: string): string | null {
  return parentCodeOf(code);
}

/** The code just before `code` (same length), for a keyset page that starts at `code` itself. */
function predecessor(code: string): string {
  return (BigInt(code) - 1n).toString().padStart(code.length, "0");
}

/**
 * Names of the units a case passed through. The caller's own unit and those above it come with
 * the session (me.path); a unit below is read from the registry listing of its parent. A unit
 * the caller may not list (a sideways handler elsewhere) shows as its code.
 */
export function createUnitNames(me: () => Me, codes: () => string[]) {
  const known = () => new Map(me().path.map((p) => [p.code, p.name]));
  const below = () => {
    const own = me().tenant?.code ?? "";
    return [...new Set(codes())].filter((c) => !known().has(c) && own && c.startsWith(own) && c !== own).sort();
  };
  const names = createQuery(() => ({
    queryKey: ["escalation.unitNames", below()],
    queryFn: async () => {
      const found = await Promise.all(
        below().map(async (code) => {
          const parent = parentOf(code);
          if (!parent) return [code, code] as const;
          const page = await trpc.tenants.units.query({ parentCode: parent, after: predecessor(code), limit: 1 });
          const hit = page.items.find((u) => u.code === code);
          return [code, hit?.name ?? code] as const;
        }),
      );
      return Object.fromEntries(found) as Record<string, string>;
    },
    enabled: below().length > 0,
    staleTime: 10 * 60_000,
  }));
  return (code: string): string => known().get(code) ?? names.data?.[code] ?? code;
}

/**
 * The body of an escalation dialog (a {@link createDialogForm}): its fields, the failed save's
 * message (a CONFLICT offers to reload, which closes the dialog), cancel and submit.
 */
export function EscalationForm<I>(props: {
  form: DialogFormHandle<I>;
  refresh: () => Promise<unknown>;
  submitLabel: string;
  danger?: boolean;
  children: JSX.Element;
}) {
  return (
    <DialogForm
      form={props.form}
      submitLabel={props.submitLabel}
      danger={props.danger}
      // Closed once the case is read again, so that a reopened dialog sends the new version.
      onReload={() => void props.refresh().then(props.form.close)}
    >
      {props.children}
    </DialogForm>
  );
}

/** The day by which a step is due (a deadline, a supervision's answer): required, from today (China) on. */
export function DueDateField(props: Omit<FieldFrameProps, "required">) {
  return <InputField type="date" {...props} min={chinaDay()} required />;
}

/**
 * The written part of a step (its reason, its instructions): required, at most `maxLength`
 * characters, with its hint.
 */
export function StepText(props: Omit<FieldFrameProps, "required"> & { maxLength: number }) {
  return <TextArea {...props} required />;
}

/**
 * The due day of a step picked in a form: `days` after today (China) at first, and its problem
 * when it lies in the past (a check only the page can make: it knows what today is).
 */
export function dueDay(days: number) {
  const today = chinaDay();
  return {
    initial: plusDays(today, days),
    problem: (day: string) => (day && day < today ? t("escalation.assign.deadlinePast") : undefined),
  };
}

/** YYYY-MM-DD of today in China (the units' own calendar). */
export function chinaDay(at = new Date()): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** Adds calendar days to a YYYY-MM-DD date. */
export function plusDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The end (24:00) of a China calendar day, as the instant a deadline on that day falls due. */
export function endOfChinaDay(day: string): Date {
  return new Date(Date.parse(`${day}T23:59:59+08:00`));
}
