import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { primitives } from "./input.ts";
import { listProcedures } from "./procedures.ts";

type Def = {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  checks?: { _zod: { def: { check: string } } }[];
};
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/**
 * Every place of an input schema that is not built from the shared primitives (input.ts): a
 * plain `z.string()`, an unbounded integer, a date without range, an object that drops unknown
 * keys, a list without a maximum. Each is a value that could reach PostgreSQL unchecked.
 */
function looseFields(schema: z.ZodType, path = ""): string[] {
  const def = defOf(schema);
  const at = path || "(input)";
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "readonly":
    case "nonoptional":
      return looseFields(def.innerType!, path);
    case "pipe":
      return looseFields(def.in!, path);
    case "union":
      return def.options!.flatMap((o) => looseFields(o, path));
    case "object": {
      const own =
        defOf(def.catchall ?? ({ _zod: { def: { type: "strip" } } } as never)).type === "never"
          ? []
          : [`${at}: object does not refuse unknown keys`];
      return [...own, ...Object.entries(def.shape!).flatMap(([k, v]) => looseFields(v, path ? `${path}.${k}` : k))];
    }
    case "array": {
      const bounded = def.checks?.some((c) => c._zod.def.check === "max_length");
      return [...(bounded ? [] : [`${at}: list without a maximum length`]), ...looseFields(def.element!, `${path}[]`)];
    }
    case "enum":
    case "literal":
    case "boolean":
      return [];
    case "string":
    case "number":
    case "date":
      return primitives.has(schema) ? [] : [`${at}: ${def.type} not built from the input primitives`];
    default:
      return [`${at}: ${def.type} is not an accepted input shape`];
  }
}

describe("the input of every procedure", () => {
  const procedures = listProcedures();

  it("is declared, once, for every procedure (a procedure without one would take anything)", () => {
    expect(procedures.length).toBeGreaterThan(50);
    expect(procedures.filter((p) => p.inputs.length !== 1).map((p) => p.path)).toEqual([]);
  });

  it("is built from the shared primitives: strict objects, bounded lists, checked text, numbers and dates", () => {
    const loose = procedures.flatMap((p) => p.inputs.flatMap((s) => looseFields(s).map((f) => `${p.path} ${f}`)));
    expect(loose).toEqual([]);
  });

  it("finds a field that is not built from the primitives (the walk itself can fail)", async () => {
    const { z } = await import("zod");
    const loose = looseFields(
      z.object({ name: z.string(), n: z.number().int(), at: z.date(), list: z.array(z.boolean()) }),
    );
    expect(loose).toEqual([
      "(input): object does not refuse unknown keys",
      "name: string not built from the input primitives",
      "n: number not built from the input primitives",
      "at: date not built from the input primitives",
      "list: list without a maximum length",
    ]);
  });
});
