import { chromium } from "playwright-core";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const ctx = await browser.newContext({ baseURL: "http://127.0.0.1:3117", locale: "zh-CN", timezoneId: "Asia/Shanghai", viewport: { width: 1440, height: 1000 } });
const page = await ctx.newPage();
page.on("pageerror", (e) => console.log("pageerror:", e.message));
const shot = (n, full = true) => page.screenshot({ path: `/tmp/shots/x-${n}.png`, fullPage: full });
await page.goto("/login");
await page.getByLabel("登录名", { exact: true }).fill(process.argv[2] ?? "yumen.admin");
await page.getByLabel("密码", { exact: true }).fill("Zongzhi@2026");
await page.getByRole("button", { name: "登录", exact: true }).click();
await page.waitForURL((u) => u.pathname !== "/login");
await page.getByRole("button", { name: "English" }).click();
for (const p of ["/centre/roster?week=2026-09-28", "/centre/rooms", "/centre/departments", "/centre/mediators"]) {
  await page.goto(p);
  await page.waitForTimeout(900);
  await shot("en" + p.replace(/[^a-z0-9]+/gi, "_"));
}
await page.goto("/centre/departments");
await page.getByRole("button", { name: "Station a department" }).click();
await page.waitForTimeout(500);
await shot("en-dept-dialog", false);
await browser.close();
