import { describe, expect, it } from "vitest";
import { GRID_TIERS, tierBelow } from "./grid.ts";

describe("tierBelow", () => {
  it("starts a grid without a parent on the township tier", () => {
    expect(tierBelow(null)).toBe("township");
  });
  it("puts a child one tier below its parent, and keeps micro-grids on the last tier", () => {
    expect(tierBelow("township")).toBe("village");
    expect(tierBelow("village")).toBe("group");
    expect(tierBelow("group")).toBe("micro");
    expect(tierBelow("micro")).toBe("micro");
    expect(GRID_TIERS.at(-1)).toBe("micro");
  });
});
