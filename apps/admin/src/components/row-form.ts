import { useQueryClient } from "@tanstack/solid-query";
import { zodIssues } from "@zongzhi/api/input";
import type { z } from "zod";
import { pick, t } from "../i18n.ts";
import { createDialogForm } from "./dialog-form.tsx";

/**
 * The dialog form of a row of a configuration page that is created, or edited when `row` is
 * given (its id and version added to the input; `create` and `edit` also get the draft, for what
 * the schema does not take, such as an edit's active flag): validated by the procedure's own schema
 * ({@link createDialogForm}), then the lists named in `refresh` are read again, 已创建 / 已保存
 * is said and the dialog closes. Render it with {@link DialogForm}.
 */
export function createRowForm<D extends object, S extends z.ZodType, R extends { name: string }>(options: {
  row: { id: string; version: number } | undefined;
  schema: S;
  initial: D;
  toInput: (draft: D) => z.input<S>;
  extra?: (draft: D) => Partial<Record<string, string | undefined>>;
  create: (input: z.output<S>, draft: D) => Promise<R>;
  edit: (input: z.output<S> & { id: string; version: number }, draft: D) => Promise<R>;
  refresh: string[];
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const form = createDialogForm({
    schema: options.schema,
    initial: options.initial,
    toInput: options.toInput,
    extra: options.extra,
    send: (input: z.output<S>): Promise<R> => {
      const row = options.row;
      return row
        ? options.edit(
            { ...(input as object), id: row.id, version: row.version } as z.output<S> & typeof row,
            form.draft,
          )
        : options.create(input, form.draft);
    },
    done: (saved) => t(options.row ? "centre.saved" : "centre.created", { name: saved.name }),
    refresh: () => Promise.all(options.refresh.map((key) => queryClient.invalidateQueries({ queryKey: [key] }))),
    onClose: options.onClose,
  });
  return form;
}

/**
 * The message of one field's own schema (a field that only some of a form's procedures take,
 * such as a new grid's number), or undefined when the value passes.
 */
export function fieldCheck(schema: z.ZodType, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  const issue = result.success ? undefined : zodIssues(result.error)[0];
  return issue ? pick(issue) : undefined;
}
