import { MEDIATOR_GRADES, SPECIALTIES } from "@zongzhi/domain/centre";
import { z } from "zod";
import { id, instant, isoDate, noInput, strict, text, version } from "../input.ts";
import {
  bookingInput,
  centreContactInput,
  committeeInput,
  departmentKindEditInput,
  departmentKindInput,
  mediatorInput,
  roomInput,
  stationingEditInput,
  stationingInput,
  windowInput,
} from "../schemas/centre.ts";
import {
  bookingView,
  centreContactView,
  committeeView,
  dayRosterView,
  departmentKindView,
  mediatorView,
  roomView,
  serviceWindowView,
  stationingView,
} from "../schemas/centre-views.ts";
import { divisionCode, nothing, timeSpan } from "../schemas/common.ts";
import { bookRoom, cancelBooking, listBookings } from "../services/bookings.ts";
import { contactFor, saveCentreContact } from "../services/centre-contact.ts";
import { addMediator, editMediator, searchMediators } from "../services/mediators.ts";
import { createRoom, editRoom, listCommittees, listRooms, saveCommittee } from "../services/rooms.ts";
import {
  addDepartmentKind,
  editDepartmentKind,
  editStationing,
  listDepartmentKinds,
  listStationings,
  removeStationing,
  stationDepartment,
  weekRoster,
} from "../services/stationings.ts";
import { createWindow, editWindow, listWindows } from "../services/windows.ts";
import { allowed, router } from "../trpc.ts";

const ofTenant = strict({ tenantId: id().optional() });
const versioned = { id: id(), version: version(), active: z.boolean().default(true) };

/** A centre's own configuration: departments, roster, windows, mediators, rooms, committees, bookings. */
export const centreRouter = router({
  /**
   * The public contact the papers of a unit print (the receipt's phone): its own, else the nearest
   * centre's above it; my unit's when none is named.
   */
  contact: allowed("centre.read")
    .input(strict({ unitCode: divisionCode.optional() }))
    .output(centreContactView.nullable())
    .query(({ ctx, input }) => ctx.run((tx) => contactFor(tx, input.unitCode ?? tx.ctx.scope))),
  /** Sets my centre's public contact (phone, address, opening hours). */
  saveContact: allowed("centre.configure")
    .input(centreContactInput)
    .output(centreContactView)
    .mutation(({ ctx, input }) => ctx.run((tx) => saveCentreContact(tx, input))),

  departmentKinds: allowed("centre.read")
    .input(noInput())
    .output(z.array(departmentKindView))
    .query(({ ctx }) => ctx.run((tx) => listDepartmentKinds(tx))),
  addDepartmentKind: allowed("centre.configure")
    .input(departmentKindInput)
    .output(departmentKindView)
    .mutation(({ ctx, input }) => ctx.run((tx) => addDepartmentKind(tx, input))),
  editDepartmentKind: allowed("centre.configure")
    .input(departmentKindEditInput)
    .output(departmentKindView)
    .mutation(({ ctx, input }) => ctx.run((tx) => editDepartmentKind(tx, input))),

  stationings: allowed("centre.read")
    .input(ofTenant)
    .output(z.array(stationingView))
    .query(({ ctx, input }) => ctx.run((tx) => listStationings(tx, input.tenantId))),
  station: allowed("centre.configure")
    .input(stationingInput)
    .output(stationingView)
    .mutation(({ ctx, input }) => ctx.run((tx) => stationDepartment(tx, input))),
  editStationing: allowed("centre.configure")
    .input(stationingEditInput)
    .output(stationingView)
    .mutation(({ ctx, input }) => ctx.run((tx) => editStationing(tx, input))),
  removeStationing: allowed("centre.configure")
    .input(strict({ id: id() }))
    .output(nothing)
    .mutation(({ ctx, input }) => ctx.run((tx) => removeStationing(tx, input.id))),

  /** Who is at the centre each day of a week (official calendar with 调休). */
  roster: allowed("centre.read")
    .input(ofTenant.extend({ start: isoDate() }))
    .output(z.array(dayRosterView))
    .query(({ ctx, input }) => ctx.run((tx) => weekRoster(tx, input))),

  windows: allowed("centre.read")
    .input(ofTenant)
    .output(z.array(serviceWindowView))
    .query(({ ctx, input }) => ctx.run((tx) => listWindows(tx, input.tenantId))),
  createWindow: allowed("centre.configure")
    .input(windowInput)
    .output(serviceWindowView)
    .mutation(({ ctx, input }) => ctx.run((tx) => createWindow(tx, input))),
  editWindow: allowed("centre.configure")
    .input(windowInput.extend(versioned))
    .output(serviceWindowView)
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
    .output(z.array(mediatorView))
    .query(({ ctx, input }) => ctx.run((tx) => searchMediators(tx, input))),
  addMediator: allowed("centre.configure")
    .input(mediatorInput)
    .output(mediatorView)
    .mutation(({ ctx, input }) => ctx.run((tx) => addMediator(tx, input))),
  editMediator: allowed("centre.configure")
    .input(mediatorInput.extend(versioned))
    .output(mediatorView)
    .mutation(({ ctx, input }) => ctx.run((tx) => editMediator(tx, input))),

  rooms: allowed("centre.read")
    .input(ofTenant)
    .output(z.array(roomView))
    .query(({ ctx, input }) => ctx.run((tx) => listRooms(tx, input.tenantId))),
  createRoom: allowed("centre.configure")
    .input(roomInput)
    .output(roomView)
    .mutation(({ ctx, input }) => ctx.run((tx) => createRoom(tx, input))),
  editRoom: allowed("centre.configure")
    .input(roomInput.extend(versioned))
    .output(roomView)
    .mutation(({ ctx, input }) => ctx.run((tx) => editRoom(tx, input))),

  committees: allowed("centre.read")
    .input(ofTenant)
    .output(z.array(committeeView))
    .query(({ ctx, input }) => ctx.run((tx) => listCommittees(tx, input.tenantId))),
  saveCommittee: allowed("centre.configure")
    .input(committeeInput)
    .output(committeeView)
    .mutation(({ ctx, input }) => ctx.run((tx) => saveCommittee(tx, input))),

  bookings: allowed("centre.read")
    .input(timeSpan(ofTenant.extend({ roomId: id().optional(), from: instant(), to: instant() })))
    .output(z.array(bookingView))
    .query(({ ctx, input }) => ctx.run((tx) => listBookings(tx, input))),
  book: allowed("booking.manage")
    .input(bookingInput)
    .output(bookingView)
    .mutation(({ ctx, input }) => ctx.run((tx) => bookRoom(tx, input))),
  cancelBooking: allowed("booking.manage")
    .input(strict({ id: id(), version: version() }))
    .output(nothing)
    .mutation(({ ctx, input }) => ctx.run((tx) => cancelBooking(tx, input))),
});
