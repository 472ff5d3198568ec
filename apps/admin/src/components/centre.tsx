import {
  AREAS,
  COMMITTEE_FIELDS,
  COMMITTEE_ROLES,
  KIND_CATEGORIES,
  MEDIATOR_AFFILIATIONS,
  MEDIATOR_GRADES,
  ROOM_KINDS,
  SPECIALTIES,
} from "@zongzhi/domain/centre";
import { CHINA_UTC_OFFSET_MS, isoWeekday } from "@zongzhi/domain/dates";
import type { Level } from "@zongzhi/domain/division";
import { RESIDENCY_NAMES, type Residency } from "@zongzhi/domain/roster";
import { type Component, createSignal, Show } from "solid-js";
import { type Inputs, type Me, type Outputs, toServerError } from "../api.ts";
import { HOLIDAY_NAMES_EN } from "../i18n/centre.ts";
import { levelName, locale, type MessageKey, pick, t } from "../i18n.ts";
import { can } from "../session.ts";
import { Alert } from "../ui/alert.tsx";
import { Badge, type BadgeTone } from "../ui/badge.tsx";
import { ListCard } from "./config-page.tsx";
import { AddButton, Forbidden, PageHeader } from "./page.tsx";
import { useMe } from "./shell.tsx";
import { ChildUnitSelect, UnitBreadcrumb } from "./unit-picker.tsx";
import "../pages/centre.css";

/** A stationed department as the API returns it. */
export type Stationing = Outputs["centre"]["stationings"][number];
/** One day of the duty roster. */
export type DayRoster = Outputs["centre"]["roster"][number];
/** A service window. */
export type ServiceWindow = Outputs["centre"]["windows"][number];
/** A mediator of a pool the centre may draw on. */
export type Mediator = Outputs["centre"]["mediators"][number];
/** A mediation room or named studio. */
export type Room = Outputs["centre"]["rooms"][number];
/** A mediation committee with its members. */
export type Committee = Outputs["centre"]["committees"][number];
/** A booking of a room. */
export type Booking = Outputs["centre"]["bookings"][number];

/** Fields of expertise of mediators. */
export type Specialty = NonNullable<Inputs["centre"]["mediators"]["specialty"]>;
/** Grades of mediators. */
export type Grade = Inputs["centre"]["addMediator"]["grade"];
/** Where a mediator comes from. */
export type Affiliation = Inputs["centre"]["addMediator"]["affiliation"];
/** Kinds of rooms. */
export type RoomKind = Inputs["centre"]["createRoom"]["kind"];
/** Functional areas of a centre. */
export type Area = Inputs["centre"]["createRoom"]["area"];
/** Fields of committees. */
export type CommitteeField = Inputs["centre"]["saveCommittee"]["field"];
/** Roles inside a committee. */
export type CommitteeRole = NonNullable<Inputs["centre"]["saveCommittee"]["members"]>[number]["role"];
/** Categories of department kinds. */
export type KindCategory = Inputs["centre"]["addDepartmentKind"]["category"];

/** Residency modes in display order. */
export const RESIDENCIES = Object.keys(RESIDENCY_NAMES) as Residency[];
/** Specialties, grades, affiliations, room kinds, areas, committee fields and roles, and kind categories in display order: the domain's lists, which the API's schemas use too. */
export {
  AREAS,
  COMMITTEE_FIELDS,
  COMMITTEE_ROLES,
  KIND_CATEGORIES,
  MEDIATOR_AFFILIATIONS as AFFILIATIONS,
  MEDIATOR_GRADES as GRADES,
  ROOM_KINDS,
  SPECIALTIES,
};

/** Name of a residency mode (常驻 / 轮驻 / 随叫随驻). */
export function residencyName(residency: Residency): string {
  return pick(RESIDENCY_NAMES[residency]);
}

const RESIDENCY_TONES: Record<Residency, BadgeTone> = { permanent: "success", rotating: "info", on_call: "warning" };

/** The residency mode as a coloured badge. */
export function ResidencyBadge(props: { residency: Residency }) {
  return (
    <Badge tone={RESIDENCY_TONES[props.residency]} class="residency-badge">
      {residencyName(props.residency)}
    </Badge>
  );
}

/** The 已停用 badge of a row that is no longer in use (`label` where the page words it otherwise), shown unless `active`. */
export function InactiveBadge(props: { active: boolean; label?: string }) {
  return (
    <Show when={!props.active}>
      <Badge tone="danger">{props.label ?? t("centre.inactive")}</Badge>
    </Show>
  );
}

