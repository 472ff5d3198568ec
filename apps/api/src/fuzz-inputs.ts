import fc from "fast-check";
import superjson from "superjson";
import { type ZodType, z } from "zod";

/**
 * Hostile inputs for every procedure, derived from its zod schema (through `z.toJSONSchema`), for
 * the fuzz test. Test-only: nothing in the server imports this file.
 */

type Schema = z.core.JSONSchema.JSONSchema;

/** Where generated uuids come from: the ids of rows a field name points at (own, foreign, random). */
export type IdSource = (field: string | undefined) => fc.Arbitrary<string>;

/** One request body (or query input) to send: a value superjson will encode, or raw text as is. */
export type FuzzInput =
  | { kind: "value"; label: string; value: unknown }
  | { kind: "raw"; label: string; text: string }
  | { kind: "none"; label: string };

/** The JSON schema of a procedure's input as clients send it; dates are marked `format: js-date`. */
export function inputJsonSchema(inputs: ZodType[]): Schema | null {
  if (inputs.length === 0) return null;
  const schema = inputs.length === 1 ? inputs[0]! : z.intersection(inputs[0]!, inputs[1]!);
  return z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def;
      if (def.type === "date") ctx.jsonSchema.format = "js-date";
    },
  }) as Schema;
}

const MB = "x".repeat(1 << 20);
const INT32 = 2 ** 31;

/** Values that have broken, or could break, a layer below validation. */
export const HOSTILE_VALUES: unknown[] = [
  "",
  " ",
  "\u0000",
  "名称\u0000",
  "a\u0000b",
  "\u0001\u0007\u001b[31m",
  "\t\n\r",
  "\u007f\u0085\u009f",
  "\ud800",
  "\udfff\ud800x",
  "\u202e\ufeff",
  "😀".repeat(50),
  "' or 1=1 --",
  "%00",
  "__proto__",
  "constructor",
  "NaN",
  "-1",
  "2147483648",
  "9".repeat(40),
  "0000-01-01",
  "-271821-04-20",
  "275760-09-13",
  "9999-12-31",
  "2024-02-30",
  "1900-01-01T00:00:00Z",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "not-a-uuid",
  "62",
  "140881",
  "620981101001",
  MB,
  "中".repeat(1 << 18),
  `${"x".repeat(1000)}\u0000`,
  0,
  -0,
  -1,
  1.5,
  0.1,
  INT32 - 1,
  INT32,
  -INT32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  -(2 ** 53),
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  new Date(-8.64e15),
  new Date(8.64e15),
  new Date("0000-01-01T00:00:00Z"),
  new Date("-000001-06-01T00:00:00Z"),
  new Date("+010000-01-01T00:00:00Z"),
  new Date("1899-12-31T23:59:59Z"),
  new Date(Number.NaN),
  new Date(0),
  0n,
  -1n,
  2n ** 64n,
  null,
  undefined,
  true,
  false,
  [],
  {},
  [null],
  [1, 2, 3],
  Array.from({ length: 10_000 }, () => "x"),
  Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, i])),
  new Set([1, 2]),
  new Map([[1, 2]]),
  /re/g,
  nest(60, (v) => ({ a: v })),
  nest(60, (v) => [v]),
];

function nest(depth: number, wrap: (v: unknown) => unknown): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = wrap(v);
  return v;
}

/** Bodies that break the transport (JSON, superjson's meta) rather than the schema. */
export const RAW_BODIES: string[] = [
  "",
  "{",
  "null",
  "[]",
  '"text"',
  "\u0000",
  '{"json":',
  '{"json":{},"meta":5}',
  '{"json":{"id":"zz"},"meta":{"values":{"id":["bigint"]}}}',
  '{"json":"zz","meta":{"values":["bigint"]}}',
  '{"json":5,"meta":{"values":["set"]}}',
  '{"json":5,"meta":{"values":["map"]}}',
  '{"json":{"a":5},"meta":{"values":{"a":["set"]}}}',
  '{"json":"(","meta":{"values":["regexp"]}}',
  '{"json":"x","meta":{"values":[["custom","Nope"]]}}',
  '{"json":"x","meta":{"values":[["class","Nope"]]}}',
  '{"json":"x","meta":{"values":["symbol"]}}',
  '{"json":"zz","meta":{"values":["Date"]}}',
  '{"json":"zz","meta":{"values":["number"]}}',
  '{"json":{},"meta":{"values":{"a.b.c":["Date"]}}}',
  '{"json":{},"meta":{"values":{"__proto__.polluted":["undefined"]}}}',
  '{"json":{"__proto__":{"polluted":1}}}',
  '{"json":{"a":{}},"meta":{"referentialEqualities":{"a":["a.b"]}}}',
  '{"json":{"a":[]},"meta":{"referentialEqualities":{"a":["a.0","a.1"]}}}',
  '{"json":{},"meta":{"referentialEqualities":{"":["x"]}}}',
  `{"json":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}}`,
  `{"json":${"[".repeat(50_000)}${"]".repeat(50_000)}}`,
  `{"json":{},"meta":{"values":{"${"a.".repeat(5_000)}a":["Date"]}}}`,
  `{"json":{"0":1},"meta":{"values":${'{"0":'.repeat(5_000)}["Date"]${"}".repeat(5_000)}}}`,
];

