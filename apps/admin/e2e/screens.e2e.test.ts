import { mkdir, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.ts";
import { signIn } from "./helpers.ts";

/**
 * Each role's home and the main screens render in Chinese without console errors, with the
 * demo's cases. With UPDATE_SCREENS=1 (`pnpm screens`) the screenshots are written to
 * docs/screens/ for the README; otherwise to a temporary directory. Chromium from Debian with
 * fonts-noto-cjk installed draws the Chinese text.
 */
const SCREENS = process.env.UPDATE_SCREENS === "1";
let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await startHarness({ cases: true });
  dir = SCREENS
    ? fileURLToPath(new URL("../../../docs/screens/", import.meta.url))
    : await mkdtemp(join(tmpdir(), "zz-screens-"));
  await mkdir(dir, { recursive: true });
}, 120_000);
afterAll(async () => {
  await h?.close();
});

async function shoot(username: string, path: string, file: string, ready: (page: Page) => Promise<unknown>) {
  const page = await h.newPage();
  await page.setViewportSize({ width: 1366, height: 860 });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await h.login(page, username);
  if (path !== "/") await page.goto(path);
  await ready(page);
  // Let charts and late queries settle before the picture.
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: join(dir, file) });
  expect(errors, `${username} ${path}`).toEqual([]);
}

const heading = (name: string | RegExp) => (page: Page) =>
  page.getByRole("heading", { name, level: 1 }).first().waitFor();

describe("screens of each role", () => {
  const homes: [string, string][] = [
    ["gansu.admin", "home-province-admin.png"],
    ["jiuquan.admin", "home-city-admin.png"],
    ["yumen.admin", "home-county-admin.png"],
    ["yumen.clerk", "home-county-clerk.png"],
    ["yumen.leader", "home-county-leader.png"],
    ["yumen.liaison", "home-liaison.png"],
    ["yumenzhen.admin", "home-township-admin.png"],
    ["cun.mediator", "home-village-mediator.png"],
    ["cun.grid", "home-grid-worker.png"],
    ["operator", "home-operator.png"],
  ];
  for (const [username, file] of homes) {
    test(`${username}'s home`, async () => {
      await shoot(username, "/", file, async (page) => {
        await page.getByRole("navigation", { name: "主导航" }).getByRole("link").first().waitFor();
        await page.locator("main h1").first().waitFor();
      });
    });
  }

  test("the main screens", async () => {
    // What the demo does not hold: the county centre's public contact, and a notice with a file.
    await h.db.admin`insert into app.centre_contacts (scope_code, phone, address, opening_hours)
      values ('620981', '0937-3221234', '玉门市新市区综治中心一楼', '工作日 8:30–12:00，14:30–18:00')`;
    const [notice] = await h.db.admin<{ id: string }[]>`insert into app.notices (scope_code, title, body)
      values ('620981', '关于做好元旦期间矛盾纠纷排查化解工作的通知',
        '各乡镇综治中心：元旦将至，请于12月25日前完成一轮矛盾纠纷排查，重点关注欠薪、邻里和婚姻家庭纠纷，排查情况按附表报送。')
      returning id`;
    await h.db
      .admin`insert into app.notice_attachments (notice_id, scope_code, storage_key, filename, mime, size_bytes, sha256)
      values (${notice!.id}, '620981', 'notices/screens/排查表.pdf', '矛盾纠纷排查统计表.pdf', 'application/pdf', 48213, '0')`;
    await shoot("yumen.clerk", "/cases", "cases-inbox.png", heading(/案件/));
    await shoot("yumenzhen.admin", "/messages", "messages.png", heading("消息中心"));
    await shoot("yumen.auditor", "/logs/operations", "operation-log.png", heading("操作日志"));
    await shoot("yumen.security", "/system/online", "online-users.png", heading("在线用户"));
    await shoot("yumen.admin", "/system/calendar", "calendar.png", heading("工作日历"));
    await shoot("yumenzhen.admin", "/notices", "notices.png", heading("通知公告"));
    await shoot("yumen.admin", "/centre/departments", "centre-departments.png", heading(/入驻部门/));
    await shoot("yumen.admin", "/centre/windows", "centre-windows.png", heading("服务窗口"));
    const [c] = await h.db.admin<{ id: string }[]>`select id from app.cases where scope_code = '620981101'
      order by registered_at limit 1`;
    await shoot("yumen.clerk", `/cases/${c!.id}/receipt`, "case-receipt.png", async (page) => {
      await page.getByRole("row", { name: /^咨询电话/ }).waitFor();
    });
  });

  test("a case's detail with its step bar", async () => {
    const page = await signIn(h, "yumen.clerk");
    await page.goto("/cases");
    await page.locator("main table a[href^='/cases/']").first().click();
    const steps = page.getByRole("region", { name: "办理进度" });
    await steps.locator("[aria-current='step']").waitFor();
    expect(await steps.getByRole("listitem").count()).toBe(8);
    await page.setViewportSize({ width: 1366, height: 860 });
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: join(dir, "case-detail.png") });
  });
});
