import { APPOINTMENT_STATUSES, OFFER_KINDS } from "@zongzhi/domain/booking";
import { SATISFACTIONS } from "@zongzhi/domain/case-records";
import { CASE_STATES } from "@zongzhi/domain/case-workflow";
import { z } from "zod";
import { longText, pattern, strict } from "../input.ts";
import { offerHours } from "./booking.ts";

// The contracts of the public pages' plain HTTP routes (no session): the case lookup (一码可查,
// POST /public/lookup and /public/lookup/answer) and the answers of online booking
// (/public/booking/*, whose requests are in schemas/booking.ts). apps/api parses the bodies with
// these inputs and checks its answers against these shapes (`satisfies`); the services' return
// types are their types; the public pages take their types from here (as JSON carries them:
// instants become ISO strings). Only zod, the domain and input.ts: the browser may load it.

/** POST /public/lookup: a case's code and the last 4 digits of the applicant's phone. */
export const lookupInput = strict({
  code: pattern(/^\d{2,12}-\d{4}-\d{6}$/, "案件编号格式不正确", "a case code looks like 620981-2026-000001", {
    normalise: true,
  }),
  phoneLast4: pattern(/^\d{4}$/, "请输入手机号后四位", "the last 4 digits of the phone"),
});

/** POST /public/lookup/answer: the person confirms the result or rejects it with a reason (重办). */
export const lookupAnswerInput = strict({
  ...lookupInput.shape,
  satisfaction: z.enum(SATISFACTIONS),
  comment: longText(1000).optional(),
});

/** What the lookup shows of a case: stages and dates only (no names, no numbers, no free text). */
export const publicCase = z.object({
  code: z.string(),
  status: z.enum(CASE_STATES),
  category: z.string(),
  /** The stages reached, `at` as the database's ISO text. */
  stages: z.array(z.object({ kind: z.string(), at: z.string() })),
});

/**
 * The citizen's side of the reporter's loop: for a case brought through a public channel, the
 * result once it is there, how often it was reworked, and whether the person may answer it now.
 */
export const publicResult = z.object({
  /** The handler's result (the last resolution's outcome, numbers masked), once the case was resolved. */
  outcome: z.string().nullable(),
  /** How often the case was sent back for rework (重办). */
  reworks: z.number(),
  /** The result awaits the person's answer: in follow-up, from a public channel, not yet answered. */
  canAnswer: z.boolean(),
  /** The person answered this result already. */
  answered: z.boolean(),
});

/** What POST /public/lookup answers: the case, and its result when it came through a public channel (else null). */
export const publicLookup = publicCase.extend({ result: publicResult.nullable() });

/** What POST /public/lookup/answer answers: the lookup again, and whether the answer sent the case back for rework. */
export const publicLookupAnswered = publicLookup.extend({ reopened: z.boolean() });

/** GET /public/booking/centres: a centre that takes bookings. */
export const bookingCentre = z.object({ code: z.string(), name: z.string(), level: z.string(), offers: z.number() });

/** One bookable slot of an offer, with the seats left. */
export const publicSlot = z.object({
  offerId: z.string(),
  startsAt: z.date(),
  endsAt: z.date(),
  /** `HH:MM`, China time. */
  time: z.string(),
  left: z.number(),
});

/** One day of a centre's booking page: the calendar, who is on duty, and the slots. */
export const publicDay = z.object({
  /** YYYY-MM-DD. */
  date: z.string(),
  workday: z.boolean(),
  holiday: z.string().nullable(),
  makeUpWorkday: z.boolean(),
  /** Departments at the centre that day (names only: no staff, no phones). */
  onDuty: z.object({ permanent: z.array(z.string()), rotating: z.array(z.string()), onCall: z.array(z.string()) }),
  slots: z.array(publicSlot),
});

/** GET /public/booking/centres/:code: a centre's booking page, its offers and the coming days. */
export const publicCentre = z.object({
  code: z.string(),
  name: z.string(),
  offers: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(OFFER_KINDS),
      title: z.string(),
      resourceName: z.string(),
      services: z.array(z.string()),
      ...offerHours,
    }),
  ),
  days: z.array(publicDay),
  /** The dispute categories a person may choose (the centre's and those it inherits). */
  categories: z.array(z.object({ code: z.string(), name: z.string() })),
});

/** What a person is told about their booking: the answer of POST /public/booking/appointments, /lookup and /cancel. */
export const publicAppointment = z.object({
  code: z.string(),
  status: z.enum(APPOINTMENT_STATUSES),
  centreCode: z.string(),
  centreName: z.string(),
  kind: z.enum(OFFER_KINDS),
  title: z.string(),
  resourceName: z.string(),
  startsAt: z.date(),
  endsAt: z.date(),
  nameMasked: z.string(),
  phoneMasked: z.string(),
  categoryName: z.string(),
  /** The case it became (then followed on the case lookup with the same phone digits). */
  caseCode: z.string().nullable(),
  /** Whether the person may still cancel it. */
  cancellable: z.boolean(),
});

/** What booking answers: the booking, and whether this was a retry of an earlier request (200, else 201). */
export const bookedAppointment = publicAppointment.extend({ replayed: z.boolean() });

export type PublicCase = z.output<typeof publicCase>;
export type PublicResult = z.output<typeof publicResult>;
export type PublicLookup = z.output<typeof publicLookup>;
export type PublicLookupAnswered = z.output<typeof publicLookupAnswered>;
export type BookingCentre = z.output<typeof bookingCentre>;
export type PublicSlot = z.output<typeof publicSlot>;
export type PublicDay = z.output<typeof publicDay>;
export type PublicCentre = z.output<typeof publicCentre>;
export type PublicAppointment = z.output<typeof publicAppointment>;
export type BookedAppointment = z.output<typeof bookedAppointment>;
