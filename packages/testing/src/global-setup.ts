import type { TestProject } from "vitest/node";
import { createTemplate, startTestCluster } from "./cluster.ts";

import "./database.ts";

/** Vitest global setup: one cluster and one migrated template per run. */
export default async function setup(project: TestProject) {
  const started = Date.now();
  const cluster = await startTestCluster();
  const template = `zz_template_${process.pid}`;
  await createTemplate(cluster.adminUrl, template);
  project.provide("adminUrl", cluster.adminUrl);
  project.provide("templateDatabase", template);
  console.log(`[test-db] ${cluster.kind} PostgreSQL ready with template ${template} in ${Date.now() - started} ms`);
  return async () => {
    await cluster.stop();
  };
}
