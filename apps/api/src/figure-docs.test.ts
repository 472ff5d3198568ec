import { readFileSync } from "node:fs";
import { FIGURE_DEFINITIONS } from "@zongzhi/domain/figures";
import { describe, expect, it } from "vitest";

/**
 * Each cockpit figure is defined once (issue 10): `FIGURE_DEFINITIONS` in the domain, which the
 * cockpit shows as the tooltip next to the figure. docs/figures.md's table says the same, word for
 * word, in the same order; this fails when one is edited without the other.
 */
const docs = readFileSync(new URL("../../../docs/figures.md", import.meta.url), "utf8");

/** A definition as a table cell: without its final full stop, pipes escaped. */
const cell = (s: string) => s.replace(/[。.]$/, "").replaceAll("|", "\\|");

describe("docs/figures.md", () => {
  it("lists every figure of FIGURE_DEFINITIONS with its labels and definitions, and no other", () => {
    const lines = docs.split("\n");
    const at = lines.indexOf("| 指标 | Figure | 定义 | Definition |");
    expect(at).toBeGreaterThan(-1);
    const table: string[] = [];
    for (let i = at + 2; lines[i]?.startsWith("| "); i += 1) table.push(lines[i]!);
    const expected = Object.values(FIGURE_DEFINITIONS).map(
      (d) => `| ${d.label.zh} | ${d.label.en} | ${cell(d.definition.zh)} | ${cell(d.definition.en)} |`,
    );
    expect(table).toEqual(expected);
  });
});
