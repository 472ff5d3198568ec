import { describe, expect, test } from "vitest";
import { saveAndClose, signIn, useHarness } from "./helpers.ts";

const h = useHarness();

const TOWN = "620981101";
const VILLAGE = "620981101001";

/** Cases this month: 3 at the village (2 resolved there), 1 at the township itself, 2 at another township. */
async function seed(): Promise<string> {
  const [other] = await h.db.admin<{ code: string }[]>`select code from app.tenants
    where code like '620981___' and length(code) = 9 and code <> ${TOWN} order by code limit 1`;
  const now = new Date();
  const at = new Date(now.getTime() - 3_600_000).toISOString();
  const rows: [string, boolean][] = [
    [VILLAGE, true],
    [VILLAGE, true],
    [VILLAGE, false],
    [TOWN, false],
    [other!.code, false],
    [other!.code, false],
  ];
  let seq = 0;
  for (const [scope, resolved] of rows) {
    seq += 1;
    const year = Number(new Date(now.getTime() + 8 * 3600e3).toISOString().slice(0, 4));
    await h.db.admin`insert into app.cases (scope_code, owner_code, code, year, seq, category_code, channel, title,
        description, location_code, status, registered_at, accepted_at, resolved_at)
      values (${scope}, ${scope}, ${`${scope}-${year}-${String(900000 + seq)}`}, ${year}, ${900000 + seq}, 'neighbour',
        'visit', '邻里纠纷', '测试', ${scope}, ${resolved ? "resolved" : "accepted"}, ${at}, ${at}, ${resolved ? at : null})`;
  }
  return other!.code;
}

const kpi = (page: import("playwright-core").Page, figure: string) => page.locator(`[data-kpi="${figure}"] .kpi-value`);

/** A leader's cockpit with one of its settings dialogs open (`open-weights`, `open-safety`): the page and the dialog's form. */
async function openSettings(button: string, form: string) {
  const page = await signIn(h, "yumen.leader");
  await page.getByTestId("cockpit").waitFor();
  await page.getByTestId(button).click();
  const dialog = page.getByTestId(form);
  await dialog.waitFor();
  return { page, form: dialog };
}