const hostile = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_VALUES) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: false }) },
  {
    weight: 1,
    arbitrary: fc.anything({ maxDepth: 3, withBigInt: true, withDate: true, withMap: true, withSet: true }),
  },
);

/** Hostile values of the same type as the value they replace: they pass the type check and meet the next one. */
const hostileLike = {
  string: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_VALUES.filter((v) => typeof v === "string")) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 20 }).map((t) => `${t}\u0000`) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 20 }) },
  ),
  number: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_VALUES.filter((v) => typeof v === "number")) },
    { weight: 1, arbitrary: fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }) },
    { weight: 1, arbitrary: fc.double() },
  ),
  date: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_VALUES.filter((v) => v instanceof Date)) },
    { weight: 2, arbitrary: fc.date({ noInvalidDate: false }) },
  ),
};

function hostileFor(current: unknown): fc.Arbitrary<unknown> {
  const like =
    typeof current === "string"
      ? hostileLike.string
      : typeof current === "number"
        ? hostileLike.number
        : current instanceof Date
          ? hostileLike.date
          : hostile;
  return fc.oneof({ weight: 3, arbitrary: like }, { weight: 1, arbitrary: hostile });
}

const VALID_WORDS = [
  "张三",
  "玉门市",
  "劳动争议",
  "备注",
  "labour",
  "Zongzhi@2026x",
  "13809375678",
  "620981",
  "620981101",
  "2026-03-02",
];
const sane = { min: new Date("2020-01-01T00:00:00Z"), max: new Date("2032-12-31T00:00:00Z"), noInvalidDate: true };

/** An arbitrary of values that a schema is likely to accept (so that mutations reach the services). */
export function validArb(schema: Schema | boolean, ids: IdSource, field?: string): fc.Arbitrary<unknown> {
  if (typeof schema === "boolean") return fc.constant(null);
  if (schema.anyOf) return fc.oneof(...schema.anyOf.map((s) => validArb(s, ids, field)));
  if (schema.oneOf) return fc.oneof(...schema.oneOf.map((s) => validArb(s, ids, field)));
  if (schema.allOf?.length) return validArb(schema.allOf[0]!, ids, field);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.format === "js-date") return fc.date(sane);
  switch (schema.type) {
    case "object": {
      const props = schema.properties ?? {};
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, s] of Object.entries(props)) model[k] = validArb(s, ids, k);
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((k) => k in props) });
    }
    case "array": {
      const item = Array.isArray(schema.items) ? schema.items[0] : schema.items;
      const minLength = schema.minItems ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxItems ?? 4, 4));
      return fc.array(item ? validArb(item, ids, field) : fc.constant(null), { minLength, maxLength });
    }
    case "string":
      return stringArb(schema, ids, field);
    case "integer": {
      const min = Math.max(schema.minimum ?? -(2 ** 31), -(2 ** 31));
      const max = Math.min(schema.maximum ?? 2 ** 31 - 1, 2 ** 31 - 1);
      return fc.oneof(fc.integer({ min, max: Math.min(max, min + 5) }), fc.integer({ min, max }));
    }
    case "number": {
      const min = schema.minimum ?? (schema.exclusiveMinimum as number | undefined) ?? -1e6;
      const max = schema.maximum ?? (schema.exclusiveMaximum as number | undefined) ?? 1e6;
      return fc
        .double({ min, max, noNaN: true, noDefaultInfinity: true })
        .filter((n) => n !== min || !schema.exclusiveMinimum);
    }
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    default:
      return fc.oneof(fc.constant(null), fc.string({ maxLength: 5 }));
  }
}

function stringArb(schema: Schema, ids: IdSource, field?: string): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 30, 30));
  if (schema.format === "uuid") return ids(field);
  if (schema.format === "date") return fc.date(sane).map((d) => d.toISOString().slice(0, 10));
  if (schema.format === "date-time") return fc.date(sane).map((d) => d.toISOString());
  if (schema.pattern) {
    try {
      const re = new RegExp(schema.pattern);
      return fc.stringMatching(re).filter((s) => s.length >= minLength && s.length <= (schema.maxLength ?? 1e9));
    } catch {
      // A pattern JavaScript cannot compile without flags: fall back to plain text.
    }
  }
  return fc
    .oneof(fc.constantFrom(...VALID_WORDS), fc.string({ minLength, maxLength }))
    .filter((s) => s.trim().length >= minLength && s.length <= maxLength);
}

type Path = (string | number)[];

/** Every path into a value (objects and arrays), the root included. */
function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) pathsOf(v, [...at, i], out);
  } else if (value && typeof value === "object" && !(value instanceof Date))
    for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

function valueAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], root);
}

function containers(value: unknown): Path[] {
  return pathsOf(value).filter((p) => {
    const v = valueAt(value, p);
    return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);
  });
}

