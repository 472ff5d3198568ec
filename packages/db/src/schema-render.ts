import type { Catalog, CatalogColumn } from "./catalog-schema.ts";

/** Names of the generated file's table exports: app's tables by their own name, others prefixed by schema. */
function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
}

/** The export name of a table or enum (`app.case_events` → `caseEvents`, `ref.divisions` → `refDivisions`). */
export function exportName(qualified: string, suffix = ""): string {
  const [schema, name] = qualified.split(".") as [string, string];
  return camel(schema === "app" || schema === "public" ? name : `${schema}_${name}`) + suffix;
}

/** A template literal's body for an SQL expression. */
function sqlLiteral(expr: string): string {
  return `sql\`${expr.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${")}\``;
}

/** The Drizzle builder of one column type (custom types for the few Drizzle has no builder of). */
function builder(c: CatalogColumn, enums: Catalog["enums"]): { expr: string; uses: string[] } {
  const array = c.type.endsWith("[]");
  const base = array ? c.type.slice(0, -2) : c.type;
  const name = JSON.stringify(c.column);
  let expr: string;
  let uses: string[];
  const numeric = /^numeric\((\d+),(\d+)\)$/.exec(base);
  if (enums.has(base)) [expr, uses] = [`${exportName(base, "Enum")}(${name})`, []];
  else if (base === 'text COLLATE "C"') [expr, uses] = [`codeText(${name})`, []];
  else if (base === "text") [expr, uses] = [`text(${name})`, ["text"]];
  else if (base === "uuid") [expr, uses] = [`uuid(${name})`, ["uuid"]];
  else if (base === "integer") [expr, uses] = [`integer(${name})`, ["integer"]];
  else if (base === "smallint") [expr, uses] = [`smallint(${name})`, ["smallint"]];
  else if (base === "bigint") [expr, uses] = [`bigint(${name}, { mode: "number" })`, ["bigint"]];
  else if (base === "boolean") [expr, uses] = [`boolean(${name})`, ["boolean"]];
  else if (base === "double precision") [expr, uses] = [`doublePrecision(${name})`, ["doublePrecision"]];
  else if (base === "jsonb") [expr, uses] = [`json(${name})`, []];
  else if (base === "date") [expr, uses] = [`date(${name}, { mode: "string" })`, ["date"]];
  else if (base === "timestamp with time zone")
    [expr, uses] = [`timestamp(${name}, { withTimezone: true })`, ["timestamp"]];
  else if (numeric)
    [expr, uses] = [`numeric(${name}, { precision: ${numeric[1]}, scale: ${numeric[2]} })`, ["numeric"]];
  else if (base === "bytea") [expr, uses] = [`bytea(${name})`, []];
  else if (base === "tstzrange") [expr, uses] = [`tstzrange(${name})`, []];
  else throw new Error(`no Drizzle builder for ${c.table}.${c.column} of type ${c.type}: add one to schema-render.ts`);
  return { expr: array ? `${expr}.array()` : expr, uses };
}

/**
 * Renders the Drizzle schema of every migrated table from the catalog: columns with their types,
 * nullability, defaults, identity and generated expressions, and primary keys. The migrations
 * stay the truth (RLS, functions, grants live only there); this file is derived, by
 * `pnpm db:schema`, and `schema-drift.integration.test.ts` fails when it falls behind.
 */
