import { zodIssues } from "@zongzhi/api/input";
import { createMemo, createSignal } from "solid-js";
import { createStore, produce } from "solid-js/store";
import type { z } from "zod";
import { fieldProblem } from "../api.ts";
import { pick } from "../i18n.ts";

/**
 * A form validated by the procedure's own input schema (imported from the API package, zod),
 * so that the browser refuses exactly what the server would, with the same bilingual message.
 * The draft holds what the fields show (text for numbers and lists); `toInput` turns it into
 * the procedure's input; `extra` adds checks only the page can make (a number already taken).
 * A field's message shows once it was touched or the form submitted; a server field problem
 * shows until that field is edited again.
 */
export function createSchemaForm<D extends object, S extends z.ZodType>(options: {
  schema: S;
  initial: D;
  toInput: (draft: D) => z.input<S>;
  extra?: (draft: D) => Partial<Record<string, string | undefined>>;
  serverError: () => unknown;
}) {
  const [draft, setDraft] = createStore<D>(options.initial);
  const [touched, setTouched] = createSignal<ReadonlySet<string>>(new Set());
  const [edited, setEdited] = createSignal<ReadonlySet<string>>(new Set());
  const [submitted, setSubmitted] = createSignal(false);
  const parsed = createMemo(() => options.schema.safeParse(options.toInput(draft)));
  const own = createMemo(() => {
    const out: Record<string, string> = {};
    // The page's own checks speak first: they name what is wrong in the page's words.
    for (const [path, message] of Object.entries(options.extra?.(draft) ?? {})) {
      if (message) out[path] ??= message;
    }
    const result = parsed();
    if (!result.success) {
      for (const issue of zodIssues(result.error)) {
        // The first message of a field is the one shown; an item of a list of values
        // (`services.2`) speaks for the list, a field of a listed object (`slots.0.staffName`) for itself.
        const path = issue.path.replace(/\.\d+$/, "");
        out[path] ??= pick(issue);
      }
    }
    return out;
  });
  const touch = (path: string) => {
    setTouched((s) => new Set(s).add(path));
    setEdited((s) => new Set(s).add(path));
  };
  const error = (path: string, nested = false): string | undefined => {
    const inner = nested ? Object.keys(own()).find((p) => p.startsWith(`${path}.`)) : undefined;
    const mine = own()[path] ?? (inner ? own()[inner] : undefined);
    if (mine && (submitted() || touched().has(path))) return mine;
    if (edited().has(path)) return undefined;
    const server = fieldProblem(options.serverError(), path);
    return server ? pick(server) : undefined;
  };
  // A dotted path (`slots.0.staffName`) as the store's path: list indexes as numbers.
  const steps = (path: string) => path.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const setAt = (path: string, value: unknown) => {
    const [last, ...parents] = steps(path).reverse();
    setDraft(
      produce((d) => {
        let at = d as Record<string | number, unknown>;
        for (const step of parents.reverse()) at = at[step] as Record<string | number, unknown>;
        if (last === undefined) return;
        // As the store's path setter does: an object set on an object is merged into it.
        const before = at[last];
        if (isRecord(value) && isRecord(before)) Object.assign(before, value);
        else at[last] = value;
      }),
    );
    touch(path);
  };
  const valueAt = (path: string): unknown =>
    steps(path).reduce<unknown>((v, step) => (v as Record<string | number, unknown> | undefined)?.[step], draft);
  const submit = (): z.output<S> | null => {
    setSubmitted(true);
    setEdited(new Set<string>());
    const result = parsed();
    return result.success && Object.keys(own()).length === 0 ? result.data : null;
  };
  return {
    /** What the fields show. */
    draft,
    /** Sets a draft value as the user typed it (marks the field touched). */
    set<K extends keyof D & string>(key: K, value: D[K]) {
      setAt(key, value);
    },
    /** Sets the value at a dotted path (a field of a listed object: `slots.0.staffName`). */
    setAt,
    /**
     * The props of a text field bound to a draft string at a (dotted) path: a field of a listed
     * object (`slots.0.staffName`) or of a nested one (`safety.weights.overdueShare`); getters keep
     * them reactive when spread.
     */
    text(path: (keyof D & string) | `${string}.${string}`) {
      return {
        get value() {
          return String(valueAt(path) ?? "");
        },
        onChange: (value: string) => setAt(path, value),
        get error() {
          return error(path);
        },
      };
    },
    /**
     * The props of a choice bound to a draft value (a select or radio group of one of the
     * values offered): a cleared select keeps the value it had.
     */
    choice<K extends keyof D & string>(key: K) {
      return {
        get value(): D[K] {
          return draft[key] as D[K];
        },
        onChange: (value: string | null) => {
          if (value) setAt(key, value);
        },
      };
    },
    /** The message shown next to a field, if any. */
    error: (path: string) => error(path),
    /**
     * The message of a field that is a whole structure typed as one (a GeoJSON boundary): its
     * own, else the first one about a part inside it (`boundary.coordinates.0`).
     */
    within: (path: string): string | undefined => error(path, true),
    /** True when some field problem (the browser's or the server's) is shown next to this field. */
    known: (path: string) => path in own() || fieldProblem(options.serverError(), path) !== undefined,
    /** Call on submit: the procedure's input when every check passes, else null (messages show). */
    submit,
    /** The form's submit handler: sends the input to `send` when every check passes. */
    onSubmit: (send: (input: z.output<S>) => void) => (event: SubmitEvent) => {
      event.preventDefault();
      const input = submit();
      if (input) send(input);
    },
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
