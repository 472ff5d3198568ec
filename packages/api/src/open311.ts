import { CASE_STATES } from "@zongzhi/domain";
import { z } from "zod";
import { decimal, int32, longText, pattern, strict, text } from "./input.ts";

/**
 * The intake API for integrators (the 12345 hotline platform, apps), in the spirit of Open311
 * GeoReport v2: services are case categories, requests are cases. The zod schemas below check
 * every request and are also what the OpenAPI 3.1 document is generated from (z.toJSONSchema),
 * so that the document cannot drift from what the server accepts.
 */

const division = pattern(/^\d{9}(\d{3})?$/, "地点应为9或12位区划代码", "a location is a 9 or 12 digit division code", {
  max: 12,
});

/** POST /api/v1/requests. */
export const openRequestInput = strict({
  service_code: text(40).describe("The category (service_code of GET /api/v1/services)"),
  description: longText(5000).describe("What happened, as the caller told it"),
  title: text(100).optional().describe("A short title; the first line of the description when absent"),
  location_code: division
    .optional()
    .describe("Division code of the place (township or village); the key's unit when absent"),
  address_string: text(200).optional(),
  lat: decimal({ min: -90, max: 90 }).optional(),
  long: decimal({ min: -180, max: 180 }).optional(),
  first_name: text(30).optional(),
  last_name: text(30).optional(),
  phone: pattern(/^[0-9+\- ]{5,20}$/, "电话号码格式不正确", "invalid phone number", { max: 20 }).optional(),
  external_id: text(64).optional().describe("The integrator's own number of the work order (12345 工单号)"),
});

/** GET /api/v1/requests query. */
export const openRequestsQuery = strict({
  status: z.enum(["open", "closed"]).optional(),
  limit: z.coerce
    .number()
    .pipe(int32({ min: 1, max: 200 }))
    .default(50),
});

/** POST /api/v1/requests/{id}/rating. */
export const openRatingInput = strict({
  satisfaction: z.enum(["satisfied", "basically_satisfied", "unsatisfied"]),
  comment: longText(2000).optional(),
});

/** The Idempotency-Key header of a create: 8–100 visible ASCII characters. */
export const idempotencyKeyHeader = pattern(
  /^[\x21-\x7e]{8,100}$/,
  "Idempotency-Key 须为8–100个可见 ASCII 字符",
  "Idempotency-Key is 8–100 visible ASCII characters",
  { max: 100 },
);

// ---------- responses (documented; the services' return types are these schemas' types) ----------

/** The stages of a request's history as an integrator reads them. */
export const OPEN_STAGES = ["received", "signed", "progress", "answered", "completed", "rated", "reopened"] as const;

export const openService = z.object({
  service_code: z.string(),
  service_name: z.string(),
  type: z.literal("realtime"),
  metadata: z.literal(false),
});
export const openCreated = z.object({
  service_request_id: z.uuid(),
  code: z.string().describe("The case's trace code (一案一码)"),
  replayed: z.boolean().describe("True when this answers a retry with the same Idempotency-Key"),
});
export const openRequest = z.object({
  service_request_id: z.uuid(),
  code: z.string(),
  external_id: z.string().nullable(),
  status: z.enum(["open", "closed"]),
  detailed_status: z.enum(CASE_STATES),
  service_code: z.string(),
  service_name: z.string(),
  description: z.string(),
  requested_datetime: z.iso.datetime(),
  updated_datetime: z.iso.datetime(),
  history: z.array(
    z.object({
      at: z.iso.datetime(),
      stage: z
        .enum(OPEN_STAGES)
        .describe("received, signed (签收), answered (反馈), completed (办结), rated, reopened (重办)"),
      zh: z.string(),
      en: z.string(),
      note: z.string().nullable(),
    }),
  ),
});
export const problem = z.object({
  code: z.string(),
  zh: z.string(),
  en: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});