describe("the leaders' cockpit", () => {
  test("is a leader's home: figures with definitions, charts, ranking; drills down two tiers and back", async () => {
    await seed();
    const page = await signIn(h, "yumen.leader");
    const cockpit = page.getByTestId("cockpit");
    await cockpit.waitFor();
    await expect.poll(() => kpi(page, "received").textContent()).toBe("6");
    expect(await kpi(page, "resolutionRate").textContent()).toBe("33.3%");
    // The definition is the tooltip of the figure's name.
    await page.locator('[data-kpi="resolutionRate"] .term').hover();
    await expect.poll(() => page.locator(".tooltip").first().textContent()).toContain("化解 ÷ 受理");
    // Charts drew on their canvases.
    expect(await page.getByTestId("chart-trend").locator("canvas").count()).toBe(1);
    expect(await page.getByTestId("chart-treemap").locator("canvas").count()).toBe(1);
    expect(await page.getByTestId("ranking-formula").textContent()).toContain("得分 = 100 ×");
    // The township ranks first (2 of 4 resolved against 0 of 2).
    const first = page.getByTestId("ranking").locator("tbody tr").first();
    expect(await first.getAttribute("data-unit")).toBe(TOWN);
    // Reworks (重办) have a column of their own: none of the township's cases was sent back.
    expect(await page.getByTestId("ranking").locator("thead").textContent()).toContain("重办");
    expect(await first.locator('[data-figure="reworks"]').textContent()).toBe("0");
    // The category filter narrows every figure: no labour case, then the six neighbours' cases again.
    const category = page.getByTestId("cockpit-category");
    await category.getByRole("button", { name: /事件类别/ }).click();
    await page.getByRole("option", { name: "劳动争议/欠薪", exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get("category") === "labour");
    await expect.poll(() => kpi(page, "received").textContent()).toBe("0");
    expect(await page.getByTestId("ledger-category").textContent()).toContain("劳动争议/欠薪");
    await category.getByRole("button", { name: /事件类别/ }).click();
    await page.getByRole("option", { name: "邻里纠纷", exact: true }).click();
    await expect.poll(() => kpi(page, "received").textContent()).toBe("6");
    await category.getByRole("button", { name: /事件类别/ }).click();
    await page.getByRole("option", { name: "全部类别", exact: true }).click();
    await page.waitForURL((u) => !u.searchParams.has("category"));

    // Tier 1: the township.
    await first.getByRole("button", { name: "下钻" }).click();
    await page.waitForURL((u) => u.searchParams.get("unit") === TOWN);
    await expect.poll(() => kpi(page, "received").textContent()).toBe("4");
    expect(await kpi(page, "resolutionRate").textContent()).toBe("50.0%");
    // Tier 2: the village.
    await page
      .getByTestId("ranking")
      .locator(`tr[data-unit="${VILLAGE}"]`)
      .getByRole("button", { name: "下钻" })
      .click();
    await page.waitForURL((u) => u.searchParams.get("unit") === VILLAGE);
    await expect.poll(() => kpi(page, "received").textContent()).toBe("3");
    expect(await kpi(page, "localShare").textContent()).toBe("100.0%");
    expect(await cockpit.getByText("本级没有下级单位").count()).toBeGreaterThan(0);
    // The village's case ledger downloads with its three rows, the progress saying so.
    const download = page.waitForEvent("download");
    await page.locator('[data-ledger="cases"]').getByRole("button", { name: "CSV" }).click();
    const file = await (await download).path();
    await expect.poll(() => page.getByTestId("export-progress").getAttribute("data-state")).toBe("done");
    expect(await page.getByTestId("export-progress").textContent()).toContain("（3 / 3 行）");
    const text = (await import("node:fs")).readFileSync(file!, "utf8");
    expect(
      text
        .replace(/^\uFEFF/, "")
        .trim()
        .split("\r\n").length - 1,
    ).toBe(3);
    // Back up through the breadcrumb.
    await page.locator(".cockpit-path").getByRole("button").first().click();
    await expect.poll(() => kpi(page, "received").textContent()).toBe("6");
  });

  test("a leader sets the ranking weights (sum 100) and the ranking follows them", async () => {
    const { page, form } = await openSettings("open-weights", "weights-form");
    await expect.poll(() => form.getByLabel("化解率", { exact: true }).inputValue()).toBe("30");
    // The rework-free rate may be weighed; by default it weighs nothing.
    expect(await form.getByLabel("无重办率", { exact: true }).inputValue()).toBe("0");
    await form.getByLabel("化解率", { exact: true }).fill("50");
    expect(await page.getByTestId("weights-total").textContent()).toContain("合计 120 / 100");
    expect(await form.getByRole("button", { name: "保存" }).isDisabled()).toBe(true);
    expect(await form.locator(".alert").textContent()).toContain("之和须为 100（当前为 120）");
    await form.getByLabel("办结率", { exact: true }).fill("0");
    expect(await page.getByTestId("weights-formula").textContent()).toContain("50×化解率");
    await saveAndClose(form);
    await expect.poll(() => page.getByTestId("ranking-formula").textContent()).toContain("50×化解率");
    const [row] = await h.db.admin<{ n: number }[]>`select count(*)::int as n from app.audit_events
      where kind = 'cockpit.settings_saved'`;
    expect(row!.n).toBe(1);
  });

  test("a leader edits the safety index definition, validated as the server validates it", async () => {
    const { page, form } = await openSettings("open-safety", "safety-form");
    const weight = form.getByLabel("红色风险在办占比", { exact: true });
    await expect.poll(() => weight.inputValue()).toBe("35");
    expect(await form.getByLabel("红色风险在办占比（%）", { exact: true }).inputValue()).toBe("5");
    // Reworks (重办) are a component, weighed 0 by default, with the reason next to the field.
    const rework = form.getByLabel("重办占比", { exact: true });
    expect(await rework.inputValue()).toBe("0");
    expect(await form.getByText("默认权重 0：资料（12345 热线做法）").count()).toBe(1);
    // Weights adding up to 110: the domain's rule, through the procedure's schema, before any request.
    await weight.fill("45");
    expect(await page.getByTestId("safety-total").textContent()).toContain("合计 110 / 100");
    const save = page.getByRole("button", { name: "保存定义" });
    await save.click();
    await expect
      .poll(() => form.locator(".alert").first().textContent())
      .toContain("平安指数各项权重之和须为 100（当前为 110）");
    await form.getByLabel("超期在办占比", { exact: true }).fill("15");
    // A threshold is typed in per cent; bands must keep yellow below blue.
    await form.getByLabel("超期在办占比（%）", { exact: true }).fill("0");
    await form.getByLabel("黄色（关注）下限", { exact: true }).fill("90");
    await save.click();
    await expect.poll(() => form.getByText("请输入大于 0 且不超过 100 的百分比").count()).toBe(1);
    await form.getByLabel("超期在办占比（%）", { exact: true }).fill("20");
    await expect.poll(() => form.getByText("分档须满足 0 < 黄色下限 < 蓝色下限 ≤ 100").count()).toBe(1);
    expect(await page.getByTestId("safety-preview").textContent()).toContain("定义有误");
    await form.getByLabel("黄色（关注）下限", { exact: true }).fill("60");
    await expect.poll(() => page.getByTestId("safety-preview").textContent()).toContain("本级当前平安指数为");
    await save.click();
    await form.waitFor({ state: "detached" });
    const [row] = await h.db.admin<
      { safety: { weights: Record<string, number>; thresholds: Record<string, number> } }[]
    >`
      select safety from app.cockpit_settings where scope_code = '620981'`;
    expect(row!.safety.weights).toMatchObject({ redRiskShare: 45, overdueShare: 15 });
    expect(row!.safety.thresholds.overdueShare).toBe(0.2);
    const [audit] = await h.db.admin<{ n: number }[]>`select count(*)::int as n from app.audit_events
      where kind = 'cockpit.settings_saved'`;
    expect(audit!.n).toBe(2);
    // Back to the defaults: the unit's own definition is dropped.
    await page.getByTestId("open-safety").click();
    await page.getByRole("button", { name: /恢复默认定义/ }).click();
    await page.getByTestId("safety-form").waitFor({ state: "detached" });
    const [after] = await h.db.admin<{ safety: unknown }[]>`select safety from app.cockpit_settings
      where scope_code = '620981'`;
    expect(after!.safety).toBeNull();
  });

  test("a township's cockpit shows only its subtree; a sibling in the address is refused", async () => {
    const page = await signIn(h, "yumenzhen.admin");
    await page.getByTestId("cockpit").waitFor();
    await expect.poll(() => kpi(page, "received").textContent()).toBe("4");
    const [other] = await h.db.admin<{ code: string }[]>`select code from app.tenants
      where code like '620981___' and length(code) = 9 and code <> ${TOWN} order by code limit 1`;
    await page.goto(`/cockpit?unit=${other!.code}`);
    await expect.poll(() => page.getByText("单位不存在或无权访问").count(), { timeout: 15_000 }).toBeGreaterThan(0);
  });

  test("the inbox exports the case ledger of its filters, with its progress", async () => {
    const page = await signIn(h, "yumen.leader");
    await page.goto("/cases");
    await page.locator(".filter-menu summary").click();
    await page.locator(".filter-menu-list").getByText("已化解", { exact: true }).click();
    await expect.poll(() => page.locator(".case-table tbody tr").count()).toBe(2);
    const download = page.waitForEvent("download");
    await page.getByTestId("inbox-export").getByRole("button", { name: "导出 CSV" }).click();
    const file = await (await download).path();
    const progress = page.getByTestId("inbox-export").getByTestId("export-progress");
    await expect.poll(() => progress.getAttribute("data-state")).toBe("done");
    expect(await progress.textContent()).toContain("（2 / 2 行）");
    const lines = (await import("node:fs"))
      .readFileSync(file!, "utf8")
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines.length - 1).toBe(2);
    expect(lines.slice(1).every((l) => l.includes(",已化解,"))).toBe(true);
  });

  test("a clerk's home stays their work, without the cockpit", async () => {
    const page = await signIn(h, "yumen.clerk");
    await page.getByRole("heading", { level: 1 }).first().waitFor();
    expect(await page.getByTestId("cockpit").count()).toBe(0);
  });
});

