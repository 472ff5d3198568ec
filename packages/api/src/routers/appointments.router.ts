import { z } from "zod";
import { id, strict } from "../input.ts";
import {
  appointmentsQuery,
  appointmentView,
  bookingOfferView,
  markAppointmentInput,
  offerInput,
  receiveAppointmentInput,
  receivedAppointment,
} from "../schemas/booking.ts";
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
    .output(z.array(bookingOfferView))
    .query(({ ctx, input }) => ctx.run((tx) => listOffers(tx, input.tenantId))),
  saveOffer: allowed("centre.configure")
    .input(offerInput)
    .output(bookingOfferView)
    .mutation(({ ctx, input }) => ctx.run((tx) => saveOffer(tx, input))),
  list: allowed("appointment.read")
    .input(appointmentsQuery)
    .output(z.array(appointmentView))
    .query(({ ctx, input }) => ctx.run((tx) => listAppointments(tx, input))),
  mark: allowed("appointment.handle")
    .input(markAppointmentInput)
    .output(appointmentView)
    .mutation(({ ctx, input }) => ctx.run((tx) => markAppointment(tx, input))),
  receive: allowed("appointment.handle")
    .input(receiveAppointmentInput)
    .output(receivedAppointment)
    .mutation(({ ctx, input }) => ctx.run((tx) => receiveAppointment(tx, input, ctx.cipher))),
});