const schema = (s: z.ZodType, io: "input" | "output") => {
  const { $schema: _, ...rest } = z.toJSONSchema(s, { io, unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
};

/** The OpenAPI 3.1 document of the intake API, generated from the schemas above. */
export function openApiDocument(serverUrl: string) {
  const json = (ref: string) => ({ "application/json": { schema: { $ref: `#/components/schemas/${ref}` } } });
  const errors = Object.fromEntries(
    [
      ["400", "The input was refused (the messages say why, in Chinese and English)"],
      ["401", "No valid API key"],
      ["403", "The key does not hold the permission"],
      ["404", "Not found (or not this key's)"],
      ["409", "Conflict: the Idempotency-Key was used for another body, or the work order number is taken"],
      ["429", "The key's rate limit is spent; see Retry-After"],
    ].map(([status, description]) => [status, { description, content: json("Problem") }]),
  );
  const id = { name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } };
  return {
    openapi: "3.1.0",
    info: {
      title: "综治中心开放接口 · Social-governance centre intake API",
      version: "1.0.0",
      description:
        "诉求受理接口（参照 Open311 GeoReport v2）：服务 = 纠纷类别，诉求 = 案件。每个密钥属于一个单位，只能读写本密钥提交的诉求。\n\n" +
        "Intake API in the spirit of Open311 GeoReport v2: services are case categories, requests are cases. " +
        "A key belongs to one unit and reads only the requests it submitted. Send the key as `Authorization: Bearer zzk_…`; " +
        "cookies are refused on these paths. Every create needs an `Idempotency-Key` header: a retry with the same key " +
        "and body answers the first result, never a second case.",
    },
    servers: [{ url: serverUrl }],
    security: [{ apiKey: [] }],
    paths: {
      "/api/v1/services": {
        get: {
          operationId: "listServices",
          summary: "The categories a request may name",
          responses: {
            "200": {
              description: "Services",
              content: {
                "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Service" } } },
              },
            },
            ...errors,
          },
        },
      },
      "/api/v1/requests": {
        post: {
          operationId: "createRequest",
          summary: "Submit a request (becomes a case of the key's unit)",
          parameters: [
            {
              name: "Idempotency-Key",
              in: "header",
              required: true,
              schema: schema(idempotencyKeyHeader, "input"),
              description: "One per request; a retry sends the same one",
            },
          ],
          requestBody: { required: true, content: json("RequestInput") },
          responses: {
            "201": { description: "Registered", content: json("Created") },
            "200": { description: "A retry: the first result", content: json("Created") },
            ...errors,
          },
        },
        get: {
          operationId: "listRequests",
          summary: "This key's requests, newest first",
          parameters: [
            { name: "status", in: "query", required: false, schema: { type: "string", enum: ["open", "closed"] } },
            {
              name: "limit",
              in: "query",
              required: false,
              schema: { type: "integer", minimum: 1, maximum: 200, default: 50 },
            },
          ],
          responses: {
            "200": {
              description: "Requests",
              content: {
                "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Request" } } },
              },
            },
            ...errors,
          },
        },
      },
      "/api/v1/requests/{id}": {
        get: {
          operationId: "getRequest",
          summary: "One request with its status and history (签收, 反馈, 办结, 评价, 重办)",
          parameters: [id],
          responses: { "200": { description: "The request", content: json("Request") }, ...errors },
        },
      },
      "/api/v1/requests/{id}/rating": {
        post: {
          operationId: "rateRequest",
          summary: "Rate the result; unsatisfied sends the case back for rework (重办)",
          parameters: [id],
          requestBody: { required: true, content: json("RatingInput") },
          responses: { "200": { description: "The request after the rating", content: json("Request") }, ...errors },
        },
      },
    },
    components: {
      securitySchemes: {
        apiKey: { type: "http", scheme: "bearer", description: "An API key issued by the unit (zzk_…), shown once" },
      },
      schemas: {
        RequestInput: schema(openRequestInput, "input"),
        RatingInput: schema(openRatingInput, "input"),
        Service: schema(openService, "output"),
        Created: schema(openCreated, "output"),
        Request: schema(openRequest, "output"),
        Problem: schema(problem, "output"),
      },
    },
  };
}

/** A readable page of the document (no script: it is rendered on the server). */
export function openApiPage(doc: ReturnType<typeof openApiDocument>): string {
  const esc = (s: string) =>
    s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(
      methods as Record<
        string,
        { operationId: string; summary: string; parameters?: unknown[]; requestBody?: unknown }
      >,
    ).map(
      ([method, op]) =>
        `<section><h2><code>${method.toUpperCase()} ${esc(path)}</code></h2><p>${esc(op.summary)} <small>(${esc(op.operationId)})</small></p>` +
        (op.parameters ? `<pre>${esc(JSON.stringify(op.parameters, null, 2))}</pre>` : "") +
        (op.requestBody ? `<pre>${esc(JSON.stringify(op.requestBody, null, 2))}</pre>` : "") +
        `</section>`,
    ),
  );
  const schemas = Object.entries(doc.components.schemas).map(
    ([name, s]) =>
      `<section><h3 id="${esc(name)}">${esc(name)}</h3><pre>${esc(JSON.stringify(s, null, 2))}</pre></section>`,
  );
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)}</title><style>body{font:15px/1.6 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1f2933}
pre{background:#f4f6f8;padding:.75rem;overflow:auto;font-size:13px}h2{font-size:1.05rem;margin-top:2rem}code{font-weight:600}</style></head>
<body><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description).replaceAll("\n\n", "</p><p>")}</p>
<p><a href="/api/openapi.json">openapi.json</a> · OpenAPI ${esc(doc.openapi)} · ${esc(doc.info.version)}</p>
${operations.join("\n")}<h2>数据结构 · Schemas</h2>${schemas.join("\n")}</body></html>`;
}
