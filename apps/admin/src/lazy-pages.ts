import { lazy } from "solid-js";

// Heavy pages load on first visit, so that the sign-in and the daily case pages do not carry
// them: the cockpit with Apache ECharts, the printable bulletin and papers (QR codes), and the
// logs with their exports. No Suspense boundary on purpose: TanStack queries would suspend
// under one; the page simply appears when its chunk has arrived.

/** The leaders' cockpit (ECharts). */
export const Cockpit = lazy(() => import("./pages/cockpit.tsx").then((m) => ({ default: m.Cockpit })));
/** The monthly bulletin (一月一通报). */
export const BulletinPage = lazy(() => import("./pages/bulletin.tsx").then((m) => ({ default: m.BulletinPage })));
/** The acceptance receipt with its QR code. */
export const CaseReceiptPage = lazy(() =>
  import("./pages/case-print.tsx").then((m) => ({ default: m.CaseReceiptPage })),
);
/** The printable case papers. */
export const CasePaperPage = lazy(() => import("./pages/case-print.tsx").then((m) => ({ default: m.CasePaperPage })));
/** Operation and sign-in logs with their CSV export. */
export const LogsPage = lazy(() => import("./pages/logs.tsx").then((m) => ({ default: m.LogsPage })));
