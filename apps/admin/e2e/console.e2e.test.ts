import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { caseInput, mainNav, registerCase, useHarness } from "./helpers.ts";

/** Menus and homes by role and tier (issue 12 §1), in the browser with the demo's cases. */
const h = useHarness({ cases: true });

const groups = (page: Page) => mainNav(page).getByRole("heading").allTextContents();
const links = (page: Page) => mainNav(page).getByRole("link").allTextContents();

async function home(username: string): Promise<Page> {
  const page = await h.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await h.login(page, username);
  await page.getByRole("heading", { name: "工作台", level: 1 }).waitFor();
  await mainNav(page).getByRole("link").first().waitFor();
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

describe("menus and homes by role and tier", () => {
  test("a village mediator: cases only, no centre configuration; its mediation work on the home", async () => {
    const page = await home("cun.mediator");
    expect(await groups(page)).toEqual(["工作台", "案件"]);
    const items = await links(page);
    expect(items).toEqual(expect.arrayContaining(["工作台", "案件办理", "登记案件"]));
    for (const centre of ["入驻部门", "值班表", "服务窗口", "调解室", "调委会", "调解员库", "时限规则", "单位管理"])
      expect(items).not.toContain(centre);
    const work = page.getByTestId("home-mediation");
    await work.getByRole("heading", { name: "我承办的案件" }).waitFor();
    await work.getByRole("heading", { name: "今日调解" }).waitFor();
    await work.getByRole("heading", { name: "待回访" }).waitFor();
  });

  test("a liaison: its pending summons on the home, no unit management", async () => {
    const page = await home("yumen.liaison");
    expect(await links(page)).toEqual(["工作台", "消息中心", "通知公告", "部门召集"]);
    const pending = page.getByRole("region", { name: "待报到的召集" });
    await pending.getByRole("link", { name: "20名工人被拖欠工资97万元" }).waitFor();
    expect(await pending.locator(".home-count").textContent()).toBe("1 件");
    await pending.getByRole("link", { name: "20名工人被拖欠工资97万元" }).click();
    await page.waitForURL((url) => url.pathname === "/liaison");
  });

  test("a township administrator: centre configuration and system; sign-for, returned, overdue on the home", async () => {
    const page = await home("yumenzhen.admin");
    expect(await groups(page)).toEqual(["工作台", "案件", "中心配置", "统计", "系统"]);
    expect(await links(page)).toEqual(expect.arrayContaining(["服务窗口", "调解室", "单位管理", "用户管理"]));
    const tiers = page.getByTestId("home-tiers");
    for (const title of ["待签收", "退回补正", "已超期"]) await tiers.getByRole("heading", { name: title }).waitFor();
    // It also registers cases (intake clerk): the intake section comes first.
    await page.getByTestId("home-intake").getByRole("heading", { name: "待受理" }).waitFor();
  });

  test("a clerk: intake work, no unit or user management", async () => {
    const page = await home("yumen.clerk");
    const items = await links(page);
    expect(items).not.toContain("单位管理");
    expect(items).not.toContain("用户管理");
    expect(items).not.toContain("服务窗口");
    const intake = page.getByTestId("home-intake");
    for (const title of ["今日登记", "待受理", "召集待报到"])
      await intake.getByRole("heading", { name: title }).waitFor();
    // The demo's county group case summoned two stationed departments at mediation; neither has reported.
    const summons = page.getByRole("region", { name: "召集待报到" });
    await summons.getByRole("link").first().waitFor();
    expect(await summons.getByRole("link").first().getAttribute("href")).toMatch(/^\/cases\/[0-9a-f-]{36}$/);
  });

  test("a grid worker: its reports and a button to report", async () => {
    const page = await home("cun.grid");
    expect(await groups(page)).toEqual(["工作台", "案件"]);
    const reports = page.getByTestId("home-reports");
    await reports.getByRole("heading", { name: "我上报的事件" }).waitFor();
    await reports.getByRole("link", { name: "上报新事件" }).click();
    await page.waitForURL((url) => url.pathname === "/cases/new");
    expect((page as Page & { errors?: string[] }).errors ?? []).toEqual([]);
  });

  test("the English menu", async () => {
    const page = await home("yumenzhen.admin");
    await page.getByRole("button", { name: "English", exact: true }).click();
    const navEn = page.getByRole("navigation", { name: "Main navigation" });
    await navEn.getByRole("heading", { name: "Centre set-up" }).waitFor();
    expect(await navEn.getByRole("heading").allTextContents()).toEqual([
      "Workbench",
      "Cases",
      "Centre set-up",
      "Statistics",
      "System",
    ]);
  });

  test("the operation log names who did what to which case, filters by object and user, and exports CSV; the sign-in log is separate", async () => {
    const grid = await home("cun.grid");
    await registerCase(grid, h.origin, {
      title: "操作日志里的网格上报",
      description: "两户因宅基地界址发生争执",
      locationCode: "620981101001",
    });

    const page = await home("yumen.auditor");
    await mainNav(page).getByRole("link", { name: "操作日志" }).click();
    await page.getByRole("heading", { name: "操作日志", level: 1 }).waitFor();
    const filters = page.getByRole("form", { name: "筛选条件" });
    await filters.getByLabel("对象").fill("操作日志里的网格上报");
    await filters.getByRole("button", { name: "查询" }).click();
    const row = page.getByRole("row").filter({ hasText: "操作日志里的网格上报" });
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    const cells = await row.getByRole("cell").allTextContents();
    expect(cells.slice(1, 6)).toEqual([
      "网格员（cun.grid）",
      (await villageName())!,
      "登记案件",
      expect.stringContaining("操作日志里的网格上报"),
      "成功",
    ]);
    await filters.getByLabel("操作人").fill("yumen.clerk");
    await filters.getByRole("button", { name: "查询" }).click();
    await page.getByText("暂无").waitFor();
    await filters.getByLabel("操作人").fill("cun.grid");
    await filters.getByRole("button", { name: "查询" }).click();
    await row.first().waitFor();

    // The export is the server's, streamed, of exactly the filtered lines: CSV and Excel.
    const { readFile } = await import("node:fs/promises");
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "导出 CSV", exact: true }).click();
    const saved = await download;
    expect(saved.suggestedFilename()).toMatch(/^操作日志-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile((await saved.path())!, "utf8");
    expect(csv.startsWith("\ufeff时间,操作人,单位,操作,对象,结果,IP,请求编号")).toBe(true);
    expect(csv.trim().split("\r\n")).toHaveLength(2);
    expect(csv).toContain("登记案件");
    expect(csv).toContain("网格员（cun.grid）");
    // The Excel file of the same filters (a browser asks before a page's second download: fetched here).
    const xlsx = await page.request.get("/exports/logs/operations?format=xlsx&actor=cun.grid");
    expect(xlsx.headers()["content-type"]).toContain("spreadsheetml");
    expect((await xlsx.body()).subarray(0, 2).toString()).toBe("PK");
    await page.getByRole("button", { name: "导出 Excel", exact: true }).waitFor();

    await mainNav(page).getByRole("link", { name: "登录日志" }).click();
    await page.getByRole("heading", { name: "登录日志", level: 1 }).waitFor();
    await page.getByRole("row").filter({ hasText: "cun.grid" }).first().waitFor();
    expect(await page.getByRole("row").filter({ hasText: "登记案件" }).count()).toBe(0);
  });
  test("the message centre: an urgent escalation arrives as a toast and a row, is marked read, and leads to its case", async () => {
    const town = await h.newPage();
    const stream = town.waitForResponse((r) => new URL(r.url()).pathname === "/events");
    await h.login(town, "yumenzhen.admin");
    expect((await stream).status()).toBe(200);
    await mainNav(town).getByRole("link", { name: "消息中心" }).click();
    await town.getByRole("heading", { name: "消息中心", level: 1 }).waitFor();
    await town.getByRole("button", { name: /^消息通知/ }).waitFor();

    const cun = await home("cun.mediator");
    const call = async (path: string, json: unknown) => {
      const r = await cun.request.post(`/trpc/${path}`, { headers: { origin: h.origin }, data: { json } });
      expect(r.status(), path).toBe(200);
      return ((await r.json()) as { result: { data: { json: { id: string; version: number } } } }).result.data.json;
    };
    const { id } = await call(
      "cases.register",
      caseInput({
        title: "消息中心紧急上报",
        description: "两户因排水沟堵塞发生争执，情绪激烈",
        locationCode: "620981101001",
      }),
    );
    const { version } = await call("cases.transition", { id, version: 1, action: "accept", data: {} });
    await call("escalation.escalate", {
      id,
      version,
      toCode: "620981101",
      reason: "情绪激烈，须镇里介入",
      urgency: "urgent",
    });

    await town.locator(".toast").filter({ hasText: "【紧急】上报待签收" }).first().waitFor();
    const row = town.getByRole("row").filter({ hasText: "消息中心紧急上报" });
    await row.waitFor();
    await row.getByText("紧急", { exact: true }).waitFor();
    await town
      .getByRole("region", { name: "未读消息按类型" })
      .getByRole("button", { name: /^上报待签收 · \d+$/ })
      .waitFor();
    await row.getByRole("button", { name: "标为已读" }).click();
    await row.getByText("已读", { exact: true }).waitFor();
    await row.getByRole("link", { name: "去办理" }).click();
    await town.waitForURL((url) => url.pathname === `/cases/${id}`);
  });
});

async function villageName(): Promise<string | undefined> {
  const [v] = await h.db.admin<{ name: string }[]>`select name from app.tenants where code = '620981101001'`;
  return v?.name;
}
