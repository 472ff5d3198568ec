import { describe, expect, test } from "vitest";
import { openDialog, openNav, saveAndClose, signIn, useHarness } from "./helpers.ts";

// 网格管理 and 开放接口 (issue 13 §1, §5) through the UI: a township divides its land into
// grids, staffs one with a leader, and issues an API key that is shown once.

const h = useHarness({ centres: false });

describe("the grid and open channels", () => {
  test("a township admin adds a grid and a worker, makes the worker its leader, and issues an API key", async () => {
    const page = await signIn(h, "yumenzhen.admin");
    await openNav(page, "网格管理");

    await page.getByRole("button", { name: "新增网格", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "新增网格" });
    await dialog.getByLabel("编号").fill("01");
    await dialog.getByLabel("网格名称").fill("玉门镇一级网格");
    await dialog.getByLabel("户数").fill("3200");
    await dialog.getByLabel("人口").fill("9100");
    await saveAndClose(dialog);
    const grids = page.getByTestId("grid-table");
    await grids.getByRole("row").filter({ hasText: "620981101-01" }).filter({ hasText: "玉门镇一级网格" }).waitFor();

    const worker = await openDialog(page, "新增网格员");
    await worker.getByLabel("姓名").fill("韩秀文");
    await saveAndClose(worker);
    await page.getByTestId("grid-worker-table").getByText("韩秀文").waitFor();

    await grids
      .getByRole("row")
      .filter({ hasText: "620981101-01" })
      .getByRole("button", { name: "分配网格员" })
      .click();
    const assign = page.getByRole("dialog", { name: /分配网格员/ });
    await assign.getByText("韩秀文（专职）").click();
    await assign.getByText("设为网格长").click();
    await saveAndClose(assign);
    await grids.getByRole("row").filter({ hasText: "620981101-01" }).getByText("网格长").waitFor();
    const [stored] = await h.db.admin<{ name: string; leader: boolean }[]>`select w.name, a.leader
      from app.grid_assignments a join app.grid_workers w on w.id = a.worker_id
      join app.grids g on g.id = a.grid_id where g.code = '620981101-01'`;
    expect(stored).toEqual({ name: "韩秀文", leader: true });

    await openNav(page, "开放接口");
    const issue = await openDialog(page, "签发密钥", "签发接口密钥");
    await issue.getByLabel("名称").fill("12345 市民热线");
    await issue.getByRole("button", { name: "签发密钥" }).click();
    const shown = page.getByRole("dialog", { name: "密钥已签发" });
    const token = await shown.getByRole("textbox").inputValue();
    expect(token).toMatch(/^zzk_[a-z2-7]{16}_[a-z2-7]{32}$/);
    await shown.getByRole("button", { name: "我已保存" }).click();
    await page.getByTestId("api-key-table").getByRole("row").filter({ hasText: "12345 市民热线" }).waitFor();
    // The key works on the intake API.
    const res = await fetch(`${h.origin}/api/v1/services`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  });
  test("the grid, worker and patrol-norm forms check with the API's own schemas before sending", async () => {
    const page = await signIn(h, "yumenzhen.admin");
    await page.goto("/grids");
    const count = async (table: string) =>
      (await h.db.admin.unsafe<{ n: number }[]>(`select count(*)::int as n from app.${table}`))[0]?.n ?? 0;
    const grids = await count("grids");

    await page.getByRole("button", { name: "新增网格", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "新增网格" });
    const fill = async (code: string, name: string, population: string, ring: string) => {
      await dialog.getByLabel("编号").fill(code);
      await dialog.getByLabel("网格名称").fill(name);
      await dialog.getByLabel("人口").fill(population);
      await dialog.getByLabel(/边界/).fill(`{"type":"Polygon","coordinates":[[${ring}]]}`);
    };
    // An open ring: gridInput's own rule (the ring must end where it starts).
    await fill("0-2", "  ", "", "[97.0,40.0],[97.1,40.0],[97.1,40.1],[97.0,40.1]");
    await dialog.getByRole("button", { name: "保存" }).click();
    await dialog.getByText("网格编号为1–8位数字或大写字母").waitFor();
    await dialog.getByText("不能为空", { exact: true }).waitFor();
    await dialog.getByText("缺少或不是数字").waitFor();
    await dialog.getByText("边界的首尾坐标须相同（闭合）").waitFor();
    await dialog.getByLabel(/边界/).fill("{not json");
    await dialog.getByText("不是有效的 GeoJSON 多边形").waitFor();
    expect(await count("grids")).toBe(grids);

    await fill("02", "玉门镇二级网格", "4100", "[97.0,40.0],[97.1,40.0],[97.1,40.1],[97.0,40.1],[97.0,40.0]");
    await saveAndClose(dialog);
    await page.getByTestId("grid-table").getByRole("row").filter({ hasText: "620981101-02" }).waitFor();
    const [saved] = await h.db.admin<{ population: number; boundary: boolean }[]>`
      select population, boundary is not null as boundary from app.grids where code = '620981101-02'`;
    expect(saved).toEqual({ population: 4100, boundary: true });

    const worker = await openDialog(page, "新增网格员");
    await worker.getByLabel("姓名").fill("李春燕");
    await worker.getByLabel(/电话/).fill("abc");
    await worker.getByRole("button", { name: "保存" }).click();
    await worker.getByText("电话号码格式不正确").waitFor();
    await worker.getByLabel(/电话/).fill("0937-3321001");
    await saveAndClose(worker);
    await page.getByTestId("grid-worker-table").getByRole("row").filter({ hasText: "0937-3321001" }).waitFor();

    // The norm starts from the one in force; eight days a week is refused by patrols.setNorm's schema.
    const days = page.getByLabel("每周考核天数");
    expect(await days.inputValue()).toBe("5");
    await days.fill("8");
    await page.getByRole("button", { name: "设置考核标准" }).click();
    await page.getByText("不能大于7").waitFor();
    const norm = () => h.db.admin<{ days_per_week: number }[]>`
      select days_per_week from app.patrol_norms where scope_code = '620981101'`;
    expect(await norm()).toEqual([]);
    await days.fill("6");
    await page.getByRole("button", { name: "设置考核标准" }).click();
    await page.getByText("考核标准已保存").waitFor();
    expect(await norm()).toEqual([{ days_per_week: 6 }]);
  });
});
