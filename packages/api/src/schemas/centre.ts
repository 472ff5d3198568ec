import {
  AREAS,
  COMMITTEE_FIELDS,
  COMMITTEE_ROLES,
  KIND_CATEGORIES,
  KIND_CODE_INPUT,
  MEDIATOR_AFFILIATIONS,
  MEDIATOR_GRADES,
  ROOM_KINDS,
  SPECIALTIES,
} from "@zongzhi/domain/centre";
import { z } from "zod";
import { id, instant, int32, isoDate, longText, pattern, say, strict, text, version } from "../input.ts";
import { timeSpan } from "./common.ts";

// Input schemas of the centre configuration that the admin UI's forms validate with too, so that
// a form refuses exactly what the procedure would (the same rule, the same bilingual message).
// Only zod and the domain here: the browser bundles this module.

/** A phone number: digits, +, - and spaces. */
export const phone = pattern(/^[0-9+\- ]{5,20}$/, "电话号码格式不正确", "invalid phone number", {
  max: 40,
  normalise: true,
});
/** An optional field that may also be sent as null. */
export const optional = <T extends z.ZodType>(t: T) => t.nullish();

/**
 * The centre's public contact (saveContact): the phone printed on the intake receipt, and the
 * address and opening hours when given (empty or null: not printed).
 */
export const centreContactInput = strict({
  version: version().optional(),
  phone,
  address: optional(text(200)),
  openingHours: optional(text(100)),
});

/** A service window (createWindow; editWindow adds id, version and active). */
export const windowInput = strict({
  number: int32({ min: 1, max: 999 }),
  name: text(40),
  services: z.array(text(40)).max(20).default([]),
  stationingId: id().nullish(),
  temporary: z.boolean().default(false),
});

/** A mediator of the centre's pool (addMediator; editMediator adds id, version and active). */
export const mediatorInput = strict({
  name: text(30),
  grade: z.enum(MEDIATOR_GRADES),
  specialties: z.array(z.enum(SPECIALTIES)).max(SPECIALTIES.length).default([]),
  qualifications: z.array(text(40)).max(10).default([]),
  affiliation: z.enum(MEDIATOR_AFFILIATIONS),
  affiliationName: optional(text(60, { min: 0 })),
  userId: id().nullish(),
  phone: optional(phone),
});

/** A mediation room (createRoom; editRoom adds id, version and active). */
export const roomInput = strict({
  name: text(40),
  kind: z.enum(ROOM_KINDS),
  studioName: optional(text(40, { min: 0 })),
  chiefMediatorId: id().nullish(),
  capacity: int32({ min: 1, max: 500 }),
  area: z.enum(AREAS),
  location: optional(text(60, { min: 0 })),
});

/** A mediation committee with its members (saveCommittee; an id and version edit it). */
export const committeeInput = strict({
  id: id().optional(),
  version: version().optional(),
  name: text(60),
  field: z.enum(COMMITTEE_FIELDS),
  active: z.boolean().optional(),
  members: z
    .array(strict({ mediatorId: id(), role: z.enum(COMMITTEE_ROLES) }))
    .max(200)
    .default([]),
});

const bilingual = (zh: string, en: string) => ({ params: { zh, en } });

/** A department kind added to the catalogue of the caller's subtree (addDepartmentKind). */
export const departmentKindInput = strict({
  code: pattern(
    KIND_CODE_INPUT,
    "代码为2–38位小写字母、数字或下划线，以字母开头",
    "2–38 lower-case letters, digits or _, starting with a letter",
  ),
  name: text(60),
  category: z.enum(KIND_CATEGORIES),
});

/** Renames or (de)activates one of the caller's unit's own department kinds (editDepartmentKind). */
export const departmentKindEditInput = strict({ id: id(), version: version(), name: text(60), active: z.boolean() });

