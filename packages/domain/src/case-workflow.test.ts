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

const EVERY_ROLE = ["tenant_admin", "intake_clerk", "mediator", "leader", "grid_worker"];

describe("the case state machine", () => {
  // Exhaustive: every (state, action) pair is either in the map or refused with PRECONDITION_FAILED.
  for (const state of CASE_STATES) {
    for (const action of CASE_ACTIONS) {
      const allowed = TRANSITIONS[action].from.includes(state);
      it(`${action} from ${state} is ${allowed ? "allowed" : "refused"}`, () => {
        if (allowed) {
          const to = nextState(state, action, EVERY_ROLE, "in_mediation");
          expect(CASE_STATES).toContain(to);
        } else {
          try {
            nextState(state, action, EVERY_ROLE, "in_mediation");
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
    expect(() => nextState("registered", "accept", ["grid_worker"])).toThrow(/may not accept/);
    expect(() => nextState("closed", "archive", ["mediator"])).toThrowError(AppError);
    expect(nextState("returned", "resubmit", ["grid_worker"])).toBe("registered");
  });

  it("resumes to the state the case was held from", () => {
    expect(nextState("on_hold", "resume", EVERY_ROLE, "triaged")).toBe("triaged");
    expect(() => nextState("on_hold", "resume", EVERY_ROLE, null)).toThrowError(AppError);
  });

  it("terminal states allow nothing; every other state allows something", () => {
    for (const s of CASE_STATES) {
      expect(availableActions(s, EVERY_ROLE).length === 0).toBe(TERMINAL_STATES.includes(s));
    }
  });

  it("every state is reachable from registration", () => {
    const seen = new Set<CaseState>(["registered"]);
    const queue: CaseState[] = ["registered"];
    while (queue.length) {
      const s = queue.shift()!;
      for (const a of availableActions(s, EVERY_ROLE)) {
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
          const allowed = availableActions(state, EVERY_ROLE).includes(action);
          if (!allowed) {
            expect(() => nextState(state, action, EVERY_ROLE, heldFrom)).toThrowError(AppError);
            continue;
          }
          const next = nextState(state, action, EVERY_ROLE, heldFrom);
          if (next === "on_hold") heldFrom = state;
          expect(CASE_STATES).toContain(next);
          expect(next).not.toBe("held_from");
          if (action === "resume") expect(next).toBe(heldFrom);
          state = next;
        }
        if (TERMINAL_STATES.includes(state)) expect(availableActions(state, EVERY_ROLE)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
