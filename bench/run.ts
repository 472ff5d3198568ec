import { execFileSync } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createSm4Cipher, keyringFromEnv } from "@zongzhi/crypto";
import { createPool } from "@zongzhi/db/client";
import postgres from "postgres";
import { cockpitFigures, ledgerWriterFigures } from "./cockpit.bench.ts";
import { run as cryptoBench } from "./crypto.bench.ts";
import { ensureGenerated } from "./gen.ts";
import { openBenchServer, parseSize, repoRoot, sizeLabel } from "./lib/cluster.ts";
import { appPolicies, capturingPool } from "./lib/explain.ts";
import type { Budget, Figure } from "./lib/figures.ts";
import { startApi } from "./lib/http.ts";
import { httpFigures, serviceStatements } from "./lib/intake.ts";
import { listFigures } from "./lib/lists.ts";
import { overviewFigures, scanFigures } from "./lib/overviews.ts";
import { registryFigure } from "./lib/registry-load.ts";
import { markdown, type Report, readReport, writeReport } from "./lib/report.ts";
import { load } from "./lib/stats.ts";
import { busiest, busiestUnits } from "./lib/units.ts";

/**
 * `pnpm bench [--size 1m] [--only lists,overviews,jobs,http,cockpit,registry,crypto]`: benchmarks the
 * product's own code on a generated province (made by `pnpm gen` on first use, then reused) and
 * writes `bench/results/<date>-<size>.json` and `.md`: median, p95, min and max of each figure
 * with its reference from the same run, the load average, and a verdict against issue 9's
 * targets. Prints figures; never fails on timing.
 */
const SECTIONS = ["registry", "lists", "overviews", "http", "cockpit", "jobs", "crypto"] as const;
/** The `section` its figures carry, per command-line section. */
const FIGURE_SECTION: Record<(typeof SECTIONS)[number], string> = {
  registry: "first start",
  lists: "lists",
  overviews: "overviews",
  http: "http",
  cockpit: "cockpit",
  jobs: "jobs",
  crypto: "crypto",
};

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "100k" },
    seed: { type: "string", default: "1" },
    province: { type: "string", default: "62" },
    only: { type: "string" },
    seconds: { type: "string", default: "15" },
    budget: { type: "string", default: "3000" },
    write: { type: "boolean", default: true },
    "no-write": { type: "boolean", default: false },
    // Replace only these sections' figures in today's results of this size, keeping the others
    // (each section's figures and references still come from one run, named in meta.runs).
    merge: { type: "boolean", default: false },
    // The cockpit's figures without its ledger exports (~25 min at 1 M); with --merge the
    // exports' earlier figures are kept.
    "no-exports": { type: "boolean", default: false },
  },
});
const order = SECTIONS.map((s) => FIGURE_SECTION[s]);
const wanted = new Set(values.only ? values.only.split(",") : SECTIONS);
for (const w of wanted) if (!(SECTIONS as readonly string[]).includes(w)) throw new Error(`unknown section ${w}`);
const cases = parseSize(values.size);
const seed = Number(values.seed);
const budget: Budget = { budgetMs: Number(values.budget), min: 5, max: 40 };
const log = (s: string) => console.log(s);
const startedAt = new Date();
const loadStart = load();
const figures: Figure[] = [];

/** Runs one section; a failure becomes a missed figure instead of ending the run. */
async function section(name: string, fn: () => Promise<Figure[]>): Promise<void> {
  try {
    figures.push(...(await fn()));
  } catch (error) {
    log(`  ${name} failed: ${String(error).slice(0, 300)}`);
    figures.push({
      section: name,
      name: `${name} (section failed)`,
      verdict: "miss",
      note: String(error).slice(0, 200),
    });
  }
}

