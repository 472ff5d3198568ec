import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Harness, startHarness } from "./harness.ts";
import { signIn } from "./helpers.ts";

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

/** EXIF rationals of a coordinate in degrees. */
const dms = (v: number) => {
  const d = Math.floor(v);
  const m = Math.floor((v - d) * 60);
  return `${d}/1 ${m}/1 ${Math.round(((v - d) * 60 - m) * 60 * 10000)}/10000`;
};

/** A real JPEG as a phone writes it, with GPS in its EXIF when `at` is given. */
async function photo(name: string, at: { lat: number; lng: number } | null) {
  const buffer = await sharp({ create: { width: 200, height: 150, channels: 3, background: "#4a8" } })
    .jpeg()
    .withExif({
      IFD0: { Make: "TestPhone" },
      ...(at
        ? { IFD3: { GPSLatitudeRef: "N", GPSLatitude: dms(at.lat), GPSLongitudeRef: "E", GPSLongitude: dms(at.lng) } }
        : {}),
    })
    .toBuffer();
  return { name, mimeType: "image/jpeg", buffer };
}

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
      h.db.admin<
        {
          id: string;
          code: string;
          channel: string;
          position_source: string | null;
          latitude: number | null;
          photos: number;
        }[]
      >`select c.id, c.code, c.channel::text, c.position_source, c.latitude,
        (select count(*)::int from app.attachments a where a.case_id = c.id) as photos
        from app.cases c where c.description like ${`%${marker}%`}`;

    // Offline: the reports stay on the phone, their photos too.
    await page.context().setOffline(true);
    await page.getByRole("status").getByText("当前离线").waitFor();
    await page.getByLabel("事件类别").selectOption({ label: "邻里纠纷" });
    await page.getByLabel("情况描述").fill("东渠村三组下水井盖丢失，夜间有行人跌落风险 #F1");
    await page.getByRole("button", { name: "使用当前位置" }).click();
    await page.getByText("位置 40.28340, 97.04580").waitFor();
    await page.getByLabel(/添加现场照片/).setInputFiles([await photo("f1.jpg", { lat: 40.1, lng: 97.2 })]);
    await page.getByTestId("field-photos").getByText("f1.jpg").waitFor();
    await page.getByRole("button", { name: "上报", exact: true }).click();
    await page.getByRole("heading", { name: "待发送 1 条" }).waitFor();
    await page.getByLabel("情况描述").fill("二组楼道堆放杂物，堵塞消防通道 #F2");
    await page.getByLabel("事件类别").selectOption({ label: "邻里纠纷" });
    // No position from the phone: the photos' GPS places the event.
    await page
      .getByLabel(/添加现场照片/)
      .setInputFiles([await photo("f2a.jpg", { lat: 40.291234, lng: 97.051234 }), await photo("f2b.jpg", null)]);
    await page.getByText("添加现场照片（2/9）").waitFor();
    await page.getByRole("button", { name: "上报", exact: true }).click();
    await page.getByRole("heading", { name: "待发送 2 条" }).waitFor();
    await page.getByText("附 2 张照片").waitFor();
    expect(await cases("#F1")).toEqual([]);

    // What the phone holds while offline: the reports with their keys.
    const storageKey = (await page.evaluate(() =>
      Object.keys(localStorage).find((k) => k.startsWith("zz.fieldReports.")),
    )) as string;
    const offline = await page.evaluate((name) => JSON.parse(localStorage.getItem(name)!), storageKey);
    expect(offline.queued).toHaveLength(2);
    expect(offline.queued[0].key).not.toBe(offline.queued[1].key);
    expect(offline.queued.map((r: { photos?: number }) => r.photos)).toEqual([1, 2]);

    // Back online: both go out, in order, each registered once with its photos.
    await page.context().setOffline(false);
    await page.getByRole("heading", { name: "待发送 0 条" }).waitFor();
    await page.getByTestId("field-sent").getByRole("listitem").nth(1).waitFor();
    const first = await cases("#F1");
    expect(first).toEqual([expect.objectContaining({ channel: "grid_patrol", position_source: "device", photos: 1 })]);
    expect(first[0]!.latitude).toBeCloseTo(40.2834, 4);
    const second = await cases("#F2");
    expect(second).toEqual([expect.objectContaining({ position_source: "photo", latitude: 40.291234, photos: 2 })]);

    // A lost answer: the server registers the report but the phone never hears back, so the
    // report stays queued with its photo and goes out again on the next visit under the same
    // key; the server answers with the first case and registers nothing new.
    let lost = () => {};
    const answerLost = new Promise<void>((done) => {
      lost = done;
    });
    await page.route("**/field-reports", async (route) => {
      await route.fetch();
      await route.abort("connectionreset");
      lost();
    });
    await page.getByLabel("事件类别").selectOption({ label: "邻里纠纷" });
    await page.getByLabel("情况描述").fill("三组路灯不亮 #F3");
    await page.getByLabel(/添加现场照片/).setInputFiles([await photo("f3.jpg", null)]);
    await page.getByRole("button", { name: "上报", exact: true }).click();
    await page.getByRole("heading", { name: "待发送 1 条" }).waitFor();
    await answerLost;
    expect(await cases("#F3")).toHaveLength(1);
    await page.unroute("**/field-reports");
    await page.reload();
    await page.getByRole("heading", { name: "待发送 0 条" }).waitFor();
    const third = await cases("#F3");
    expect(third).toEqual([expect.objectContaining({ photos: 1 })]);
    const sent = await page.getByTestId("field-sent").getByRole("listitem").allTextContents();
    expect(sent.filter((line) => line.includes(third[0]!.code))).toHaveLength(1);
    // The photos left the phone's store once the server had them.
    const left = await page.evaluate(async () => {
      const name = (await indexedDB.databases()).find((d) => d.name?.startsWith("zz-field-photos-"))?.name;
      if (!name) return -1;
      return new Promise<number>((done, fail) => {
        const open = indexedDB.open(name);
        open.onerror = fail;
        open.onsuccess = () => {
          const count = open.result.transaction("photos").objectStore("photos").count();
          count.onsuccess = () => done(count.result);
          count.onerror = fail;
        };
      });
    });
    expect(left).toBe(0);

    // The server busy (the photo pool's queue full: a 503): not a refusal; the report stays
    // queued without a 删除 button, says why, and goes out on the next chance under its key.
    await page.route("**/field-reports", (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/json",
        headers: { "retry-after": "10" },
        body: JSON.stringify({
          code: "UNAVAILABLE",
          zh: "照片处理繁忙，上报未保存，请稍后重试",
          en: "Photo processing is busy; the report was not saved, retry in a moment",
        }),
      }),
    );
    await page.getByLabel("事件类别").selectOption({ label: "邻里纠纷" });
    await page.getByLabel("情况描述").fill("四组垃圾桶满溢 #F4");
    await page.getByLabel(/添加现场照片/).setInputFiles([await photo("f4.jpg", null)]);
    await page.getByRole("button", { name: "上报", exact: true }).click();
    await page.getByTestId("field-later").getByText("暂未发送：照片处理繁忙").waitFor();
    await page.getByRole("heading", { name: "待发送 1 条" }).waitFor();
    expect(await page.getByTestId("field-queued").getByRole("button", { name: "删除此条" }).count()).toBe(0);
    expect(await cases("#F4")).toEqual([]);
    await page.unroute("**/field-reports");
    await page.reload();
    await page.getByRole("heading", { name: "待发送 0 条" }).waitFor();
    expect(await cases("#F4")).toEqual([expect.objectContaining({ photos: 1 })]);

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

    // A patrol walked with the phone's position on: the track is recorded and the server
    // measures it (two steps of 0.00005° north: 11 m).
    const context = page.context();
    await context.setGeolocation({ latitude: 40.2834, longitude: 97.0458, accuracy: 8 });
    await page.getByRole("button", { name: "开始巡查（记录轨迹）" }).click();
    const walk = page.getByTestId("patrol-walk");
    await walk.getByText("已记录 1 个位置").waitFor();
    await context.setGeolocation({ latitude: 40.28345, longitude: 97.0458, accuracy: 8 });
    await walk.getByText("已记录 2 个位置").waitFor();
    // A fix of 500 m is left out.
    await context.setGeolocation({ latitude: 40.3, longitude: 97.1, accuracy: 500 });
    await context.setGeolocation({ latitude: 40.2835, longitude: 97.0458, accuracy: 8 });
    await walk.getByText("已记录 3 个位置，约 11 米").waitFor();
    await page.getByLabel("发现事件数").fill("1");
    // A patrol takes time: the server refuses a track faster than 108 km/h (11 m in under 0.4 s).
    await page.waitForTimeout(1500);
    await page.getByRole("button", { name: "结束巡查并保存" }).click();
    await page.getByText("巡查记录已保存（里程 11 米）").waitFor();
    const tracked = await h.db.admin<{ distance_m: number; events_found: number; points: number }[]>`
      select distance_m, events_found, jsonb_array_length(track -> 'coordinates') as points
      from app.patrols where track is not null`;
    expect(tracked).toEqual([{ distance_m: 11, events_found: 1, points: 3 }]);
  });
  test("the reporter confirms the result on site, or rejects it with a reason and it is reworked", async () => {
    const page = await h.newPage(PHONE);
    await h.login(page, "cun.grid");
    const mediator = await signIn(h, "cun.mediator");
    const call = async (who: typeof page, path: string, json: unknown) => {
      const r = await who.request.post(`/trpc/${path}`, { headers: { origin: h.origin }, data: { json } });
      expect(r.status(), `${path} ${await r.text()}`).toBe(200);
      return ((await r.json()) as { result: { data: { json: { id: string } } } }).result.data.json;
    };
    const version = async (id: string) =>
      (await h.db.admin<{ version: number }[]>`select version from app.cases where id = ${id}`)[0]!.version;
    const act = async (id: string, action: string, data: Record<string, unknown> = {}) =>
      call(mediator, "cases.transition", { id, version: await version(id), action, data });
    const { id } = await call(page, "cases.register", {
      categoryCode: "neighbour",
      channel: "grid_patrol",
      title: "三组路面塌陷",
      description: "三组村道路面塌陷约一平方米 #C1",
      locationCode: "620981101001",
      peopleCount: 1,
      groupDispute: false,
      riskGrade: "none",
      difficulty: "simple",
      parties: [{ role: "applicant", kind: "person", name: "网格员" }],
    });
    await act(id, "accept");
    await act(id, "triage", { route: { kind: "room" } });
    await act(id, "resolve", { outcome: "已联系乡道班回填" });
    await act(id, "await_follow_up");

    await page.goto("/report");
    await page.getByRole("heading", { name: "待现场确认 1 件" }).waitFor();
    const item = page.getByTestId("field-confirm").getByRole("listitem").filter({ hasText: "三组路面塌陷" });
    await item.getByText("处理结果：已联系乡道班回填").waitFor();
    // A rejection needs a reason.
    await item.getByRole("button", { name: "不满意，退回重办" }).click();
    await page.getByRole("alert").getByText("不满意时请填写理由").waitFor();
    await item.getByLabel("现场情况 / 不满意的理由").fill("现场查看仍有塌陷，未回填");
    await item.getByRole("button", { name: "不满意，退回重办" }).click();
    await page.getByRole("heading", { name: "待现场确认 0 件" }).waitFor();
    const state = async () =>
      (
        await h.db.admin<{ status: string; follow_ups: string[] }[]>`select c.status::text,
          array(select f.satisfaction::text from app.follow_ups f where f.case_id = c.id order by f.at) as follow_ups
          from app.cases c where c.id = ${id}`
      )[0];
    expect(await state()).toEqual({ status: "reopened", follow_ups: ["unsatisfied"] });

    // Reworked and resolved again: the reporter sees the rework counted and confirms.
    await act(id, "triage", { route: { kind: "room" } });
    await act(id, "resolve", { outcome: "已回填并压实" });
    await act(id, "await_follow_up");
    await page.reload();
    await page.getByRole("heading", { name: "待现场确认 1 件" }).waitFor();
    await item.getByText("已重办 1 次").waitFor();
    const confirm = item.getByRole("button", { name: "现场确认，满意" });
    expect((await confirm.boundingBox())!.height).toBeGreaterThanOrEqual(48);
    await confirm.click();
    await page.getByRole("heading", { name: "待现场确认 0 件" }).waitFor();
    expect(await state()).toEqual({ status: "awaiting_follow_up", follow_ups: ["unsatisfied", "satisfied"] });
  });

  test("a citizen sees the result on the lookup page and rejects it with a reason: reworked", async () => {
    const mediator = await signIn(h, "cun.mediator");
    const call = async (path: string, json: unknown) => {
      const r = await mediator.request.post(`/trpc/${path}`, { headers: { origin: h.origin }, data: { json } });
      expect(r.status(), `${path} ${await r.text()}`).toBe(200);
      return ((await r.json()) as { result: { data: { json: { id: string; code: string } } } }).result.data.json;
    };
    const version = async (id: string) =>
      (await h.db.admin<{ version: number }[]>`select version from app.cases where id = ${id}`)[0]!.version;
    const act = async (id: string, action: string, data: Record<string, unknown> = {}) =>
      call("cases.transition", { id, version: await version(id), action, data });
    const { id, code } = await call("cases.register", {
      categoryCode: "neighbour",
      channel: "visit",
      title: "邻居占道堆放柴草",
      description: "邻居在村道上堆放柴草，影响通行 #L1",
      locationCode: "620981101001",
      peopleCount: 2,
      groupDispute: false,
      riskGrade: "none",
      difficulty: "simple",
      parties: [{ role: "applicant", kind: "person", name: "刘大爷", phone: "13609371234" }],
    });
    await act(id, "accept");
    await act(id, "triage", { route: { kind: "room" } });
    await act(id, "resolve", { outcome: "已协调清理柴草，恢复通行" });
    await act(id, "await_follow_up");

    // The person, on a phone, without signing in.
    const page = await h.newPage(PHONE);
    await page.goto(`/lookup?code=${code}`);
    await page.getByLabel("申请人手机号后四位").fill("1234");
    await page.getByRole("button", { name: "查询", exact: true }).click();
    const answer = page.getByTestId("lookup-answer");
    await answer.getByText("已协调清理柴草，恢复通行").waitFor();
    const reject = answer.getByRole("button", { name: "不满意，要求重办" });
    expect((await reject.boundingBox())!.height).toBeGreaterThanOrEqual(48);
    await reject.click();
    await answer.getByText("不满意时请填写理由", { exact: true }).waitFor();
    await answer.getByLabel("您的意见（不满意时请填写理由）").fill("柴草只挪到了路另一边");
    await reject.click();
    await answer.getByText("已记录您的意见，案件已退回重新办理。").waitFor();
    await answer.getByText("已重办 1 次").waitFor();
    expect(await answer.getByRole("button", { name: "满意", exact: true }).count()).toBe(0);
    const [c] = await h.db.admin<{ status: string; method: string; notes: string }[]>`
      select c.status::text, f.method, f.notes from app.cases c join app.follow_ups f on f.case_id = c.id
      where c.id = ${id}`;
    expect(c).toEqual({ status: "reopened", method: "online", notes: "柴草只挪到了路另一边" });
  });
});
