import { appointmentsRouter } from "./routers/appointments.router.ts";
import { auditRouter } from "./routers/audit.router.ts";
import { authRouter } from "./routers/auth.router.ts";
import { calendarRouter } from "./routers/calendar.router.ts";
import { casesRouter } from "./routers/cases.router.ts";
import { centreRouter } from "./routers/centre.router.ts";
import { channelsRouter } from "./routers/channels.router.ts";
import { cockpitRouter } from "./routers/cockpit.router.ts";
import { dictionariesRouter } from "./routers/dictionaries.router.ts";
import { escalationRouter } from "./routers/escalation.router.ts";
import { gridsRouter } from "./routers/grids.router.ts";
import { mfaRouter } from "./routers/mfa.router.ts";
import { noticesRouter } from "./routers/notices.router.ts";
import { patrolsRouter } from "./routers/patrols.router.ts";
import { platformRouter } from "./routers/platform.router.ts";
import { tenantsRouter } from "./routers/tenants.router.ts";
import { usersRouter } from "./routers/users.router.ts";
import { createCallerFactory, router } from "./trpc.ts";

/** The whole API: one router per aggregate. */
export const appRouter = router({
  auth: authRouter,
  tenants: tenantsRouter,
  users: usersRouter,
  platform: platformRouter,
  audit: auditRouter,
  centre: centreRouter,
  cases: casesRouter,
  escalation: escalationRouter,
  cockpit: cockpitRouter,
  calendar: calendarRouter,
  notices: noticesRouter,
  dictionaries: dictionariesRouter,
  mfa: mfaRouter,
  grids: gridsRouter,
  channels: channelsRouter,
  patrols: patrolsRouter,
  appointments: appointmentsRouter,
});

/** Type of the API, imported by the admin UI (types only). */
export type AppRouter = typeof appRouter;

/** Calls procedures in-process (tests, CLI). */
export const createCaller = createCallerFactory(appRouter);
