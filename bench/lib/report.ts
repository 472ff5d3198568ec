import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Figure } from "./figures.ts";
import { fmt } from "./lists.ts";
import type { Summary } from "./stats.ts";

/** Everything one bench run produced. */
export interface Report {
  meta: Record<string, unknown> & { date: string; size: string };
  figures: Figure[];
}

const ms = (s: Summary | undefined) => (s ? `${fmt(s.median)} / ${fmt(s.p95)} / ${fmt(s.min)} / ${fmt(s.max)}` : "");
const short = (s: Summary | undefined) => (s ? `${fmt(s.median)} / ${fmt(s.p95)}` : "");
const mark = (v: Figure["verdict"]) => (v === "pass" ? "✅ pass" : v === "miss" ? "❌ miss" : "");

interface Run {
  sections: string[];
  startedAt: string;
  finishedAt: string;
  commit: string;
  loadAverageStart: string;
  loadAverageEnd: string;
}

/** Which run measured which sections (results merged with `--merge` come from several). */
function runLines(runs: unknown): string[] {
  if (!Array.isArray(runs)) return [];
  return [
    "- **runs** (each section's figures and their references come from one run):",
    ...(runs as Run[]).map(
      (r) =>
        `  - ${r.sections.join(", ")}: ${r.startedAt} → ${r.finishedAt}, commit ${r.commit}, load average ${r.loadAverageStart} → ${r.loadAverageEnd}`,
    ),
  ];
}

/** The report as a Markdown page: one table per section, each figure with its reference and verdict. */
export function markdown(report: Report): string {
  const m = report.meta;
  const lines: string[] = [
    `# Benchmark ${m.date} — ${m.size} cases`,
    "",
    ...Object.entries(m)
      .filter(([k]) => !["date", "size", "mark", "runs", "analysis"].includes(k))
      .map(([k, v]) => `- **${k}**: ${typeof v === "object" ? JSON.stringify(v) : String(v)}`),
    ...runLines(m.runs),
    "",
    "Times in milliseconds. *db* = planning + execution inside PostgreSQL of exactly the statements the",
    "product's service sent (captured, then run with EXPLAIN ANALYZE as zz_app with RLS in the unit's",
    "scope); *reference* = the same statements run by the superuser with every zz_app policy written out",
    "as a plain predicate (no RLS); *service* = client round trip of the service call. median / p95 / min / max.",
    "",
  ];
  const sections = [...new Set(report.figures.map((f) => f.section))];
  for (const section of sections) {
    const figures = report.figures.filter((f) => f.section === section);
    lines.push(`## ${section}`, "");
    if (section === "http") {
      lines.push("| figure | req/s | latency median / p95 / min / max | target | verdict | note | load |");
      lines.push("| --- | --- | --- | --- | --- | --- | --- |");
      for (const f of figures) {
        lines.push(
          `| ${f.name} | ${f.rate?.perSecond ?? ""} | ${ms(f.service)} | ${f.target ?? ""} | ${mark(f.verdict)} | ${f.note ?? ""} | ${f.load?.join(" ") ?? ""} |`,
        );
      }
    } else {
      lines.push(
        "| tier | unit | figure | db median / p95 / min / max | reference median / p95 | service median / p95 | rows | verdict | note | load |",
      );
      lines.push("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
      for (const f of figures) {
        lines.push(
          `| ${f.tier ?? ""} | ${f.unit ?? ""} | ${f.name} | ${ms(f.db)} | ${short(f.reference)} | ${f.db ? short(f.service) : ms(f.service)} | ${f.rows ?? ""} | ${mark(f.verdict)} | ${f.note ?? ""} | ${f.load?.join(" ") ?? ""} |`,
        );
      }
    }
    lines.push("");
  }
  const misses = report.figures.filter((f) => f.verdict === "miss");
  const passes = report.figures.filter((f) => f.verdict === "pass");
  lines.push("## Verdict", "", `${passes.length} figures meet their target, ${misses.length} miss it.`, "");
  for (const f of misses)
    lines.push(`- ❌ ${f.section} · ${f.tier ? `${f.tier} · ` : ""}${f.name}: ${f.note ?? ""} (${f.target ?? ""})`);
  const plans = report.figures.filter((f) => f.plan && f.section === "lists" && f.name === "first page");
  if (plans.length) {
    lines.push("", "## Plans of the first page (top nodes)", "");
    for (const f of plans) lines.push(`- ${f.tier}: ${f.plan}`);
  }
  if (typeof m.analysis === "string") lines.push("", "## Analysis", "", m.analysis.trim());
  return `${lines.join("\n")}\n`;
}

/** Writes `bench/results/<date>-<size>.json` and `.md`; returns their paths. */
export async function writeReport(dir: string, report: Report): Promise<[string, string]> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, `${report.meta.date}-${report.meta.size}`);
  // The written analysis of a run (why a target is missed, what would close it), kept beside it.
  const notes = `${base}.analysis.md`;
  if (existsSync(notes)) report.meta.analysis = await readFile(notes, "utf8");
  await writeFile(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(`${base}.md`, markdown(report));
  return [`${base}.json`, `${base}.md`];
}

/** Today's results of this size, when a run wrote them. */
export async function readReport(dir: string, date: string, size: string): Promise<Report | null> {
  const file = join(dir, `${date}-${size}.json`);
  if (!existsSync(file)) return null;
  return JSON.parse(await readFile(file, "utf8")) as Report;
}
