import { describe, expect, test } from "vitest";
import { DEMO_PASSWORD } from "./harness.ts";
import { fillSignIn, pressAndAwait, signIn, useHarness } from "./helpers.ts";

const h = useHarness();

async function submitLogin(page: import("playwright-core").Page, username: string, password: string) {
  await fillSignIn(page, username, password);
  await pressAndAwait(page, "登录", "/auth/login");
}

describe("sign-in page", () => {
  test("a wrong password shows the Chinese error and keeps the user on /login", async () => {
    const page = await h.newPage();
    await page.goto("/login");
    await submitLogin(page, "yumen.mediator", "Wrong@2026x");
    const alert = page.getByRole("alert").filter({ hasText: "用户名或密码错误" });
    await alert.waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
    expect(await page.getByLabel("密码", { exact: true }).inputValue()).toBe("");
  });

  test("five wrong passwords lock the account and the message says until when", async () => {
    const page = await h.newPage();
    await page.goto("/login");
    for (let i = 1; i <= 4; i++) {
      await submitLogin(page, "yumen.leader", `Wrong@2026-${i}`);
      await page.getByRole("alert").filter({ hasText: "用户名或密码错误" }).waitFor();
    }
    await submitLogin(page, "yumen.leader", "Wrong@2026-5");
    const lock = page.getByRole("alert").filter({ hasText: "账号已锁定至" });
    await lock.waitFor();
    const [row] = await h.db.admin<{ locked_until: Date | null }[]>`
      select locked_until from app.users where username = 'yumen.leader'`;
    expect(row?.locked_until).toBeInstanceOf(Date);
    // The until-time is shown in China time in the UI's one format, e.g. 2026-11-22 08:03.
    const shown = new Date(row!.locked_until!.getTime() + 8 * 3600e3).toISOString().slice(0, 16).replace("T", " ");
    expect(await lock.textContent()).toContain(shown);
    // Even the right password is refused while the lock lasts.
    await submitLogin(page, "yumen.leader", DEMO_PASSWORD);
    await page.getByRole("alert").filter({ hasText: "账号已锁定至" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/login");
  });

  test("a user who must change the initial password is held on /change-password until done", async () => {
    await h.db.admin`update app.users set must_change_password = true where username = 'yumen.clerk'`;
    const page = await signIn(h, "yumen.clerk");
    await page.waitForURL("**/change-password");
    await page.getByRole("heading", { name: "修改密码", level: 1 }).waitFor();
    await page.getByText("须先修改初始密码").waitFor();

    // The app refuses to go elsewhere first.
    await page.goto("/users");
    await page.waitForURL("**/change-password");

    await page.getByLabel("当前密码", { exact: true }).fill(DEMO_PASSWORD);
    const next = page.getByLabel("新密码", { exact: true });
    await next.fill("short");
    await page.getByText("须包含大写字母").waitFor();
    await next.fill("Yumen#Clerk2027");
    await page.getByLabel("确认新密码", { exact: true }).fill("Yumen#Clerk2027");
    await page.getByRole("button", { name: "修改密码", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("heading", { name: "工作台", level: 1 }).waitFor();
    const [row] = await h.db.admin<{ must_change_password: boolean }[]>`
      select must_change_password from app.users where username = 'yumen.clerk'`;
    expect(row?.must_change_password).toBe(false);
  });

  test("switching to English changes the navigation labels and is remembered", async () => {
    const page = await signIn(h, "yumen.admin");
    const nav = page.getByRole("navigation", { name: "主导航" });
    await nav.getByRole("link", { name: "单位管理" }).waitFor();
    expect(await nav.getByRole("link").allTextContents()).toEqual([
      ...["工作台", "消息中心", "通知公告", "案件办理", "登记案件", "督办"],
      ...[
        "入驻部门",
        "值班表",
        "服务窗口",
        "调解室",
        "网上预约设置",
        "调委会",
        "调解员库",
        "网格管理",
        "时限规则",
        "工作日历",
      ],
      "领导驾驶舱",
      // Separation of duties: the centre administrator reads no log (the auditor does) and
      // neither sees nor ends sessions (the security administrator does).
      ...["单位管理", "开放接口", "用户管理"],
    ]);

    await page.getByRole("button", { name: "English", exact: true }).click();
    const navEn = page.getByRole("navigation", { name: "Main navigation" });
    await navEn.getByRole("link", { name: "Units" }).waitFor();
    expect(await navEn.getByRole("link").allTextContents()).toEqual([
      ...["Dashboard", "Messages", "Notices", "Cases", "Register a case", "Supervision"],
      ...["Departments", "Duty roster", "Service windows", "Mediation rooms", "Online booking", "Committees"],
      ...["Mediator pool", "Grids"],
      ...["Deadline rules", "Working calendar", "Leaders' cockpit", "Units", "Open channels", "Users"],
    ]);
    expect(await page.locator("html").getAttribute("lang")).toBe("en");

    await page.reload();
    await navEn.getByRole("link", { name: "Units" }).waitFor();
    await page.getByRole("button", { name: "中文", exact: true }).click();
    await nav.getByRole("link", { name: "单位管理" }).waitFor();
  });

  test("the side navigation shows only what the roles allow", async () => {
    const page = await signIn(h, "cun.mediator");
    const nav = page.getByRole("navigation", { name: "主导航" });
    await nav.getByRole("link", { name: "工作台" }).waitFor();
    // A village mediator: its cases, no centre configuration and no unit management (issue 12).
    expect(await nav.getByRole("link").allTextContents()).toEqual([
      "工作台",
      "消息中心",
      "通知公告",
      "案件办理",
      "登记案件",
      "现场上报",
      "督办",
    ]);
  });
});
