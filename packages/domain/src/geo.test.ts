import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { haversineMetres, trackLengthMetres } from "./geo.ts";

describe("patrol track lengths", () => {
  it.each([
    // One degree of latitude is about 111.2 km anywhere.
    [[97.0, 40.0], [97.0, 41.0], 111_195],
    // One degree of longitude at 40° N is about 85.3 km.
    [[97.0, 40.0], [98.0, 40.0], 85_180],
    // A quarter of the equator, and pole to pole: π/2 and π earth radii.
    [[0, 0], [90, 0], 10_007_557],
    [[0, 90], [0, -90], 20_015_115],
    [[97.0, 40.0], [97.0, 40.0], 0],
  ])("from %j to %j is about %i m", (a, b, metres) => {
    expect(Math.abs(haversineMetres(a, b) - metres)).toBeLessThan(metres * 0.003 + 1);
  });

  it("sums the segments of a line, whole metres", () => {
    // Three 0.001° steps north at 40° N: 3 × 111.19 m.
    const line = [
      [97.0, 40.0],
      [97.0, 40.001],
      [97.0, 40.002],
      [97.0, 40.003],
    ];
    expect(trackLengthMetres(line)).toBe(334);
    expect(trackLengthMetres(line.slice(0, 1))).toBe(0);
    expect(trackLengthMetres([])).toBe(0);
  });

  it("is never shorter than the straight line from start to end, and does not depend on the direction", () => {
    const position = fc.tuple(
      fc.double({ min: 73, max: 135, noNaN: true }),
      fc.double({ min: 18, max: 54, noNaN: true }),
    );
    fc.assert(
      fc.property(fc.array(position, { minLength: 2, maxLength: 30 }), (line) => {
        const length = trackLengthMetres(line);
        expect(length + 1).toBeGreaterThanOrEqual(haversineMetres(line[0]!, line.at(-1)!));
        expect(Math.abs(trackLengthMetres([...line].reverse()) - length)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