/** A rotation slot of a stationed department: weekdays every N weeks, or a date range; who is on duty. */
const slot = strict({
  weekdays: z
    .array(int32({ min: 1, max: 7 }))
    .min(1, say("请至少选择一天", "choose at least one day"))
    .max(7)
    .nullable(),
  everyWeeks: int32({ min: 1, max: 8, message: { zh: "间隔应为 1–8 之间的整数", en: "every 1 to 8 weeks" } }).default(
    1,
  ),
  anchorDate: isoDate().nullable().default(null),
  validFrom: isoDate().nullable().default(null),
  validTo: isoDate().nullable().default(null),
  staffName: text(30),
  staffPhone: phone.nullable().default(null),
})
  // Without weekdays a slot is a date range (the database's rotation_slots_pattern_or_range):
  // each missing end is named at its own field.
  .superRefine((s, ctx) => {
    if (s.weekdays !== null) return;
    if (s.validFrom === null) {
      ctx.addIssue({ code: "custom", path: ["validFrom"], ...bilingual("请填写开始日期", "enter the first day") });
    }
    if (s.validTo === null) {
      ctx.addIssue({ code: "custom", path: ["validTo"], ...bilingual("请填写结束日期", "enter the last day") });
    }
  })
  .refine((s) => !s.validFrom || !s.validTo || s.validTo >= s.validFrom, {
    path: ["validTo"],
    ...bilingual("结束日期不能早于开始日期", "the end date is before the start"),
  })
  .refine((s) => s.everyWeeks === 1 || s.anchorDate !== null, {
    path: ["anchorDate"],
    ...bilingual("隔周轮值须指定起始日期", "a multi-week rotation needs an anchor date"),
  });

/** The fields of a stationed department (station; editStationing adds id, version and active). */
const stationingFields = {
  kindCode: text(40, { min: 2 }),
  name: text(60),
  residency: z.enum(["permanent", "rotating", "on_call"]),
  contactName: optional(text(30, { min: 0 })),
  contactPhone: optional(phone),
  responseMinutes: optional(
    int32({
      min: 5,
      max: 10080,
      message: { zh: "响应时限应为 5–10080 之间的整数（分钟）", en: "a whole number of minutes from 5 to 10080" },
    }),
  ),
  notes: optional(longText(500, { min: 0 })),
  slots: z.array(slot).max(20).default([]),
  liaisonUserIds: z.array(id()).max(20).optional(),
};

/**
 * What each residency needs: an on-call department a phone and a response time (also the
 * database's `stationings_on_call_has_response`), a rotating one at least one slot.
 */
function residencyRules<
  T extends z.ZodType<{
    residency: string;
    contactPhone?: string | null;
    responseMinutes?: number | null;
    slots: unknown[];
  }>,
>(schema: T) {
  return schema.superRefine((s, ctx) => {
    const need = (path: string, zh: string, en: string) =>
      ctx.addIssue({ code: "custom", path: [path], params: { zh, en } });
    if (s.residency === "on_call" && !s.contactPhone) need("contactPhone", "请填写联系电话", "enter a contact phone");
    if (s.residency === "on_call" && s.responseMinutes == null) {
      need("responseMinutes", "请填写响应时限", "enter a response time");
    }
    if (s.residency === "rotating" && Array.isArray(s.slots) && s.slots.length === 0) {
      need("slots", "请设置轮值安排", "add a rotation slot");
    }
  });
}

/** A department stationed at the centre (station). */
export const stationingInput = residencyRules(strict(stationingFields));

/** An edit of a stationed department (editStationing). */
export const stationingEditInput = residencyRules(
  strict({ ...stationingFields, id: id(), version: version(), active: z.boolean().default(true) }),
);

/** A booking of a room for a span of one day, with the mediators who attend (book). */
export const bookingInput = timeSpan(
  strict({
    roomId: id(),
    startsAt: instant(),
    endsAt: instant(),
    title: text(100),
    mediatorIds: z.array(id()).max(10).default([]),
    caseId: id().nullish(),
  }),
);
