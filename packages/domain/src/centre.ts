// The vocabularies of a centre's configuration (mediators, rooms, committees, department kinds),
// in display order. The API's input schemas, the services and the UI's pickers all read them here.

/** Grades of mediators, highest first. */
export const MEDIATOR_GRADES = ["chief", "senior", "standard"] as const;
/** A mediator's grade. */
export type MediatorGrade = (typeof MEDIATOR_GRADES)[number];

/** Where a mediator comes from. */
export const MEDIATOR_AFFILIATIONS = [
  "committee",
  "department",
  "lawyer",
  "retired_judge",
  "notable_villager",
  "grid_worker",
  "psychologist",
  "volunteer",
  "other",
] as const;
/** A mediator's affiliation. */
export type MediatorAffiliation = (typeof MEDIATOR_AFFILIATIONS)[number];

/** Fields of expertise of mediators, shared with case categories. */
export const SPECIALTIES = [
  "marriage_family",
  "neighbour",
  "labour",
  "land",
  "property",
  "traffic",
  "medical",
  "demolition",
  "contract",
  "consumer",
  "petition",
  "other",
] as const;
/** A mediator's field of expertise. */
export type Specialty = (typeof SPECIALTIES)[number];

/** Kinds of mediation rooms. */
export const ROOM_KINDS = [
  "general",
  "family",
  "neighbour",
  "labour",
  "land",
  "property",
  "traffic",
  "medical",
  "petition",
  "litigation",
] as const;
/** A room's kind. */
export type RoomKind = (typeof ROOM_KINDS)[number];

/** Functional areas of a centre in the order a visitor walks through them: 引导受理区 / 多元化解区 / 指挥调度区. */
export const AREAS = ["intake", "resolution", "command"] as const;
/** A functional area. */
export type Area = (typeof AREAS)[number];

/** Fields of mediation committees (调委会). */
export const COMMITTEE_FIELDS = [
  "joint",
  "labour",
  "medical",
  "rural_land",
  "water",
  "property",
  "traffic",
  "marriage_family",
  "consumer",
  "enterprise",
  "other",
] as const;
/** A committee's field. */
export type CommitteeField = (typeof COMMITTEE_FIELDS)[number];

/** Roles inside a committee, most senior first. */
export const COMMITTEE_ROLES = ["director", "deputy", "member"] as const;
/** A member's role in a committee. */
export type CommitteeRole = (typeof COMMITTEE_ROLES)[number];

/** Categories of department kinds. */
export const KIND_CATEGORIES = [
  "party_government",
  "judicial",
  "public_security",
  "administrative",
  "mass_organisation",
  "social_force",
] as const;
/** A department kind's category. */
export type KindCategory = (typeof KIND_CATEGORIES)[number];

/** Longest stored department-kind code: the CHECK of ref.department_kinds and app.department_kinds. */
export const KIND_CODE_MAX = 40;

/**
 * A department-kind code as an administrator types it: a lower-case letter, then letters,
 * digits or `_`, 2–38 in all, so that with the `x_` of a deployment's own kinds it fits
 * KIND_CODE_MAX.
 */
export const KIND_CODE_INPUT = /^[a-z][a-z0-9_]{1,37}$/;

/** What the catalogue stores for a kind code a deployment adds: `x_` + the code (kept if typed). */
export function ownKindCode(input: string): string {
  return input.startsWith("x_") ? input : `x_${input}`;
}
