import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  availableActions,
  CASE_ACTIONS,
  CASE_STATES,
  type CaseAction,
  type CaseState,
  nextState,
  TERMINAL_STATES,
  TRANSITIONS,
} from "./case-workflow.ts";
import { AppError } from "./errors.ts";

const EVERY_ROLE = { roles: ["tenant_admin", "intake_clerk", "mediator", "leader", "grid_worker"], scope: "620981" };
const as = (role: string, scope = "620981") => ({ roles: [role], scope });

describe("the case state machine", () => {
  // Exhaustive: every (state, action) pair is either in the map or refused with PRECONDITION_FAILED.
  for (const state of CASE_STATES) {
    for (const action of CASE_ACTIONS) {
      const allowed = TRANSITIONS[action].from.includes(state);
      it(`${action} from ${state} is ${allowed ? "allowed" : "refused"}`, () => {
        if (allowed) {
          const to = nextState(state, action, EVERY_ROLE, "own", "in_mediation");
          expect(CASE_STATES).toContain(to);
        } else {
          try {
            nextState(state, action, EVERY_ROLE, "own", "in_mediation");
            expect.unreachable();
          } catch (e) {
            expect(e).toBeInstanceOf(AppError);
            expect((e as AppError).code).toBe("PRECONDITION_FAILED");
            expect((e as AppError).messages.zh).toContain("不能执行");
          }
        }
      });
    }
  }

  it("refuses a role that may not perform the action", () => {
    expect(() => nextState("registered", "accept", as("grid_worker"), "own")).toThrow(/may not accept/);
    expect(() => nextState("closed", "archive", as("mediator"), "own")).toThrowError(AppError);
    expect(nextState("returned", "resubmit", as("grid_worker"), "own")).toBe("registered");
  });

  it("refuses a unit below the owner, and a sibling, whatever its roles", () => {
    for (const relation of ["descendant", "sibling", "other_deployment"] as const) {
      expect(() => nextState("registered", "accept", EVERY_ROLE, relation)).toThrow(/may not accept/);
    }
    expect(nextState("registered", "accept", EVERY_ROLE, "ancestor")).toBe("accepted");
  });

  it("a village mediator accepts and triages; a county mediator accepts but does not triage", () => {
    const village = as("mediator", "620981101001");
    expect(nextState("registered", "accept", village, "own")).toBe("accepted");
    expect(nextState("accepted", "triage", village, "own")).toBe("triaged");
    expect(nextState("registered", "accept", as("mediator"), "own")).toBe("accepted");
    expect(() => nextState("accepted", "triage", as("mediator"), "own")).toThrow(/may not triage/);
  });

  it("resumes to the state the case was held from", () => {
    expect(nextState("on_hold", "resume", EVERY_ROLE, "own", "triaged")).toBe("triaged");
    expect(() => nextState("on_hold", "resume", EVERY_ROLE, "own", null)).toThrowError(AppError);
  });

  it("terminal states allow nothing; every other state allows something", () => {
    for (const s of CASE_STATES) {
      expect(availableActions(s, EVERY_ROLE, "own").length === 0).toBe(TERMINAL_STATES.includes(s));
    }
  });

  it("every state is reachable from registration", () => {
    const seen = new Set<CaseState>(["registered"]);
    const queue: CaseState[] = ["registered"];
    while (queue.length) {
      const s = queue.shift()!;
      for (const a of availableActions(s, EVERY_ROLE, "own")) {
        const to = TRANSITIONS[a].to === "held_from" ? [...TRANSITIONS.hold.from] : [TRANSITIONS[a].to as CaseState];
        for (const t of to) if (!seen.has(t)) seen.add(t) && queue.push(t);
      }
    }
    expect([...seen].sort()).toEqual([...CASE_STATES].sort());
  });

  it("no sequence of allowed transitions reaches an invalid state (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...CASE_ACTIONS), { maxLength: 40 }), (actions: CaseAction[]) => {
        let state: CaseState = "registered";
        let heldFrom: CaseState | null = null;
        for (const action of actions) {
          const allowed = availableActions(state, EVERY_ROLE, "own").includes(action);
          if (!allowed) {
            expect(() => nextState(state, action, EVERY_ROLE, "own", heldFrom)).toThrowError(AppError);
            continue;
          }
          const next = nextState(state, action, EVERY_ROLE, "own", heldFrom);
          if (next === "on_hold") heldFrom = state;
          expect(CASE_STATES).toContain(next);
          expect(next).not.toBe("held_from");
          if (action === "resume") expect(next).toBe(heldFrom);
          state = next;
        }
        if (TERMINAL_STATES.includes(state)) expect(availableActions(state, EVERY_ROLE, "own")).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
