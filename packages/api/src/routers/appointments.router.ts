import { id, strict } from "../input.ts";
import { appointmentsQuery, markAppointmentInput, offerInput, receiveAppointmentInput } from "../schemas/booking.ts";
import {
  listAppointments,
  listOffers,
  markAppointment,
  receiveAppointment,
  saveOffer,
} from "../services/appointments.ts";
import { allowed, router } from "../trpc.ts";

/**
 * Online booking (网上预约) on the centre's side: what is bookable (under the centre
 * configuration permission), the bookings people made, and the clerk's actions on them. The
 * public page's requests are HTTP routes (/public/booking/*), outside tRPC and without a session.
 */
export const appointmentsRouter = router({
  offers: allowed("centre.read")
    .input(strict({ tenantId: id().optional() }))
    .query(({ ctx, input }) => ctx.run((tx) => listOffers(tx, input.tenantId))),
  saveOffer: allowed("centre.configure")
    .input(offerInput)
    .mutation(({ ctx, input }) => ctx.run((tx) => saveOffer(tx, input))),
  list: allowed("appointment.read")
    .input(appointmentsQuery)
    .query(({ ctx, input }) => ctx.run((tx) => listAppointments(tx, input))),
  mark: allowed("appointment.handle")
    .input(markAppointmentInput)
    .mutation(({ ctx, input }) => ctx.run((tx) => markAppointment(tx, input))),
  receive: allowed("appointment.handle")
    .input(receiveAppointmentInput)
    .mutation(({ ctx, input }) => ctx.run((tx) => receiveAppointment(tx, input, ctx.cipher))),
});
