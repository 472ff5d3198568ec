import { parseArgs } from "node:util";
import { caseDetail, casePage, caseIntegrity as integrityView } from "@zongzhi/api/schemas/case-views";
import { supervisionRow } from "@zongzhi/api/schemas/escalation";
import { caseIntegrity } from "@zongzhi/api/services/case-integrity";
import { getCase, listCases } from "@zongzhi/api/services/cases";
import { listSupervisions } from "@zongzhi/api/services/deadlines";
import { createSm4Cipher, keyringFromEnv } from "@zongzhi/crypto";
import { createPool, withScope } from "@zongzhi/db/client";
import postgres from "postgres";
import superjson from "superjson";
import { openBenchServer } from "./lib/cluster.ts";
import { load, round, summarize } from "./lib/stats.ts";
import { busiestUnits } from "./lib/units.ts";

/**
 * `tsx bench/output-validation.bench.ts --database <generated database>`: what the output
 * contracts of the hot reads cost (tRPC parses every answer of a procedure with `.output()`).
 * Real answers: the province's first inbox page (cases.list) and its supervisions
 * (escalation.supervisions, up to 200 rows), cases of the busiest county (cases.get) and their
 * integrity views (cases.integrity, as an auditor of the county), read through the services. For each, in the same run: the
 * service call itself (its queries), the output schema's parse, and superjson's serialisation
 * that every tRPC answer pays anyway. Prints figures; never fails on timing.
 */
const { values } = parseArgs({
  options: {
    database: { type: "string", default: "zz_compare_after" },
    cases: { type: "string", default: "100" },
    repeat: { type: "string", default: "50" },
  },
});
const repeat = Number(values.repeat);
const server = await openBenchServer();
const admin = postgres(server.url(values.database), { max: 2, onnotice: () => {} });
const app = createPool(server.url(values.database, { user: "zz_app", password: server.secrets.appPassword }), {
  max: 2,
});
const cipher = createSm4Cipher(keyringFromEnv(server.secrets.fieldKeys));

/** Milliseconds per call of `fn`, each sample the mean of `repeat` calls. */
function perCall(fn: () => unknown, times = repeat): number[] {
  for (let i = 0; i < Math.min(times, 20); i++) fn();
  const samples: number[] = [];
  for (let s = 0; s < 15; s++) {
    const t = performance.now();
    for (let i = 0; i < times; i++) fn();
    samples.push((performance.now() - t) / times);
  }
  return samples;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

const lines: string[] = [];
const row = (name: string, service: number[], parse: number[], serialise: number[]) => {
  const s = summarize(service).median;
  const p = summarize(parse).median;
  const j = summarize(serialise).median;
  lines.push(
    `| ${name} | ${round(s, 2)} | ${round(p, 3)} | ${round(j, 3)} | ${round((100 * p) / s, 2)} % | ${round((100 * p) / j, 0)} % |`,
  );
};

try {
  const loadStart = load();
  const units = await busiestUnits(admin, "62");
  const province = units.find((u) => u.level === "province");
  const county = units.find((u) => u.level === "county");
  if (!province || !county) throw new Error(`no province or county in ${values.database}`);

  // The inbox's first page at the province.
  const pages: { ms: number; value: Awaited<ReturnType<typeof listCases>> }[] = [];
  console.log(`reading as ${province.code} and ${county.code} …`);
  for (let i = 0; i < 20; i++)
    pages.push(await timed(() => withScope(app, province.ctx, (tx) => listCases(tx, { limit: 50 }))));
  const page = pages.at(-1)!.value;
  row(
    `cases.list (province, ${page.items.length} rows)`,
    pages.slice(5).map((p) => p.ms),
    perCall(() => casePage.parse(page)),
    perCall(() => superjson.serialize(page)),
  );

  // Case details of the county: every size the generator makes, the largest measured apart.
  const ids = (
    await admin<{ id: string }[]>`select id from app.cases where scope_code >= ${county.code}
      and scope_code < ${`${county.code}:`} order by md5(id::text) limit ${Number(values.cases)}`
  ).map((r) => r.id);
  const details: { ms: number; value: Awaited<ReturnType<typeof getCase>> }[] = [];
  for (const id of ids) {
    details.push(await timed(() => withScope(app, county.ctx, (tx) => getCase(tx, id, { reveal: false, cipher }))));
  }
  const all = details.map((d) => d.value);
  const size = (d: Awaited<ReturnType<typeof getCase>>) => JSON.stringify(d).length;
  const largest = all.reduce((a, b) => (size(b) > size(a) ? b : a));
  row(
    `cases.get (county, ${all.length} cases, the mean per case)`,
    details.map((d) => d.ms),
    perCall(() => {
      for (const d of all) caseDetail.parse(d);
    }, 2).map((ms) => ms / all.length),
    perCall(() => {
      for (const d of all) superjson.serialize(d);
    }, 2).map((ms) => ms / all.length),
  );
  row(
    `cases.get (the largest: ${largest.events.length} events, ${size(largest)} bytes of JSON)`,
    details.map((d) => d.ms),
    perCall(() => caseDetail.parse(largest)),
    perCall(() => superjson.serialize(largest)),
  );

  // The supervisions list at the province (open first, at most 200).
  const supervisions: { ms: number; value: Awaited<ReturnType<typeof listSupervisions>> }[] = [];
  for (let i = 0; i < 20; i++)
    supervisions.push(await timed(() => withScope(app, province.ctx, (tx) => listSupervisions(tx, {}))));
  const rows = supervisions.at(-1)!.value;
  const supervisionList = supervisionRow.array();
  row(
    `escalation.supervisions (province, ${rows.length} rows)`,
    supervisions.slice(5).map((p) => p.ms),
    perCall(() => supervisionList.parse(rows)),
    perCall(() => superjson.serialize(rows)),
  );

  // The integrity views of the same county cases (every link with its digests), as its auditor.
  const auditor = { ...county.ctx, roles: ["auditor"] };
  const chains: { ms: number; value: Awaited<ReturnType<typeof caseIntegrity>> }[] = [];
  for (const id of ids) chains.push(await timed(() => withScope(app, auditor, (tx) => caseIntegrity(tx, id))));
  const views = chains.map((c) => c.value);
  row(
    `cases.integrity (county, ${views.length} cases, the mean per case)`,
    chains.map((c) => c.ms),
    perCall(() => {
      for (const v of views) integrityView.parse(v);
    }, 2).map((ms) => ms / views.length),
    perCall(() => {
      for (const v of views) superjson.serialize(v);
    }, 2).map((ms) => ms / views.length),
  );

  console.log(`# Output validation of the hot reads — ${new Date().toISOString().slice(0, 10)}

- **data**: ${values.database} (${province.cases} cases); province ${province.code}, county ${county.code}
- **load average**: ${loadStart.join(" ")} → ${load().join(" ")}
- service: the call's median (ms, its queries through the pool); parse and serialise: ms per answer, median of 15 samples of ${repeat}

| answer | service (ms) | schema parse (ms) | superjson serialise (ms) | parse ÷ service | parse ÷ serialise |
| --- | --- | --- | --- | --- | --- |
${lines.join("\n")}`);
} finally {
  await admin.end();
  await app.end();
  await server.stop();
}
