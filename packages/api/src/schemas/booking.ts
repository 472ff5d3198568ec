import { APPOINTMENT_STATUSES, OFFER_KINDS } from "@zongzhi/domain/booking";
import { RISK_GRADES } from "@zongzhi/domain/case-workflow";
import { z } from "zod";
import { id, int32, isoDate, longText, pattern, strict, text, version } from "../input.ts";

// Input schemas of online booking (网上预约): the public page's requests (sent as JSON to
// /public/booking/*) and the centre's procedures (offers, the clerk's actions). The public page
// and the admin forms validate with these too. Only zod and the domain: the browser bundles it.

/** A time of day as `HH:MM` (00:00–24:00), China time. */
export const clock = pattern(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, "时间格式应为 HH:MM", "a time of day as HH:MM", {
  max: 5,
});
const optionalClock = clock.or(z.literal("")).nullish();

/** A division code of a centre (6–12 digits). */
export const centreCode = pattern(
  /^\d{2,12}$/,
  "中心代码应为2–12位区划代码",
  "a centre code is a 2–12 digit division code",
  {
    max: 12,
  },
);

/** What a centre opens for booking (appointments.saveOffer; an id and version edit it). */
export const offerInput = strict({
  id: id().optional(),
  version: version().optional(),
  active: z.boolean().default(true),
  kind: z.enum(OFFER_KINDS),
  windowId: id().nullish(),
  roomId: id().nullish(),
  title: text(40),
  slotMinutes: int32({ min: 10, max: 240 }),
  opensAt: clock,
  closesAt: clock,
  breakFrom: optionalClock,
  breakTo: optionalClock,
  capacity: int32({ min: 1, max: 50 }),
  daysAhead: int32({ min: 1, max: 60 }),
  noticeHours: int32({ min: 0, max: 168 }),
});

/** The centres list of the public page: a name or code to search, a division to look under. */
export const centresQuery = strict({
  q: text(40).optional(),
  under: pattern(/^\d{2,12}$/, "区划代码应为2至12位数字", "a division code has 2 to 12 digits", { max: 12 }).optional(),
});

/** An instant as ISO 8601 with a zone (`2026-12-02T09:00:00+08:00`), from the public page. */
const isoInstant = pattern(
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/,
  "时段格式不正确",
  "a slot's start as an ISO 8601 instant",
  { max: 40 },
);

/** A person's booking (POST /public/booking/appointments, with an Idempotency-Key). */
export const publicBookingInput = strict({
  centreCode,
  offerId: id(),
  startsAt: isoInstant,
  name: text(30),
  phone: pattern(/^[0-9+\- ]{11,20}$/, "请输入11位手机号码", "an 11-digit mobile number", { max: 20 }),
  matter: longText(500),
  categoryCode: pattern(/^[a-z][a-z0-9_]{1,39}$/, "请选择纠纷类别", "choose a category", { max: 40 }),
});

/** A booking code and the last 4 digits of its phone (lookup and cancel). */
export const bookingLookupInput = strict({
  code: pattern(
    /^\d{2,12}-[0-9A-HJKMNP-TV-Z]{8}$/i,
    "预约码格式不正确（如 620981101-7K3QD9XM）",
    "a booking code looks like 620981101-7K3QD9XM",
    { max: 30 },
  ).transform((v) => v.trim().toUpperCase()),
  phoneLast4: pattern(/^\d{4}$/, "请输入手机号后四位", "the last 4 digits of the phone", { max: 4 }),
});

/** The clerk's list of bookings: a centre, a range of days, statuses. */
export const appointmentsQuery = strict({
  tenantId: id().optional(),
  from: isoDate(),
  to: isoDate().optional(),
  status: z.array(z.enum(APPOINTMENT_STATUSES)).max(APPOINTMENT_STATUSES.length).optional(),
});

/** A clerk marks a booking arrived, a no-show, or cancelled (with a reason). */
export const markAppointmentInput = strict({
  id: id(),
  version: version(),
  status: z.enum(["arrived", "no_show", "cancelled"]),
  reason: text(200, { min: 0 }).nullish(),
});

/** 接待: what the clerk adds to a booking to register its case. */
export const receiveAppointmentInput = strict({
  id: id(),
  version: version(),
  categoryCode: text(40),
  title: text(100),
  description: longText(5000),
  locationCode: pattern(/^\d{6,12}$/, "地点应为6–12位区划代码", "a location is a 6–12 digit division code"),
  address: text(200, { min: 0 }).nullish(),
  peopleCount: int32({ min: 1, max: 100000 }).default(1),
  groupDispute: z.boolean().default(false),
  riskGrade: z.enum(RISK_GRADES).default("none"),
  difficulty: z.enum(["simple", "complex"]).default("simple"),
});

// ---------- answers (appointments.*) ----------
// The service's return types are these schemas' types (services/appointments.ts); the procedures
// declare them with `.output()` and the booking pages read them through inferRouterOutputs.

/** An offer's opening hours and slots (`HH:MM`, China time), as staff and the public page see them. */
export const offerHours = {
  slotMinutes: z.number(),
  opensAt: z.string(),
  closesAt: z.string(),
  breakFrom: z.string().nullable(),
  breakTo: z.string().nullable(),
  capacity: z.number(),
};

/** One bookable resource of a centre (a service window for visits, a room for mediation), times as `HH:MM`. */
export const bookingOfferView = z.object({
  id: z.string(),
  kind: z.enum(OFFER_KINDS),
  windowId: z.string().nullable(),
  roomId: z.string().nullable(),
  /** The window's or room's name. */
  resourceName: z.string(),
  title: z.string(),
  ...offerHours,
  daysAhead: z.number(),
  noticeHours: z.number(),
  active: z.boolean(),
  version: z.number(),
});

/** A booking as the centre's staff see it (masked; the full data reach only the case it becomes). */
export const appointmentView = z.object({
  id: z.string(),
  code: z.string(),
  status: z.enum(APPOINTMENT_STATUSES),
  offerId: z.string(),
  kind: z.enum(OFFER_KINDS),
  title: z.string(),
  resourceName: z.string(),
  startsAt: z.date(),
  endsAt: z.date(),
  nameMasked: z.string(),
  phoneMasked: z.string(),
  categoryCode: z.string(),
  matter: z.string(),
  cancelReason: z.string().nullable(),
  caseId: z.string().nullable(),
  caseCode: z.string().nullable(),
  createdAt: z.date(),
  version: z.number(),
});

/** appointments.receive (接待): the case registered from the booking, and the booking now converted. */
export const receivedAppointment = z.object({ caseId: z.string(), caseCode: z.string(), appointment: appointmentView });
