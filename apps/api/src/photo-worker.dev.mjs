// The photo pool's worker when the server runs from its TypeScript sources (tsx, vitest): a
// worker thread does not inherit the main thread's loader, so this registers tsx in the thread
// and hands over photo-worker.ts. The compiled server runs dist/photo-worker.js instead (build.mjs).
import { register } from "tsx/esm/api";

register();
const worker = await import("./photo-worker.ts");
export default worker.default;
