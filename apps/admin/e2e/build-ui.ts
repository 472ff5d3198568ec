import { fileURLToPath } from "node:url";
import { build } from "vite";

/** Vitest global setup of the browser tests: builds the admin UI once, so that tests drive the real bundle. */
export default async function buildUi(): Promise<void> {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const started = Date.now();
  await build({ root, logLevel: "warn" });
  console.log(`[e2e] admin UI built in ${Date.now() - started} ms`);
}