/** Valid-shaped inputs mutated at one place: a hostile value, an unknown key, a missing key. */
function mutatedArb(valid: fc.Arbitrary<unknown>): fc.Arbitrary<FuzzInput> {
  return fc
    .tuple(valid, fc.nat(), fc.constantFrom("replace", "replace", "replace", "replace", "unknown", "drop"))
    .chain(([v, pick, how]): fc.Arbitrary<FuzzInput> => {
      if (how === "replace") {
        const paths = pathsOf(v);
        const path = paths[pick % paths.length]!;
        return hostileFor(valueAt(v, path)).map((h) => ({
          kind: "value",
          label: `replace ${path.join(".") || "(root)"}`,
          value: setAt(v, path, h),
        }));
      }
      const objects = containers(v);
      if (objects.length === 0) return hostile.map((h) => ({ kind: "value", label: "root replaced", value: h }));
      const path = objects[pick % objects.length]!;
      const node = valueAt(v, path) as Record<string, unknown>;
      if (how === "unknown") {
        const key = ["isAdmin", "tenantId", "scope_code", "__proto__x", "\u0000"][pick % 5]!;
        return hostile.map((h) => ({
          kind: "value",
          label: `unknown key ${path.join(".")}.${key}`,
          value: setAt(v, path, { ...node, [key]: h }),
        }));
      }
      const keys = Object.keys(node);
      const drop = keys[pick % Math.max(keys.length, 1)];
      const rest = { ...node };
      if (drop !== undefined) delete rest[drop];
      return fc.constant({ kind: "value", label: `drop ${path.join(".")}.${drop ?? ""}`, value: setAt(v, path, rest) });
    });
}

/**
 * The mix of inputs sent to one procedure. `accepts` is the procedure's own schema check: valid
 * candidates that pass it are kept, so that one mutated field is all that stands between an input
 * and the service (that is where values reach the database).
 */
export function fuzzInputArb(
  schema: Schema | null,
  ids: IdSource,
  accepts: (value: unknown) => boolean,
  seed: number,
): { arbitrary: fc.Arbitrary<FuzzInput>; validPool: number } {
  const candidates = schema ? validArb(schema, ids) : fc.constant({});
  const pool = fc.sample(candidates, { numRuns: 400, seed }).filter(accepts);
  const valid = pool.length ? fc.constantFrom(...pool) : candidates;
  const arbitrary = fc.oneof(
    { weight: 10, arbitrary: mutatedArb(valid) },
    { weight: 2, arbitrary: valid.map((value): FuzzInput => ({ kind: "value", label: "valid", value })) },
    { weight: 3, arbitrary: hostile.map((value): FuzzInput => ({ kind: "value", label: "hostile root", value })) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(...RAW_BODIES).map((text): FuzzInput => ({ kind: "raw", label: "raw", text })),
    },
  );
  return { arbitrary, validPool: pool.length };
}

/** The text of a tRPC input as it goes on the wire (superjson), or null for no input. */
export function encode(input: FuzzInput): string | null {
  if (input.kind === "none") return null;
  if (input.kind === "raw") return input.text;
  try {
    return JSON.stringify(superjson.serialize(input.value));
  } catch {
    // superjson refuses to encode some values (a "prototype" key): send them as plain JSON.
    return JSON.stringify({ json: input.value }, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v));
  }
}

/** A short description of an input for a failure report. */
export function describe(input: FuzzInput): string {
  const text = encode(input) ?? "(no input)";
  return `${input.label}: ${text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text}`;
}

/** Field names the JSON routes outside tRPC read (sign-in, setup, the public lookup). */
const HTTP_FIELDS = ["username", "password", "challenge", "code", "token", "phoneLast4", "file"];

/** A body for a plain HTTP route: known field names with hostile or plausible values, or raw text. */
export function httpBodyArb(): fc.Arbitrary<{ label: string; text: string }> {
  const value = fc.oneof(
    hostile,
    fc.constantFrom("yumen.admin", "Zongzhi@2026x", "620981101-2026-000001", "5678", "123456"),
  );
  const fields = fc.dictionary(fc.constantFrom(...HTTP_FIELDS, "isAdmin"), value, { maxKeys: 4 });
  return fc.oneof(
    { weight: 3, arbitrary: fields.map((v) => ({ label: "fields", text: plainJson(v) })) },
    { weight: 1, arbitrary: hostile.map((v) => ({ label: "hostile root", text: plainJson(v) })) },
    { weight: 1, arbitrary: fc.constantFrom(...RAW_BODIES).map((text) => ({ label: "raw", text })) },
  );
}

/** A path parameter: a hostile string, a random id, or nothing. */
export const pathParamArb: fc.Arbitrary<string> = fc.oneof(
  fc.uuid(),
  fc.constantFrom(...HOSTILE_VALUES.filter((v): v is string => typeof v === "string" && v.length < 2000)),
  fc.string({ unit: "binary", maxLength: 40 }),
);

function plainJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) ?? "";
}
