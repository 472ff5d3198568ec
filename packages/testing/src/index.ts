export * from "./citus-writes.ts";
export * from "./cluster.ts";
export * from "./database.ts";
export * from "./fixtures.ts";
export * from "./isolation-probe.ts";
export * from "./isolation-tree.ts";
export * from "./table-fixtures.ts";
