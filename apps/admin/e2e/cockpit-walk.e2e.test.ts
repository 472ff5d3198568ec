import { readFileSync } from "node:fs";
import { FIGURE_DEFINITIONS, type FigureKey } from "@zongzhi/domain/figures";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.ts";
import { saveAndClose } from "./helpers.ts";

/**
 * Issue 10's walk through the cockpit as a county leader: the rework figure (重办) in the
 * ranking's weights, formula, table, export and the bulletin; every figure's definition as its
 * tooltip; the same period last year; the wall display; the skeleton's geometry.
 */
let h: Harness;
let other: { code: string; name: string };
beforeAll(async () => {
  h = await startHarness();
  other = await seed();
});
afterAll(async () => {
  await h?.close();
});

const TOWN = "620981101";
const VILLAGE = "620981101001";
const chinaNow = () => new Date(Date.now() + 8 * 3600e3).toISOString();

let seq = 0;
async function insertCase(scope: string, status: "accepted" | "resolved", at: string): Promise<string> {
  seq += 1;
  const year = Number(at.slice(0, 4));
  const [row] = await h.db.admin<{ id: string }[]>`insert into app.cases (scope_code, owner_code, code, year, seq,
      category_code, channel, title, description, location_code, status, registered_at, accepted_at, resolved_at)
    values (${scope}, ${scope}, ${`${scope}-${year}-${String(800000 + seq)}`}, ${year}, ${800000 + seq}, 'neighbour',
      'visit', '邻里纠纷', '测试', ${scope}, ${status}, ${at}, ${at}, ${status === "resolved" ? at : null})
    returning id`;
  return row!.id;
}

/** Sends a case back for rework (重办) as the workflow does: status reopened and a 'case.reopen' event. */
async function reopen(caseId: string): Promise<void> {
  await h.db.admin.begin(async (tx) => {
    await tx`update app.cases set status = 'reopened', resolved_at = null, closed_at = null where id = ${caseId}`;
    await tx`insert into app.case_events (case_id, kind, payload) values (${caseId}, 'case.reopen', '{}')`;
  });
}

/**
 * This month: the township has 4 cases (3 at its village, 2 of them resolved there; its own one
 * sent back for rework twice); another township 2 open cases, never reworked. The same month
 * last year: one case at the township.
 */
async function seed(): Promise<{ code: string; name: string }> {
  const [o] = await h.db.admin<{ code: string; name: string }[]>`select code, name from app.tenants
    where code like '620981___' and length(code) = 9 and code <> ${TOWN} order by code limit 1`;
  const at = new Date(Date.now() - 3_600_000).toISOString();
  await insertCase(VILLAGE, "resolved", at);
  await insertCase(VILLAGE, "resolved", at);
  await insertCase(VILLAGE, "accepted", at);
  const own = await insertCase(TOWN, "accepted", at);
  await insertCase(o!.code, "accepted", at);
  await insertCase(o!.code, "accepted", at);
  const month = chinaNow().slice(0, 7);
  await insertCase(TOWN, "accepted", `${Number(month.slice(0, 4)) - 1}${month.slice(4)}-01T04:00:00Z`);
  // Status changes by hand: the holdings' own invariants are not under test here.
  await h.db.admin`alter table app.cases disable trigger cases_track_holding`;
  try {
    await reopen(own);
    await h.db.admin`update app.cases set status = 'accepted' where id = ${own}`;
    await reopen(own);
  } finally {
    await h.db.admin`alter table app.cases enable trigger cases_track_holding`;
  }
  return o!;
}

const kpi = (page: Page, figure: string) => page.locator(`[data-kpi="${figure}"] .kpi-value`);
const rankingRows = (page: Page) => page.getByTestId("ranking").locator("tbody tr");

async function openCockpit(page: Page): Promise<void> {
  await h.login(page, "yumen.leader");
  await page.getByTestId("cockpit").waitFor();
  await expect.poll(() => kpi(page, "received").textContent()).toBe("6");
}

