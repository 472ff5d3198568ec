import type { AnyProcedure } from "@trpc/server";
import type { ZodType } from "zod";
import { appRouter } from "./root.ts";
import type { ProcedureMeta } from "./trpc.ts";

/** One procedure of the API as read from the router at run time. */
export interface ProcedureInfo {
  /** Dotted path, e.g. `cases.register`. */
  path: string;
  type: "query" | "mutation" | "subscription";
  /** The zod schemas given to `.input()`, merged by tRPC in order (usually one). */
  inputs: ZodType[];
  /** The zod schema given to `.output()`: the answer's contract, validated by tRPC on every call. */
  output: ZodType | undefined;
  /** What it declares about authorisation (`allowed(...)`); undefined when it declares nothing. */
  meta: ProcedureMeta | undefined;
}

/**
 * Every procedure of {@link appRouter}, read from the router itself so that tests which must
 * cover all of them (fuzzing, the permission matrix) pick up a new procedure without a hand list.
 */
export function listProcedures(): ProcedureInfo[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  return Object.entries(procedures)
    .map(([path, procedure]) => {
      const def = procedure._def as unknown as {
        type: ProcedureInfo["type"];
        inputs: unknown[];
        output?: unknown;
        meta?: ProcedureMeta;
      };
      return {
        path,
        type: def.type,
        inputs: def.inputs as ZodType[],
        output: def.output as ZodType | undefined,
        meta: def.meta,
      };
    })
    .sort((a, b) => a.path.localeCompare(b.path));
}
