import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.ts";

// 现场上报 (issue 13 §2) on a phone: a grid worker reports with the phone's position; without
// network the reports wait in the browser and go out once it is back, each registered once
// (one idempotency key per report), even when a report is sent again after a lost answer.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ centres: false });
});
afterAll(async () => {
  await h?.close();
});

const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  geolocation: { latitude: 40.2834, longitude: 97.0458, accuracy: 20 },
  permissions: ["geolocation"],
};

describe("field report from a phone", () => {
  test("reports offline are queued and sent once when the network is back", async () => {
    const page = await h.newPage(PHONE);
    await h.login(page, "cun.grid");
    await page.goto("/report");
    await page.getByRole("heading", { name: "现场上报" }).waitFor();
    await page.getByRole("status").getByText("网络正常").waitFor();

    // Large touch targets.
    for (const name of ["使用当前位置", "上报"]) {
      const box = await page.getByRole("button", { name, exact: true }).boundingBox();
      expect(box!.height, name).toBeGreaterThanOrEqual(48);
    }

    const cases = (marker: string) =>
      h.db.admin<{ code: string; channel: string; address_masked: string | null }[]>`select code, channel::text,
        address_masked from app.cases where description like ${`%${marker}%`}`;

    // Offline: the report stays on the phone.
    await page.context().setOffline(true);
    await page.getByRole("status").getByText("当前离线").waitFor();
    await page.getByLabel("事件类别").selectOption({ label: "邻里纠纷" });
    await page.getByLabel("情况描述").fill("东渠村三组下水井盖丢失，夜间有行人跌落风险 #F1");
    await page.getByRole("button", { name: "使用当前位置" }).click();
    await page.getByText("位置 40.28340, 97.04580").waitFor();
    await page.getByRole("button", { name: "上报", exact: true }).click();
    await page.getByRole("heading", { name: "待发送 1 条" }).waitFor();
    await page.getByLabel("情况描述").fill("二组楼道堆放杂物，堵塞消防通道 #F2");
    await page.getByLabel("事件类别").selectOption({ label: "邻里纠纷" });
    await page.getByRole("button", { name: "上报", exact: true }).click();
    await page.getByRole("heading", { name: "待发送 2 条" }).waitFor();
    expect(await cases("#F1")).toEqual([]);

    // What the phone holds while offline: the reports with their keys.
    const storageKey = (await page.evaluate(() =>
      Object.keys(localStorage).find((k) => k.startsWith("zz.fieldReports.")),
    )) as string;
    const offline = await page.evaluate((name) => JSON.parse(localStorage.getItem(name)!), storageKey);
    expect(offline.queued).toHaveLength(2);
    expect(offline.queued[0].key).not.toBe(offline.queued[1].key);

    // Back online: both go out, in order, and are registered once each.
    await page.context().setOffline(false);
    await page.getByRole("heading", { name: "待发送 0 条" }).waitFor();
    await page.getByTestId("field-sent").getByRole("listitem").nth(1).waitFor();
    const first = await cases("#F1");
    expect(first).toHaveLength(1);
    expect(first[0]!.channel).toBe("grid_patrol");
    expect(first[0]!.address_masked).toBeTruthy();
    expect(await cases("#F2")).toHaveLength(1);

    // A lost answer: the first report (same key, same body) is queued again and goes out on the
    // next visit; the server answers with the first case and registers nothing new.
    await page.evaluate(
      ([name, report]) => {
        const state = JSON.parse(localStorage.getItem(name as string)!);
        state.queued.push(report);
        localStorage.setItem(name as string, JSON.stringify(state));
      },
      [storageKey, offline.queued[0]],
    );
    await page.reload();
    await page.getByRole("heading", { name: "待发送 0 条" }).waitFor();
    expect(await cases("#F1")).toHaveLength(1);
    const sent = await page.getByTestId("field-sent").getByRole("listitem").allTextContents();
    expect(sent.filter((line) => line.includes(first[0]!.code))).toHaveLength(1);

    // A patrol just made (巡查), once the account is registered as a grid worker.
    await h.db.admin`insert into app.grid_workers (scope_code, name, kind, user_id)
      select u.scope_code, '网格员', 'full_time', u.id from app.users u where u.username = 'cun.grid'`;
    await page.getByLabel("巡查时长（分钟）").fill("130");
    await page.getByLabel("巡查里程（米）").fill("3200");
    await page.getByLabel("发现事件数").fill("2");
    await page.getByRole("button", { name: "保存巡查记录" }).click();
    await page.getByText("巡查记录已保存").waitFor();
    const [p] = await h.db.admin<{ distance_m: number; events_found: number; minutes: number }[]>`
      select distance_m, events_found, round(extract(epoch from ended_at - started_at) / 60)::int as minutes
      from app.patrols p join app.grid_workers w on w.id = p.worker_id
      join app.users u on u.id = w.user_id where u.username = 'cun.grid'`;
    expect(p).toEqual({ distance_m: 3200, events_found: 2, minutes: 130 });
  });
});
