import { decodeBase32IgnorePadding } from "@oslojs/encoding";
import { generateTOTP } from "@oslojs/otp";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { DEMO_PASSWORD, tick } from "./harness.ts";
import { fillSignIn, pressAndAwait, signIn, useHarness } from "./helpers.ts";

const h = useHarness();

const step = () => Math.floor(Date.now() / 30_000);

/** Waits until the authenticator would show a code of a later step than `used` (at most 30 s). */
async function nextStepAfter(used: number): Promise<void> {
  while (step() <= used) await new Promise((r) => setTimeout(r, 250));
}

/**
 * Sets up the authenticator on /mfa as a person does with a phone that cannot scan: reads the
 * key shown on the page, "types it into the app" (computes the code here) and confirms.
 * Returns the key and the step of the code used.
 */
async function enrolOnPage(
  page: Page,
  options: { started?: boolean; forced?: boolean } = {},
): Promise<{ key: Uint8Array; usedStep: number }> {
  if (!options.started) await page.getByRole("button", { name: "开始绑定验证器" }).click();
  await page.getByRole("img", { name: /两步验证二维码/ }).waitFor();
  const shown = await page.getByLabel("密钥", { exact: true }).inputValue();
  const key = decodeBase32IgnorePadding(shown.replace(/\s/g, ""));
  expect(key).toHaveLength(20);
  const field = page.getByLabel("6位验证码", { exact: true });
  expect(await field.getAttribute("inputmode")).toBe("numeric");
  expect(await field.getAttribute("autocomplete")).toBe("one-time-code");
  const usedStep = step();
  await field.fill(generateTOTP(key, 30, 6));
  await page.getByRole("button", { name: "确认绑定" }).click();
  // Forced enrolment goes straight on to the dashboard; otherwise the page says it is on.
  if (options.forced) await page.waitForURL((url) => url.pathname === "/");
  else await page.getByText("已启用两步验证。").waitFor();
  return { key, usedStep };
}

async function signOut(page: Page): Promise<void> {
  await page.goto("/");
  await page.getByRole("button", { name: "退出登录" }).click();
  await page.waitForURL("**/login?signedOut=1");
}

async function passwordStep(page: Page, username: string): Promise<void> {
  await page.goto("/login");
  await fillSignIn(page, username, DEMO_PASSWORD);
  await page.getByRole("button", { name: "登录", exact: true }).click();
  await page.getByRole("heading", { name: "两步验证", level: 1 }).waitFor();
}

async function submitCode(page: Page, code: string): Promise<void> {
  await page.getByLabel("6位验证码", { exact: true }).fill(code);
  await pressAndAwait(page, "验证", "/auth/login/totp");
}

