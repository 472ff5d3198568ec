import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO_PASSWORD, type Harness, startHarness, tick } from "./harness.ts";
import { refuse, saveAndClose, signIn } from "./helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ cases: true });
});
afterAll(async () => {
  await h?.close();
});

// A valid resident ID number of Yumen (GB 11643 check digit 8) and the same with a wrong check digit.
const ID_NUMBER = "620981198001011238";
const ID_WRONG = "620981198001011230";
const TITLE = "17名农民工被拖欠工资32万元";

/** Picks an option of a labelled Kobalte select. */
async function choose(page: Page, scope: Page | Locator, label: string | RegExp, option: string): Promise<void> {
  await scope.getByRole("button", { name: label }).click();
  await page.getByRole("option", { name: option, exact: true }).click();
}

/** Runs a workflow action of the case page through its dialog, and waits for the dialog to close. */
async function act(page: Page, action: string, fill?: (dialog: Locator) => Promise<void>): Promise<void> {
  await page.getByRole("group", { name: "办理操作" }).getByRole("button", { name: action, exact: true }).click();
  const dialog = page.getByRole("dialog", { name: action });
  await fill?.(dialog);
  await dialog.getByRole("button", { name: action, exact: true }).click();
  await dialog.waitFor({ state: "detached" });
}

/** Opens a dialog from a section's button, lets `fill` complete it, submits and waits for it to close. */
async function dialog(
  page: Page,
  open: Locator,
  title: string,
  submit: string,
  fill: (dialog: Locator) => Promise<void>,
): Promise<void> {
  await open.click();
  const d = page.getByRole("dialog", { name: title });
  await fill(d);
  await d.getByRole("button", { name: submit, exact: true }).click();
  await d.waitFor({ state: "detached" });
}

const timeline = (page: Page) => page.getByRole("list", { name: "办理进程" });
/** Opens a tab of the case page (its name is followed by a count when it has rows). */
const tab = async (page: Page, name: string) => {
  await page.getByRole("tab", { name: new RegExp(`^${name}\\s*\\d*$`) }).click();
  await page.getByRole("tabpanel", { name: new RegExp(`^${name}`) }).waitFor();
};
const status = async (page: Page, expected: string) =>
  page.getByRole("region", { name: "案件概况" }).getByText(expected, { exact: true }).first().waitFor();

