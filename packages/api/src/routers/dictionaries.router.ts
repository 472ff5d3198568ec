import { z } from "zod";
import { id, noInput, strict, text, version } from "../input.ts";
import { addCategory, editCategory, listCategories } from "../services/dictionaries.ts";
import { allowed, router } from "../trpc.ts";

/** Dictionaries (字典管理): the dispute categories, national and each unit's own, inherited down the tree. */
export const dictionariesRouter = router({
  /** The categories my unit may use: the national catalogue, then my own and my ancestors' entries. */
  categories: allowed("centre.read")
    .input(noInput())
    .query(({ ctx }) => ctx.run((tx) => listCategories(tx))),

  /** Adds a category of my unit (usable in intake, filters and statistics here and below). */
  addCategory: allowed("dictionary.manage")
    .input(strict({ name: text(40), docking: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => ctx.run((tx) => addCategory(tx, input))),

  /** Renames, re-flags or (de)activates one of my unit's categories. */
  editCategory: allowed("dictionary.manage")
    .input(strict({ id: id(), version: version(), name: text(40), docking: z.boolean(), active: z.boolean() }))
    .mutation(({ ctx, input }) => ctx.run((tx) => editCategory(tx, input))),
});
