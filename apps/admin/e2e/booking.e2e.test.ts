import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.ts";
import { refuse, signIn } from "./helpers.ts";

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
  test("an admin opens a room for booking, a person books it and the clerk hears of it live", async () => {
    // The clerk's home is open before anything happens: the booking must arrive by itself.
    const clerk = await h.newPage();
    await h.login(clerk, "yumen.clerk");
    await clerk.getByRole("heading", { name: "工作台", level: 1 }).waitFor();

    const admin = await h.newPage();
    await h.login(admin, "yumen.admin");
    await admin.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "网上预约设置" }).click();
    await admin.getByRole("heading", { name: "网上预约设置", level: 1 }).waitFor();
    await admin.getByRole("cell", { name: "综合受理来访", exact: true }).waitFor();
    await admin.getByRole("button", { name: "新增预约项目" }).click();
    const dialog = admin.getByRole("dialog", { name: "新增预约项目" });
    await dialog.getByRole("button", { name: /^类型/ }).click();
    await admin.getByRole("option", { name: "调解预约", exact: true }).click();
    // The form refuses with the API's own messages before anything is sent.
    await dialog.getByRole("button", { name: "保存" }).click();
    await dialog.getByText("请选择调解室").first().waitFor();
    await dialog.getByText("不能为空").first().waitFor();
    await dialog.getByRole("button", { name: /^调解室/ }).click();
    await admin.getByRole("option", { name: "诉前调解室", exact: true }).click();
    await dialog.getByLabel("项目名称").fill("诉前调解预约");
    // The server's own rule (hours that hold no slot) shows at its field.
    await refuse(dialog, "结束时间", "09:10", "结束时间须晚于开始时间，且至少容纳一个时段");
    await dialog.getByLabel("结束时间").fill("17:30");
    await dialog.getByRole("button", { name: "保存" }).click();
    await dialog.waitFor({ state: "detached" });
    const row = admin.getByRole("row").filter({ hasText: "诉前调解预约" });
    await row.getByText("开放预约").waitFor();
    const [offer] = await h.db.admin<{ id: string; kind: string; capacity: number }[]>`select id, kind, capacity
      from app.booking_offers where title = '诉前调解预约'`;
    expect(offer).toMatchObject({ kind: "mediation", capacity: 1 });

    // Someone else saves the offer meanwhile: the edit is refused with a reload, not overwritten.
    await row.getByRole("button", { name: "编辑 诉前调解预约" }).click();
    const edit = admin.getByRole("dialog", { name: "编辑预约项目" });
    await h.db.admin`update app.booking_offers set version = version + 1 where id = ${offer!.id}`;
    await edit.getByLabel("可提前预约天数").fill("20");
    await edit.getByRole("button", { name: "保存" }).click();
    await edit.getByText("该预约项目已被他人修改").waitFor();
    await edit.getByRole("button", { name: "重新加载" }).click();
    await edit.waitFor({ state: "detached" });
    await row.getByRole("button", { name: "编辑 诉前调解预约" }).click();
    await edit.getByLabel("可提前预约天数").fill("20");
    await edit.getByRole("button", { name: "保存" }).click();
    await edit.waitFor({ state: "detached" });
    await row.getByText("未来20天").waitFor();

    // A person books it on the public page.
    const phone = await h.newPage(PHONE);
    await phone.goto("/booking");
    await phone.getByRole("button", { name: /玉门市/ }).click();
    await phone.getByText("诉前调解预约（调解预约）").click();
    const slot = phone.locator(".booking-slot:not([disabled])").first();
    await slot.click();
    await phone.getByLabel("姓名", { exact: true }).fill("赵德明");
    await phone.getByLabel("手机号码", { exact: true }).fill("13909375566");
    await phone.getByLabel("事由（简要说明）").fill("合同欠款纠纷，希望诉前调解。");
    await phone.getByRole("button", { name: "确认预约" }).click();
    await phone.getByRole("heading", { name: "预约成功" }).waitFor();
    const code = (await phone.locator(".booking-code").first().textContent())!.trim();

    // The clerk's home shows it and the bell tells of it, without a reload.
    await clerk.locator(`li[aria-label^="${code}"]`).waitFor();
    const bell = clerk.getByRole("button", { name: /消息通知（\d+条未读）/ });
    await bell.click();
    await clerk.getByRole("list", { name: /消息/ }).getByText(`网上预约：${code}`, { exact: false }).waitFor();

    // Closing the offer takes it off the public page.
    await row.getByRole("button", { name: "停止预约 诉前调解预约" }).click();
    await row.getByText("已停止").waitFor();
    await phone.goto("/booking");
    await phone.getByRole("button", { name: /玉门市/ }).click();
    await phone.getByText("综合受理来访（窗口来访）").waitFor();
    expect(await phone.getByText("诉前调解预约（调解预约）").count()).toBe(0);
  });

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
    const clerk = await signIn(h, "yumen.clerk");
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
