import { describe, expect, it } from "vitest";
import { listProcedures } from "./procedures.ts";

/**
 * Every procedure's answer is a contract (other clients, an idempotent retry, the UI's session,
 * its cockpit, the case, configuration and account pages): each declares `.output()`, so that
 * tRPC checks every answer against the schema and the UI's types are the schema's. A procedure
 * added without one, or one that loses it, fails here (read from the router: no hand list).
 */
describe("the output contracts", () => {
  it("are declared by every procedure", () => {
    const procedures = listProcedures();
    expect(procedures.length).toBeGreaterThan(0);
    expect(procedures.filter((p) => !p.output).map((p) => p.path)).toEqual([]);
  });
});
