import { describe, expect, it } from "vitest";
import { scopeSettings } from "./client.ts";

// The tenant context is written into SET LOCAL statements (Citus passes those on to its workers;
// SET takes no bind parameter), so every value is matched against its pattern first.

const TENANT = "0b9d5e1c-3f7a-4c1e-9a0d-2b6f8e4c7a11";
const ctx = {
  scope: "620981101",
  tenantId: TENANT,
  userId: null,
  roles: ["tenant_admin", "mediator"],
  requestId: "r-1",
};

describe("scopeSettings", () => {
  it("writes the five settings as transaction-local SETs", () => {
    expect(scopeSettings(ctx)).toEqual([
      "set local app.scope = '620981101'",
      `set local app.tenant_id = '${TENANT}'`,
      "set local app.user_id = ''",
      "set local app.roles = 'tenant_admin,mediator'",
      "set local app.request_id = 'r-1'",
    ]);
    expect(scopeSettings({ scope: "!", tenantId: null, userId: null, roles: [] })[0]).toBe("set local app.scope = '!'");
  });

  it.each([
    ["scope", { scope: "620981'; reset role; --" }],
    ["scope", { scope: "6" }],
    ["scope", { scope: "6209811010011" }],
    ["tenant id", { tenantId: `${TENANT}'` }],
    ["tenant id", { tenantId: "not-a-uuid" }],
    ["user id", { userId: "x' or '1" }],
    ["roles", { roles: ["tenant_admin'"] }],
    ["roles", { roles: ["Admin"] }],
    ["roles", { roles: ["tenant_admin", ""] }],
    ["request id", { requestId: "a\\'b" }],
    ["request id", { requestId: "x".repeat(65) }],
    ["request id", { requestId: "a b" }],
  ])("refuses a %s outside its pattern", (name, change) => {
    expect(() => scopeSettings({ ...ctx, ...change })).toThrow(`invalid ${name}`);
  });
});
