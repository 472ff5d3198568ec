import { listProcedures } from "@zongzhi/api/procedures";
import { OPERATION_NAMES, operationKind, operationName } from "@zongzhi/domain/operations";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/** The operation log and the sign-in log (issue 12 §4). */
let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let town: Client;
let county: Client;
let countyAuditor: Client;
let townAuditor: Client;

const dispute = villageDispute;

beforeAll(async () => {
  api = await startTestApi({ centres: true });
  town = api.client(await api.login("yumenzhen.admin"));
  county = api.client(await api.login("yumen.admin"));
  countyAuditor = api.client(await api.login("yumen.auditor"));
  await api.db.admin`insert into app.users (tenant_id, username, display_name, roles, password_hash,
      must_change_password, password_changed_at)
    select tenant_id, 'yumenzhen.auditor', '玉门镇审计员', '{auditor}', password_hash, false, now()
    from app.users where username = 'yumenzhen.admin'`;
  townAuditor = api.client(await api.login("yumenzhen.auditor"));
});
afterAll(() => api.close());

describe("operation log", () => {
  it("every mutation has a name in both languages", () => {
    const mutations = listProcedures().filter((p) => p.type === "mutation");
    expect(mutations.length).toBeGreaterThan(40);
    for (const m of mutations) {
      expect(OPERATION_NAMES[m.path], m.path).toBeDefined();
      expect(operationName(operationKind(m.path)).zh, m.path).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(operationName("op.cases.transition", { action: "accept" })).toEqual({
      zh: "办理案件：受理",
      en: "Case action: Accept",
    });
  });

  it("records done and refused mutations with actor, unit, named object, action, result, IP and request id", async () => {
    const { id, code } = await town.cases.register.mutate(dispute("操作日志测试"));
    await town.cases.transition.mutate({ id, version: 1, action: "accept", data: {} });
    // Refused: a stale version.
    expect((await refusal(town.cases.transition.mutate({ id, version: 1, action: "triage", data: {} }))).appCode).toBe(
      "CONFLICT",
    );
    await town.cases.get.query({ id, reveal: true });

    const log = await countyAuditor.audit.search.query({ log: "operations", object: code });
    const lines = log.items.map((l) => [l.kind, (l.detail as { result: string }).result]);
    expect(lines).toEqual([
      ["personal_data.revealed", "ok"],
      ["op.cases.transition", "CONFLICT"],
      ["op.cases.transition", "ok"],
      ["op.cases.register", "ok"],
    ]);
    const accepted = log.items[2]!;
    expect(accepted).toMatchObject({
      actorUsername: "yumenzhen.admin",
      scopeCode: "620981101",
      unitName: "玉门镇",
      subjectId: id,
    });
    expect(accepted.detail).toMatchObject({ object: `${code} 操作日志测试`, action: "accept" });
    expect(accepted.ip).toBeTruthy();
    expect(accepted.requestId).toBeTruthy();
    expect(log.items[0]!.detail).toMatchObject({ object: `${code} 操作日志测试` });
    // A reveal names the client's address and the request like an operation.
    expect(log.items[0]!.ip).toBe(accepted.ip);
    expect(log.items[0]!.requestId).toBeTruthy();

    // Filters: action, user, unit, time.
    const byKind = await countyAuditor.audit.search.query({
      log: "operations",
      kind: "op.cases.register",
      object: code,
    });
    expect(byKind.items).toHaveLength(1);
    expect(
      (await countyAuditor.audit.search.query({ log: "operations", actor: "yumen.clerk", object: code })).items,
    ).toEqual([]);
    expect(
      (await countyAuditor.audit.search.query({ log: "operations", unitCode: "620981102", object: code })).items,
    ).toEqual([]);
    expect(
      (await countyAuditor.audit.search.query({ log: "operations", from: new Date(Date.now() + 60_000), object: code }))
        .items,
    ).toEqual([]);
  });

  it("the sign-in log holds sign-ins only; each unit reads only its subtree", async () => {
    const signIns = await countyAuditor.audit.search.query({ log: "sign_in", limit: 500 });
    expect(signIns.items.length).toBeGreaterThan(0);
    expect(signIns.items.every((l) => l.kind.startsWith("auth."))).toBe(true);
    const ops = await countyAuditor.audit.search.query({ log: "operations", limit: 500 });
    expect(ops.items.some((l) => l.kind.startsWith("auth."))).toBe(false);

    // The township reads nothing of the county's own lines, nor another branch's.
    await county.cases.register.mutate({ ...dispute("县级登记"), locationCode: "620981" });
    const townLog = await townAuditor.audit.search.query({ log: "operations", limit: 500 });
    expect(townLog.items.length).toBeGreaterThan(0);
    expect(townLog.items.every((l) => l.scopeCode.startsWith("620981101"))).toBe(true);
    expect((await townAuditor.audit.search.query({ log: "operations", unitCode: "620981" })).items).toEqual([]);
    // A role without audit.read is refused: a clerk, and (separation of duties) the system and
    // security administrators.
    for (const who of ["yumen.clerk", "yumen.admin", "yumen.security"]) {
      const other = api.client(await api.login(who));
      expect((await refusal(other.audit.search.query({ log: "operations" }))).appCode, who).toBe("FORBIDDEN");
      expect((await refusal(other.audit.list.query({ limit: 10 }))).appCode, who).toBe("FORBIDDEN");
    }
  });

  it("exports either log as Excel or CSV, streamed past its pages, filtered as the page filters it, in Chinese", async () => {
    // More lines than one read of the export (400), all naming one object.
    const { id, code } = await town.cases.register.mutate(dispute("导出日志测试"));
    for (let i = 0; i < 260; i++) await town.cases.get.query({ id, reveal: true });
    for (let i = 0; i < 260; i++) {
      await refusal(town.cases.transition.mutate({ id, version: 99, action: "accept", data: {} }));
    }
    const cookie = await api.login("yumen.auditor");
    // A page of the largest size says that more follow (the database returns 500 at most).
    const page = await countyAuditor.audit.search.query({ log: "operations", object: code, limit: 500 });
    expect(page.items).toHaveLength(499);
    expect(page.next).not.toBeNull();

    const csv = await api.request(`/exports/logs/operations?format=csv&object=${encodeURIComponent(code)}`, { cookie });
    expect(csv.status).toBe(200);
    expect(decodeURIComponent(csv.headers.get("content-disposition") ?? "")).toMatch(
      /操作日志-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    // UTF-8 with a byte-order mark, so that Excel opens it in Chinese.
    const body = Buffer.from(await csv.arrayBuffer()).toString("utf8");
    const lines = body.trimEnd().split("\r\n");
    expect(lines[0]).toBe("\ufeff时间,操作人,单位,操作,对象,结果,IP,请求编号");
    expect(lines.length - 1).toBe(521);
    expect(lines.filter((l) => l.includes("查看当事人完整信息"))).toHaveLength(260);
    expect(lines.filter((l) => l.includes("拒绝（CONFLICT）") && l.includes("办理案件：受理"))).toHaveLength(260);
    expect(lines.at(-1)).toContain("登记案件");
    expect(lines.at(-1)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},/);
    expect(lines.join("")).not.toContain("op.cases");

    const xlsx = await api.request(
      `/exports/logs/operations?object=${encodeURIComponent(code)}&kind=op.cases.register`,
      { cookie },
    );
    expect(xlsx.headers.get("content-type")).toContain("spreadsheetml");
    const { default: ExcelJS } = await import("exceljs");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
    const ws = wb.worksheets[0]!;
    expect(String(ws.getCell("A1").value)).toContain("操作日志");
    expect(ws.getRow(2).values).toEqual([
      undefined,
      "时间",
      "操作人",
      "单位",
      "操作",
      "对象",
      "结果",
      "IP",
      "请求编号",
    ]);
    expect(ws.actualRowCount).toBe(3);
    expect(ws.getCell("D3").value).toBe("登记案件");
    expect(String(ws.getCell("E3").value)).toContain(code);
    expect(ws.getCell("F3").value).toBe("成功");

    // The sign-in log, by day; a bad day and a role without audit.read are refused before any byte.
    const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
    const signIns = await api.request(`/exports/logs/sign-in?format=csv&from=${today}&to=${today}`, { cookie });
    const signInLines = (await signIns.text()).trim().split("\r\n");
    expect(signInLines.length).toBeGreaterThan(1);
    expect(signInLines.slice(1).every((l) => !l.includes("登记案件"))).toBe(true);
    expect(signInLines.some((l) => l.includes(",登录,"))).toBe(true);
    expect((await api.request(`/exports/logs/operations?from=2026-13-01`, { cookie })).status).toBe(400);
    expect((await api.request(`/exports/logs/elsewhere`, { cookie })).status).toBe(400);
    const clerk = await api.login("yumen.clerk");
    expect((await api.request(`/exports/logs/operations`, { cookie: clerk })).status).toBe(403);
  });
});
