// `pnpm dev`: the API restarting on every change (tsx watch, embedded PostgreSQL as in
// `pnpm start`) and the admin UI from Vite with hot module replacement, in one command.
// Open the Vite address: it forwards /trpc, /auth, /events, /public, /attachments, uploads and
// /healthz to the API (apps/admin/vite.config.ts), and the API accepts that origin.
//   PORT     the API's port (default 3000)
//   UI_PORT  Vite's port (default 5173)
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fail, preflight } from "./preflight.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
preflight(root);

const apiPort = Number(process.env.PORT ?? 3000);
const uiPort = Number(process.env.UI_PORT ?? 5173);
const apiHost = !process.env.HOST || process.env.HOST === "0.0.0.0" ? "127.0.0.1" : process.env.HOST;

function portIsFree(port, host) {
  return new Promise((done) => {
    const server = createServer();
    server.once("error", () => done(false));
    server.listen({ port, host }, () => server.close(() => done(true)));
  });
}
if (!(await portIsFree(uiPort, "localhost"))) {
  fail(
    `port ${uiPort} for the Vite dev server is in use: stop that program, or choose another, e.g. UI_PORT=${uiPort + 1} pnpm dev`,
  );
}

const uiOrigins = [`http://localhost:${uiPort}`, `http://127.0.0.1:${uiPort}`];
const allowed = [process.env.ALLOWED_ORIGINS, ...uiOrigins].filter(Boolean).join(",");
const tsx = createRequire(join(root, "package.json")).resolve("tsx/cli");
const vite = join(root, "apps/admin/node_modules/vite/bin/vite.js");

console.log(
  `\n  pnpm dev: open http://localhost:${uiPort} (Vite, hot reload); the API on http://${apiHost}:${apiPort} restarts on every change\n`,
);
const children = [
  spawn(process.execPath, [tsx, "watch", "--clear-screen=false", "apps/api/src/main.ts"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, PORT: String(apiPort), ALLOWED_ORIGINS: allowed },
  }),
  spawn(process.execPath, [vite, "--port", String(uiPort), "--strictPort"], {
    cwd: join(root, "apps/admin"),
    stdio: "inherit",
    env: { ...process.env, ZZ_API_ORIGIN: `http://${apiHost}:${apiPort}` },
  }),
];

let exiting = false;
function stopAll(signal) {
  for (const child of children) if (child.exitCode === null) child.kill(signal);
}
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    exiting = true;
    stopAll(signal);
  });
}
// When one of the two ends, the other is stopped too; the command ends when both have.
let remaining = children.length;
let status = 0;
for (const child of children) {
  child.on("exit", (code) => {
    if (!exiting) {
      exiting = true;
      status = code ?? 1;
      stopAll("SIGTERM");
    }
    if (--remaining === 0) process.exit(status);
  });
}