describe("the monthly bulletin", () => {
  test("prints the month's figures and ranking on an A4 page, with the same content as text", async () => {
    const page = await signIn(h, "yumen.leader");
    const month = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 7);
    await page.goto(`/bulletin?month=${month}`);
    const bulletin = page.getByTestId("bulletin");
    await bulletin.waitFor();
    expect(await bulletin.locator("h1").textContent()).toContain("矛盾纠纷化解工作通报");
    await page.getByTestId("bulletin-ranking").waitFor();
    const text = await page.getByTestId("bulletin-text").textContent();
    expect(text).toContain("本月登记各类事件6件");
    expect(text).toContain("本月督办0件");
    await page.getByTestId("bulletin-supervision").waitFor();
    expect(text).toContain("第1名");
    // The lists: the first and the last of the two townships, no unit with overdue cases.
    const lists = page.getByTestId("bulletin-lists");
    expect(await lists.getByTestId("bulletin-top").textContent()).toMatch(/^第1名 玉门镇/);
    expect(await lists.getByTestId("bulletin-bottom").textContent()).toMatch(/^第2名 /);
    expect(text).toContain("五、通报名单。考评前列（表扬）：玉门镇（第1名）");
    expect(text).toContain("有超期在办案件的单位：无");
    // Reworks (重办) have their list too: none this month.
    expect(text).toContain("有重办案件的单位：无");
    expect(await lists.getByRole("heading", { name: "有重办案件的单位" }).count()).toBe(1);
    const download = page.waitForEvent("download");
    await page.getByTestId("bulletin-lists-csv").click();
    const saved = await download;
    expect(saved.suggestedFilename()).toBe(`玉门市-通报名单-${month}.csv`);
    const csv = (await import("node:fs")).readFileSync((await saved.path())!, "utf8").replace(/^\uFEFF/, "");
    expect(csv.split("\r\n")[1]).toMatch(/^考评前列（表扬）,1,玉门镇,/);
  });
});
