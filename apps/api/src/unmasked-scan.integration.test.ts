import { listProcedures } from "@zongzhi/api/procedures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/**
 * The unmasked-number scan (MLPS level 3, personal information): a case is registered with a
 * full ID-card and mobile number, revealed (audited) and exported by those who may; then the
 * database's text and JSON columns, the server's logs, masked exports and a sweep of every query
 * procedure answered to each kind of user (without asking to reveal) must not contain either
 * number in full. The numbers live only as ciphertext and blind index.
 */
const ID_NUMBER = "620981198001011238";
const PHONE = "13912345678";
let api: TestApi;
let caseId: string;

const full = (text: string) => [ID_NUMBER, PHONE].filter((n) => text.includes(n));

beforeAll(async () => {
  api = await startTestApi();
  const town = api.client(await api.login("yumenzhen.admin"));
  ({ id: caseId } = await town.cases.register.mutate({
    ...villageDispute("号码扫描"),
    description: "邻里之间因排水沟堵塞发生争执",
    parties: [{ role: "applicant", kind: "person", name: "刘大爷", phone: PHONE, idNumber: ID_NUMBER }],
  }));
  // Those who may, reveal and export in full (both audited): that must leave no copy behind.
  expect((await town.cases.get.query({ id: caseId, reveal: true })).parties[0]!.idNumber).toBe(ID_NUMBER);
  const cookie = await api.login("yumen.admin");
  const open = await api.request("/exports/cases?format=csv&reveal=1", { cookie });
  expect(full(await open.text())).toEqual([ID_NUMBER, PHONE]);
});
afterAll(() => api.close());

describe("no full ID-card or phone number outside its ciphertext", () => {
  it("in any text or JSON column of the database", async () => {
    const columns = await api.db.admin<{ table: string; column: string }[]>`
      select c.table_schema || '.' || c.table_name as table, c.column_name as column
      from information_schema.columns c join information_schema.tables t
        on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema in ('app', 'auth', 'public') and c.data_type in ('text', 'character varying', 'jsonb', 'json')`;
    expect(columns.length).toBeGreaterThan(50);
    const found: string[] = [];
    for (const { table, column } of columns) {
      const [hit] = await api.db.admin<{ n: number }[]>`select count(*)::int as n from ${api.db.admin(table)}
        where strpos(${api.db.admin(column)}::text, ${ID_NUMBER}) > 0 or strpos(${api.db.admin(column)}::text, ${PHONE}) > 0`;
      if (hit!.n > 0) found.push(`${table}.${column}`);
    }
    expect(found).toEqual([]);
  });

  it("in the server's logs", () => {
    expect(api.logs.length).toBeGreaterThan(0);
    expect(full(api.logs.join("\n"))).toEqual([]);
  });

  it("in a masked export", async () => {
    const masked = await api.request("/exports/cases?format=csv", { cookie: await api.login("yumen.admin") });
    const text = await masked.text();
    expect(text).toContain("号码扫描");
    expect(full(text)).toEqual([]);
  });

  it("in any query's answer to any kind of user that did not ask to reveal", async () => {
    const queries = listProcedures().filter((p) => p.type === "query");
    expect(queries.length).toBeGreaterThan(30);
    const inputs = [undefined, {}, { id: caseId }, { caseId }, { limit: 50 }];
    let answered = 0;
    const paths = new Set<string>();
    for (const username of ["yumenzhen.admin", "yumen.leader", "yumen.auditor", "yumen.liaison", "yumen.security"]) {
      const client = api.client(await api.login(username)) as unknown as Record<
        string,
        Record<string, { query(input: unknown): Promise<unknown> }>
      >;
      for (const q of queries) {
        const [router, name] = q.path.split(".") as [string, string];
        for (const input of inputs) {
          const result = await client[router]![name]!.query(input).then(
            (r) => r,
            () => undefined,
          );
          if (result === undefined) continue;
          answered += 1;
          paths.add(q.path);
          expect(full(JSON.stringify(result)), `${username} ${q.path} ${JSON.stringify(input)}`).toEqual([]);
        }
      }
    }
    // The case itself was among the answers (masked), so the sweep saw the party.
    expect(paths).toContain("cases.get");
    const town = api.client(await api.login("yumenzhen.admin"));
    const masked = (await town.cases.get.query({ id: caseId })).parties[0]!;
    expect(masked.idNumber).toContain("*");
    expect(masked.phone).toContain("*");
    expect(answered).toBeGreaterThan(50);
  });
});
