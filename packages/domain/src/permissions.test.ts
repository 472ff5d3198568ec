import { describe, expect, it } from "vitest";
import {
  type Actor,
  authorize,
  authorizeOn,
  homePageOf,
  PERMISSION_TABLE,
  PERMISSIONS,
  type PermissionRule,
  permissionsOf,
  RELATIONS,
  readsOnlySummoned,
  relationOf,
  SYSTEM_ACTORS,
  SYSTEM_PERMISSIONS,
} from "./permissions.ts";
import { ADMIN_POWERS, adminPowersOf, ROLES, separationOfDutiesProblem } from "./roles.ts";

const as = (role: string, scope: string): Actor => ({ roles: [role], scope });

describe("relationOf", () => {
  it("names the acting unit's relation to the subject's unit", () => {
    expect(relationOf("620981101", "620981101")).toBe("own");
    expect(relationOf("620981", "620981101")).toBe("ancestor");
    expect(relationOf("620981101001", "620981101")).toBe("descendant");
    expect(relationOf("620981102", "620981101")).toBe("sibling");
    expect(relationOf("140881", "620981101", "140881")).toBe("other_deployment");
    expect(relationOf("620981102", "620981101", "62")).toBe("sibling");
    expect(relationOf("!", "620981")).toBe("other_deployment");
    expect(relationOf("!", "!")).toBe("own");
  });
});

