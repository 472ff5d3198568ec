import { isIsoDate } from "@zongzhi/domain";
import { z } from "zod";
import { bookRoom, cancelBooking, listBookings } from "../services/bookings.ts";
import {
  addMediator,
  editMediator,
  MEDIATOR_AFFILIATIONS,
  MEDIATOR_GRADES,
  SPECIALTIES,
  searchMediators,
} from "../services/mediators.ts";
import {
  AREAS,
  COMMITTEE_FIELDS,
  createRoom,
  editRoom,
  listCommittees,
  listRooms,
  ROOM_KINDS,
  saveCommittee,
} from "../services/rooms.ts";
import {
  addDepartmentKind,
  editStationing,
  listDepartmentKinds,
  listStationings,
  removeStationing,
  stationDepartment,
  weekRoster,
} from "../services/stationings.ts";
import { createWindow, editWindow, listWindows } from "../services/windows.ts";
import { allowed, router } from "../trpc.ts";

const bilingual = (zh: string, en: string) => ({ params: { zh, en } });
const isoDate = z.string().refine(isIsoDate, bilingual("日期格式应为 YYYY-MM-DD", "a date as YYYY-MM-DD"));
const phone = z
  .string()
  .trim()
  .refine((v) => /^[0-9+\- ]{5,20}$/.test(v), bilingual("电话号码格式不正确", "invalid phone number"));
const optional = <T extends z.ZodType>(t: T) => t.nullish();
const ofTenant = z.object({ tenantId: z.uuid().optional() });
const versioned = { id: z.uuid(), version: z.number().int(), active: z.boolean().default(true) };

const slot = z
  .object({
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).nullable(),
    everyWeeks: z.number().int().min(1).max(8).default(1),
    anchorDate: isoDate.nullable().default(null),
    validFrom: isoDate.nullable().default(null),
    validTo: isoDate.nullable().default(null),
    staffName: z.string().trim().min(1).max(30),
    staffPhone: phone.nullable().default(null),
  })
  .refine((s) => s.weekdays !== null || (s.validFrom !== null && s.validTo !== null), {
    path: ["weekdays"],
    ...bilingual("请选择星期或填写起止日期", "choose weekdays or a date range"),
  })
  .refine((s) => !s.validFrom || !s.validTo || s.validTo >= s.validFrom, {
    path: ["validTo"],
    ...bilingual("结束日期不能早于开始日期", "the end date is before the start"),
  })
  .refine((s) => s.everyWeeks === 1 || s.anchorDate !== null, {
    path: ["anchorDate"],
    ...bilingual("隔周轮值须指定起始日期", "a multi-week rotation needs an anchor date"),
  });

const stationing = z.object({
  kindCode: z.string().min(2).max(40),
  name: z.string().trim().min(1).max(60),
  residency: z.enum(["permanent", "rotating", "on_call"]),
  contactName: optional(z.string().trim().max(30)),
  contactPhone: optional(phone),
  responseMinutes: optional(z.number().int().min(5).max(10080)),
  notes: optional(z.string().max(500)),
  slots: z.array(slot).max(20).default([]),
  liaisonUserIds: z.array(z.uuid()).max(20).optional(),
});

const windowInput = z.object({
  number: z.number().int().min(1).max(999),
  name: z.string().trim().min(1).max(40),
  services: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
  stationingId: z.uuid().nullish(),
  temporary: z.boolean().default(false),
});

const mediator = z.object({
  name: z.string().trim().min(1).max(30),
  grade: z.enum(MEDIATOR_GRADES),
  specialties: z.array(z.enum(SPECIALTIES)).max(SPECIALTIES.length).default([]),
  qualifications: z.array(z.string().trim().min(1).max(40)).max(10).default([]),
  affiliation: z.enum(MEDIATOR_AFFILIATIONS),
  affiliationName: optional(z.string().trim().max(60)),
  userId: z.uuid().nullish(),
  phone: optional(phone),
});

const room = z.object({
  name: z.string().trim().min(1).max(40),
  kind: z.enum(ROOM_KINDS),
  studioName: optional(z.string().trim().max(40)),
  chiefMediatorId: z.uuid().nullish(),
  capacity: z.number().int().min(1).max(500),
  area: z.enum(AREAS),
  location: optional(z.string().trim().max(60)),
});

