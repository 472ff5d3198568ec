// `pnpm start`: builds the admin UI when it is missing or older than its sources, then runs
// the API (which starts an embedded PostgreSQL unless DATABASE_URL is set).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dist = join(root, "apps/admin/dist/index.html");

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
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const r = spawnSync(process.execPath, ["--import", "tsx", join(root, "apps/api/src/main.ts")], {
  stdio: "inherit",
  cwd: root,
});
process.exit(r.status ?? 0);