/** Downloads a ledger of the cockpit as CSV and returns its lines (the header first). */
async function downloadCsv(page: Page, ledger: string): Promise<string[]> {
  const download = page.waitForEvent("download");
  await page.locator(`[data-ledger="${ledger}"]`).getByRole("button", { name: "CSV" }).click();
  const file = await (await download).path();
  await expect.poll(() => page.getByTestId("export-progress").getAttribute("data-state")).toBe("done");
  return readFileSync(file!, "utf8")
    .replace(/^\uFEFF/, "")
    .trim()
    .split("\r\n");
}

describe("the rework figure (重办) in the ranking (一月一考评)", () => {
  test("a leader weighs the rework-free rate: the saved weights reorder the ranking, the formula, the export and the bulletin follow", async () => {
    const page = await h.newPage();
    await openCockpit(page);
    expect(await kpi(page, "reworks").textContent()).toBe("2");
    expect(await kpi(page, "reworksPerCase").textContent()).toBe("0.33");
    // Default weights (the rework-free rate weighs 0): the township first, with its two reworks.
    await expect.poll(() => rankingRows(page).first().getAttribute("data-unit")).toBe(TOWN);
    const townRow = page.getByTestId("ranking").locator(`tr[data-unit="${TOWN}"]`);
    expect(await townRow.locator('[data-figure="reworks"]').textContent()).toBe("2");
    expect(await townRow.locator('[data-figure="reworkFreeRate"]').textContent()).toBe("50.0%");
    const formula = page.getByTestId("ranking-formula");
    expect(await formula.textContent()).not.toContain("无重办率");
    const before = await page.getByTestId("ranking").locator(`tr[data-unit="${other.code}"] td`).nth(2).textContent();
    expect(before).toBe("0");

    // The whole weight on the rework-free rate: 1 − 2/4 for the township, 1 − 0/2 for the other.
    await page.getByTestId("open-weights").click();
    const form = page.getByTestId("weights-form");
    await expect.poll(() => form.getByLabel("化解率", { exact: true }).inputValue()).toBe("30");
    expect(await form.getByText("默认权重 0：资料（12345 热线做法）").count()).toBe(1);
    for (const label of ["化解率", "办结率", "按时办结率", "满意率", "就地化解率"])
      await form.getByLabel(label, { exact: true }).fill("0");
    await form.getByLabel("无重办率", { exact: true }).fill("100");
    expect(await page.getByTestId("weights-total").textContent()).toContain("合计 100 / 100");
    expect(await page.getByTestId("weights-formula").textContent()).toBe("得分 = 100 × (100×无重办率) ÷ 100");
    await saveAndClose(form);

    await expect.poll(() => formula.textContent()).toBe("得分 = 100 × (100×无重办率) ÷ 100");
    await expect.poll(() => rankingRows(page).first().getAttribute("data-unit")).toBe(other.code);
    const cells = (code: string) => page.getByTestId("ranking").locator(`tr[data-unit="${code}"] td`);
    expect(await cells(other.code).nth(0).textContent()).toBe("1");
    expect(await cells(other.code).nth(2).textContent()).toBe("100");
    expect(await cells(TOWN).nth(0).textContent()).toBe("2");
    expect(await cells(TOWN).nth(2).textContent()).toBe("50");
    const [saved] = await h.db.admin<{ ranking: Record<string, number> }[]>`
      select ranking from app.cockpit_settings where scope_code = '620981'`;
    expect(saved!.ranking).toMatchObject({ reworkFreeRate: 100, resolutionRate: 0 });
    const [audit] = await h.db.admin<{ n: number }[]>`select count(*)::int as n from app.audit_events
      where kind = 'cockpit.settings_saved'`;
    expect(audit!.n).toBe(1);

    // The ranking's ledger is ranked by the saved weights and carries both rework columns.
    const lines = await downloadCsv(page, "ranking");
    const header = lines[0]!.split(",");
    expect(header).toEqual(expect.arrayContaining(["名次", "单位", "得分", "重办", "无重办率"]));
    // The two townships with cases first, then those that received nothing (no score, no rank).
    const rows = lines.slice(1, 3).map((l) => l.split(","));
    expect(lines.slice(3).every((l) => l.startsWith(","))).toBe(true);
    expect(rows.map((r) => r[header.indexOf("单位")])).toEqual([other.name, "玉门镇"]);
    expect(rows.map((r) => r[header.indexOf("重办")])).toEqual(["0", "2"]);
    expect(rows.map((r) => Number(r[header.indexOf("得分")]))).toEqual([100, 50]);

    // The bulletin of the month: the rework figure in the headline, the ranking, the lists and the text.
    const month = chinaNow().slice(0, 7);
    await page.goto(`/bulletin?month=${month}`);
    await page.getByTestId("bulletin-ranking").waitFor();
    const headline = page.getByTestId("bulletin-reworks-row");
    expect(await headline.locator("td").first().textContent()).toBe("2");
    expect(await headline.locator("td").nth(1).textContent()).toBe("0.33");
    expect(await page.getByTestId("bulletin-ranking").locator("thead").textContent()).toContain("无重办率");
    expect(await page.getByTestId("bulletin-ranking").locator("tbody tr").first().textContent()).toContain(other.name);
    expect(await page.getByTestId("bulletin-reworks").locator("tbody tr").first().textContent()).toBe("玉门镇20.50");
    const text = (await page.getByTestId("bulletin-text").textContent()) ?? "";
    expect(text).toContain("退回重办2次（件均0.33次）");
    expect(text).toContain("100×无重办率");
    expect(text).toContain("有重办案件的单位：玉门镇（重办2次）");
  });
});