const server = await openBenchServer();
let api: Awaited<ReturnType<typeof startApi>> | null = null;
const pools: postgres.Sql[] = [];
try {
  const { database, mark } = await ensureGenerated(server, { province: values.province, cases, seed, log });
  const adminUrl = server.url(database);
  const appUrl = server.url(database, { user: "zz_app", password: server.secrets.appPassword });
  const admin = postgres(adminUrl, { max: 2, prepare: false, onnotice: () => {} });
  const app = createPool(appUrl, { max: 4 });
  const capture = capturingPool(appUrl, 2);
  pools.push(admin, app, capture.sql);
  const policies = await appPolicies(admin);
  const units = await busiestUnits(admin, values.province);
  const [{ version }] = (await admin`select version()`) as unknown as [{ version: string }];
  log(
    `\nbench on ${database}: ${units.map((u) => `${u.level} ${u.code} (${u.cases.toLocaleString("en")} cases)`).join(", ")}`,
  );
  const readPools = { capture, app, admin, policies };

  if (wanted.has("registry")) {
    log("\n== first start");
    await section("first start", async () => [await registryFigure(3, log)]);
  }
  if (wanted.has("lists")) {
    log("\n== lists at every tier (listCases as each tier's staff, RLS on)");
    await section("lists", () => listFigures(readPools, units, budget, log));
  }
  if (wanted.has("overviews")) {
    log("\n== overviews");
    const cipher = createSm4Cipher(keyringFromEnv(server.secrets.fieldKeys));
    await section("overviews", () => overviewFigures(readPools, units, cipher, budget, log));
  }
  if (wanted.has("http")) {
    log("\n== HTTP: intake vs raw SQL, case detail, province list, API memory");
    const townships = await busiest(admin, "township", 16);
    const cipher = createSm4Cipher(keyringFromEnv(server.secrets.fieldKeys));
    const statements = await serviceStatements(capture, townships[0] as (typeof townships)[number], cipher);
    log(
      `  cases.register sends ${statements} statements per intake, plus the operation log's one (the raw SQL reference runs the same)`,
    );
    api = await startApi({
      adminUrl,
      appPassword: server.secrets.appPassword,
      workerPassword: server.secrets.workerPassword,
      fieldKeys: server.secrets.fieldKeys,
    });
    const county = units.find((u) => u.level === "county");
    const province = units.find((u) => u.level === "province");
    if (!county || !province) throw new Error("no county or province unit");
    const ids = (
      await admin<{ id: string }[]>`select id from app.cases where scope_code >= ${county.code}
        and scope_code < ${`${county.code}:`} order by md5(id::text) limit 2000`
    ).map((r) => r.id);
    await section("http", async () => {
      if (!api) throw new Error("no API");
      const http = await httpFigures(api, appUrl, townships, county, province, ids, Number(values.seconds), log);
      for (const f of http) if (f.name.startsWith("intake via HTTP")) f.statements = statements;
      return http;
    });
    await api.stop();
    api = null;
  }
  if (wanted.has("cockpit")) {
    log("\n== cockpit (issue 10): figures and ranking through HTTP, streamed exports");
    await section("cockpit", async () => {
      const cockpitApi = await startApi({
        adminUrl,
        appPassword: server.secrets.appPassword,
        workerPassword: server.secrets.workerPassword,
        fieldKeys: server.secrets.fieldKeys,
      });
      try {
        // Awaited here, inside the try: a bare `return promise` would run the finally (stopping the
        // API) before the figures are taken, and its rejection would go unhandled meanwhile.
        if (values["no-exports"]) return await cockpitFigures(cockpitApi, readPools, units, budget, log, 20, false);
        return [
          ...(await cockpitFigures(cockpitApi, readPools, units, budget, log)),
          ...(await ledgerWriterFigures(log)),
        ];
      } finally {
        await cockpitApi.stop();
      }
    });
  }
  if (wanted.has("jobs")) {
    log("\n== jobs");
    await section("jobs", () => scanFigures(app, log));
  }
  if (wanted.has("crypto")) {
    log("\n== crypto");
    for (const c of await cryptoBench()) {
      figures.push({
        section: "crypto",
        name: c.operation,
        note: `${Math.round(c.opsPerSecond).toLocaleString("en")} ops/s`,
        verdict: "info",
      });
    }
  }

  let commit = "";
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: repoRoot }).toString().trim();
  } catch {
    // not a checkout
  }
  const run = {
    sections: [...wanted],
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit,
    loadAverageStart: loadStart.join(" "),
    loadAverageEnd: load().join(" "),
  };
  const report = {
    meta: {
      date: startedAt.toISOString().slice(0, 10),
      size: sizeLabel(cases),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      database,
      commit,
      machine: `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${Math.round(totalmem() / 2 ** 30)} GB, Node ${process.version}`,
      postgres: version.split(" on ")[0],
      loadAverageStart: loadStart.join(" "),
      loadAverageEnd: load().join(" "),
      generated: `${mark.cases.toLocaleString("en")} cases, ${mark.events.toLocaleString("en")} events, ${mark.units.toLocaleString("en")} units, anchor ${mark.anchor}, seed ${mark.seed}, generated in ${Math.round((mark.seconds.total ?? 0) / 60)} min`,
      units: units.map((u) => `${u.level} ${u.code} ${u.name} (${u.cases.toLocaleString("en")} cases in its subtree)`),
      mark,
      runs: [run],
    } as Report["meta"],
    figures,
  };
  const dir = join(repoRoot, "bench", "results");
  if (values.merge) {
    const previous = await readReport(dir, report.meta.date, report.meta.size);
    if (previous) {
      const replaced = new Set([...wanted].map((w) => FIGURE_SECTION[w as (typeof SECTIONS)[number]]));
      const exportFigure = (f: Figure) => f.name.startsWith("export of") || f.name.startsWith("ledger writer");
      const kept = previous.figures.filter(
        (f) => !replaced.has(f.section) || (values["no-exports"] && f.section === "cockpit" && exportFigure(f)),
      );
      const earlier = ((previous.meta.runs as (typeof run)[] | undefined) ?? []).map((r) => ({
        ...r,
        sections: r.sections.filter((x) => !wanted.has(x)),
      }));
      report.meta.runs = [...earlier.filter((r) => r.sections.length > 0), run];
      report.meta.startedAt = [previous.meta.startedAt, report.meta.startedAt].sort()[0];
      report.figures = [...kept, ...figures].sort((a, b) => order.indexOf(a.section) - order.indexOf(b.section));
      log(`merged into today's ${report.meta.size} results: kept ${kept.length} figures of earlier runs`);
    }
  }
  if (values.write && !values["no-write"]) {
    const [json, md] = await writeReport(dir, report);
    log(`\nwrote ${json} and ${md}`);
  } else {
    log(markdown(report));
  }
} finally {
  await api?.stop();
  await Promise.all(pools.map((p) => p.end({ timeout: 5 })));
  await server.stop();
}
