// `pnpm start`: checks Node and the install, builds the admin UI when it is missing or older
// than its sources, then runs the API (which starts an embedded PostgreSQL unless DATABASE_URL
// is set). Signals reach the API, which stops the database before it exits.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fail, preflight } from "./preflight.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "apps/admin/dist/index.html");

preflight(root);

function newest(dir) {
  let t = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    t = Math.max(t, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

if (!existsSync(dist) || newest(join(root, "apps/admin/src")) > statSync(dist).mtimeMs) {
  console.log("Building the admin UI…");
  const r = spawnSync("pnpm", ["--filter", "@zongzhi/admin", "build"], { stdio: "inherit", cwd: root });
  if (r.error)
    fail(`could not run pnpm to build the admin UI (${r.error.message}): install pnpm (npm install -g pnpm@10)`);
  if (r.status !== 0) fail("building the admin UI failed (see above): fix the error, or run `pnpm install` again");
}

const api = spawn(process.execPath, ["--import", "tsx", join(root, "apps/api/src/main.ts")], {
  stdio: "inherit",
  cwd: root,
});
// A Ctrl-C in the terminal reaches the whole process group anyway; a signal sent to this
// process alone (kill, a supervisor) is passed on, so the API can stop its database.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => api.kill(signal));
}
api.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
