import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "@hono/node-server";
import { createSm4Cipher, keyringFromEnv } from "@zongzhi/crypto";
import { createPool } from "@zongzhi/db/client";
import { assertRuntimeRoleSafe } from "@zongzhi/db/safety";
import { createApp } from "./app.ts";
import { prepareDatabase } from "./database.ts";
import { DEMO_PASSWORD, loadDemo } from "./demo.ts";
import { readEnv } from "./env.ts";
import { createLogger } from "./logger.ts";
import { localDiskStore } from "./storage.ts";
import { startWorker } from "./worker.ts";

const started = Date.now();
const env = readEnv();
const logger = createLogger(env.LOG_LEVEL);
const production = env.NODE_ENV === "production";
if (production && !env.DATABASE_URL) {
  logger.fatal("production mode needs DATABASE_URL (the embedded database is for trying the product)");
  process.exit(1);
}

const db = await prepareDatabase(env, logger);
const sql = createPool(db.appUrl, { max: 10 });
await assertRuntimeRoleSafe(sql);

if (!db.fieldKeys) {
  logger.fatal("FIELD_KEYS is required: personal data is encrypted at rest (generate one with `pnpm keys:generate`)");
  process.exit(1);
}
const cipher = createSm4Cipher(keyringFromEnv(db.fieldKeys));

const demoWanted = env.DEMO ? env.DEMO === "on" : !production;
const demo = demoWanted ? await loadDemo(db.adminUrl, { cipher }) : null;

const staticDir = fileURLToPath(new URL("../../admin/dist/", import.meta.url));
const origin = env.PUBLIC_ORIGIN ?? `http://${env.HOST === "0.0.0.0" ? "127.0.0.1" : env.HOST}:${env.PORT}`;
if (production && !origin.startsWith("https:") && env.ALLOW_INSECURE_COOKIE !== "1") {
  logger.fatal("production mode needs an https PUBLIC_ORIGIN (or ALLOW_INSECURE_COOKIE=1 behind a trusted proxy)");
  process.exit(1);
}
const app = createApp({
  sql,
  logger,
  origin,
  allowedOrigins: env.ALLOWED_ORIGINS.split(",").filter(Boolean),
  staticDir,
  cipher,
  store: localDiskStore(env.ATTACHMENTS_DIR ?? join(env.DATA_DIR, "attachments")),
  insecureCookie: !origin.startsWith("https:"),
  requireOperatorTotp: env.REQUIRE_OPERATOR_TOTP === "1",
  trustedProxies: env.TRUSTED_PROXIES,
});

const worker = await startWorker({ workerUrl: db.workerUrl, sql, logger });

const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, (info) => {
  const lines = [
    "",
    `  综治中心平台 / Social-governance centre platform`,
    `  Ready in ${Date.now() - started} ms: ${origin}  (port ${info.port})`,
  ];
  if (demo) {
    lines.push("", `  【演示数据 DEMO】 demo deployments loaded; every demo login uses the password ${DEMO_PASSWORD}`);
    for (const d of demo) lines.push(`    ${d.username.padEnd(20)} ${d.roles.join(",").padEnd(28)} ${d.unit}`);
  }
  console.log(lines.join("\n"));
});

async function shutdown(signal: string) {
  logger.info({ signal }, "shutting down");
  server.close();
  await worker.stop();
  await sql.end({ timeout: 5 });
  await db.stop();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
