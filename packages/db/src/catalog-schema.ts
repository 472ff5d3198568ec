import { is } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import type { Sql } from "./client.ts";

/** The schemas the migrations create tables in (graphile_worker's own tables are the queue library's). */
export const MIGRATED_SCHEMAS = ["app", "ref", "auth", "public"] as const;

/** One column as the migrated catalog has it, with what the schema generator needs. */
export interface CatalogColumn {
  /** Schema-qualified table name (`app.cases`). */
  table: string;
  column: string;
  /** `format_type` of the column, with ` COLLATE "C"` when it has a non-default collation. */
  type: string;
  notNull: boolean;
  /** Default expression (not for generated or identity columns). */
  defaultExpr: string | null;
  /** Expression of a stored generated column. */
  generatedExpr: string | null;
  identity: "always" | "by_default" | null;
  /** Whether the runtime role zz_app may read the column (write-only secrets may not). */
  appReadable: boolean;
  /** Set on insert by the database whatever zz_app sends (the `a_server_columns` trigger, 0105). */
  serverOwned: boolean;
  /** Filled in by the database when an insert leaves it out (`county_code`: the `zzz_county_code` trigger, 0120). */
  filledIn: boolean;
}

/** What the schema generator reads from the migrated catalog. */
export interface Catalog {
  columns: CatalogColumn[];
  /** Enum types: schema-qualified name → labels in order. */
  enums: Map<string, string[]>;
  /** Primary key columns per schema-qualified table, in key order. */
  primaryKeys: Map<string, string[]>;
}

/** Reads every table column, enum and primary key of the migrated schemas (as the owner). */
export async function readCatalog(sql: Sql): Promise<Catalog> {
  const schemas = [...MIGRATED_SCHEMAS];
  const columns = await sql<
    {
      table: string;
      column: string;
      type: string;
      collation: string | null;
      notNull: boolean;
      defaultExpr: string | null;
      generated: string;
      identity: string;
      appReadable: boolean;
      serverOwned: boolean;
      filledIn: boolean;
    }[]
  >`select n.nspname || '.' || c.relname as "table", a.attname as "column",
      format_type(a.atttypid, a.atttypmod) as type,
      case when a.attcollation <> 0 and a.attcollation <> t.typcollation then co.collname end as collation,
      a.attnotnull as "notNull", pg_get_expr(d.adbin, d.adrelid) as "defaultExpr",
      a.attgenerated as generated, a.attidentity as identity,
      case when exists (select 1 from pg_roles where rolname = 'zz_app')
        then has_column_privilege('zz_app', c.oid, a.attnum, 'SELECT') else true end as "appReadable",
      exists (select 1 from pg_trigger g where g.tgrelid = c.oid and g.tgname = 'a_server_columns'
        and a.attname = any (string_to_array(encode(g.tgargs, 'escape'), '\\000'))) as "serverOwned",
      a.attname = 'county_code' and exists (select 1 from pg_trigger g where g.tgrelid = c.oid
        and g.tgname = 'zzz_county_code') as "filledIn"
    from pg_attribute a
    join pg_class c on c.oid = a.attrelid
    join pg_namespace n on n.oid = c.relnamespace
    join pg_type t on t.oid = a.atttypid
    left join pg_collation co on co.oid = a.attcollation
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where c.relkind in ('r', 'p') and not c.relispartition and n.nspname = any(${schemas})
      and a.attnum > 0 and not a.attisdropped
    order by n.nspname, c.relname, a.attnum`;
  const enumRows = await sql<{ name: string; label: string }[]>`
    select n.nspname || '.' || t.typname as name, e.enumlabel as label
    from pg_enum e join pg_type t on t.oid = e.enumtypid join pg_namespace n on n.oid = t.typnamespace
    where n.nspname = any(${schemas}) order by n.nspname, t.typname, e.enumsortorder`;
  const pkRows = await sql<{ table: string; column: string }[]>`
    select n.nspname || '.' || c.relname as "table", a.attname as "column"
    from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace n on n.oid = c.relnamespace
    cross join lateral unnest(k.conkey) with ordinality as key(attnum, position)
    join pg_attribute a on a.attrelid = c.oid and a.attnum = key.attnum
    where k.contype = 'p' and n.nspname = any(${schemas}) order by 1, key.position`;
  const enums = new Map<string, string[]>();
  for (const r of enumRows) enums.set(r.name, [...(enums.get(r.name) ?? []), r.label]);
  const primaryKeys = new Map<string, string[]>();
  for (const r of pkRows) primaryKeys.set(r.table, [...(primaryKeys.get(r.table) ?? []), r.column]);
  return {
    columns: columns.map((c) => ({
      table: c.table,
      column: c.column,
      type: c.collation ? `${c.type} COLLATE "${c.collation}"` : c.type,
      notNull: c.notNull,
      defaultExpr: c.generated === "s" || c.identity ? null : c.defaultExpr,
      generatedExpr: c.generated === "s" ? c.defaultExpr : null,
      identity: c.identity === "a" ? "always" : c.identity === "d" ? "by_default" : null,
      appReadable: c.appReadable,
      serverOwned: c.serverOwned,
      filledIn: c.filledIn,
    })),
    enums,
    primaryKeys,
  };
}

