import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CONFLICT_SCORE, type MediatorCandidate, rankMediators, scoreMediator } from "./mediator-ranking.ts";

const labourCase = { categoryCode: "labour", scopeCode: "620981101", partyNames: new Set(["张三"]) };
const mediator = (over: Partial<MediatorCandidate> = {}): MediatorCandidate => ({
  name: "王振华",
  grade: "standard",
  scopeCode: "620981",
  specialties: [],
  openCases: 0,
  ...over,
});

describe("mediator ranking", () => {
  it("adds grade, a matching specialty (+10) and the own pool (+2), minus one per open case", () => {
    expect(scoreMediator(labourCase, mediator())).toEqual({ score: 1, conflict: false, reasons: [] });
    expect(
      scoreMediator(
        labourCase,
        mediator({ grade: "chief", specialties: ["labour"], scopeCode: "620981101", openCases: 4 }),
      ),
    ).toEqual({ score: 3 + 10 + 2 - 4, conflict: false, reasons: ["specialty", "own_pool", "load"] });
  });

  it("puts a mediator who is a party (by trimmed name) below everyone, whatever else it has", () => {
    const party = mediator({ name: " 张三 ", grade: "chief", specialties: ["labour"], scopeCode: "620981101" });
    expect(scoreMediator(labourCase, party)).toEqual({
      score: CONFLICT_SCORE,
      conflict: true,
      reasons: ["specialty", "own_pool", "conflict_of_interest"],
    });
    const ranked = rankMediators(labourCase, [party, mediator({ openCases: 50 })]);
    expect(ranked.map((m) => m.conflict)).toEqual([false, true]);
  });

  it("ranks best first and breaks ties by name; the candidates' own fields are kept", () => {
    const ranked = rankMediators(labourCase, [
      { ...mediator({ name: "李四" }), id: "b" },
      { ...mediator({ name: "陈一", specialties: ["labour"] }), id: "a" },
      { ...mediator({ name: "白五" }), id: "c" },
    ]);
    expect(ranked.map((m) => m.id)).toEqual(["a", "c", "b"]);
  });

  it("is sorted by score for any candidates (a property)", () => {
    const candidate = fc.record({
      name: fc.constantFrom("王", "李", "张三", "赵"),
      grade: fc.constantFrom("chief", "senior", "standard", "unknown"),
      scopeCode: fc.constantFrom("62", "6209", "620981101"),
      specialties: fc.subarray(["labour", "land", "neighbour"]),
      openCases: fc.nat(30),
    });
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 12 }), (list) => {
        const ranked = rankMediators(labourCase, list);
        expect(ranked).toHaveLength(list.length);
        for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1]!.score).toBeGreaterThanOrEqual(ranked[i]!.score);
      }),
    );
  });
});