describe("the board", () => {
  test("every figure shows its one definition (the domain's) as its tooltip, and the same period last year", async () => {
    const page = await h.newPage();
    await openCockpit(page);
    expect(await kpi(page, "received").locator("xpath=..").locator(".kpi-sub").textContent()).toBe("去年同期 1");
    expect(await page.locator('[data-kpi="resolutionRate"] .kpi-sub').textContent()).toBe("去年同期 0.0%");
    expect(await page.locator('[data-kpi="reworks"] .kpi-sub').textContent()).toBe("去年同期 0");
    // Each figure of the domain's list is on the board (a headline figure, the open count, the
    // tier funnel's title or a ranking column), its name a term whose tooltip is its definition.
    const terms = page.locator("[data-figure].term");
    await rankingRows(page).first().waitFor();
    const shown = new Set(await terms.evaluateAll((els) => els.map((e) => e.getAttribute("data-figure"))));
    expect([...shown].sort()).toEqual(Object.keys(FIGURE_DEFINITIONS).sort());
    for (const key of Object.keys(FIGURE_DEFINITIONS) as FigureKey[]) {
      const term = page.locator(`.term[data-figure="${key}"]`).first();
      expect(await term.textContent()).toContain(FIGURE_DEFINITIONS[key].label.zh);
      await term.hover();
      const tip = page.locator(".tooltip");
      await expect.poll(() => tip.first().textContent()).toBe(FIGURE_DEFINITIONS[key].definition.zh);
      await page.mouse.move(0, 0);
      await tip.first().waitFor({ state: "detached" });
    }
    // Charts by channel and risk grade beside the categories and the tiers.
    expect(await page.getByTestId("chart-channels").locator("canvas").count()).toBe(1);
  });

  test("works as a wall display: full screen and back", async () => {
    const page = await h.newPage();
    await openCockpit(page);
    const cockpit = page.getByTestId("cockpit");
    await page.getByRole("button", { name: "全屏展示" }).click();
    await expect
      .poll(() => page.evaluate(() => document.fullscreenElement?.getAttribute("data-testid")))
      .toBe("cockpit");
    await expect.poll(() => cockpit.getAttribute("class")).toContain("cockpit-full");
    // The board is still the board, its figures larger.
    expect(await kpi(page, "received").textContent()).toBe("6");
    const size = await kpi(page, "received").evaluate((e) => getComputedStyle(e).fontSize);
    expect(size).toBe("32px");
    await page.getByRole("button", { name: "退出全屏" }).click();
    await expect.poll(() => page.evaluate(() => document.fullscreenElement === null)).toBe(true);
    await expect.poll(() => cockpit.getAttribute("class")).not.toContain("cockpit-full");
  });

  test("the skeleton has the board's geometry: nothing above the charts moves when the figures arrive", async () => {
    const page = await h.newPage({ viewport: { width: 1280, height: 900 } });
    let release!: () => void;
    const held = new Promise<void>((done) => {
      release = done;
    });
    await page.route(
      (url) => url.pathname.includes("cockpit.figures"),
      async (route) => {
        await held;
        await route.continue();
      },
    );
    await h.login(page, "yumen.leader");
    const skeleton = page.getByTestId("cockpit-skeleton");
    await skeleton.waitFor();
    const geometry = () =>
      page.evaluate(() => {
        const board = document.querySelector(".cockpit-board")!;
        const box = (el: Element | null) => {
          const r = el!.getBoundingClientRect();
          return { top: Math.round(r.top), height: Math.round(r.height), width: Math.round(r.width) };
        };
        return {
          kpis: box(board.querySelector(".kpis")),
          boxes: board.querySelectorAll(".kpi").length,
          current: box(board.querySelector(".cockpit-current")),
          panels: [...board.querySelectorAll(".panel")].slice(0, 3).map(box),
        };
      });
    const before = await geometry();
    release();
    await page.getByTestId("cockpit").locator(".cockpit-board:not([aria-busy])").waitFor();
    await expect.poll(() => kpi(page, "received").textContent()).toBe("6");
    const after = await geometry();
    expect(after.boxes).toBe(before.boxes);
    expect(after).toEqual(before);
  });

  test("the period form narrows every figure to its months; the treemap drills down on a click", async () => {
    const page = await h.newPage();
    await openCockpit(page);
    const month = chinaNow().slice(0, 7);
    const lastYear = `${Number(month.slice(0, 4)) - 1}${month.slice(4)}`;
    const from = page.getByLabel("起始月份", { exact: true });
    const to = page.getByLabel("截止月份", { exact: true });
    // Out of order: said next to the field, nothing asked.
    await from.fill(month);
    await to.fill(lastYear);
    await page.getByRole("button", { name: "查询", exact: true }).click();
    await expect.poll(() => page.getByText("结束月份不能早于起始月份").count()).toBe(1);
    expect(new URL(page.url()).searchParams.has("from")).toBe(false);
    // Last year's month alone: its one case, and the year before it as "last year".
    await from.fill(lastYear);
    await page.getByRole("button", { name: "查询", exact: true }).click();
    await page.waitForURL((u) => u.searchParams.get("from") === lastYear && u.searchParams.get("to") === lastYear);
    await expect.poll(() => kpi(page, "received").textContent()).toBe("1");
    expect(await page.locator('[data-kpi="received"] .kpi-sub').textContent()).toBe("去年同期 0");
    // The header names the period (the fields' values are not text).
    expect(await page.getByTestId("cockpit").textContent()).toContain(`${lastYear}`);

    // Back to this year; the treemap's largest box (left) is the township with four cases.
    await page.goto("/");
    await expect.poll(() => kpi(page, "received").textContent()).toBe("6");
    const map = page.getByTestId("chart-treemap").locator("canvas");
    await map.waitFor();
    // The treemap takes the middle 80 % of its box, largest first from the left, full height.
    const box = (await map.boundingBox())!;
    await map.click({ position: { x: box.width * 0.15, y: box.height / 2 } });
    await page.waitForURL((u) => u.searchParams.get("unit") === TOWN);
    await expect.poll(() => kpi(page, "received").textContent()).toBe("4");
  });

  test("live: a case that arrives below moves the counters without a reload (the stream's figures event)", async () => {
    const page = await h.newPage();
    await openCockpit(page);
    const open = page.locator(".cockpit-current .card-title");
    const before = Number((await open.textContent())?.match(/\d+$/)?.[0]);
    await insertCase(VILLAGE, "accepted", new Date().toISOString());
    // Well within the 30 s refresh that started with the page: only the stream's event moves it this soon.
    await expect.poll(() => kpi(page, "received").textContent(), { timeout: 15_000 }).toBe("7");
    expect(Number((await open.textContent())?.match(/\d+$/)?.[0])).toBe(before + 1);
    expect(await page.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(1);
  });
});
