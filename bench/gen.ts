import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { createSm4Cipher, keyringFromEnv } from "@zongzhi/crypto";
import { verifyCaseChains } from "@zongzhi/db/case-chain";
import { migrate } from "@zongzhi/db/migrate";
import { loadRegistry } from "@zongzhi/registry";
import { generate } from "@zongzhi/testing/generate";
import postgres from "postgres";
import {
  type BenchServer,
  type GeneratedMark,
  generatedMark,
  generatedName,
  openBenchServer,
  parseSize,
} from "./lib/cluster.ts";

/** What to make. */
export interface GenRequest {
  province: string;
  cases: number;
  seed: number;
  anchor?: Date | undefined;
  database?: string | undefined;
  force?: boolean | undefined;
  log?: (line: string) => void;
}

/**
 * Makes sure `database` holds a finished generation of this size and seed: reuses it when the
 * generator's mark says so (unless `force`), otherwise creates the database afresh, migrates
 * it, loads the registry and generates. Returns the database name and its mark.
 */
export async function ensureGenerated(
  server: BenchServer,
  request: GenRequest,
): Promise<{ database: string; mark: GeneratedMark; reused: boolean }> {
  const log = request.log ?? console.log;
  const database = request.database ?? generatedName(request.province, request.cases, request.seed);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`bad database name ${database}`);
  const existing = await generatedMark(server, database);
  if (
    existing &&
    !request.force &&
    existing.cases === request.cases &&
    existing.seed === request.seed &&
    existing.province === request.province
  ) {
    // Migrations landed since the generation apply to it as to any database with data.
    const migrated = await migrate(server.url(database), {
      appPassword: server.secrets.appPassword,
      workerPassword: server.secrets.workerPassword,
    });
    log(
      `reusing ${database}: ${existing.cases.toLocaleString("en")} cases generated ${existing.finishedAt}` +
        (migrated.applied.length ? `; applied ${migrated.applied.join(", ")} since` : ""),
    );
    return { database, mark: existing, reused: true };
  }
  const maintenance = postgres(server.serverUrl, { max: 1, onnotice: () => {} });
  try {
    await maintenance.unsafe(`drop database if exists ${database} with (force)`);
    await maintenance.unsafe(`create database ${database}`);
  } finally {
    await maintenance.end();
  }
  const adminUrl = server.url(database);
  await migrate(adminUrl, { appPassword: server.secrets.appPassword, workerPassword: server.secrets.workerPassword });
  const admin = postgres(adminUrl, { max: 2, onnotice: () => {} });
  try {
    const t = performance.now();
    await loadRegistry(admin);
    log(`registry loaded in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const result = await generate(admin, {
      province: request.province,
      cases: request.cases,
      seed: request.seed,
      ...(request.anchor ? { anchor: request.anchor } : {}),
      cipher: createSm4Cipher(keyringFromEnv(server.secrets.fieldKeys)),
      log,
    });
    const mark: GeneratedMark = {
      generator: "zongzhi-generate",
      province: result.province,
      cases: result.cases,
      seed: result.seed,
      anchor: result.anchor,
      finishedAt: new Date().toISOString(),
      seconds: { ...result.seconds, generatorCpu: result.cpu.generator, serverCopyCpu: result.cpu.server ?? -1 },
      rows: result.rows,
      statuses: result.statuses,
      hotCounties: result.hotCounties,
      units: result.units,
      events: result.events,
    };
    const literal = JSON.stringify(mark).replaceAll("'", "''");
    await admin.unsafe(`comment on database ${database} is '${literal}'`);
    return { database, mark, reused: false };
  } finally {
    await admin.end();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      province: { type: "string", default: "62" },
      cases: { type: "string", default: "100000" },
      seed: { type: "string", default: "1" },
      anchor: { type: "string" },
      database: { type: "string" },
      force: { type: "boolean", default: false },
      verify: { type: "boolean", default: false },
    },
  });
  const cases = parseSize(values.cases);
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error("--seed must be an integer");
  if (!/^\d{2}$/.test(values.province)) throw new Error("--province is a two-digit province code, e.g. 62");
  const server = await openBenchServer();
  try {
    const started = performance.now();
    const { database, mark, reused } = await ensureGenerated(server, {
      province: values.province,
      cases,
      seed,
      anchor: values.anchor ? new Date(values.anchor) : undefined,
      database: values.database,
      force: values.force,
    });
    const minutes = ((performance.now() - started) / 60_000).toFixed(1);
    const statuses = Object.entries(mark.statuses)
      .map(([s, n]) => `${s} ${n.toLocaleString("en")}`)
      .join(", ");
    console.log(
      [
        "",
        `${reused ? "Reused" : "Generated"} database ${database} (${server.embedded ? "embedded cluster in .bench/" : "DATABASE_URL's server"})${reused ? "" : ` in ${minutes} min`}`,
        `  ${mark.units.toLocaleString("en")} units of province ${mark.province}, ${mark.cases.toLocaleString("en")} cases, ${mark.events.toLocaleString("en")} timeline events; anchor ${mark.anchor}, seed ${mark.seed}`,
        `  hot counties: ${mark.hotCounties.join(", ")}`,
        `  states: ${statuses}`,
        `  every unit has a staff login gen.<code> (e.g. gen.${mark.province}, gen.${mark.hotCounties[0] ?? ""}), password Zongzhi@2026`,
        `  reproduce: pnpm gen --province ${mark.province} --cases ${mark.cases} --seed ${mark.seed} --anchor ${mark.anchor} --force`,
      ].join("\n"),
    );
    if (values.verify) {
      // The same check as `pnpm audit:verify`, on the generated database.
      const sql = postgres(server.url(database), { max: 1, onnotice: () => {} });
      try {
        const t = performance.now();
        const report = await verifyCaseChains(sql);
        console.log(
          `  audit: checked ${report.events.toLocaleString("en")} events in ${report.cases.toLocaleString("en")} case timelines in ${((performance.now() - t) / 1000).toFixed(0)} s: ${report.broken.length === 0 ? "all chains intact" : `${report.broken.length} broken`}`,
        );
        if (report.broken.length > 0) process.exitCode = 1;
      } finally {
        await sql.end();
      }
    }
  } finally {
    await server.stop();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
