import { z } from "zod";
import { id, noInput, strict, text, version } from "../input.ts";
import { created } from "../schemas/common.ts";
import { addedCategory, categoryView, dictionaryEntryView, edited } from "../schemas/config-views.ts";
import {
  addCategory,
  addEntry,
  DICTIONARY_KINDS,
  editCategory,
  editEntry,
  listCategories,
  listEntries,
} from "../services/dictionaries.ts";
import { allowed, router } from "../trpc.ts";

/**
 * Dictionaries (字典管理): the dispute categories, national and each unit's own, and the window
 * service items and mediator qualifications of each unit; all inherited down the tree.
 */
export const dictionariesRouter = router({
  /** The categories my unit may use: the national catalogue, then my own and my ancestors' entries. */
  categories: allowed("centre.read")
    .input(noInput())
    .output(z.array(categoryView))
    .query(({ ctx }) => ctx.run((tx) => listCategories(tx))),

  /** Adds a category of my unit (usable in intake, filters and statistics here and below). */
  addCategory: allowed("dictionary.manage")
    .input(strict({ name: text(40), docking: z.boolean().default(false) }))
    .output(addedCategory)
    .mutation(({ ctx, input }) => ctx.run((tx) => addCategory(tx, input))),

  /** Renames, re-flags or (de)activates one of my unit's categories. */
  editCategory: allowed("dictionary.manage")
    .input(strict({ id: id(), version: version(), name: text(40), docking: z.boolean(), active: z.boolean() }))
    .output(edited)
    .mutation(({ ctx, input }) => ctx.run((tx) => editCategory(tx, input))),

  /** The service items and qualifications my unit may use: my own and my ancestors' entries. */
  entries: allowed("centre.read")
    .input(noInput())
    .output(z.array(dictionaryEntryView))
    .query(({ ctx }) => ctx.run((tx) => listEntries(tx))),

  /** Adds a service item or qualification of my unit (offered in the forms here and below). */
  addEntry: allowed("dictionary.manage")
    .input(strict({ kind: z.enum(DICTIONARY_KINDS), name: text(40) }))
    .output(created)
    .mutation(({ ctx, input }) => ctx.run((tx) => addEntry(tx, input))),

  /** Renames or (de)activates one of my unit's service items or qualifications. */
  editEntry: allowed("dictionary.manage")
    .input(strict({ id: id(), version: version(), name: text(40), active: z.boolean() }))
    .output(edited)
    .mutation(({ ctx, input }) => ctx.run((tx) => editEntry(tx, input))),
});
