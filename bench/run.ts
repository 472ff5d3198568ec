import { readdir } from "node:fs/promises";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * Runs every `*.bench.ts` in this folder (or those named on the command line, e.g.
 * `pnpm bench rls`), one after the other, calling the `run` each exports. Benchmarks print
 * figures; they never fail on timing.
 */
const here = fileURLToPath(new URL(".", import.meta.url));
const wanted = process.argv.slice(2);
const files = (await readdir(here))
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)))
  .sort();
const started = performance.now();
for (const file of files) {
  console.log(`\n== ${file}`);
  const mod = (await import(pathToFileURL(here + file).href)) as { run?: () => Promise<unknown> };
  if (typeof mod.run !== "function") throw new Error(`${file} exports no run()`);
  await mod.run();
}
console.log(`\n${files.length} benchmark(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
