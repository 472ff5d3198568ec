import { writeFile } from "node:fs/promises";
import { openApiDocument } from "@zongzhi/api";
import { generateClientTypes } from "../open311-client.ts";

// Writes apps/api/src/open311-client.generated.ts from the intake API's OpenAPI document; the
// open-channels test fails when the checked-in file differs from what the served document gives.
const target = new URL("../open311-client.generated.ts", import.meta.url);
await writeFile(target, await generateClientTypes(openApiDocument("http://127.0.0.1:3000")));
console.log(`wrote ${target.pathname}`);
