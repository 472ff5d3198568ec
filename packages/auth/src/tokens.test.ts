import { describe, expect, it } from "vitest";
import { can, permissionsOf } from "./permissions.ts";
import { mintToken, parseToken, secretMatches } from "./tokens.ts";

describe("session tokens", () => {
  it("are <id>.<secret> with a 160-bit secret and only its SHA-256 kept", () => {
    const t = mintToken();
    const parsed = parseToken(t.token)!;
    expect(parsed.id).toBe(t.id);
    expect(parsed.secret).toHaveLength(32); // 32 base32 characters = 160 bits
    expect(t.secretHash).toHaveLength(32);
    expect(secretMatches(parsed.secret, t.secretHash)).toBe(true);
    expect(
      secretMatches(
        parsed.secret.replace(/.$/, (c) => (c === "a" ? "b" : "a")),
        t.secretHash,
      ),
    ).toBe(false);
  });

  it("never repeat", () => {
    const seen = new Set(Array.from({ length: 2000 }, () => mintToken().token));
    expect(seen.size).toBe(2000);
  });

  it("malformed tokens are refused before any lookup", () => {
    for (const bad of [
      "",
      "abc",
      "a.b",
      `${"a".repeat(24)}.${"1".repeat(32)}`,
      `${"a".repeat(24)}.${"a".repeat(32)}x`,
    ]) {
      expect(parseToken(bad)).toBeNull();
    }
  });
});

describe("permissions", () => {
  it("are checked in one table: clerks read, admins onboard, operators manage deployments", () => {
    expect(can(["intake_clerk"], "tenant.read")).toBe(true);
    expect(can(["intake_clerk"], "tenant.onboard")).toBe(false);
    expect(can(["tenant_admin"], "tenant.onboard")).toBe(true);
    expect(can(["tenant_admin"], "platform.deployments")).toBe(false);
    expect(can(["platform_admin"], "platform.deployments")).toBe(true);
    // An auditor reads; its only writes are its own account and acknowledging a notice it received.
    expect(permissionsOf(["auditor"])).toEqual([
      "account.self",
      "audit.read",
      "case.integrity",
      "case.read",
      "centre.read",
      "channel.read",
      "grid.read",
      "notice.acknowledge",
      "notice.read",
      "session.read",
      "stats.read",
      "tenant.read",
      "user.read",
    ]);
    // Separation of duties (三权分立): the security administrator holds roles, sessions and the
    // second-factor policy; the centre administrator (system administrator) holds none of them.
    expect(permissionsOf(["security_admin"])).toEqual([
      "account.self",
      "centre.read",
      "mfa.require",
      "mfa.reset",
      "notice.acknowledge",
      "notice.read",
      "role.grant",
      "session.read",
      "session.revoke",
      "tenant.read",
      "user.manage",
      "user.read",
    ]);
    for (const p of ["role.grant", "session.read", "session.revoke", "mfa.require", "mfa.reset", "audit.read"] as const)
      expect(can(["tenant_admin"], p), p).toBe(false);
    expect(can(["tenant_admin"], "user.manage")).toBe(true);
    expect(can(["tenant_admin"], "centre.configure")).toBe(true);
    // A liaison sees only what its department is summoned to; it cannot register cases.
    expect(can(["department_liaison"], "case.register")).toBe(false);
    expect(can(["department_liaison"], "case.read")).toBe(false);
    expect(can(["department_liaison"], "summons.answer")).toBe(true);
    expect(can(["no_such_role"], "tenant.read")).toBe(false);
  });
});
