import {
  AREAS,
  COMMITTEE_FIELDS,
  COMMITTEE_ROLES,
  MEDIATOR_AFFILIATIONS,
  MEDIATOR_GRADES,
  ROOM_KINDS,
  SPECIALTIES,
} from "@zongzhi/domain/centre";
import { z } from "zod";
import { id, int32, pattern, strict, text, version } from "../input.ts";

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
