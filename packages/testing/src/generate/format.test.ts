import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chinaDateOf, isoMicros, jsonbText, text, textArray } from "./format.ts";
import { Random, Weighted } from "./random.ts";

describe("isoMicros", () => {
  it("prints what Date prints, with the microseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 999 }), (ms, us) => {
        expect(isoMicros(ms * 1000 + us)).toBe(
          `${new Date(ms).toISOString().slice(0, 23)}${String(us).padStart(3, "0")}Z`,
        );
      }),
    );
  });

  it("gives the China date (UTC+8) of an instant", () => {
    expect(chinaDateOf(Date.parse("2026-09-30T15:59:59.999Z") * 1000)).toBe("2026-09-30");
    expect(chinaDateOf(Date.parse("2026-09-30T16:00:00Z") * 1000)).toBe("2026-10-01");
  });
});

describe("jsonbText", () => {
  it("orders keys as jsonb does: shorter first, then bytewise", () => {
    expect(jsonbText({ from: "a", to: "b", reason: null, urgency: "normal", deadline: null })).toBe(
      '{"to": "b", "from": "a", "reason": null, "urgency": "normal", "deadline": null}',
    );
    expect(jsonbText({ b: 1, a: [1, "x", { z: true, y: false }], c: undefined })).toBe(
      '{"a": [1, "x", {"y": false, "z": true}], "b": 1}',
    );
  });

  it("escapes quotes, backslashes and control characters, and keeps other characters", () => {
    expect(jsonbText('甘"肃\\\n\u0001')).toBe('"甘\\"肃\\\\\\n\\u0001"');
  });

  it("refuses numbers it could print differently from PostgreSQL", () => {
    expect(() => jsonbText(1.5)).toThrow();
  });
});

describe("COPY text format", () => {
  it("escapes the characters COPY gives a meaning", () => {
    expect(text("a\\b\tc\nd\re")).toBe("a\\\\b\\tc\\nd\\re");
    expect(textArray(['甲"乙', "丙"])).toBe('{"甲\\\\"乙","丙"}');
  });
});

describe("Random", () => {
  it("is the same stream for the same seed and key, and another for another key", () => {
    const a = new Random(1, "case:1");
    const b = new Random(1, "case:1");
    const c = new Random(1, "case:2");
    const xs = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.u32())).not.toEqual(xs);
  });

  it("makes version-4-shaped UUIDs", () => {
    const r = new Random(3, "x");
    for (let i = 0; i < 100; i++)
      expect(r.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("draws weighted options in proportion", () => {
    const w = new Weighted([
      ["a", 1],
      ["b", 3],
    ]);
    const r = new Random(5, "w");
    let b = 0;
    for (let i = 0; i < 10_000; i++) if (w.draw(r) === "b") b++;
    expect(b / 10_000).toBeGreaterThan(0.72);
    expect(b / 10_000).toBeLessThan(0.78);
  });
});
