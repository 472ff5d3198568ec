import { Route, Router, type RouteSectionProps, useLocation, useNavigate } from "@solidjs/router";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/solid-query";
import { errorCode } from "./api.ts";
import { Shell } from "./components/shell.tsx";
import { BulletinPage, CasePaperPage, CaseReceiptPage, Cockpit, LogsPage } from "./lazy-pages.ts";
import { AuditPage } from "./pages/audit.tsx";
import { BookingPage } from "./pages/booking.tsx";
import { CalendarPage } from "./pages/calendar.tsx";
import { CaseDetailPage } from "./pages/case-detail/index.tsx";
import { CaseInboxPage } from "./pages/case-inbox.tsx";
import { CaseIntakePage } from "./pages/case-intake.tsx";
import { CentreBookingPage } from "./pages/centre-booking.tsx";
import { CentreCommitteesPage } from "./pages/centre-committees.tsx";
import { CentreDepartmentsPage } from "./pages/centre-departments.tsx";
import { CentreMediatorsPage } from "./pages/centre-mediators.tsx";
import { CentreRoomsPage } from "./pages/centre-rooms.tsx";
import { CentreRosterPage } from "./pages/centre-roster.tsx";
import { CentreWindowsPage } from "./pages/centre-windows.tsx";
import { ChangePasswordPage } from "./pages/change-password.tsx";
import { ChannelsPage } from "./pages/channels.tsx";
import { DashboardPage } from "./pages/dashboard.tsx";
import { DictionariesPage } from "./pages/dictionaries.tsx";
import { FieldReportPage } from "./pages/field-report.tsx";
import { GridsPage } from "./pages/grids.tsx";
import { LiaisonPage } from "./pages/liaison.tsx";
import { LoginPage } from "./pages/login.tsx";
import { LookupPage } from "./pages/lookup.tsx";
import { MessagesPage } from "./pages/messages.tsx";
import { MfaPage } from "./pages/mfa.tsx";
import { NotFoundPage } from "./pages/not-found.tsx";
import { NoticesPage } from "./pages/notices.tsx";
import { OnlinePage } from "./pages/online.tsx";
import { PlatformPage } from "./pages/platform.tsx";
import { PoliciesPage } from "./pages/policies.tsx";
import { SetupPage } from "./pages/setup.tsx";
import { SupervisionPage } from "./pages/supervision.tsx";
import { TenantsPage } from "./pages/tenants.tsx";
import { UsersPage } from "./pages/users.tsx";
import { takeHadSession } from "./session.ts";
import { ToastRegion } from "./ui/toast.tsx";

/**
 * Providers under the router: one query client whose error hooks turn an ended session into
 * a trip to /login (with the expiry notice) and a pending initial password into /change-password.
 */
function Root(props: RouteSectionProps) {
  const navigate = useNavigate();
  const location = useLocation();
  let redirectedAt = 0;
  const onError = (error: unknown) => {
    const code = errorCode(error);
    if (code === "MFA_ENROLMENT_REQUIRED") {
      if (location.pathname !== "/mfa") navigate("/mfa", { replace: true });
      return;
    }
    if (code !== "UNAUTHENTICATED" && code !== "PASSWORD_CHANGE_REQUIRED") return;
    // Several queries fail together when a session ends: act on the first only.
    if (Date.now() - redirectedAt < 1500) return;
    redirectedAt = Date.now();
    if (code === "PASSWORD_CHANGE_REQUIRED") {
      navigate("/change-password", { replace: true });
      return;
    }
    const params = new URLSearchParams();
    if (takeHadSession()) params.set("expired", "1");
    const here = location.pathname + location.search;
    if (!["/", "/login", "/change-password"].includes(location.pathname)) params.set("next", here);
    client.clear();
    const query = params.toString();
    navigate(query ? `/login?${query}` : "/login", { replace: true });
  };
  const client = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: (count, error) => errorCode(error) === "NETWORK" && count < 2,
        refetchOnWindowFocus: false,
      },
      mutations: { retry: false },
    },
  });
  return (
    <QueryClientProvider client={client}>
      {props.children}
      <ToastRegion />
    </QueryClientProvider>
  );
}

/** The admin UI: public pages (sign-in, setup link), the forced password change, and the shell. */
export function App() {
  return (
    <Router root={Root}>
      <Route path="/login" component={LoginPage} />
      <Route path="/setup" component={SetupPage} />
      <Route path="/change-password" component={ChangePasswordPage} />
      <Route path="/mfa" component={MfaPage} />
      <Route path="/lookup" component={LookupPage} />
      <Route path="/booking" component={BookingPage} />
      <Route path="/" component={Shell}>
        <Route path="/" component={DashboardPage} />
        <Route path="/cockpit" component={Cockpit} />
        <Route path="/bulletin" component={BulletinPage} />
        <Route path="/tenants" component={TenantsPage} />
        <Route path="/users" component={UsersPage} />
        <Route path="/platform" component={PlatformPage} />
        <Route path="/audit" component={AuditPage} />
        <Route path="/logs/:log" component={LogsPage} />
        <Route path="/messages" component={MessagesPage} />
        <Route path="/notices" component={NoticesPage} />
        <Route path="/cases" component={CaseInboxPage} />
        <Route path="/cases/new" component={CaseIntakePage} />
        <Route path="/cases/:id" component={CaseDetailPage} />
        <Route path="/cases/:id/receipt" component={CaseReceiptPage} />
        <Route path="/cases/:id/papers/:kind" component={CasePaperPage} />
        <Route path="/liaison" component={LiaisonPage} />
        <Route path="/centre/departments" component={CentreDepartmentsPage} />
        <Route path="/centre/roster" component={CentreRosterPage} />
        <Route path="/centre/windows" component={CentreWindowsPage} />
        <Route path="/centre/rooms" component={CentreRoomsPage} />
        <Route path="/centre/booking" component={CentreBookingPage} />
        <Route path="/centre/committees" component={CentreCommitteesPage} />
        <Route path="/centre/mediators" component={CentreMediatorsPage} />
        <Route path="/grids" component={GridsPage} />
        <Route path="/channels" component={ChannelsPage} />
        <Route path="/report" component={FieldReportPage} />
        <Route path="/supervision" component={SupervisionPage} />
        <Route path="/policies" component={PoliciesPage} />
        <Route path="/system/online" component={OnlinePage} />
        <Route path="/system/calendar" component={CalendarPage} />
        <Route path="/system/dictionaries" component={DictionariesPage} />
        <Route path="*404" component={NotFoundPage} />
      </Route>
    </Router>
  );
}
