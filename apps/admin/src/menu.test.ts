import type { Level } from "@zongzhi/domain/division";
import { describe, expect, it } from "vitest";
import { type MessageKey, t } from "./i18n.ts";
import { allMenuHrefs, homeSectionsFor, type MenuUser, mayVisit, menuFor } from "./menu.ts";

const unit = (level: Level): MenuUser["tenant"] => {
  const code = { province: "62", city: "6209", county: "620981", township: "620981101", village: "620981101001" }[
    level
  ];
  return { code, level };
};
const user = (roles: string[], level: Level | null): MenuUser => ({ roles, tenant: level ? unit(level) : null });
const hrefs = (u: MenuUser) => menuFor(u).flatMap((g) => g.items.map((i) => i.href));
const groups = (u: MenuUser) => menuFor(u).map((g) => g.group);
const CENTRE = allMenuHrefs().filter((h) => h.startsWith("/centre") || h === "/policies");

describe("menu by role and tier", () => {
  it("a village mediator sees its cases and no centre configuration", () => {
    const m = user(["mediator"], "village");
    expect(groups(m)).toEqual(["work", "cases"]);
    // A village mediator also reports from the field (现场上报, issue 13 §2).
    expect(hrefs(m)).toEqual(["/", "/messages", "/notices", "/cases", "/cases/new", "/report", "/supervision"]);
  });

  it("a county mediator books rooms but configures nothing else", () => {
    expect(hrefs(user(["mediator"], "county")).filter((h) => CENTRE.includes(h))).toEqual(["/centre/rooms"]);
  });

  it("a liaison sees its summons only, no unit management and no case list", () => {
    expect(hrefs(user(["department_liaison"], "county"))).toEqual(["/", "/messages", "/notices", "/liaison"]);
  });

  it("a clerk has no unit or user management", () => {
    const h = hrefs(user(["intake_clerk"], "county"));
    expect(h).not.toContain("/tenants");
    expect(h).not.toContain("/users");
    expect(h).toEqual(expect.arrayContaining(["/cases", "/cases/new", "/centre/roster", "/centre/rooms"]));
    expect(h).not.toContain("/centre/windows");
    // What is bookable online is the centre administrator's; a village has no centre to offer.
    expect(h).not.toContain("/centre/booking");
    expect(hrefs(user(["tenant_admin"], "county"))).toContain("/centre/booking");
    expect(hrefs(user(["tenant_admin"], "village"))).not.toContain("/centre/booking");
  });

  it("an administrator configures its centre and manages units and users, but reads no log (三权分立)", () => {
    const h = hrefs(user(["tenant_admin"], "township"));
    expect(h).toEqual(expect.arrayContaining([...CENTRE, "/tenants", "/users"]));
    for (const log of ["/audit", "/logs/operations", "/logs/sign-in"]) expect(h).not.toContain(log);
    // Sessions are the security administrator's: no 在线用户 for the system administrator.
    expect(h).not.toContain("/system/online");
    expect(hrefs(user(["auditor"], "township"))).toEqual(expect.arrayContaining(["/audit", "/logs/operations"]));
    const security = hrefs(user(["security_admin"], "township"));
    expect(security).toEqual(expect.arrayContaining(["/users", "/system/online"]));
    expect(security).not.toContain("/audit");
    expect(groups(user(["tenant_admin"], "township"))).toEqual(["work", "cases", "centre", "stats", "system"]);
    expect(h).toContain("/cockpit");
  });

  it("a leader oversees the centre read-only and registers nothing", () => {
    const h = hrefs(user(["leader"], "county"));
    expect(h).toEqual(expect.arrayContaining(["/centre/departments", "/centre/mediators", "/users"]));
    expect(h).not.toContain("/centre/windows");
    expect(h).not.toContain("/cases/new");
  });

  it("an operator sees the deployments, no unit pages and (separation of duties) no log", () => {
    expect(hrefs(user(["platform_admin"], null))).toEqual([...["/", "/users", "/platform", "/system/online"]]);
  });

  it("the installation's auditor sees the installation's logs, no deployment page and no operator page", () => {
    const h = hrefs(user(["auditor"], null));
    expect(h).toEqual(expect.arrayContaining(["/audit", "/logs/operations", "/logs/sign-in"]));
    for (const page of ["/platform", "/cases", "/tenants", "/cockpit"]) expect(h).not.toContain(page);
    expect(h).toEqual(["/", "/users", "/logs/operations", "/logs/sign-in", "/audit", "/system/online"]);
  });

  it("a page hidden from the menu cannot be opened by its address, for every role and tier", () => {
    const roles = [
      "tenant_admin",
      "intake_clerk",
      "mediator",
      "grid_worker",
      "leader",
      "auditor",
      "security_admin",
      "department_liaison",
    ];
    const levels: Level[] = ["province", "city", "county", "township", "village"];
    for (const role of roles)
      for (const level of levels) {
        const u = user([role], level);
        const shown = new Set(hrefs(u));
        for (const href of allMenuHrefs()) expect(mayVisit(u, href), `${role}@${level} ${href}`).toBe(shown.has(href));
      }
    expect(mayVisit(user(["mediator"], "village"), "/centre/windows")).toBe(false);
    expect(mayVisit(user(["department_liaison"], "county"), "/cases")).toBe(false);
    // Routes outside the menu (a case, a print view) are left to their page and the server.
    expect(mayVisit(user(["mediator"], "village"), "/cases/any-id")).toBe(true);
  });

  it("every group and item label is in the dictionary", () => {
    const labels = new Set<string>();
    for (const level of ["county", "village"] as const)
      for (const roles of [["tenant_admin"], ["intake_clerk"], ["mediator"], ["leader"], ["auditor"]])
        for (const g of menuFor(user(roles, level))) {
          labels.add(`console.group.${g.group}`);
          for (const i of g.items) labels.add(i.label);
        }
    for (const g of menuFor(user(["platform_admin"], null))) for (const i of g.items) labels.add(i.label);
    expect(labels.size).toBeGreaterThan(15);
    for (const label of labels) expect(t(label as MessageKey), label).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe("role homes", () => {
  it("each role's work sections", () => {
    expect(homeSectionsFor(user(["intake_clerk"], "county"))).toEqual(["intake"]);
    expect(homeSectionsFor(user(["mediator"], "village"))).toEqual(["mediation"]);
    expect(homeSectionsFor(user(["department_liaison"], "county"))).toEqual(["liaison"]);
    expect(homeSectionsFor(user(["tenant_admin", "intake_clerk"], "township"))).toEqual(["intake", "tiers"]);
    expect(homeSectionsFor(user(["grid_worker"], "village"))).toEqual(["reports"]);
    expect(homeSectionsFor(user(["auditor"], "county"))).toEqual([]);
    expect(homeSectionsFor(user(["platform_admin"], null))).toEqual([]);
  });
});
