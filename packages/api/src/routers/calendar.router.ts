import { z } from "zod";
import { id, int32, isoDate, longText, strict, text } from "../input.ts";
import { created } from "../schemas/common.ts";
import { calendarYearView, savedDays } from "../schemas/config-views.ts";
import { calendarYear, removeCalendarDay, setCalendarDays } from "../services/calendar.ts";
import { allowed, router } from "../trpc.ts";

const day = strict({
  date: isoDate(),
  workday: z.boolean(),
  name: text(20).nullable().optional(),
  note: longText(200, { min: 0 }).nullable().optional(),
});

/** The working calendar (工作日历): the package's holidays, and a unit's own entries inherited down the tree. */
export const calendarRouter = router({
  /** A year as the caller's unit counts it: the package's days, the entries in force, their disagreements. */
  year: allowed("centre.read")
    .input(strict({ year: int32({ min: 2000, max: 2100 }) }))
    .output(calendarYearView)
    .query(({ ctx, input }) => ctx.run((tx) => calendarYear(tx, input.year))),

  /** Enters days (a year's State Council notice at once, or one local adjustment); replaces an entered date. */
  setDays: allowed("calendar.manage")
    .input(strict({ days: z.array(day).min(1).max(400) }))
    .output(savedDays)
    .mutation(({ ctx, input }) => ctx.run((tx) => setCalendarDays(tx, input.days))),

  /** Removes one of the unit's own entries. */
  removeDay: allowed("calendar.manage")
    .input(strict({ id: id() }))
    .output(created)
    .mutation(({ ctx, input }) => ctx.run((tx) => removeCalendarDay(tx, input.id))),
});
