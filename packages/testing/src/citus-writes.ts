import { distributionPlan } from "@zongzhi/db/citus";
import type postgres from "postgres";

// On Citus a write into a distributed table is routed to its shard by the value of the
// distribution column in the statement itself (infra/SCALE.md): an INSERT must name
// `county_code` with a value (a trigger that fills it runs on the shard, too late: "cannot
// perform an INSERT without a partition column value"), an UPDATE or DELETE must filter on it.
// This checks the statements an application sent, parsed by PostgreSQL's own parser
// (libpg-query), against the distributed tables of the migrated catalog (`distributionPlan`,
// the list the distribution itself uses). Plain PostgreSQL runs the statements; nothing here
// changes what they do.

const DISTRIBUTION_COLUMN = "county_code";

/** A write into a distributed table that Citus could not route by its county. */
export interface UnroutedWrite {
  table: string;
  /** What is missing: the column of an INSERT, the filter of an UPDATE or DELETE. */
  reason: string;
  statement: string;
}

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null;

/** `schema.table` of a RangeVar; an unqualified name as it is (matched against app. and auth.). */
function relationName(rel: Node | undefined): { name: string; alias: string | null } {
  const schema = typeof rel?.schemaname === "string" ? `${rel.schemaname}.` : "";
  const alias = isNode(rel?.alias) && typeof rel.alias.aliasname === "string" ? rel.alias.aliasname : null;
  return { name: `${schema}${String(rel?.relname ?? "")}`, alias };
}

/** The conjuncts of a WHERE clause (an AND tree flattened). */
function conjuncts(where: unknown): Node[] {
  if (!isNode(where)) return [];
  const bool = where.BoolExpr as Node | undefined;
  if (bool && bool.boolop === "AND_EXPR") return (bool.args as unknown[]).flatMap(conjuncts);
  return [where];
}

/** Whether `node` is the target's distribution column (`county_code`, `t.county_code`, `alias.county_code`). */
function isDistributionColumn(node: unknown, names: readonly string[]): boolean {
  const ref = isNode(node) ? (node.ColumnRef as Node | undefined) : undefined;
  if (!ref) return false;
  const fields = (ref.fields as Node[]).map((f) => (f.String as Node | undefined)?.sval);
  if (fields.at(-1) !== DISTRIBUTION_COLUMN) return false;
  return fields.length === 1 || names.includes(String(fields.at(-2)));
}

/** Whether a WHERE clause holds `county_code = …` (on the target) as one of its conjuncts. */
function filtersOnCounty(where: unknown, names: readonly string[]): boolean {
  return conjuncts(where).some((c) => {
    const e = c.A_Expr as Node | undefined;
    if (e?.kind !== "AEXPR_OP") return false;
    const op = (e.name as Node[]).map((n) => (n.String as Node | undefined)?.sval).join(".");
    return op === "=" && (isDistributionColumn(e.lexpr, names) || isDistributionColumn(e.rexpr, names));
  });
}

/** What an INSERT lacks for routing, or null when it names the column with a value in every row. */
function insertProblem(stmt: Node): string | null {
  const cols = ((stmt.cols as Node[] | undefined) ?? []).map((c) => (c.ResTarget as Node).name);
  const at = cols.indexOf(DISTRIBUTION_COLUMN);
  if (at < 0) return cols.length === 0 ? "INSERT without a column list" : `INSERT does not name ${DISTRIBUTION_COLUMN}`;
  const select = isNode(stmt.selectStmt) ? (stmt.selectStmt.SelectStmt as Node | undefined) : undefined;
  const rows = (select?.valuesLists as Node[] | undefined) ?? [];
  for (const row of rows) {
    const value = ((row.List as Node).items as Node[])[at];
    if (value && "SetToDefault" in value) return `INSERT sends DEFAULT for ${DISTRIBUTION_COLUMN}`;
  }
  return null;
}

