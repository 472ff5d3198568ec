import type { Level } from "@zongzhi/domain/division";
import { authorizeOn, holds, INSTALLATION_CODE, type Permission, readsOnlySummoned } from "@zongzhi/domain/permissions";

/**
 * The grouped side menu (工作台 / 案件 / 中心配置 / 统计 / 系统), derived from the one
 * permission table: an item shows when the user's roles may use it *at their own unit's tier*
 * (`authorizeOn` with the unit as subject, so tier-bound grants count). Pure, so that a unit
 * test walks every role and tier; the server checks again on every call.
 */
export const MENU_GROUPS = ["work", "cases", "centre", "stats", "system"] as const;
/** One group of the menu. */
export type MenuGroup = (typeof MENU_GROUPS)[number];

/** What the menu needs to know about the user. */
export interface MenuUser {
  roles: readonly string[];
  tenant: { code: string; level: Level } | null;
}

/** One entry: its route and the key of its label (in the admin's dictionary). */
export interface MenuItem {
  href: string;
  label: string;
}

/** May the user exercise `permission` at home (subject: its own unit)? */
export function mayHere(user: MenuUser, permission: Permission): boolean {
  return authorizeOn(
    { roles: user.roles, scope: user.tenant?.code ?? INSTALLATION_CODE },
    permission,
    user.tenant?.code ?? INSTALLATION_CODE,
  );
}

/** Tiers with a centre of their own (中心); a village has an outpost without rooms, windows or a roster. */
const CENTRE_TIERS: readonly Level[] = ["province", "city", "county", "township"];

interface Entry extends MenuItem {
  group: MenuGroup;
  show: (user: MenuUser) => boolean;
}

const inUnit = (user: MenuUser) => user.tenant !== null;
const atCentre = (user: MenuUser) => user.tenant !== null && CENTRE_TIERS.includes(user.tenant.level);
const configures = (user: MenuUser) => inUnit(user) && mayHere(user, "centre.configure");
const readsAllCases = (user: MenuUser) =>
  inUnit(user) && holds(user.roles, "case.read") && !readsOnlySummoned(user.roles);
/** Leaders oversee the centre's set-up without changing it. */
const oversees = (user: MenuUser) => atCentre(user) && mayHere(user, "supervision.open");
/** Those who set a centre up, and its leaders who oversee it. */
const configuresOrOversees = (user: MenuUser) => configures(user) || oversees(user);

const ENTRIES: Entry[] = [
  { group: "work", href: "/", label: "nav.dashboard", show: () => true },
  { group: "work", href: "/messages", label: "console.nav.messages", show: inUnit },
  {
    group: "work",
    href: "/notices",
    label: "system.nav.notices",
    show: (u) => inUnit(u) && holds(u.roles, "notice.read"),
  },

  { group: "cases", href: "/cases", label: "cases.nav.inbox", show: readsAllCases },
  {
    group: "cases",
    href: "/cases/new",
    label: "console.nav.register",
    show: (u) => inUnit(u) && mayHere(u, "case.register"),
  },
  {
    group: "cases",
    href: "/liaison",
    label: "cases.nav.liaison",
    show: (u) => inUnit(u) && mayHere(u, "summons.answer"),
  },
  // 现场上报 from the phone: whoever registers cases at a village or township (the grid's tiers).
  {
    group: "cases",
    href: "/report",
    label: "field.nav",
    show: (u) => inUnit(u) && mayHere(u, "case.register") && ["township", "village"].includes(u.tenant!.level),
  },
  { group: "cases", href: "/supervision", label: "escalation.nav.supervision", show: readsAllCases },

  {
    group: "centre",
    href: "/centre/departments",
    label: "centre.nav.departments",
    show: configuresOrOversees,
  },
  {
    group: "centre",
    href: "/centre/roster",
    label: "centre.nav.roster",
    show: (u) => configuresOrOversees(u) || (atCentre(u) && mayHere(u, "case.summon")),
  },
  { group: "centre", href: "/centre/windows", label: "centre.nav.windows", show: configures },
  {
    group: "centre",
    href: "/centre/rooms",
    label: "centre.nav.rooms",
    show: (u) => configures(u) || (atCentre(u) && mayHere(u, "booking.manage")),
  },
  // 网上预约设置: what the centre opens for booking (its windows and rooms), so only at a centre.
  { group: "centre", href: "/centre/booking", label: "centre.nav.booking", show: (u) => atCentre(u) && configures(u) },
  { group: "centre", href: "/centre/committees", label: "centre.nav.committees", show: configures },
  {
    group: "centre",
    href: "/centre/mediators",
    label: "centre.nav.mediators",
    show: configuresOrOversees,
  },
  {
    group: "centre",
    href: "/grids",
    label: "grid.nav.grids",
    // Who divides the land and staffs the grids, and the leaders who supervise them.
    show: (u) => (inUnit(u) && mayHere(u, "grid.manage")) || oversees(u),
  },
  { group: "centre", href: "/policies", label: "escalation.nav.policies", show: configures },
  {
    group: "centre",
    href: "/system/calendar",
    label: "system.nav.calendar",
    show: configuresOrOversees,
  },

  {
    group: "stats",
    href: "/cockpit",
    label: "cockpit.title",
    show: (u) => atCentre(u) && holds(u.roles, "stats.read"),
  },

  { group: "system", href: "/tenants", label: "nav.tenants", show: (u) => inUnit(u) && mayHere(u, "tenant.onboard") },
  { group: "system", href: "/channels", label: "channels.nav", show: (u) => inUnit(u) && mayHere(u, "channel.manage") },
  { group: "system", href: "/users", label: "nav.users", show: (u) => holds(u.roles, "user.read") },
  { group: "system", href: "/platform", label: "nav.platform", show: (u) => holds(u.roles, "platform.deployments") },
  {
    group: "system",
    href: "/logs/operations",
    label: "console.nav.operationLog",
    show: (u) => holds(u.roles, "audit.read"),
  },
  { group: "system", href: "/logs/sign-in", label: "console.nav.signInLog", show: (u) => holds(u.roles, "audit.read") },
  { group: "system", href: "/audit", label: "nav.audit", show: (u) => holds(u.roles, "audit.read") },
  { group: "system", href: "/system/online", label: "system.nav.online", show: (u) => holds(u.roles, "session.read") },
];

