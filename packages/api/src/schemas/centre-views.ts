import type { DayRoster, Residency, RosterStationing, RotationSlot } from "@zongzhi/domain";
import {
  AREAS,
  COMMITTEE_FIELDS,
  COMMITTEE_ROLES,
  MEDIATOR_AFFILIATIONS,
  MEDIATOR_GRADES,
  ROOM_KINDS,
} from "@zongzhi/domain/centre";
import { z } from "zod";

// The output contracts of the centre configuration (the centre router): what its procedures
// answer. The services' return types are these schemas' types, the procedures declare them with
// `.output()`, and the UI reads them through inferRouterOutputs. Dates of a day (rotation slots)
// are ISO text; instants are Date. Only zod and the domain: the browser may load this module.

/** The centre's public contact as the papers print it (centre.contact, centre.saveContact). */
export const centreContactView = z.object({
  /** The unit it is of: the one asked about, or the nearest above it that has one. */
  scopeCode: z.string(),
  unitName: z.string().nullable(),
  phone: z.string(),
  address: z.string().nullable(),
  openingHours: z.string().nullable(),
  version: z.number(),
  /** Whether it is the asked unit's own (false: inherited from a centre above). */
  own: z.boolean(),
});

/** A kind of department from the catalogue, built-in or added by a unit (centre.departmentKinds). */
export const departmentKindView = z.object({
  code: z.string(),
  name: z.string(),
  category: z.string(),
  builtin: z.boolean(),
  /** Row id and version of a unit's kind (null for a built-in kind). */
  id: z.string().nullable(),
  version: z.number().nullable(),
  active: z.boolean(),
  /** The unit that added it (null for a built-in kind). */
  scopeCode: z.string().nullable(),
  unitName: z.string().nullable(),
  /** Added by the caller's own unit. */
  own: z.boolean(),
});

const residency = z.enum(["permanent", "rotating", "on_call"]) satisfies z.ZodType<Residency, Residency>;

/** When a rotating department is present, and who is on duty (the domain's RotationSlot). */
const rotationSlot = z.object({
  weekdays: z.array(z.number()).nullable(),
  everyWeeks: z.number(),
  anchorDate: z.string().nullable(),
  validFrom: z.string().nullable(),
  validTo: z.string().nullable(),
  staffName: z.string(),
  staffPhone: z.string().nullable(),
}) satisfies z.ZodType<RotationSlot, RotationSlot>;

/** A stationed department with its rotation slots and liaisons (centre.stationings, station, editStationing). */
export const stationingView = z.object({
  id: z.string(),
  kindCode: z.string(),
  kindName: z.string(),
  name: z.string(),
  residency,
  contactName: z.string().nullable(),
  contactPhone: z.string().nullable(),
  responseMinutes: z.number().nullable(),
  notes: z.string().nullable(),
  active: z.boolean(),
  version: z.number(),
  slots: z.array(rotationSlot.extend({ id: z.string() })),
  liaisons: z.array(z.object({ userId: z.string(), username: z.string(), displayName: z.string() })),
});

/** A stationed department as the roster shows it (the domain's RosterStationing). */
const rosterStationing = z.object({
  id: z.string(),
  name: z.string(),
  kindCode: z.string(),
  residency,
  contactName: z.string().nullable(),
  contactPhone: z.string().nullable(),
  responseMinutes: z.number().nullable(),
  slots: z.array(rotationSlot),
}) satisfies z.ZodType<RosterStationing, RosterStationing>;

/** Who is at the centre on one day of the week (centre.roster answers seven). */
export const dayRosterView = z.object({
  date: z.string(),
  workday: z.boolean(),
  makeUpWorkday: z.boolean(),
  holiday: z.string().nullable(),
  permanent: z.array(rosterStationing),
  rotating: z.array(
    z.object({
      stationing: rosterStationing,
      staff: z.array(z.object({ name: z.string(), phone: z.string().nullable() })),
    }),
  ),
  onCall: z.array(rosterStationing),
}) satisfies z.ZodType<DayRoster, DayRoster>;

/** A service window (centre.windows, createWindow, editWindow). */
export const serviceWindowView = z.object({
  id: z.string(),
  number: z.number(),
  name: z.string(),
  services: z.array(z.string()),
  stationingId: z.string().nullable(),
  stationingName: z.string().nullable(),
  temporary: z.boolean(),
  active: z.boolean(),
  version: z.number(),
});

/** A mediator of a pool, with the unit that owns the pool (centre.mediators, addMediator, editMediator). */
export const mediatorView = z.object({
  id: z.string(),
  scopeCode: z.string(),
  poolName: z.string(),
  /** Of the caller's own pool. */
  own: z.boolean(),
  name: z.string(),
  grade: z.enum(MEDIATOR_GRADES),
  specialties: z.array(z.string()),
  qualifications: z.array(z.string()),
  affiliation: z.enum(MEDIATOR_AFFILIATIONS),
  affiliationName: z.string().nullable(),
  userId: z.string().nullable(),
  phone: z.string().nullable(),
  active: z.boolean(),
  version: z.number(),
});

/** A mediation room or named studio (centre.rooms, createRoom, editRoom). */
export const roomView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(ROOM_KINDS),
  studioName: z.string().nullable(),
  chiefMediatorId: z.string().nullable(),
  chiefMediatorName: z.string().nullable(),
  capacity: z.number(),
  area: z.enum(AREAS),
  location: z.string().nullable(),
  active: z.boolean(),
  version: z.number(),
});

/** A mediation committee with its members (centre.committees, saveCommittee). */
export const committeeView = z.object({
  id: z.string(),
  name: z.string(),
  field: z.enum(COMMITTEE_FIELDS),
  active: z.boolean(),
  version: z.number(),
  members: z.array(z.object({ mediatorId: z.string(), name: z.string(), role: z.enum(COMMITTEE_ROLES) })),
});

/** A booking of a room (and mediators) for a time range (centre.bookings, book). */
export const bookingView = z.object({
  id: z.string(),
  roomId: z.string(),
  roomName: z.string(),
  startsAt: z.date(),
  endsAt: z.date(),
  title: z.string(),
  caseId: z.string().nullable(),
  status: z.enum(["active", "cancelled"]),
  version: z.number(),
  mediators: z.array(z.object({ id: z.string(), name: z.string() })),
});

export type CentreContact = z.output<typeof centreContactView>;
export type DepartmentKind = z.output<typeof departmentKindView>;
export type Stationing = z.output<typeof stationingView>;
export type ServiceWindow = z.output<typeof serviceWindowView>;
export type Mediator = z.output<typeof mediatorView>;
export type Room = z.output<typeof roomView>;
export type Committee = z.output<typeof committeeView>;
export type Booking = z.output<typeof bookingView>;
