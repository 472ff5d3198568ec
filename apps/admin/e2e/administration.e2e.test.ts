import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness, tick } from "./harness.ts";
import { openDialog, saveAndClose, signIn } from "./helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("administration", () => {
  test("a county admin creates a user, its security admin grants a role, the admin unlocks and disables an account", async () => {
    const page = await signIn(h, "yumen.admin");
    await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "用户管理" }).click();
    const list = page.getByRole("table", { name: "玉门市" });
    await list.getByRole("row").filter({ hasText: "yumen.clerk" }).waitFor();

    // Create: the setup link is shown once.
    await page.getByRole("button", { name: "新建用户" }).click();
    const create = page.getByRole("dialog", { name: "新建用户" });
    // The users.create schema refuses a bad login name and no role before anything is sent.
    await create.getByLabel("登录名").fill("y!");
    await create.getByLabel("姓名").fill("二号窗口");
    await create.getByRole("button", { name: "新建用户" }).click();
    await create.getByText("登录名为3–48位小写字母、数字或 . _ -，以字母或数字开头").waitFor();
    await create.getByText("请至少选择一个角色").waitFor();
    const [none] = await h.db.admin<{ n: number }[]>`
      select count(*)::int as n from app.users where display_name = '二号窗口'`;
    expect(none?.n).toBe(0);
    await create.getByLabel("登录名").fill("yumen.window2");
    await tick(create, "受理登记员");
    await create.getByRole("button", { name: "新建用户" }).click();
    const link = await create.getByRole("textbox", { name: "一次性设置链接" }).inputValue();
    expect(link).toContain("/setup#");
    await create.getByRole("button", { name: "关闭", exact: true }).last().click();
    const row = list.getByRole("row").filter({ hasText: "yumen.window2" });
    expect(await row.textContent()).toContain("待设置密码");

    // A taken login name is reported next to the field.
    await page.getByRole("button", { name: "新建用户" }).click();
    await create.getByLabel("登录名").fill("yumen.clerk");
    await create.getByLabel("姓名").fill("重复");
    await tick(create, "调解员");
    await create.getByRole("button", { name: "新建用户" }).click();
    await create.getByText("该登录名已被使用").waitFor();
    await page.keyboard.press("Escape");

    // Edit roles. Separation of duties (三权分立): the centre administrator sees them read-only,
    // the security administrator grants.
    const adminEdit = await openDialog(page, "编辑 二号窗口", "编辑用户");
    await adminEdit.getByText("角色由安全管理员授予或收回").waitFor();
    await page.keyboard.press("Escape");
    const security = await signIn(h, "yumen.security");
    await security.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "用户管理" }).click();
    await security.getByRole("button", { name: "编辑 二号窗口" }).click();
    const edit = security.getByRole("dialog", { name: "编辑用户" });
    await edit.getByLabel("姓名").fill(" ");
    await edit.getByRole("button", { name: "保存" }).click();
    await edit.getByText("不能为空", { exact: true }).waitFor();
    await edit.getByLabel("姓名").fill("二号窗口");
    await tick(edit, "调解员");
    await saveAndClose(edit);
    await page.reload();
    await row.filter({ hasText: "调解员" }).waitFor();
    const [edited] = await h.db.admin<
      { roles: string[] }[]
    >`select roles from app.users where username = 'yumen.window2'`;
    expect(edited?.roles.sort()).toEqual(["intake_clerk", "mediator"]);

    // A lost phone: resetting the second factor is the security administrator's, not the centre
    // administrator's (三权分立).
    await h.db.admin`update app.users set totp_key = decode('00', 'hex'), totp_enabled_at = now()
      where username = 'yumen.window2'`;
    await page.reload();
    await row.getByRole("button", { name: "编辑 二号窗口" }).waitFor();
    expect(await row.getByRole("button", { name: "重置 二号窗口 的两步验证" }).count()).toBe(0);
    await security.reload();
    await security.getByRole("button", { name: "重置 二号窗口 的两步验证" }).click();
    const reset = security.getByRole("alertdialog", { name: "重置两步验证" });
    await reset.getByRole("button", { name: "重置两步验证" }).click();
    await security.getByText("已重置“二号窗口”的两步验证").waitFor();
    const [cleared] = await h.db.admin<
      { totp_key: Buffer | null }[]
    >`select totp_key from app.users where username = 'yumen.window2'`;
    expect(cleared?.totp_key).toBeNull();

    // Unlock a locked account.
    await h.db.admin`update app.users set locked_until = now() + interval '30 minutes', failed_attempts = 5
      where username = 'yumen.liaison'`;
    await page.reload();
    const liaison = list.getByRole("row").filter({ hasText: "yumen.liaison" });
    await liaison.filter({ hasText: "已锁定" }).waitFor();
    await page.getByRole("button", { name: "解锁 人社局入驻联络员" }).click();
    await page.getByText("已解锁“人社局入驻联络员”").waitFor();
    await page.getByRole("button", { name: "解锁 人社局入驻联络员" }).waitFor({ state: "detached" });

    // Disable after confirmation.
    await page.getByRole("button", { name: "停用 玉门市首席调解员" }).click();
    const confirm = page.getByRole("alertdialog", { name: "停用用户" });
    await confirm.getByRole("button", { name: "停用" }).click();
    await confirm.waitFor({ state: "detached" });
    await list.getByRole("row").filter({ hasText: "yumen.mediator" }).filter({ hasText: "已停用" }).waitFor();
    const [disabled] = await h.db.admin<
      { status: string }[]
    >`select status from app.users where username = 'yumen.mediator'`;
    expect(disabled?.status).toBe("disabled");
  });

  test("a city admin picks a unit below to see its users", async () => {
    const page = await signIn(h, "jiuquan.admin");
    await page.goto("/users");
    await page.getByRole("button", { name: "切换到下级单位" }).click();
    await page.getByRole("option", { name: "玉门市（620981）" }).click();
    await page.getByRole("table", { name: "玉门市" }).getByRole("row").filter({ hasText: "yumen.admin" }).waitFor();
    await page.getByRole("navigation", { name: "所属单位" }).getByRole("button", { name: "酒泉市" }).click();
    await page.getByRole("table", { name: "酒泉市" }).getByRole("row").filter({ hasText: "jiuquan.admin" }).waitFor();
  });

  test("suspending a unit passes its version; a concurrent change is reported as a conflict", async () => {
    const page = await signIn(h, "jiuquan.admin");
    await page.goto("/tenants");
    const tree = page.getByRole("region", { name: "下辖单位" });
    await tree.getByRole("button", { name: "暂停 玉门市", exact: true }).click();

    // Someone else changes the unit meanwhile.
    await h.db.admin`update app.tenants set version = version + 1 where code = '620981'`;
    const confirm = page.getByRole("alertdialog", { name: "暂停单位" });
    await confirm.getByRole("button", { name: "暂停" }).click();
    await confirm.getByRole("alert").filter({ hasText: "已被他人修改" }).waitFor();
    await confirm.getByRole("button", { name: "取消" }).click();

    // With the refreshed version it goes through.
    await tree.getByRole("button", { name: "暂停 玉门市", exact: true }).click();
    await confirm.getByRole("button", { name: "暂停" }).click();
    await tree.getByRole("button", { name: "恢复 玉门市", exact: true }).waitFor();
    const [row] = await h.db.admin<{ status: string }[]>`select status from app.tenants where code = '620981'`;
    expect(row?.status).toBe("suspended");

    await tree.getByRole("button", { name: "恢复 玉门市", exact: true }).click();
    await page.getByRole("alertdialog", { name: "恢复单位" }).getByRole("button", { name: "恢复" }).click();
    await tree.getByRole("button", { name: "暂停 玉门市", exact: true }).waitFor();
  });

  test("an ended session sends the user to /login with the expiry notice, and back after signing in", async () => {
    const page = await signIn(h, "yumen.auditor");
    await page.getByRole("heading", { name: "玉门市", level: 2 }).waitFor();
    await h.db
      .admin`delete from auth.sessions where user_id = (select id from app.users where username = 'yumen.auditor')`;
    await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "审计日志" }).click();
    await page.waitForURL((url) => url.pathname === "/login");
    await page.getByRole("alert").filter({ hasText: "登录已过期，请重新登录" }).waitFor();
    await page.getByLabel("登录名", { exact: true }).fill("yumen.auditor");
    await page.getByLabel("密码", { exact: true }).fill("Zongzhi@2026");
    await page.getByRole("button", { name: "登录", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/audit");
    await page.getByRole("heading", { name: "审计日志", level: 1 }).waitFor();
  });

  test("an operator creates a deployment rooted at a registry unit, with its first admin and security admin", async () => {
    const [unit] = await h.db.admin<{ name: string }[]>`select name from ref.divisions where code = '140882'`;
    const page = await signIn(h, "operator");
    await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "部署管理" }).click();
    const table = page.getByRole("table", { name: "部署管理" });
    await table.getByRole("row").filter({ hasText: "140881" }).waitFor();

    const dialog = await openDialog(page, "新建部署");
    const search = dialog.getByRole("searchbox", { name: "选择根单位（搜索中文名称或代码）" });
    await search.fill("14088");
    await search.press("Enter");
    // A unit inside an existing deployment cannot be a root.
    const overlapping = dialog.getByRole("button", { name: /^选择 永济市 作为部署根单位$/ });
    expect(await overlapping.isDisabled()).toBe(true);
    await dialog.getByRole("button", { name: `选择 ${unit!.name} 作为部署根单位` }).click();
    await dialog.getByLabel("管理员登录名", { exact: true }).fill("hejin.admin");
    await dialog.getByLabel("管理员姓名", { exact: true }).fill("河津市综治中心管理员");
    // Separation of duties: the deployment's security administrator, whom only the operator can make.
    await dialog.getByLabel("安全管理员登录名", { exact: true }).fill("hejin.security");
    await dialog.getByLabel("安全管理员姓名", { exact: true }).fill("河津市安全管理员");
    await dialog.getByRole("button", { name: "创建部署" }).click();
    const links = dialog.getByRole("textbox", { name: "一次性设置链接" });
    await links.nth(1).waitFor();
    for (const link of await links.all()) expect((await link.inputValue()).startsWith(`${h.origin}/setup#`)).toBe(true);
    const [security] = await h.db.admin<{ roles: string[] }[]>`
      select roles from app.users where username = 'hejin.security'`;
    expect(security?.roles).toEqual(["security_admin"]);

    const [root] = await h.db.admin<{ parent_id: string | null; root_code: string }[]>`
      select parent_id, root_code from app.tenants where code = '140882'`;
    expect(root).toEqual({ parent_id: null, root_code: "140882" });
    await dialog.getByRole("button", { name: "关闭", exact: true }).last().click();
    await table.getByRole("row").filter({ hasText: "140882" }).waitFor();
    expect(await page.getByText("以下部署尚无安全管理员").count()).toBe(0);

    // A deployment from before the security administrator existed: shown, and given its first one.
    await h.db.admin`update app.users set roles = '{intake_clerk}' where username = 'hejin.security'`;
    await page.reload();
    const hejin = table.getByRole("row").filter({ hasText: "140882" });
    await hejin.getByText("无安全管理员").waitFor();
    await page.getByText("以下部署尚无安全管理员（三权分立）").waitFor();
    await hejin.getByRole("button", { name: `为 ${unit!.name} 添加首位安全管理员` }).click();
    const add = page.getByRole("dialog", { name: "添加首位安全管理员" });
    await add.getByLabel("安全管理员登录名", { exact: true }).fill("hejin.security2");
    await add.getByLabel("安全管理员姓名", { exact: true }).fill("河津市安全管理员乙");
    await add.getByRole("button", { name: "添加安全管理员" }).click();
    expect((await add.getByRole("textbox", { name: "一次性设置链接" }).inputValue()).startsWith(h.origin)).toBe(true);
    await add.getByRole("button", { name: "关闭", exact: true }).last().click();
    await hejin.getByText("无安全管理员").waitFor({ state: "detached" });
    expect(await page.getByText("以下部署尚无安全管理员").count()).toBe(0);
  });
});