/** Name of a specialty; unknown values show as they are. */
export function specialtyName(value: string): string {
  return (SPECIALTIES as readonly string[]).includes(value) ? t(`centre.specialty.${value as Specialty}`) : value;
}
/** Name of a grade. */
export const gradeName = (value: Grade): string => t(`centre.grade.${value}`);
/** Name of an affiliation. */
export const affiliationName = (value: Affiliation): string => t(`centre.affiliation.${value}`);
/** Name of a room kind. */
export const roomKindName = (value: RoomKind): string => t(`centre.roomKind.${value}`);
/** Name of a functional area. */
export const areaName = (value: Area): string => t(`centre.area.${value}`);
/** Name of a committee field. */
export const committeeFieldName = (value: CommitteeField): string => t(`centre.field.${value}`);
/** Name of a committee role. */
export const committeeRoleName = (value: CommitteeRole): string => t(`centre.role.${value}`);
/** Name of a department-kind category. */
export const categoryName = (value: KindCategory): string => t(`centre.category.${value}`);
/** Short name of an ISO weekday (1 = Monday). */
export const weekdayName = (day: number): string => t(`centre.weekday.${day}` as MessageKey);

/** A holiday's name in the current language (the calendar names holidays in Chinese). */
export function holidayName(zh: string): string {
  if (locale() !== "en") return zh;
  return zh
    .split("、")
    .map((part) => HOLIDAY_NAMES_EN[part] ?? part)
    .join(" / ");
}

/** A duration in minutes, readable ("2 小时", "1 小时 30 分钟", "3 天"). */
export function durationText(minutes: number): string {
  if (minutes % 1440 === 0) return t("centre.duration.days", { n: minutes / 1440 });
  if (minutes < 60) return t("centre.duration.minutes", { n: minutes });
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? t("centre.duration.hours", { n: h }) : t("centre.duration.hoursMinutes", { h, m });
}

