import superjson from "superjson";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { listProcedures } from "./procedures.ts";
import { transformer } from "./trpc.ts";

/**
 * The procedures that declare `answer: "json"` (trpc.ts) send their checked answer without
 * superjson's walk: that is right only if their output schema admits JSON values alone, which
 * superjson would send unchanged and without meta. Each such schema is held to it here.
 */

type Def = { type: string } & Record<string, unknown>;
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

/** Why a schema admits a value that is not plain JSON (null when it admits none). */
function notJson(schema: unknown, path = "answer"): string | null {
  const def = defOf(schema);
  switch (def.type) {
    case "number":
    case "string":
    case "boolean":
    case "null":
    case "enum":
    case "literal":
      return null;
    case "nullable":
      return notJson(def.innerType, path);
    case "array":
      return notJson(def.element, `${path}[]`);
    case "record":
      return notJson(def.keyType, `${path} key`) ?? notJson(def.valueType, `${path}{}`);
    case "object":
      for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) {
        const problem = notJson(value, `${path}.${key}`);
        if (problem) return problem;
      }
      return null;
    default:
      return `${path} is a ${def.type}`;
  }
}

describe("answers sent as plain JSON", () => {
  const json = listProcedures().filter((p) => p.meta?.answer === "json");

  it("are the cockpit's figures and ranking (at least)", () => {
    expect(json.map((p) => p.path)).toEqual(expect.arrayContaining(["cockpit.figures", "cockpit.ranking"]));
  });

  it("have output schemas that admit JSON values only", () => {
    expect(json.map((p) => [p.path, p.output ? notJson(p.output) : "no output schema"])).toEqual(
      json.map((p) => [p.path, null]),
    );
  });

  it("the check refuses what superjson would encode", () => {
    expect(notJson(z.object({ at: z.date() }))).toBe("answer.at is a date");
    expect(notJson(z.object({ a: z.array(z.number().optional()) }))).toBe("answer.a[] is a optional");
    expect(notJson(z.object({ n: z.bigint() }))).toBe("answer.n is a bigint");
    expect(notJson(z.object({ r: z.record(z.string(), z.object({ d: z.date().nullable() })) }))).toBe(
      "answer.r{}.d is a date",
    );
    expect(notJson(z.object({ a: z.array(z.object({ k: z.enum(["x"]), v: z.number().nullable() })) }))).toBe(null);
  });

  it("go out as superjson sends a value with nothing to encode; other answers through superjson", () => {
    const value = { a: [1, null, "x", { b: true }] };
    expect(transformer.output.serialize(value)).toEqual(superjson.serialize(value));
    const dated = { at: new Date(0) };
    expect(superjson.deserialize(transformer.output.serialize(dated) as never)).toEqual(dated);
  });
});
