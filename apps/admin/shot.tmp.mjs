import { chromium } from "playwright-core";
const [user, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu"] });
const ctx = await browser.newContext({ baseURL: "http://127.0.0.1:3117", locale: "zh-CN", timezoneId: "Asia/Shanghai", viewport: { width: 1440, height: 900 } });
const page = await ctx.newPage();
page.on("console", (m) => { if (m.type() === "error") console.log("console:", m.text()); });
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto("/login");
await page.getByLabel("登录名", { exact: true }).fill(user);
await page.getByLabel("密码", { exact: true }).fill("Zongzhi@2026");
await page.getByRole("button", { name: "登录", exact: true }).click();
await page.waitForURL((u) => u.pathname !== "/login");
for (const p of paths) {
  await page.goto(p);
  await page.waitForTimeout(1200);
  const name = p.replace(/[^a-z0-9]+/gi, "_");
  await page.screenshot({ path: `/tmp/shots/${name}.png`, fullPage: true });
  console.log("shot", name);
}
await browser.close();