export function renderSchema(catalog: Catalog): string {
  const uses = new Set<string>(["pgSchema"]);
  const byTable = new Map<string, CatalogColumn[]>();
  for (const c of catalog.columns) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c]);
  const schemas = [...new Set([...byTable.keys(), ...catalog.enums.keys()].map((t) => t.split(".")[0]!))].sort();
  const out: string[] = [];
  // Drizzle declares tables of the default schema with pgTable, not pgSchema("public").
  for (const s of schemas.filter((s) => s !== "public"))
    out.push(`export const ${s}Schema = pgSchema(${JSON.stringify(s)});`);
  out.push("");
  for (const [name, labels] of [...catalog.enums].sort(([a], [b]) => a.localeCompare(b))) {
    const [schema, type] = name.split(".") as [string, string];
    out.push(
      `export const ${exportName(name, "Enum")} = ${schema}Schema.enum(${JSON.stringify(type)}, ${JSON.stringify(labels)});`,
    );
  }
  for (const [table, columns] of [...byTable].sort(([a], [b]) => a.localeCompare(b))) {
    const [schema, name] = table.split(".") as [string, string];
    const pk = catalog.primaryKeys.get(table) ?? [];
    const hidden = columns.filter((c) => !c.appReadable).map((c) => c.column);
    out.push("");
    const note =
      hidden.length === columns.length
        ? " (zz_app may not read it)"
        : hidden.length
          ? ` (zz_app may not read ${hidden.join(", ")}: name the columns a select reads)`
          : "";
    out.push(`/** ${table}${note}. */`);
    if (schema === "public") uses.add("pgTable");
    const tableOf = schema === "public" ? "pgTable" : `${schema}Schema.table`;
    out.push(`export const ${exportName(table)} = ${tableOf}(${JSON.stringify(name)}, {`);
    for (const c of columns) {
      const b = builder(c, catalog.enums);
      for (const u of b.uses) uses.add(u);
      let expr = b.expr;
      if (pk.length === 1 && pk[0] === c.column) expr += ".primaryKey()";
      else if (c.notNull) expr += ".notNull()";
      if (c.identity === "always") expr += ".generatedAlwaysAsIdentity()";
      if (c.identity === "by_default") expr += ".generatedByDefaultAsIdentity()";
      if (c.generatedExpr) expr += `.generatedAlwaysAs(${sqlLiteral(c.generatedExpr)})`;
      if (c.defaultExpr) expr += `.default(${sqlLiteral(c.defaultExpr)})`;
      if (c.serverOwned || c.filledIn) expr += ".$defaultFn(serverOwned)";
      out.push(`  ${camel(c.column)}: ${expr},`);
    }
    if (pk.length > 1) {
      uses.add("primaryKey");
      out.push(`}, (t) => [primaryKey({ columns: [${pk.map((k) => `t.${camel(k)}`).join(", ")}] })]);`);
    } else out.push("});");
  }
  const head = [
    "// Generated by `pnpm db:schema` from the migrated catalog; do not edit (see schema-render.ts).",
    'import { sql } from "drizzle-orm";',
    `import { ${[...uses, "customType"].sort().join(", ")} } from "drizzle-orm/pg-core";`,
    "",
    '/** Text in the "C" collation: byte order, so that code ranges are exact prefixes. */',
    "export const codeText = customType<{ data: string }>({ dataType: () => 'text COLLATE \"C\"' });",
    "/** Binary: ciphertexts, hashes, blind indexes. */",
    'export const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });',
    "/**",
    " * JSON, bound as the value itself for postgres.js to encode: Drizzle's own jsonb would encode it",
    " * once more on the transaction's connection (whose serializers Drizzle cannot reach).",
    " */",
    'export const json = customType<{ data: unknown; driverData: unknown }>({ dataType: () => "jsonb", toDriver: (v) => v });',
    "/** A range of instants, as text (`[from,to)`). */",
    'export const tstzrange = customType<{ data: string }>({ dataType: () => "tstzrange" });',
    "/**",
    " * Marks a column the database sets on insert, so that an insert may leave it out (Drizzle sends",
    " * DEFAULT): a server-owned column, set whatever an insert sends (the `a_server_columns` trigger,",
    " * migration 0105), or county_code, filled in from scope_code when left out (`zzz_county_code`, 0120).",
    " */",
    "const serverOwned = () => sql`DEFAULT`;",
    "",
  ];
  return `${[...head, ...out].join("\n")}\n`;
}