describe("two-step verification", () => {
  test("a user enrols on /mfa, signs out, and signs in with password and code", async () => {
    const page = await signIn(h, "yumen.leader");
    await page.getByRole("link", { name: "两步验证" }).click();
    await page.waitForURL("**/mfa");
    await page.getByRole("heading", { name: "两步验证", level: 1 }).waitFor();

    // A wrong confirmation code is refused next to the field.
    await page.getByRole("button", { name: "开始绑定验证器" }).click();
    await page.getByLabel("6位验证码", { exact: true }).fill("000000");
    await page.getByRole("button", { name: "确认绑定" }).click();
    await page.getByText("验证码错误").waitFor();
    const { key, usedStep } = await enrolOnPage(page, { started: true });
    const [row] = await h.db.admin<{ totp_enabled_at: Date | null; totp_key: Buffer | null }[]>`
      select totp_enabled_at, totp_key from app.users where username = 'yumen.leader'`;
    expect(row?.totp_enabled_at).toBeInstanceOf(Date);
    expect(row?.totp_key?.includes(Buffer.from(key))).toBe(false);

    await signOut(page);
    await passwordStep(page, "yumen.leader");
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.getByText("密码正确。请输入手机验证器中显示的6位验证码。").waitFor();

    await submitCode(page, "123456" === generateTOTP(key, 30, 6) ? "654321" : "123456");
    await page.getByRole("alert").filter({ hasText: "验证码错误" }).waitFor();
    // The code used to confirm the enrolment cannot be used again.
    if (step() === usedStep) {
      await submitCode(page, generateTOTP(key, 30, 6));
      await page.getByRole("alert").filter({ hasText: "已使用" }).waitFor();
    }
    await nextStepAfter(usedStep);
    await submitCode(page, generateTOTP(key, 30, 6));
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("heading", { name: "工作台", level: 1 }).waitFor();
    const [audit] = await h.db.admin<{ detail: unknown }[]>`select detail from app.audit_events e
      join app.users u on u.id = e.actor_id where u.username = 'yumen.leader' and e.kind = 'auth.login'
      order by e.id desc limit 1`;
    expect(audit?.detail).toEqual({ mfa: true });
  });

  test("recovery codes are shown once and sign in once in place of a code", async () => {
    const page = await signIn(h, "yumen.liaison");
    await page.goto("/mfa");
    await enrolOnPage(page);
    await page.getByText("当前剩余 0 个").waitFor();
    await page.getByRole("button", { name: "生成恢复码" }).click();
    const list = page.getByRole("list", { name: "恢复码" });
    await list.getByRole("listitem").first().waitFor();
    const codes = await list.getByRole("listitem").allTextContents();
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
    await page.getByText("恢复码只显示这一次").waitFor();

    await signOut(page);
    await passwordStep(page, "yumen.liaison");
    await page.getByRole("button", { name: "手机不在身边？改用恢复码" }).click();
    await page.getByLabel("恢复码", { exact: true }).fill(codes[0]!);
    await page.getByRole("button", { name: "验证", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/");
    // Spent: the same code no longer signs in.
    await signOut(page);
    await passwordStep(page, "yumen.liaison");
    await page.getByRole("button", { name: "手机不在身边？改用恢复码" }).click();
    await page.getByLabel("恢复码", { exact: true }).fill(codes[0]!);
    await page.getByRole("button", { name: "验证", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "验证码错误" }).waitFor();
  });

  test("an expired sign-in step sends the user back to the password with the Chinese message", async () => {
    const page = await h.newPage();
    await passwordStep(page, "yumen.leader");
    await h.db.admin`update auth.login_challenges set created_at = now() - interval '6 minutes'`;
    await submitCode(page, "123456");
    await page.getByRole("alert").filter({ hasText: "验证码已过期，请重新登录" }).waitFor();
    await page.getByRole("heading", { name: "登录", level: 1 }).waitFor();
    expect(await page.getByLabel("登录名", { exact: true }).inputValue()).toBe("yumen.leader");
  });

  test("five wrong codes lock the account and say until when", async () => {
    await h.db.admin`update app.users set failed_attempts = 0, locked_until = null where username = 'yumen.leader'`;
    const page = await h.newPage();
    await passwordStep(page, "yumen.leader");
    for (let i = 1; i <= 4; i++) {
      await submitCode(page, String(111110 + i));
      await page.getByRole("alert").filter({ hasText: "验证码错误" }).waitFor();
    }
    await submitCode(page, "111115");
    const lock = page.getByRole("alert").filter({ hasText: "账号已锁定至" });
    await lock.waitFor();
    const [row] = await h.db.admin<{ locked_until: Date | null }[]>`
      select locked_until from app.users where username = 'yumen.leader'`;
    const shown = new Date(row!.locked_until!.getTime() + 8 * 3600e3).toISOString().slice(0, 16).replace("T", " ");
    expect(await lock.textContent()).toContain(shown);
    await page.getByRole("heading", { name: "登录", level: 1 }).waitFor();
    await h.db.admin`update app.users set failed_attempts = 0, locked_until = null where username = 'yumen.leader'`;
  });

  test("the top unit's security administrator requires it; a clerk is then held on /mfa until enrolled", async () => {
    const admin = await signIn(h, "gansu.security");
    await admin.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "用户管理" }).click();
    const requirement = admin.getByRole("region", { name: "两步验证要求" });
    await requirement.waitFor();
    // Requiring it first needs the admin's own second factor.
    await requirement.getByText("要求本部署所有工作人员启用两步验证").click();
    await requirement.getByText("请先在“两步验证”页面为自己的账号启用两步验证。").waitFor();
    await admin.getByRole("link", { name: "两步验证" }).first().click();
    await admin.waitForURL("**/mfa");
    await enrolOnPage(admin);
    await admin.goto("/users");
    const again = admin.getByRole("region", { name: "两步验证要求" });
    await again.getByText("要求本部署所有工作人员启用两步验证").click();
    await admin.getByText("已要求本部署启用两步验证").waitFor();
    // The box shows the deployment's state as the server now has it.
    await tick(again, "要求本部署所有工作人员启用两步验证");
    const [root] = await h.db.admin<
      { require_totp: boolean }[]
    >`select require_totp from app.tenants where code = '62'`;
    expect(root?.require_totp).toBe(true);

    const clerk = await signIn(h, "yumen.clerk");
    await clerk.waitForURL("**/mfa");
    await clerk.getByText("本单位要求工作人员启用两步验证").waitFor();
    await clerk.goto("/cases");
    await clerk.waitForURL("**/mfa");
    await enrolOnPage(clerk, { forced: true });
    await clerk.getByRole("heading", { name: "工作台", level: 1 }).waitFor();
  });
});