/** Every INSERT, UPDATE, DELETE and MERGE in a parsed statement (CTEs and subqueries included). */
function* writes(node: unknown): Generator<[kind: string, stmt: Node]> {
  if (Array.isArray(node)) {
    for (const item of node) yield* writes(item);
    return;
  }
  if (!isNode(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (
      (key === "InsertStmt" || key === "UpdateStmt" || key === "DeleteStmt" || key === "MergeStmt") &&
      isNode(value)
    ) {
      yield [key, value];
    }
    yield* writes(value);
  }
}

/** Per statement text: its problems once checked against one set of distributed tables. */
const checked = new Map<string, Omit<UnroutedWrite, "statement">[]>();
/** The parser, loaded on first use (a WebAssembly module: no cost to the files that never check). */
let parser: Promise<typeof import("libpg-query")> | undefined;

const WRITE = /\b(insert|update|delete|merge)\b/i;

/**
 * The writes among `statements` that Citus could not route by county: each INSERT into a
 * distributed table that does not name `county_code` with a value, each UPDATE or DELETE of one
 * without `county_code = …` among its conditions. `distributed`: the distributed tables
 * (`schema.table`).
 */
export async function unroutedWrites(
  statements: Iterable<string>,
  distributed: ReadonlySet<string>,
): Promise<UnroutedWrite[]> {
  parser ??= import("libpg-query").then(async (m) => {
    await m.loadModule();
    return m;
  });
  const { parseSync } = await parser;
  const known = (name: string) =>
    name.includes(".") ? distributed.has(name) : distributed.has(`app.${name}`) || distributed.has(`auth.${name}`);
  const out: UnroutedWrite[] = [];
  for (const statement of new Set(statements)) {
    if (!WRITE.test(statement)) continue;
    let problems = checked.get(statement);
    if (!problems) {
      problems = [];
      let tree: unknown;
      try {
        tree = parseSync(statement);
      } catch (error) {
        problems.push({ table: "?", reason: `could not be parsed: ${(error as Error).message}` });
      }
      for (const [kind, stmt] of writes(tree)) {
        const { name, alias } = relationName(stmt.relation as Node | undefined);
        if (!known(name)) continue;
        const names = [name, name.split(".").at(-1)!, ...(alias ? [alias] : [])];
        const problem =
          kind === "InsertStmt"
            ? insertProblem(stmt)
            : kind === "MergeStmt"
              ? "MERGE into a distributed table"
              : filtersOnCounty(stmt.whereClause, names)
                ? null
                : `${kind === "UpdateStmt" ? "UPDATE" : "DELETE"} without ${DISTRIBUTION_COLUMN} = … in its conditions`;
        if (problem) problems.push({ table: name, reason: problem });
      }
      checked.set(statement, problems);
    }
    for (const p of problems) out.push({ ...p, statement });
  }
  return out;
}

/** The distributed tables of a migrated database (what `distributeSchema` would distribute). */
export async function distributedTables(sql: postgres.Sql): Promise<Set<string>> {
  const plan = await distributionPlan(sql);
  return new Set(plan.filter((p) => p.kind === "distributed").map((p) => p.table));
}

/**
 * Records the statements a postgres.js pool sends (its `debug` hook) for {@link unroutedWrites}:
 * pass `debug` in the pool's options, run the flows, then ask `unrouted(admin)`.
 */
export function statementRecorder(): {
  /** postgres.js's `debug` option. */
  debug: (connection: number, query: string) => void;
  /** `createPool`'s and `createTestDatabase`'s `onStatement` option. */
  onStatement: (statement: string) => void;
  statements: Set<string>;
  unrouted(admin: postgres.Sql): Promise<UnroutedWrite[]>;
} {
  const statements = new Set<string>();
  return {
    statements,
    debug: (_connection, query) => {
      statements.add(query);
    },
    onStatement: (statement) => {
      statements.add(statement);
    },
    unrouted: async (admin) => unroutedWrites(statements, await distributedTables(admin)),
  };
}
