import { KIND_CATEGORIES, KIND_CODE_INPUT, MEDIATOR_GRADES, SPECIALTIES } from "@zongzhi/domain/centre";
import { z } from "zod";
import { id, instant, int32, isoDate, longText, noInput, pattern, strict, text, version } from "../input.ts";
import { committeeInput, mediatorInput, optional, phone, roomInput, windowInput } from "../schemas/centre.ts";
import { bookRoom, cancelBooking, listBookings } from "../services/bookings.ts";
import { addMediator, editMediator, searchMediators } from "../services/mediators.ts";
import { createRoom, editRoom, listCommittees, listRooms, saveCommittee } from "../services/rooms.ts";
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
import { timeSpan } from "./inputs.ts";

const bilingual = (zh: string, en: string) => ({ params: { zh, en } });
const ofTenant = strict({ tenantId: id().optional() });
const versioned = { id: id(), version: version(), active: z.boolean().default(true) };

const slot = strict({
  weekdays: z
    .array(int32({ min: 1, max: 7 }))
    .min(1)
    .max(7)
    .nullable(),
  everyWeeks: int32({ min: 1, max: 8 }).default(1),
  anchorDate: isoDate().nullable().default(null),
  validFrom: isoDate().nullable().default(null),
  validTo: isoDate().nullable().default(null),
  staffName: text(30),
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

const stationing = strict({
  kindCode: text(40, { min: 2 }),
  name: text(60),
  residency: z.enum(["permanent", "rotating", "on_call"]),
  contactName: optional(text(30, { min: 0 })),
  contactPhone: optional(phone),
  responseMinutes: optional(int32({ min: 5, max: 10080 })),
  notes: optional(longText(500, { min: 0 })),
  slots: z.array(slot).max(20).default([]),
  liaisonUserIds: z.array(id()).max(20).optional(),
});

/** A centre's own configuration: departments, roster, windows, mediators, rooms, committees, bookings. */
export const centreRouter = router({
  departmentKinds: allowed("centre.read")
    .input(noInput())
    .query(({ ctx }) => ctx.run((tx) => listDepartmentKinds(tx))),
  addDepartmentKind: allowed("centre.configure")
    .input(
      strict({
        code: pattern(
          KIND_CODE_INPUT,
          "代码为2–38位小写字母、数字或下划线，以字母开头",
          "2–38 lower-case letters, digits or _, starting with a letter",
        ),
        name: text(60),
        category: z.enum(KIND_CATEGORIES),
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
    .input(strict({ id: id() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => removeStationing(tx, input.id))),

  /** Who is at the centre each day of a week (official calendar with 调休). */
  roster: allowed("centre.read")
    .input(ofTenant.extend({ start: isoDate() }))
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
      strict({
        specialty: z.enum(SPECIALTIES).optional(),
        grade: z.enum(MEDIATOR_GRADES).optional(),
        q: text(30, { min: 0 }).optional(),
        includeSubtree: z.boolean().optional(),
        activeOnly: z.boolean().optional(),
      }),
    )
    .query(({ ctx, input }) => ctx.run((tx) => searchMediators(tx, input))),
  addMediator: allowed("centre.configure")
    .input(mediatorInput)
    .mutation(({ ctx, input }) => ctx.run((tx) => addMediator(tx, input))),
  editMediator: allowed("centre.configure")
    .input(mediatorInput.extend(versioned))
    .mutation(({ ctx, input }) => ctx.run((tx) => editMediator(tx, input))),

  rooms: allowed("centre.read")
    .input(ofTenant)
    .query(({ ctx, input }) => ctx.run((tx) => listRooms(tx, input.tenantId))),
  createRoom: allowed("centre.configure")
    .input(roomInput)
    .mutation(({ ctx, input }) => ctx.run((tx) => createRoom(tx, input))),
  editRoom: allowed("centre.configure")
    .input(roomInput.extend(versioned))
    .mutation(({ ctx, input }) => ctx.run((tx) => editRoom(tx, input))),

  committees: allowed("centre.read")
    .input(ofTenant)
    .query(({ ctx, input }) => ctx.run((tx) => listCommittees(tx, input.tenantId))),
  saveCommittee: allowed("centre.configure")
    .input(committeeInput)
    .mutation(({ ctx, input }) => ctx.run((tx) => saveCommittee(tx, input))),

  bookings: allowed("centre.read")
    .input(timeSpan(ofTenant.extend({ roomId: id().optional(), from: instant(), to: instant() })))
    .query(({ ctx, input }) => ctx.run((tx) => listBookings(tx, input))),
  book: allowed("booking.manage")
    .input(
      timeSpan(
        strict({
          roomId: id(),
          startsAt: instant(),
          endsAt: instant(),
          title: text(100),
          mediatorIds: z.array(id()).max(10).default([]),
          caseId: id().nullish(),
        }),
      ),
    )
    .mutation(({ ctx, input }) => ctx.run((tx) => bookRoom(tx, input))),
  cancelBooking: allowed("booking.manage")
    .input(strict({ id: id(), version: version() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => cancelBooking(tx, input))),
});
