import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ancestorCodesOf, childLevel, inSubtree, isDivisionCode, levelOfCode, parentCodeOf } from "./division.ts";

describe("division codes", () => {
  it.each([
    ["62", "province"],
    ["6209", "city"],
    ["620981", "county"],
    ["620981101", "township"],
    ["620981101201", "village"],
    ["62098", null],
    ["62098110", null],
    ["62a981", null],
    ["", null],
  ])("%s is of level %s", (code, level) => {
    expect(levelOfCode(code)).toBe(level);
  });

  it("refuses a code of the wrong level or with a leading zero", () => {
    expect(isDivisionCode("620981", "county")).toBe(true);
    expect(isDivisionCode("620981", "township")).toBe(false);
    expect(isDivisionCode("0209", "city")).toBe(false);
  });

  it("walks up the tree by prefix", () => {
    expect(parentCodeOf("620981101201")).toBe("620981101");
    expect(parentCodeOf("62")).toBeNull();
    expect(ancestorCodesOf("620981101201")).toEqual(["62", "6209", "620981", "620981101"]);
    expect(childLevel("township")).toBe("village");
    expect(childLevel("village")).toBeNull();
  });

  it("every ancestor of a code contains it, and the code extends each ancestor", () => {
    const code = fc
      .tuple(
        fc.integer({ min: 11, max: 99 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 10, maxLength: 10 }),
      )
      .map(([p, rest]) => `${p}${rest.join("")}`)
      .chain((full) => fc.constantFrom(2, 4, 6, 9, 12).map((n) => full.slice(0, n)));
    fc.assert(
      fc.property(code, (c) => {
        for (const a of ancestorCodesOf(c)) {
          expect(inSubtree(c, a)).toBe(true);
          expect(c.length).toBeGreaterThan(a.length);
        }
        expect(inSubtree(c, c)).toBe(true);
      }),
    );
  });
});