/**
 * May the user open the page at `href`? The same rule as its menu item, so that a page hidden
 * from the menu cannot be reached by typing its address; a route outside the menu (a case, a
 * print view) is open to everyone signed in and its page and the server decide. The server
 * refuses the calls behind a page in any case: this spares the user a page of errors.
 */
export function mayVisit(user: MenuUser, href: string): boolean {
  const entry = ENTRIES.find((e) => e.href === href);
  return entry ? entry.show(user) : true;
}

/** The user's menu: non-empty groups in order, each with the items the user can use. */
export function menuFor(user: MenuUser): { group: MenuGroup; items: MenuItem[] }[] {
  const all = ENTRIES;
  return MENU_GROUPS.map((group) => ({
    group,
    items: all.filter((e) => e.group === group && e.show(user)).map(({ href, label }) => ({ href, label })),
  })).filter((g) => g.items.length > 0);
}

/** Every route of the menu (whatever the user), for tests. */
export function allMenuHrefs(): string[] {
  return ENTRIES.map((e) => e.href);
}

/** The work sections of a home page (工作台), in display order. */
export const HOME_SECTIONS = ["liaison", "intake", "mediation", "tiers", "reports"] as const;
/** One work section of the home. */
export type HomeSection = (typeof HOME_SECTIONS)[number];

/**
 * Each role's work (issue 12 §1): the clerk's intake, the mediator's cases and sessions, the
 * liaison's summons, the administrator's and leader's tier moves (sign-for, returned, overdue;
 * the leader's cockpit replaces this once it lands), the grid worker's reports. A section is
 * offered only when the permission behind its actions holds at the user's tier.
 */
const SECTION_OF_ROLE: Record<string, { section: HomeSection; needs: Permission }[]> = {
  intake_clerk: [{ section: "intake", needs: "case.accept" }],
  mediator: [{ section: "mediation", needs: "case.session" }],
  department_liaison: [{ section: "liaison", needs: "summons.answer" }],
  tenant_admin: [{ section: "tiers", needs: "case.sign_for" }],
  leader: [{ section: "tiers", needs: "case.sign_for" }],
  grid_worker: [{ section: "reports", needs: "case.register" }],
};

/** The sections of the user's home, deduplicated, in {@link HOME_SECTIONS} order. */
export function homeSectionsFor(user: MenuUser): HomeSection[] {
  if (!user.tenant) return [];
  const wanted = new Set<HomeSection>();
  for (const role of user.roles)
    for (const { section, needs } of SECTION_OF_ROLE[role] ?? []) if (mayHere(user, needs)) wanted.add(section);
  return HOME_SECTIONS.filter((s) => wanted.has(s));
}
