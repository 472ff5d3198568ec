// Checks shared by `pnpm start` and `pnpm dev`: a Node that runs the code and an installed
// workspace. Each failure is one line saying what to do.
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Prints one start-up failure line and exits 1. */
export function fail(message) {
  console.error(`\n  启动失败 / start-up failed: ${message}\n`);
  process.exit(1);
}

/** Fails unless Node ≥ 20.19 runs and `pnpm install` has been run in `root`. */
export function preflight(root) {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 19)) {
    fail(
      `Node.js ${process.versions.node} is too old: install Node 20.19 or newer (22 LTS recommended), then try again`,
    );
  }
  if (!existsSync(join(root, "node_modules/.pnpm")) || !existsSync(join(root, "apps/api/node_modules"))) {
    fail("the dependencies are not installed: run `pnpm install` first");
  }
}