describe("the permission table", () => {
  it("has a name and only known roles in every row", () => {
    for (const p of PERMISSIONS) {
      const rule: PermissionRule = PERMISSION_TABLE[p];
      expect(rule.name.zh.length * rule.name.en.length).toBeGreaterThan(0);
      for (const role of Object.keys(rule.grants)) expect(ROLES).toContain(role);
    }
  });

  it("never lets a write reach a sibling or another deployment", () => {
    for (const p of PERMISSIONS) {
      const rule: PermissionRule = PERMISSION_TABLE[p];
      if (rule.kind !== "write") continue;
      for (const role of ROLES) {
        for (const relation of ["sibling", "other_deployment"] as const) {
          expect(authorize(as(role, "620981101"), p, relation), `${p} ${role} ${relation}`).toBe(false);
        }
      }
    }
  });

  it("an auditor writes nothing but its own account (and its notice receipts); a liaison only answers summons (and attaches)", () => {
    for (const p of PERMISSIONS) {
      const rule: PermissionRule = PERMISSION_TABLE[p];
      if (rule.kind !== "write") continue;
      for (const relation of RELATIONS) {
        expect(authorize(as("auditor", "620981"), p, relation)).toBe(
          (p === "account.self" || p === "notice.acknowledge") && relation === "own",
        );
      }
    }
    const liaison = permissionsOf(["department_liaison"]).filter((p) => PERMISSION_TABLE[p].kind === "write");
    expect(liaison).toEqual(["account.self", "case.attach", "notice.acknowledge", "summons.answer"]);
    expect(readsOnlySummoned(["department_liaison"])).toBe(true);
    expect(readsOnlySummoned(["department_liaison", "auditor"])).toBe(false);
  });

  it("a leader below the owner may neither supervise nor take charge; at or above it may", () => {
    for (const p of ["supervision.open", "case.take_charge"] as const) {
      expect(authorizeOn(as("leader", "620981101001"), p, "620981101")).toBe(false);
      expect(authorizeOn(as("leader", "620981101"), p, "620981")).toBe(false);
      expect(authorizeOn(as("leader", "620981101"), p, "620981101")).toBe(true);
      expect(authorizeOn(as("leader", "620981"), p, "620981101")).toBe(true);
      expect(authorizeOn(as("tenant_admin", "620981"), p, "620981101")).toBe(false);
    }
  });

  it("a village mediator accepts and triages at its village; elsewhere mediators do not triage", () => {
    expect(authorizeOn(as("mediator", "620981101001"), "case.accept", "620981101001")).toBe(true);
    expect(authorizeOn(as("mediator", "620981101001"), "case.triage", "620981101001")).toBe(true);
    expect(authorizeOn(as("mediator", "620981101"), "case.triage", "620981101")).toBe(false);
    expect(authorizeOn(as("mediator", "620981101"), "case.fail", "620981101")).toBe(true);
  });

  it("follow-ups are work, not reading: the auditor cannot record one", () => {
    expect(authorizeOn(as("auditor", "620981101"), "case.follow_up", "620981101")).toBe(false);
    expect(authorizeOn(as("intake_clerk", "620981101"), "case.follow_up", "620981101")).toBe(true);
  });

  it("system actors hold only their own rows, never across deployments", () => {
    for (const system of SYSTEM_ACTORS) {
      for (const p of PERMISSIONS) {
        const listed = SYSTEM_PERMISSIONS[system].permissions.includes(p);
        expect(authorize({ system, scope: "620981" }, p, "ancestor")).toBe(listed);
        expect(authorize({ system, scope: "620981" }, p, "other_deployment")).toBe(false);
      }
    }
  });

  it("keeps the three administrative powers apart (三权分立)", () => {
    // Only the audit administrator reads the logs; only the security administrator (and the
    // operator, for a new deployment's first administrator) grants roles.
    const holders = (p: keyof typeof PERMISSION_TABLE) => Object.keys(PERMISSION_TABLE[p].grants).sort();
    expect(holders("audit.read")).toEqual(["auditor"]);
    expect(holders("role.grant")).toEqual(["platform_admin", "security_admin"]);
    // Sessions and the second-factor policy are the security administrator's, not the centre's.
    expect(holders("session.revoke")).toEqual(["platform_admin", "security_admin"]);
    expect(holders("session.read")).toEqual(["auditor", "platform_admin", "security_admin"]);
    expect(holders("mfa.require")).toEqual(["security_admin"]);
    expect(holders("mfa.reset")).toEqual(["platform_admin", "security_admin"]);
    // No permission of one power's own is held by another power's role.
    for (const [power, roles] of Object.entries(ADMIN_POWERS)) {
      for (const role of roles) expect(adminPowersOf([role])).toEqual([power]);
    }
    expect(permissionsOf(["security_admin"]).filter((p) => PERMISSION_TABLE[p].kind === "read")).not.toContain(
      "audit.read",
    );
    expect(permissionsOf(["tenant_admin"])).not.toContain("audit.read");
    expect(permissionsOf(["tenant_admin"])).not.toContain("role.grant");
    for (const p of ["session.read", "session.revoke", "mfa.require", "mfa.reset"] as const)
      expect(permissionsOf(["tenant_admin"])).not.toContain(p);
    expect(permissionsOf(["auditor"])).not.toContain("role.grant");
  });

  it("names the powers a set of roles would combine", () => {
    expect(separationOfDutiesProblem(["tenant_admin", "leader", "intake_clerk"])).toBeNull();
    expect(separationOfDutiesProblem(["security_admin"])).toBeNull();
    expect(separationOfDutiesProblem(["tenant_admin", "auditor"])).toEqual({
      zh: "三权分立：同一账号不能兼任系统管理员和审计管理员",
      en: "Separation of duties: one account cannot be both system administrator and audit administrator",
    });
    expect(separationOfDutiesProblem(["auditor", "security_admin", "platform_admin"])?.zh).toBe(
      "三权分立：同一账号不能兼任系统管理员和安全管理员和审计管理员",
    );
  });
});

describe("homePageOf", () => {
  it("starts the leader and the centre's administrator on the cockpit, everyone else on their work", () => {
    const home = Object.fromEntries(ROLES.map((r) => [r, homePageOf({ roles: [r], scope: "620981" })]));
    expect(home).toEqual({
      platform_admin: "work",
      tenant_admin: "cockpit",
      security_admin: "work",
      intake_clerk: "work",
      mediator: "work",
      department_liaison: "work",
      grid_worker: "work",
      leader: "cockpit",
      auditor: "work",
    });
  });

  it("follows the table: the cockpit needs both reading the figures and configuring them for the own unit", () => {
    for (const role of ROLES) {
      const actor = { roles: [role], scope: "620981101" };
      const both = authorize(actor, "stats.read", "own") && authorize(actor, "cockpit.configure", "own");
      expect(homePageOf(actor), role).toBe(both ? "cockpit" : "work");
    }
  });

  it("takes any role of several, and an operator without a unit starts on its work", () => {
    expect(homePageOf({ roles: ["intake_clerk", "leader"], scope: "6209" })).toBe("cockpit");
    expect(homePageOf({ roles: ["leader"], scope: null })).toBe("work");
  });
});
