import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.ts";
import { openDialog, saveAndClose } from "./helpers.ts";

/** Issue 12's system pages in the browser: guarded routes, online users, notices, the working calendar. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ centres: true });
});
afterAll(async () => {
  await h?.close();
});

async function signedIn(username: string, path = "/"): Promise<Page> {
  const page = await h.newPage();
  await h.login(page, username);
  if (path !== "/") await page.goto(path);
  return page;
}

describe("system pages", () => {
  test("a page hidden from the menu is refused by its address too", async () => {
    const page = await signedIn("cun.mediator", "/centre/windows");
    await page.getByText("您没有访问此页面的权限").waitFor();
    expect(await page.getByRole("heading", { name: "服务窗口" }).count()).toBe(0);
  });

  test("a security administrator signs a user out; the user's next step lands on the sign-in page", async () => {
    const clerk = await signedIn("yumen.clerk");
    // Sessions are the security administrator's (三权分立): not the centre administrator's page.
    const centreAdmin = await signedIn("yumen.admin", "/system/online");
    await centreAdmin.getByText("您没有访问此页面的权限").waitFor();
    const admin = await signedIn("yumen.security");
    await admin.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "在线用户" }).click();
    const row = admin.getByRole("row").filter({ hasText: "玉门市受理窗口" });
    await row.getByRole("button", { name: "强制退出" }).click();
    await admin.getByRole("alertdialog").getByRole("button", { name: "强制退出" }).click();
    await admin.getByText("玉门市受理窗口 已被强制退出").waitFor();
    await clerk.reload();
    await clerk.waitForURL((url) => url.pathname === "/login");
  });

  test("a county's notice is acknowledged by a township and a village, and the county sees who has read it", async () => {
    const county = await signedIn("yumen.admin", "/notices");
    await county.getByRole("button", { name: "发布通知" }).click();
    const dialog = county.getByRole("dialog");
    await dialog.getByLabel("标题").fill("关于元旦值班的通知");
    await dialog.getByLabel("正文").fill("各单位：请安排好元旦期间值班。");
    // A file goes with it (通知附件): chosen in the form, uploaded after the notice.
    const pdf = Buffer.from("%PDF-1.4\n% 值班表\n");
    await dialog
      .locator("#notice-file")
      .setInputFiles({ name: "值班表.pdf", mimeType: "application/pdf", buffer: pdf });
    await dialog.getByRole("list", { name: "附件" }).getByText("值班表.pdf").waitFor();
    await dialog.getByRole("button", { name: "发布", exact: true }).click();
    await county.getByText("通知已发布").waitFor();

    for (const username of ["yumenzhen.admin", "cun.mediator"]) {
      const reader = await signedIn(username, "/messages");
      await reader.getByRole("link", { name: "通知公告：1 条未读" }).click();
      const notice = reader.getByRole("article", { name: "关于元旦值班的通知" });
      const [download] = await Promise.all([
        reader.waitForEvent("download"),
        notice.getByRole("link", { name: "下载附件 值班表.pdf" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe("值班表.pdf");
      const stream = await download.createReadStream();
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).equals(pdf)).toBe(true);
      await notice.getByRole("button", { name: "确认已读" }).click();
      await notice.getByText(/^已读 /).waitFor();
    }

    await county.reload();
    await county.getByRole("button", { name: "本单位发布的通知" }).click();
    const sent = county.getByRole("row").filter({ hasText: "关于元旦值班的通知" });
    await sent.waitFor();
    expect(await sent.locator("td.num").allTextContents()).toEqual(["2", "1"]);
    await sent.getByRole("button", { name: /阅读情况/ }).click();
    const readers = county.getByRole("list", { name: "已读" });
    await readers.getByText("玉门镇综治中心管理员").waitFor();
    await readers.getByText("村调解员").waitFor();
  });

  test("the cockpit's period is typed or picked in our own month fields; a wrong or reversed month is named", async () => {
    const page = await signedIn("yumen.leader", "/cockpit");
    const from = page.getByLabel("起始月份");
    const to = page.getByLabel("截止月份");
    const year = (await to.inputValue()).slice(0, 4);
    await from.fill(`${year}-13`);
    await page.getByText("格式应为 2026-12").waitFor();
    await from.fill(`${year}-03`);
    // Picked: the months of the year of the field, in the UI's language, not the browser's.
    await page.getByRole("button", { name: "选择月份" }).nth(1).click();
    const months = page.getByRole("region", { name: "截止月份：选择月份" });
    await months.getByText(`${year}年`).waitFor();
    expect(await months.getByRole("button", { name: `${year}-02` }).textContent()).toBe("2月");
    await months.getByRole("button", { name: `${year}-02` }).click();
    expect(await to.inputValue()).toBe(`${year}-02`);
    await page.getByText("结束月份不能早于起始月份").waitFor();
    await page.getByRole("button", { name: "选择月份" }).nth(1).click();
    await page
      .getByRole("region", { name: "截止月份：选择月份" })
      .getByRole("button", { name: `${year}-05` })
      .click();
    await page.getByRole("button", { name: "查询" }).click();
    await page.waitForURL(
      (url) => url.searchParams.get("from") === `${year}-03` && url.searchParams.get("to") === `${year}-05`,
    );
    expect(await page.getByText("结束月份不能早于起始月份").count()).toBe(0);
  });

  test("the province enters 2027's Spring Festival; the warning about missing data goes away", async () => {
    const page = await signedIn("gansu.admin", "/system/calendar");
    await page.getByRole("button", { name: "2027 年" }).click();
    await page.getByText(/软件包未收录 2027 年的国家节假日安排：/).waitFor();
    await page.getByRole("button", { name: "批量录入" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("粘贴本年安排").fill("2027-02-06~2027-02-12 放假 春节\n2027-02-13 上班");
    await dialog.getByText("识别出 8 天").waitFor();
    await dialog.getByRole("button", { name: "录入", exact: true }).click();
    await page.getByText("已保存 8 天").waitFor();
    await page.getByText(/该年按下列录入的安排计算/).waitFor();
    const entries = page.getByRole("table", { name: "2027 年的调整" });
    expect(await entries.getByRole("row").count()).toBe(9);
    // A township below counts on it: it sees the province's entries, without the right to remove them.
    const town = await signedIn("yumenzhen.admin", "/system/calendar");
    await town.getByRole("button", { name: "2027 年" }).click();
    const inherited = town.getByRole("table", { name: "2027 年的调整" });
    await inherited.getByText("甘肃省").first().waitFor();
    expect(await inherited.getByRole("button", { name: /删除/ }).count()).toBe(0);
  });

  test("a county adds its own dispute category; a township below chooses it at intake", async () => {
    const county = await signedIn("yumen.admin", "/system/dictionaries");
    await county.getByRole("button", { name: "新增类别" }).click();
    const dialog = county.getByRole("dialog");
    await dialog.getByLabel("类别名称").fill("草场纠纷");
    await dialog.getByRole("button", { name: "保存" }).click();
    await county.getByRole("row").filter({ hasText: "草场纠纷" }).getByText("本单位").waitFor();
    const town = await signedIn("yumenzhen.admin", "/cases/new");
    await town.getByRole("button", { name: /纠纷类别/ }).click();
    await town.getByRole("option", { name: "草场纠纷", exact: true }).waitFor();
  });

  test("a county adds a window service item; the window form offers it next to free text, which stays as typed", async () => {
    const page = await signedIn("yumen.admin", "/system/dictionaries");
    await page.getByRole("button", { name: "新增服务事项" }).click();
    const add = page.getByRole("dialog");
    await add.getByLabel("名称", { exact: true }).fill("法律援助申请");
    await saveAndClose(add);
    await page
      .getByRole("table", { name: "窗口服务事项" })
      .getByRole("row")
      .filter({ hasText: "法律援助申请" })
      .waitFor();

    await page.goto("/centre/windows");
    const dialog = await openDialog(page, "新增窗口");
    await dialog.getByLabel("窗口号").fill("77");
    await dialog.getByLabel("窗口名称").fill("援助窗口");
    await dialog.getByLabel(/服务事项/).fill("自填事项");
    await dialog.getByRole("button", { name: "法律援助申请" }).click();
    expect(await dialog.getByLabel(/服务事项/).inputValue()).toBe("自填事项、法律援助申请");
    await saveAndClose(dialog);
    const [saved] = await h.db.admin<{ services: string[] }[]>`
      select services from app.service_windows where scope_code = '620981' and number = 77`;
    expect(saved?.services).toEqual(["自填事项", "法律援助申请"]);
  });

  test("a county adds a department kind on 字典管理; the stationing form offers it, and a township sees it inherited", async () => {
    const page = await signedIn("yumen.admin", "/system/dictionaries");
    const kinds = page.getByRole("table", { name: "派驻部门类别" });
    await kinds.getByRole("row").filter({ hasText: "退役军人事务局" }).getByText("国家内置").waitFor();
    await page.getByRole("button", { name: "新增部门类别", exact: true }).click();
    const add = page.getByRole("dialog");
    await add.getByLabel("类别名称").fill("林业和草原局");
    await add.getByLabel("类别代码").fill("forestry");
    await add.getByRole("button", { name: "添加类别" }).click();
    await add.waitFor({ state: "detached" });
    const row = kinds.getByRole("row").filter({ hasText: "林业和草原局" });
    await row.getByText("本单位").waitFor();
    expect(await row.getByText("x_forestry").count()).toBe(1);

    await page.goto("/centre/departments");
    const dialog = await openDialog(page, "新增入驻部门");
    await dialog.getByRole("button", { name: "部门类别" }).click();
    await page.getByRole("option", { name: "林业和草原局", exact: true }).waitFor();
    await page.keyboard.press("Escape");

    const town = await signedIn("yumenzhen.admin", "/system/dictionaries");
    const inherited = town
      .getByRole("table", { name: "派驻部门类别" })
      .getByRole("row")
      .filter({ hasText: "林业和草原局" });
    await inherited.waitFor();
    expect(await inherited.getByText("本单位").count()).toBe(0);

    await page.goto("/system/dictionaries");
    await kinds.getByRole("row").filter({ hasText: "林业和草原局" }).getByRole("button", { name: /编辑/ }).click();
    const edit = page.getByRole("dialog", { name: "编辑部门类别" });
    await edit.getByLabel("名称", { exact: true }).fill("林草局");
    await edit.getByText("启用", { exact: true }).click();
    expect(await edit.getByRole("checkbox", { name: "启用", exact: true }).isChecked()).toBe(false);
    await saveAndClose(edit);
    await kinds.getByRole("row").filter({ hasText: "林草局" }).getByText("已停用").waitFor();
    await page.goto("/centre/departments");
    await page.getByRole("button", { name: "新增入驻部门" }).click();
    await page.getByRole("dialog", { name: "新增入驻部门" }).getByRole("button", { name: "部门类别" }).click();
    await page.getByRole("option", { name: "退役军人事务局", exact: true }).waitFor();
    expect(await page.getByRole("option", { name: "林草局", exact: true }).count()).toBe(0);
  });
});
