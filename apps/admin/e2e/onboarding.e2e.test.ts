import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.ts";
import { signIn } from "./helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const SUZHOU = "620902"; // 肃州区, a district of Jiuquan not onboarded in the demo

describe("onboarding a township", () => {
  test("a city admin onboards a township with a first admin, who signs in through the setup link", async () => {
    const [county] = await h.db.admin<{ name: string }[]>`select name from ref.divisions where code = ${SUZHOU}`;
    const [town] = await h.db.admin<{ code: string; name: string }[]>`
      select code, name from ref.divisions where parent_code = ${SUZHOU} order by code limit 1`;
    expect(county && town).toBeTruthy();
    const [before] = await h.db.admin`select 1 from app.tenants where code = ${town!.code}`;
    expect(before).toBeUndefined();

    const page = await signIn(h, "jiuquan.admin");
    await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "单位管理" }).click();
    await page.getByRole("heading", { name: "单位管理", level: 1 }).waitFor();

    // Expand the district in the lazily loaded tree: its townships come from the registry.
    const tree = page.getByRole("region", { name: "下辖单位" });
    const expand = tree.getByRole("button", { name: `${county!.name}的下级单位`, exact: true });
    expect(await expand.getAttribute("aria-expanded")).toBe("false");
    await expand.click();
    expect(await expand.getAttribute("aria-expanded")).toBe("true");
    await tree.getByRole("button", { name: `接入 ${town!.name}`, exact: true }).click();

    const dialog = page.getByRole("dialog", { name: "接入单位" });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(town!.code);
    await dialog.getByLabel("管理员登录名").fill("suzhou.town.admin");
    await dialog.getByLabel("管理员姓名").fill("测试街道管理员");
    await dialog.getByRole("button", { name: "确认接入" }).click();

    const linkField = dialog.getByRole("textbox", { name: "一次性设置链接" });
    await linkField.waitFor();
    const setupUrl = await linkField.inputValue();
    expect(setupUrl.startsWith(`${h.origin}/setup#`)).toBe(true);
    await dialog.getByRole("button", { name: "复制链接" }).waitFor();
    await dialog.getByText("有效期至").waitFor();

    const [tenant] = await h.db.admin<{ id: string; level: string; status: string; root_code: string }[]>`
      select id, level, status, root_code from app.tenants where code = ${town!.code}`;
    expect(tenant).toMatchObject({ level: "township", status: "active", root_code: "62" });
    const [user] = await h.db.admin<{ tenant_id: string; roles: string[]; must_change_password: boolean }[]>`
      select tenant_id, roles, must_change_password from app.users where username = 'suzhou.town.admin'`;
    expect(user).toMatchObject({ tenant_id: tenant!.id, roles: ["tenant_admin"], must_change_password: true });

    // Back in the tree the township now shows as onboarded.
    await dialog.getByRole("button", { name: "关闭", exact: true }).first().click();
    await tree.getByRole("button", { name: `暂停 ${town!.name}`, exact: true }).waitFor();

    // The new admin opens the link in a browser of their own.
    const fresh = await h.newPage();
    await fresh.goto(setupUrl);
    await fresh.getByText("为 测试街道管理员（登录名 suzhou.town.admin）设置登录密码").waitFor();
    await fresh.getByLabel("新密码", { exact: true }).fill("Suzhou#Town2026");
    await fresh.getByLabel("确认新密码", { exact: true }).fill("Suzhou#Town2026");
    await fresh.getByRole("button", { name: "设置密码并登录" }).click();
    await fresh.waitForURL((url) => url.pathname === "/");
    await fresh.getByRole("heading", { name: "工作台", level: 1 }).waitFor();
    await fresh.getByRole("heading", { name: town!.name, level: 2 }).waitFor();
    expect(await fresh.locator(".app-header").textContent()).toContain("乡镇（街道）");

    const [after] = await h.db.admin<{ must_change_password: boolean; password_changed_at: Date | null }[]>`
      select must_change_password, password_changed_at from app.users where username = 'suzhou.town.admin'`;
    expect(after?.must_change_password).toBe(false);
    expect(after?.password_changed_at).toBeInstanceOf(Date);

    // The link works once only.
    const again = await h.newPage();
    await again.goto(setupUrl);
    await again.getByRole("alert").filter({ hasText: "设置链接无效、已使用或已过期" }).waitFor();
  });

  test("the registry search finds a township by name and shows whether it is onboarded", async () => {
    const page = await signIn(h, "jiuquan.admin");
    await page.goto("/tenants");
    await page.getByRole("searchbox", { name: "搜索区划（中文名称或代码）" }).fill("玉门镇");
    await page.getByRole("button", { name: "搜索", exact: true }).click();
    const results = page.getByRole("table", { name: "搜索结果" });
    const row = results.getByRole("row").filter({ hasText: "620981101" });
    await row.waitFor();
    expect(await row.textContent()).toContain("已接入");
  });
});
