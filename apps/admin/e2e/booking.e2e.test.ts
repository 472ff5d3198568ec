import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

// 网上预约 (issue 13 §6): a person books a slot at the Yumen centre from a phone, without signing
// in, and gets a booking code; the centre's clerk sees the booking on the home page and receives
// (接待) it into a registered case; the person then follows the booking to its case.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ centres: true });
});
afterAll(async () => {
  await h?.close();
});

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

describe("online booking", () => {
  test("a person books from a phone and the clerk receives the booking into a case", async () => {
    const phone = await h.newPage(PHONE);
    await phone.goto("/booking");
    await phone.getByRole("heading", { name: "网上预约" }).waitFor();
    await phone.getByRole("button", { name: /玉门市/ }).click();
    await phone.getByRole("heading", { name: "玉门市" }).waitFor();
    await phone.getByText("综合受理来访（窗口来访）").click();
    await phone.getByText("当日在岗部门").waitFor();
    const slot = phone.locator(".booking-slot:not([disabled])").first();
    const box = await slot.boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(48);
    await slot.click();
    await expect.poll(() => slot.getAttribute("aria-pressed")).toBe("true");

    // A wrong phone number is refused in the page, in Chinese, before anything is sent.
    await phone.getByLabel("姓名", { exact: true }).fill("李桂英");
    await phone.getByLabel("手机号码", { exact: true }).fill("12345");
    await phone.getByLabel("事由（简要说明）").fill("邻居长期占用楼道堆放杂物，协商无果。");
    await phone.getByRole("button", { name: "确认预约" }).click();
    await phone.getByText("请输入11位手机号码").waitFor();
    await phone.getByLabel("手机号码", { exact: true }).fill("13909374321");
    const submit = phone.getByRole("button", { name: "确认预约" });
    expect((await submit.boundingBox())!.height).toBeGreaterThanOrEqual(48);
    await submit.click();
    await phone.getByRole("heading", { name: "预约成功" }).waitFor();
    const code = (await phone.locator(".booking-code").first().textContent())!.trim();
    expect(code).toMatch(/^620981-[0-9A-Z]{8}$/);
    // Nothing of the page is wider than the phone.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // The clerk's home lists it; 接待 registers the case with the person's data and opens it.
    const clerk = await h.newPage();
    await h.login(clerk, "yumen.clerk");
    const item = clerk.locator(`li[aria-label^="${code}"]`);
    await item.waitFor();
    await expect.poll(() => item.textContent()).toContain("李**");
    await item.getByRole("button", { name: "接待" }).click();
    const dialog = clerk.getByRole("dialog");
    await dialog.getByText("申请人姓名和手机号取自预约").waitFor();
    await dialog.getByRole("button", { name: "登记案件" }).click();
    await clerk.waitForURL(/\/cases\/[0-9a-f-]{36}$/);
    const [row] = await h.db.admin<{ code: string; channel: string }[]>`select c.code, c.channel
      from app.appointments a join app.cases c on c.id = a.case_id where a.code = ${code}`;
    expect(row!.channel).toBe("online");
    await clerk.getByText(row!.code).first().waitFor();
    await clerk.getByText("网上预约").first().waitFor();

    // The person looks the booking up: received, with the case's code to follow.
    await phone.getByLabel("预约码", { exact: true }).fill(code);
    await phone.getByLabel("手机号后四位").fill("4321");
    await phone.getByRole("button", { name: "查询", exact: true }).click();
    await phone.getByText("已接待登记").waitFor();
    await phone.getByRole("link", { name: row!.code }).waitFor();
  });
});