describe("the Yumen wage case through the UI", () => {
  test("register → receipt with QR → accept → triage → summon two departments → a liaison reports → mediate → agreement → judicial confirmation → follow-up → close; then the public lookup", async () => {
    const page = await signIn(h, "yumenzhen.admin");
    // The centre's public contact first (对外联系信息 on the windows page): the receipt prints it.
    await page.goto("/centre/windows");
    const contact = page.getByRole("region", { name: "对外联系信息" });
    await contact.getByRole("button", { name: "设置" }).click();
    const contactDialog = page.getByRole("dialog", { name: "对外联系信息" });
    await refuse(contactDialog, "咨询电话", "电话", "电话号码格式不正确");
    await contactDialog.getByLabel("咨询电话").fill("0937-3221234");
    await contactDialog.getByLabel(/^地址/).fill("玉门镇综治中心一楼");
    await contactDialog.getByLabel(/^办公时间/).fill("工作日 8:30–18:00");
    await saveAndClose(contactDialog);
    await contact.getByText("0937-3221234").waitFor();
    await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "案件办理" }).click();
    await page.getByRole("main").getByRole("link", { name: "登记案件" }).click();
    await page.getByRole("heading", { name: "登记案件", level: 1 }).waitFor();

    // Intake: Chinese validation as you type, then a labour group case of 17 people and ¥320,000.
    await choose(page, page, /纠纷类别/, "劳动争议/欠薪");
    await page.getByLabel("案件名称").fill(TITLE);
    await page.getByLabel("简要案情").fill("李某等17名农民工被包工头拖欠工资近32万元，情绪激动，要求尽快支付。");
    await page.getByLabel("详细地址").fill("玉门市玉门镇某建筑工地");
    await page.getByLabel("涉及人数").fill("17");
    await page.getByLabel("争议金额（元）").fill("320000");
    await tick(page, "群体性纠纷");
    await page.getByRole("radio", { name: /^红色风险/ }).check();
    await page.getByRole("radio", { name: "复杂", exact: true }).check();
    const applicant = page.getByRole("group", { name: "当事人 1", exact: true });
    await applicant.getByLabel("姓名").fill("李建军");
    await applicant.getByLabel("身份证号码").fill(ID_WRONG);
    await applicant.getByText("身份证号码校验码不正确，请核对").waitFor();
    await applicant.getByLabel("身份证号码").fill(ID_NUMBER);
    await applicant.getByText("身份证号码有效（出生日期 1980-01-01）").waitFor();
    await applicant.getByLabel("手机号码").fill("138093756");
    await page.getByRole("button", { name: "提交登记" }).click();
    await applicant.getByText("手机号码应为以13–19开头的11位数字").waitFor();
    await applicant.getByLabel("手机号码").fill("13809375678");
    const respondent = page.getByRole("group", { name: "当事人 2", exact: true });
    await respondent.getByLabel("姓名").fill("王包工");
    await respondent.getByLabel("手机号码").fill("13900001111");
    await page.getByRole("button", { name: "提交登记" }).click();

    // The receipt: code, QR code of the public lookup address, the instructions.
    await page.waitForURL(/\/cases\/[0-9a-f-]+\/receipt$/);
    const caseId = page.url().split("/").at(-2)!;
    const [row] = await h.db.admin<{ code: string; people_count: number; amount_cents: string; risk_grade: string }[]>`
      select code, people_count, amount_cents, risk_grade from app.cases where id = ${caseId}`;
    expect(row).toMatchObject({ people_count: 17, amount_cents: "32000000", risk_grade: "red" });
    const code = row!.code;
    expect(code).toMatch(/^620981101-\d{4}-\d{6}$/);
    const receipt = page.getByRole("article", { name: "玉门镇矛盾纠纷受理回执" });
    await receipt.getByText(code, { exact: true }).waitFor();
    const qr = receipt.getByRole("img", { name: `案件 ${code} 进度查询二维码` });
    expect(await qr.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
    await receipt.getByText(`${h.origin}/lookup?code=${code}`).waitFor();
    expect(await receipt.textContent()).toContain("手机号后四位");
    // The respondent (masked) and the time limit the case is handled within.
    expect(await receipt.getByRole("row", { name: /^被申请人/ }).textContent()).toContain("王**");
    expect(await receipt.getByRole("row", { name: /^办理时限/ }).textContent()).toMatch(/\d{4}-\d{2}-\d{2} 前（/);
    // Where to call: the centre's phone, address and opening hours.
    expect(await receipt.getByRole("row", { name: /^咨询电话/ }).textContent()).toContain("0937-3221234");
    expect(await receipt.getByRole("row", { name: /^中心地址/ }).textContent()).toContain("玉门镇综治中心一楼");
    expect(await receipt.getByRole("row", { name: /^办公时间/ }).textContent()).toContain("工作日 8:30–18:00");

    // Accept, then triage to a room with the best-ranked mediator.
    await page.getByRole("link", { name: "返回案件" }).click();
    await page.getByRole("heading", { name: TITLE, level: 1 }).waitFor();
    await act(page, "受理");
    await status(page, "已受理");
    await act(page, "分诊", async (d) => {
      await d.getByRole("radio", { name: "调解室", exact: true }).check();
      await choose(page, d, /^调解室/, "玉门镇调解室");
      const best = d.getByRole("radio", { name: /推荐/ });
      expect(await best.getAttribute("value")).toBeTruthy();
      await d.getByRole("radio", { name: /^王振华/ }).check();
      expect(await d.getByRole("group", { name: /承办调解员/ }).textContent()).toMatch(
        /暂不指定王振华（首席，玉门市）推荐 · 专长匹配/,
      );
    });
    await status(page, "已分诊");

    // The case page opens on its overview; the sections are tabs, empty ones quiet.
    expect(await page.getByRole("tab", { selected: true }).textContent()).toBe("概况");
    await tab(page, "调解");
    expect(await page.getByRole("tabpanel").textContent()).toContain("暂无调解安排");
    expect(await page.locator("main").textContent()).not.toContain("尚未");
    // No digests for staff: the integrity view is an auditor's tab only.
    expect(await page.getByRole("tab", { name: "完整性校验" }).count()).toBe(0);

    // Whistle: summon two stationed departments.
    await tab(page, "办理");
    const summons = page.getByRole("region", { name: "吹哨报到（召集部门）" });
    await dialog(page, summons.getByRole("button", { name: "召集部门" }), "召集部门（吹哨）", "召集", async (d) => {
      await tick(d, "玉门镇司法所");
      await tick(d, "玉门镇派出所");
      await d.getByLabel("办理时限（小时）").fill("24");
      await d.getByLabel("召集事项与要求").fill("请派员到中心参与欠薪联合调处，核实工资清单。");
    });
    await summons.getByRole("row").filter({ hasText: "玉门镇司法所" }).filter({ hasText: "待报到" }).waitFor();
    await summons.getByRole("row").filter({ hasText: "玉门镇派出所" }).filter({ hasText: "待报到" }).waitFor();

    // A township user becomes the judicial office's liaison and reports in /liaison.
    const [liaisonUser] = await h.db.admin<{ id: string }[]>`
      update app.users set roles = '{department_liaison}' where username = 'yumenzhen.mediator' returning id`;
    await h.db.admin`insert into app.stationing_liaisons (stationing_id, user_id, scope_code)
      select id, ${liaisonUser!.id}, '620981101' from app.stationings where name = '玉门镇司法所'`;
    const liaison = await signIn(h, "yumenzhen.mediator");
    const nav = liaison.getByRole("navigation", { name: "主导航" });
    await nav.getByRole("link", { name: "部门召集" }).click();
    expect(await nav.getByRole("link", { name: "案件办理" }).count()).toBe(0);
    const inbox = liaison.getByRole("table", { name: "召集本部门的案件" });
    const mine = inbox.getByRole("row").filter({ hasText: code });
    await mine.getByRole("button", { name: `报到签收 ${code}` }).click();
    await mine.filter({ hasText: "已报到" }).waitFor();
    await dialog(
      liaison,
      mine.getByRole("button", { name: `反馈 ${code} 的办理情况` }),
      "反馈办理情况",
      "反馈办理情况",
      async (d) => {
        await d.getByLabel("采取的措施").fill("司法所派员参与调解，提供法律咨询");
        await d.getByLabel("办理结果与意见").fill("已核实欠薪金额31.8万元，建议分期支付");
      },
    );
    await mine.filter({ hasText: "已反馈" }).waitFor();

    // Mediation: start, schedule a session in a room with the mediator, record it.
    await page.reload();
    await summons.getByRole("row").filter({ hasText: "玉门镇司法所" }).filter({ hasText: "已反馈" }).waitFor();
    await act(page, "开始调解");
    await status(page, "调解中");
    await tab(page, "调解");
    const sessions = page.getByRole("region", { name: "调解记录" });
    await dialog(page, sessions.getByRole("button", { name: "安排调解" }), "安排调解", "预约并安排", async (d) => {
      // Held today, so that its outcome can be recorded now (a later session's cannot).
      const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
      // Date fields follow the UI, not the browser's language: typed as 2026-12-01 09:30, or
      // picked from our own calendar (weeks from Monday).
      const starts = d.getByLabel("开始时间");
      expect(await starts.getAttribute("placeholder")).toBe("2026-12-01 09:30");
      await d.getByRole("button", { name: "打开日历" }).first().click();
      const calendar = d.getByRole("region", { name: "开始时间：日历" });
      await calendar.waitFor();
      expect(await calendar.locator(".date-calendar-weekday").allTextContents()).toEqual([
        "一",
        "二",
        "三",
        "四",
        "五",
        "六",
        "日",
      ]);
      await calendar.getByRole("button", { name: "今天" }).click();
      expect(await starts.inputValue()).toBe(`${today} 09:00`);
      await starts.fill("2026-13-01 00:00");
      await d.getByText("格式应为 2026-12-01 09:30").waitFor();
      await starts.fill(`${today}T00:00`);
      await d.getByLabel("结束时间").fill(`${today}T01:00`);
      // The room chosen at triage is proposed.
      await d
        .getByRole("button", { name: /^调解室/ })
        .filter({ hasText: "玉门镇调解室" })
        .waitFor();
      await tick(d, "王振华");
    });
    await dialog(page, sessions.getByRole("button", { name: /^记录 .* 的调解$/ }), "记录调解", "保存", async (d) => {
      const first = d.getByRole("group", { name: "参加人 1" });
      await first.getByLabel("姓名").fill("李建军");
      await first.getByLabel("身份").fill("申请人代表");
      await d.getByRole("button", { name: "添加参加人" }).click();
      const second = d.getByRole("group", { name: "参加人 2" });
      await second.getByLabel("姓名").fill("王包工");
      await second.getByLabel("身份").fill("被申请人");
      await d.getByLabel("调解笔录").fill("双方就分期支付达成一致。");
      await d.getByRole("radio", { name: "达成协议" }).check();
    });
    await sessions.getByText("达成协议").waitFor();

    // The agreement with the legally required content; the case becomes resolved.
    const agreements = page.getByRole("region", { name: "调解协议" });
    await dialog(
      page,
      agreements.getByRole("button", { name: "登记调解协议" }),
      "登记调解协议",
      "登记协议",
      async (d) => {
        await d.getByLabel("纠纷主要事实").fill("被申请人拖欠17名农民工工资31.8万元");
        await d.getByLabel("争议事项").fill("欠薪金额及支付方式");
        await d.getByLabel("协议内容（各方权利义务）").fill("被申请人当场支付10万元，余款于30日内付清");
        await d.getByLabel("履行方式").fill("银行转账");
        await d.getByLabel("履行地点").fill("玉门镇综治中心");
        expect(await d.getByLabel("调解员（多人用顿号分隔）").inputValue()).toBe("王振华");
      },
    );
    await status(page, "已化解");

    // Judicial confirmation: an excluded matter is refused with the reason; then accepted and confirmed.
    const confirmations = page.getByRole("region", { name: "司法确认" });
    await confirmations.getByRole("button", { name: "申请司法确认" }).click();
    const apply = page.getByRole("dialog", { name: "申请司法确认" });
    await apply.getByLabel("受理法院").fill("玉门市人民法院");
    await tick(apply, "确认婚姻关系");
    await apply.getByRole("button", { name: "提交申请" }).click();
    await apply.getByRole("alert").filter({ hasText: "人民法院不予受理司法确认申请" }).waitFor();
    await apply.getByText("确认婚姻关系", { exact: true }).click();
    await apply.getByRole("button", { name: "提交申请" }).click();
    await apply.waitFor({ state: "detached" });
    await confirmations.getByText("待受理").waitFor();
    await dialog(page, confirmations.getByRole("button", { name: "登记受理" }), "登记法院受理", "受理", async () => {});
    await confirmations.getByText("已受理，待裁定").waitFor();
    await dialog(
      page,
      confirmations.getByRole("button", { name: "登记裁定确认有效" }),
      "登记法院裁定确认有效",
      "裁定确认有效",
      async () => {},
    );
    await confirmations.getByText("确认有效", { exact: true }).waitFor();

    // Follow-up, then close.
    await act(page, "转入回访");
    await status(page, "待回访");
    const followUps = page.getByRole("region", { name: "回访", exact: true });
    await dialog(page, followUps.getByRole("button", { name: "登记回访" }), "登记回访", "保存", async (d) => {
      await d.getByRole("radio", { name: "电话回访" }).check();
      await d.getByRole("radio", { name: "满意", exact: true }).check();
      await d.getByLabel("回访记录").fill("工资已全部到账，当事人表示满意");
    });
    await followUps.getByText("满意", { exact: true }).waitFor();
    await act(page, "结案");
    await status(page, "已结案");

    // Every step is on the timeline, and in the database.
    const steps = [
      "登记案件",
      "受理",
      "分诊",
      "召集部门：玉门镇司法所",
      "召集部门：玉门镇派出所",
      "玉门镇司法所报到签收",
      "玉门镇司法所反馈办理情况",
      "开始调解",
      "安排调解：玉门镇调解室",
      "记录调解",
      "签订调解协议",
      "化解成功",
      "申请司法确认：玉门市人民法院",
      "法院受理司法确认",
      "法院裁定调解协议有效",
      "转入回访",
      "回访",
      "结案",
    ];
    await tab(page, "时间线");
    const titles = await timeline(page).locator(".case-event-title").allTextContents();
    expect(titles).toEqual(steps);
    const events = await h.db.admin<{ kind: string }[]>`
      select kind from app.case_events where case_id = ${caseId} order by seq`;
    expect(events.map((e) => e.kind)).toEqual([
      "case.registered",
      "case.accept",
      "case.triage",
      "summons.issued",
      "summons.issued",
      "summons.acknowledged",
      "summons.feedback",
      "case.start_mediation",
      "mediation.scheduled",
      "mediation.recorded",
      "agreement.signed",
      "case.resolve",
      "confirmation.applied",
      "confirmation.accepted",
      "confirmation.confirmed",
      "case.await_follow_up",
      "follow_up.recorded",
      "case.close",
    ]);
    const [state] = await h.db.admin<
      { status: string; summons: string[]; sessions: number; confirmation: string; satisfaction: string }[]
    >`select c.status,
        (select array_agg(s.status order by st.name) from app.case_summons s join app.stationings st on st.id = s.stationing_id
          where s.case_id = c.id) as summons,
        (select count(*)::int from app.mediation_sessions m where m.case_id = c.id and m.outcome = 'agreement') as sessions,
        (select j.result from app.judicial_confirmations j where j.case_id = c.id) as confirmation,
        (select f.satisfaction from app.follow_ups f where f.case_id = c.id) as satisfaction
      from app.cases c where c.id = ${caseId}`;
    expect(state).toEqual({
      status: "closed",
      summons: ["done", "pending"],
      sessions: 1,
      confirmation: "confirmed",
      satisfaction: "satisfied",
    });
    const [room] = await h.db.admin<{ name: string; mediator: string }[]>`
      select r.name, m.name as mediator from app.cases c join app.mediation_rooms r on r.id = c.room_id
      join app.mediators m on m.id = c.mediator_id where c.id = ${caseId}`;
    expect(room).toEqual({ name: "玉门镇调解室", mediator: "王振华" });

    // Personal data is masked; revealing it is audited.
    await tab(page, "当事人");
    const parties = page.getByRole("region", { name: "当事人", exact: true });
    await parties.getByText("李**").waitFor();
    expect(await parties.textContent()).not.toContain(ID_NUMBER);
    await parties.getByRole("button", { name: "查看完整信息" }).click();
    // A session signed in more than 5 minutes ago proves itself again first (re-authentication,
    // reauth.e2e.test.ts); on a slow machine this journey may take that long.
    const prompt = page.getByRole("dialog", { name: "验证身份" });
    await Promise.race([parties.getByText(ID_NUMBER).waitFor(), prompt.waitFor()]);
    if (await prompt.isVisible()) {
      await prompt.getByLabel("登录密码").fill(DEMO_PASSWORD);
      await prompt.getByRole("button", { name: "验证", exact: true }).click();
    }
    await parties.getByText(ID_NUMBER).waitFor();
    const [audit] = await h.db.admin<{ n: number }[]>`select count(*)::int as n from app.audit_events
      where kind = 'personal_data.revealed' and subject_id = ${caseId}`;
    expect(audit!.n).toBe(1);

    // An auditor above sees the same case with its integrity view: every link recomputed and matching.
    const auditor = await signIn(h, "yumen.auditor");
    await auditor.goto(`/cases/${caseId}#integrity`);
    const integrity = auditor.getByRole("region", { name: "时间线完整性校验" });
    await integrity.getByText(`校验通过：${steps.length} 条记录完整，链头一致`).waitFor();
    expect(await integrity.getByRole("row").filter({ hasText: "一致" }).count()).toBe(steps.length);

    // 一码可查: the public page, without signing in, shows stages and dates only.
    const visitor = await h.newPage();
    await visitor.goto(`/lookup?code=${code}`);
    expect(await visitor.getByLabel("案件编号").inputValue()).toBe(code);
    await visitor.getByLabel("申请人手机号后四位").fill("0000");
    await visitor.getByRole("button", { name: "查询" }).click();
    await visitor.getByRole("alert").filter({ hasText: "未找到该案件" }).waitFor();
    await visitor.getByLabel("申请人手机号后四位").fill("5678");
    await visitor.getByRole("button", { name: "查询" }).click();
    const result = visitor.getByRole("region", { name: "查询结果" });
    await result.getByText("已结案").waitFor();
    const stages = await visitor.getByRole("list", { name: "办理阶段" }).locator(".case-event-title").allTextContents();
    expect(stages).toEqual(["登记案件", "受理", "分诊", "开始调解", "化解成功", "转入回访", "结案"]);
    const text = await visitor.locator("body").textContent();
    for (const secret of ["李建军", "王包工", "李**", "王**", "13809375678", ID_NUMBER, "32万", "320,000", TITLE]) {
      expect(text).not.toContain(secret);
    }
  });

  test("the inbox filters by risk and status and keeps saved views; the case page takes attachments and reports a stale version", async () => {
    const page = await signIn(h, "yumenzhen.admin");
    await page.goto("/cases");
    const table = page.getByRole("table", { name: "案件列表" });
    await table.getByRole("row").nth(1).waitFor();
    const rows = () => table.getByRole("row").filter({ has: page.getByRole("link") });

    // Risk filter: only red-risk cases, with their group-dispute badge.
    const [red] = await h.db.admin<{ n: number }[]>`select count(*)::int as n from app.cases
      where risk_grade = 'red' and scope_code like '620981101%'`;
    await choose(page, page, /^风险等级/, "红色风险");
    await expect.poll(() => rows().count()).toBe(red!.n);
    for (const text of await rows().allTextContents()) expect(text).toContain("红色风险");
    const wage = rows().filter({ hasText: "20名工人被拖欠工资97万元" });
    expect(await wage.textContent()).toContain("群体性");

    // Status (several may be chosen), then save the filter set as a view.
    await page.getByText("办理状态（全部）").click();
    await tick(page.getByRole("group", { name: "办理状态", exact: true }), "已分诊");
    await page.getByText("办理状态（已分诊）").click();
    await expect.poll(() => rows().count()).toBe(1);
    await page.getByRole("textbox", { name: "视图名称" }).fill("红色风险待调解");
    await page.getByRole("button", { name: "保存当前筛选为视图" }).click();
    await page.getByRole("button", { name: "清空筛选" }).click();
    await expect.poll(() => rows().count()).toBeGreaterThan(1);

    // Views survive a reload (this browser's storage); apply, then delete.
    await page.reload();
    await page.getByRole("button", { name: "应用视图 红色风险待调解" }).click();
    await expect.poll(() => rows().count()).toBe(1);
    await page.getByRole("button", { name: "删除视图 红色风险待调解" }).click();
    expect(await page.getByRole("button", { name: "应用视图 红色风险待调解" }).count()).toBe(0);

    // Text search by title.
    await page.getByRole("button", { name: "清空筛选" }).click();
    await page.getByRole("searchbox", { name: "编号或名称" }).fill("97万");
    await page.getByRole("button", { name: "搜索" }).click();
    await expect.poll(() => rows().count()).toBe(1);

    // Attachments: a PNG is stored and downloadable; other types are refused with the reason.
    await wage.getByRole("link").click();
    await page.getByRole("heading", { name: "20名工人被拖欠工资97万元", level: 1 }).waitFor();
    await tab(page, "材料");
    const files = page.getByRole("region", { name: "附件" });
    const png = Buffer.from(
      "89504e470d0a1a0a0000000d4948445200000001000000010806000000" +
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082",
      "hex",
    );
    await files
      .getByLabel("选择文件")
      .setInputFiles({ name: "工资清单.txt", mimeType: "text/plain", buffer: Buffer.from("x") });
    await files.getByRole("button", { name: "上传附件" }).click();
    await files.getByRole("alert").filter({ hasText: "仅支持 JPG、PNG、WEBP 图片和 PDF 文件" }).waitFor();
    await files.getByLabel("选择文件").setInputFiles({ name: "工资清单.png", mimeType: "image/png", buffer: png });
    await files.getByRole("button", { name: "上传附件" }).click();
    const download = files.getByRole("link", { name: "下载 工资清单.png" });
    const href = await download.getAttribute("href");
    const response = await page.request.get(href!);
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toBe("image/png");
    expect(Buffer.from(await response.body()).equals(png)).toBe(true);

    // A stale version: someone else changed the case meanwhile.
    await page.getByRole("group", { name: "办理操作" }).getByRole("button", { name: "开始调解", exact: true }).click();
    const start = page.getByRole("dialog", { name: "开始调解" });
    await h.db.admin`update app.cases set version = version + 1 where title = '20名工人被拖欠工资97万元'`;
    await start.getByRole("button", { name: "开始调解", exact: true }).click();
    await start.getByRole("alert").filter({ hasText: "已被他人修改" }).filter({ hasText: "重新加载" }).waitFor();
    await start.getByRole("button", { name: "重新加载" }).click();
    await start.waitFor({ state: "detached" });
    await act(page, "开始调解");
    await status(page, "调解中");
  });
});
