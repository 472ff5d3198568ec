// `pnpm start`: checks Node and the install, builds the admin UI when it is missing or older
// than its sources, then runs the API (which starts an embedded PostgreSQL unless DATABASE_URL
// is set). Signals reach the API, which stops the database before it exits.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "apps/admin/dist/index.html");

function fail(message) {
  console.error(`\n  启动失败 / start-up failed: ${message}\n`);
  process.exit(1);
}

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  fail(
    `Node.js ${process.versions.node} is too old: install Node 20.19 or newer (22 LTS recommended), then run pnpm start again`,
  );
}
if (!existsSync(join(root, "node_modules/.pnpm")) || !existsSync(join(root, "apps/api/node_modules"))) {
  fail("the dependencies are not installed: run `pnpm install` first");
}

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