/** The part of a column the drift check compares: name, type and nullability. */
export type ColumnShape = Pick<CatalogColumn, "table" | "column" | "type" | "notNull">;

/** The columns a Drizzle schema module declares (every exported table), in the catalog's terms. */
export function declaredColumns(schema: Record<string, unknown>): ColumnShape[] {
  const out: ColumnShape[] = [];
  for (const value of Object.values(schema)) {
    if (!is(value, PgTable)) continue;
    const config = getTableConfig(value);
    const table = `${config.schema ?? "public"}.${config.name}`;
    for (const c of config.columns) {
      const enumOf = (c as { enum?: { enumName: string; schema?: string } }).enum;
      const type = enumOf ? `${enumOf.schema ?? "public"}.${enumOf.enumName}` : c.getSQLType();
      out.push({ table, column: c.name, type, notNull: c.notNull });
    }
  }
  return out;
}

/** One spelling per type, so that Drizzle's and `format_type`'s names of the same type compare equal. */
function normalType(type: string): string {
  return type
    .replace(/\s*,\s*/g, ",")
    .replace(/^public\./, "")
    .trim();
}

/**
 * How a declared schema differs from the migrated catalog: tables or columns on one side only,
 * a column of another type, a column whose nullability differs, a table declared twice. Empty
 * when they agree.
 */
export function schemaDrift(declared: readonly ColumnShape[], catalog: readonly ColumnShape[]): string[] {
  const problems: string[] = [];
  const key = (c: ColumnShape) => `${c.table}.${c.column}`;
  const inCatalog = new Map(catalog.map((c) => [key(c), c]));
  const seen = new Set<string>();
  const declaredTables = new Set(declared.map((c) => c.table));
  for (const d of declared) {
    const k = key(d);
    if (seen.has(k)) {
      problems.push(`${k}: declared twice`);
      continue;
    }
    seen.add(k);
    const c = inCatalog.get(k);
    if (!c) {
      problems.push(`${k}: declared in the schema, not in the migrated catalog`);
      continue;
    }
    if (normalType(d.type) !== normalType(c.type))
      problems.push(`${k}: type ${d.type} in the schema, ${c.type} in the catalog`);
    if (d.notNull !== c.notNull)
      problems.push(
        `${k}: ${d.notNull ? "not null" : "nullable"} in the schema, ${c.notNull ? "not null" : "nullable"} in the catalog`,
      );
  }
  for (const c of catalog) {
    if (seen.has(key(c))) continue;
    problems.push(
      declaredTables.has(c.table)
        ? `${key(c)}: in the migrated catalog, missing from the schema`
        : `${key(c)}: table ${c.table} is missing from the schema`,
    );
  }
  return problems;
}
