import openapiTS, { astToString } from "openapi-typescript";

/** What the generator writes above the generated types. */
export const GENERATED_HEADER =
  "// Generated from /api/openapi.json by openapi-typescript (pnpm gen:client); do not edit.\n";

/** The example client's types (openapi-fetch reads them), generated from the OpenAPI document. */
export async function generateClientTypes(doc: object): Promise<string> {
  return `${GENERATED_HEADER}${astToString(await openapiTS(doc as Parameters<typeof openapiTS>[0]))}`;
}