/** Splits a list typed as "a、b，c, d" into its trimmed, non-empty items. */
export function splitList(text: string): string[] {
  return text
    .split(/[、，,；;\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** Joins list items the way the current language writes them. */
export function joinList(items: string[]): string {
  return items.join(locale() === "en" ? ", " : "、");
}

/** A list cell's items, or a muted 未填写 so that an empty column explains itself. */
export function ListOrUnset(props: { items: string[] }) {
  return (
    <Show when={props.items.length > 0} fallback={<span class="muted small">{t("centre.notSet")}</span>}>
      {joinList(props.items)}
    </Show>
  );
}

/** A whole number from a field, or null when the field is not one. */
export function wholeNumber(value: string): number | null {
  const trimmed = value.trim();
  return /^\d+$/.test(trimmed) ? Number(trimmed) : null;
}

// ---------- dates and times (the centre's own clock: China Standard Time, UTC+8) ----------
// Date arithmetic comes from the domain (@zongzhi/domain/dates); working days and holidays
// come from the API's roster, never from the browser.

const CST_MS = CHINA_UTC_OFFSET_MS;

/** The instant of a date and wall-clock time in China. */
export function chinaInstant(date: string, time: string): Date {
  return new Date(`${date}T${time}:00+08:00`);
}

/** Minutes since midnight (China) of an instant. */
export function chinaMinutes(instant: Date): number {
  const shifted = new Date(instant.getTime() + CST_MS);
  return shifted.getUTCHours() * 60 + shifted.getUTCMinutes();
}

/** The date (China) of an instant: the domain's one rule. */
export { chinaDate } from "@zongzhi/domain/dates";

/** "09:30" from minutes since midnight. */
export function clock(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
}

/** A date as the current language writes it with its weekday ("9月30日 周三"). */
export function dayLabel(date: string): string {
  const [, month, day] = date.split("-").map(Number);
  return t("centre.date.day", { month: month ?? 0, day: day ?? 0, weekday: weekdayName(isoWeekday(date)) });
}

/** A full date ("2026年9月30日"). */
export function fullDate(date: string): string {
  const [year, month, day] = date.split("-").map(Number);
  return t("centre.date.full", { year: year ?? 0, month: month ?? 0, day: day ?? 0 });
}

// ---------- form helpers ----------

/**
 * The form-level message of a failed save (CONFLICT, NOT_FOUND, a rule of the server …),
 * unless a field problem shown next to its field already explains it.
 */
export function FormError(props: { error: unknown; known: (path: string) => boolean; text: (e: unknown) => string }) {
  const message = () => {
    if (!props.error) return null;
    const explained = toServerError(props.error).fields.some((f) => props.known(f.path));
    return explained ? null : props.text(props.error);
  };
  return (
    <Show when={message()}>
      <Alert>{message()}</Alert>
    </Show>
  );
}

// ---------- which centre is shown ----------

/** A centre whose configuration is shown: the user's own or an onboarded unit below it. */
export interface CentreRef {
  id: string;
  code: string;
  name: string;
  level: Level;
}

// The chosen centre survives moving between the centre pages (per signed-in user).
const [chosen, setChosen] = createSignal<{ userId: string; stack: CentreRef[] } | null>(null);

/** The centre shown on the centre pages, with the path from the user's own centre to it. */
export function useCentre(me: () => Me) {
  const own = (): CentreRef | null => {
    const tenant = me().tenant;
    return tenant ? { id: tenant.id, code: tenant.code, name: tenant.name, level: tenant.level } : null;
  };
  const stack = (): CentreRef[] => {
    const c = chosen();
    if (c && c.userId === me().id && c.stack[0]?.id === own()?.id) return c.stack;
    const o = own();
    return o ? [o] : [];
  };
  const current = () => stack()[stack().length - 1] ?? null;
  const isOwn = () => stack().length <= 1;
  return {
    stack,
    current,
    isOwn,
    /** The tenantId to pass to the API: undefined for the user's own centre. */
    tenantId: () => (isOwn() ? undefined : current()?.id),
    /** True when the user may change the shown centre's configuration. */
    canConfigure: () => isOwn() && can(me(), "centre.configure"),
    open(unit: CentreRef) {
      setChosen({ userId: me().id, stack: [...stack(), unit] });
    },
    back(index: number) {
      setChosen({ userId: me().id, stack: stack().slice(0, index + 1) });
    },
  };
}

/** The centre picker: a breadcrumb from the user's centre, and a list of the onboarded units below. */
export function CentrePicker(props: { centre: ReturnType<typeof useCentre>; me: Me }) {
  const current = () => props.centre.current();
  return (
    <Show when={current()}>
      {(unit) => (
        <section class="card unit-picker centre-picker" aria-labelledby="centre-picker-title">
          <h2 id="centre-picker-title" class="sr-only">
            {t("centre.unit")}
          </h2>
          <div class="unit-picker-row">
            <UnitBreadcrumb
              label={t("centre.unit")}
              items={props.centre.stack()}
              name={(item) => item.name}
              onBack={(i) => props.centre.back(i)}
            />
            <Badge tone="tier">{levelName(unit().level)}</Badge>
            <Show when={unit().level !== "village" && can(props.me, "tenant.read")}>
              <ChildUnitSelect
                parentCode={unit().code}
                label={t("centre.childUnit")}
                placeholder={t("centre.childUnitPlaceholder")}
                option={(u) => t("centre.unitOption", { name: u.name, code: u.code })}
                onPick={(u) => props.centre.open(u)}
              />
            </Show>
          </div>
          <Show when={!props.centre.isOwn()}>
            <p class="muted small centre-readonly">{t("centre.readOnly", { name: unit().name })}</p>
          </Show>
        </section>
      )}
    </Show>
  );
}

/** A titled card section with an optional count and actions (the scaffold's list card). */
export const CentreSection = ListCard;

/**
 * A centre page: shown to a signed-in unit's user holding `permission` (Forbidden otherwise),
 * so that the view below may rely on a centre.
 */
export function centrePage(permission: Me["permissions"][number], View: Component): Component {
  return () => {
    const me = useMe();
    return (
      <Show when={me().tenant && can(me(), permission)} fallback={<Forbidden />}>
        <View />
      </Show>
    );
  };
}

/** The prefix of a page's words in the messages: `<prefix>.title` and `<prefix>.intro` exist. */
export type PageWords = {
  [K in MessageKey]: K extends `${infer P}.title` ? (`${P}.intro` extends MessageKey ? P : never) : never;
}[MessageKey];

/**
 * A centre page's header: its title and intro (`<words>.title`, `<words>.intro`), the add button
 * (`<words>.add`) for who may configure when the page adds rows, then the centre picker.
 */
export function CentreHeader<W extends PageWords>(props: {
  centre: ReturnType<typeof useCentre>;
  words: W;
  onAdd?: `${W}.add` extends MessageKey ? () => void : never;
}) {
  const me = useMe();
  return (
    <>
      <PageHeader
        title={t(`${props.words}.title` as MessageKey)}
        intro={t(`${props.words}.intro` as MessageKey)}
        actions={
          <AddButton
            when={props.onAdd !== undefined && props.centre.canConfigure()}
            label={t(`${props.words}.add` as MessageKey)}
            onClick={() => props.onAdd?.()}
          />
        }
      />
      <CentrePicker centre={props.centre} me={me()} />
    </>
  );
}