/** A centre's own configuration: departments, roster, windows, mediators, rooms, committees, bookings. */
export const centreRouter = router({
  departmentKinds: allowed("centre.read").query(({ ctx }) => ctx.run((tx) => listDepartmentKinds(tx))),
  addDepartmentKind: allowed("centre.configure")
    .input(
      z.object({
        code: z.string().regex(/^[a-z][a-z0-9_]{1,36}$/),
        name: z.string().trim().min(1).max(60),
        category: z.enum([
          "party_government",
          "judicial",
          "public_security",
          "administrative",
          "mass_organisation",
          "social_force",
        ]),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => addDepartmentKind(tx, input))),

  stationings: allowed("centre.read")
    .input(ofTenant)
    .query(({ ctx, input }) => ctx.run((tx) => listStationings(tx, input.tenantId))),
  station: allowed("centre.configure")
    .input(stationing)
    .mutation(({ ctx, input }) => ctx.run((tx) => stationDepartment(tx, input))),
  editStationing: allowed("centre.configure")
    .input(stationing.extend(versioned))
    .mutation(({ ctx, input }) => ctx.run((tx) => editStationing(tx, input))),
  removeStationing: allowed("centre.configure")
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => removeStationing(tx, input.id))),

  /** Who is at the centre each day of a week (official calendar with 调休). */
  roster: allowed("centre.read")
    .input(ofTenant.extend({ start: isoDate }))
    .query(({ ctx, input }) => ctx.run((tx) => weekRoster(tx, input))),

  windows: allowed("centre.read")
    .input(ofTenant)
    .query(({ ctx, input }) => ctx.run((tx) => listWindows(tx, input.tenantId))),
  createWindow: allowed("centre.configure")
    .input(windowInput)
    .mutation(({ ctx, input }) => ctx.run((tx) => createWindow(tx, input))),
  editWindow: allowed("centre.configure")
    .input(windowInput.extend(versioned))
    .mutation(({ ctx, input }) => ctx.run((tx) => editWindow(tx, input))),

  mediators: allowed("centre.read")
    .input(
      z.object({
        specialty: z.enum(SPECIALTIES).optional(),
        grade: z.enum(MEDIATOR_GRADES).optional(),
        q: z.string().trim().max(30).optional(),
        includeSubtree: z.boolean().optional(),
        activeOnly: z.boolean().optional(),
      }),
    )
    .query(({ ctx, input }) => ctx.run((tx) => searchMediators(tx, input))),
  addMediator: allowed("centre.configure")
    .input(mediator)
    .mutation(({ ctx, input }) => ctx.run((tx) => addMediator(tx, input))),
  editMediator: allowed("centre.configure")
    .input(mediator.extend(versioned))
    .mutation(({ ctx, input }) => ctx.run((tx) => editMediator(tx, input))),

  rooms: allowed("centre.read")
    .input(ofTenant)
    .query(({ ctx, input }) => ctx.run((tx) => listRooms(tx, input.tenantId))),
  createRoom: allowed("centre.configure")
    .input(room)
    .mutation(({ ctx, input }) => ctx.run((tx) => createRoom(tx, input))),
  editRoom: allowed("centre.configure")
    .input(room.extend(versioned))
    .mutation(({ ctx, input }) => ctx.run((tx) => editRoom(tx, input))),

  committees: allowed("centre.read")
    .input(ofTenant)
    .query(({ ctx, input }) => ctx.run((tx) => listCommittees(tx, input.tenantId))),
  saveCommittee: allowed("centre.configure")
    .input(
      z.object({
        id: z.uuid().optional(),
        version: z.number().int().optional(),
        name: z.string().trim().min(1).max(60),
        field: z.enum(COMMITTEE_FIELDS),
        active: z.boolean().optional(),
        members: z
          .array(z.object({ mediatorId: z.uuid(), role: z.enum(["director", "deputy", "member"]) }))
          .max(200)
          .default([]),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => saveCommittee(tx, input))),

  bookings: allowed("centre.read")
    .input(ofTenant.extend({ roomId: z.uuid().optional(), from: z.date(), to: z.date() }))
    .query(({ ctx, input }) => ctx.run((tx) => listBookings(tx, input))),
  book: allowed("booking.manage")
    .input(
      z.object({
        roomId: z.uuid(),
        startsAt: z.date(),
        endsAt: z.date(),
        title: z.string().trim().min(1).max(100),
        mediatorIds: z.array(z.uuid()).max(10).default([]),
        caseId: z.uuid().nullish(),
      }),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => bookRoom(tx, input))),
  cancelBooking: allowed("booking.manage")
    .input(z.object({ id: z.uuid(), version: z.number().int() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => cancelBooking(tx, input))),
});
