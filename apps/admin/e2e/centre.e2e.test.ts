import { describe, expect, test } from "vitest";
import { tick } from "./harness.ts";
import { openDialog, openNav, refuse, saveAndClose, signIn, useHarness } from "./helpers.ts";

const h = useHarness({ centres: true });

describe("centre configuration", () => {
  test("a county admin stations a rotating department and sees its staff on the right days of the roster", async () => {
    const page = await signIn(h, "yumen.admin");
    await openNav(page, "入驻部门");
    await page.getByRole("table", { name: "轮驻部门" }).waitFor();

    const dialog = await openDialog(page, "新增入驻部门");
    await dialog.getByLabel("部门名称").fill("玉门市退役军人事务局");
    await dialog.getByRole("button", { name: "部门类别" }).click();
    await page.getByRole("option", { name: "退役军人事务局", exact: true }).click();
    await dialog.getByRole("radiogroup", { name: "入驻方式" }).getByText("轮驻", { exact: true }).click();
    const slot = dialog.getByRole("group", { name: "轮值安排 1" });
    await tick(slot, "周三");
    await slot.getByLabel("值班人员", { exact: true }).fill("张伟");
    await saveAndClose(dialog);

    const rotating = page.getByRole("table", { name: "轮驻部门" });
    await rotating.getByRole("row").filter({ hasText: "玉门市退役军人事务局" }).filter({ hasText: "每周三" }).waitFor();
    const [stored] = await h.db.admin<
      { residency: string; kind_code: string; weekdays: number[]; staff_name: string }[]
    >`
      select s.residency, s.kind_code, r.weekdays, r.staff_name
      from app.stationings s join app.rotation_slots r on r.stationing_id = s.id
      where s.scope_code = '620981' and s.name = '玉门市退役军人事务局'`;
    expect(stored).toEqual({ residency: "rotating", kind_code: "veterans", weekdays: [3], staff_name: "张伟" });

    // The week of National Day 2026: on duty on Wednesday 30 September, not on the holiday Thursday.
    await openNav(page, "值班表");
    await page.getByLabel("跳转到日期").fill("2026-09-30");
    await page.getByRole("button", { name: "跳转" }).click();
    const week = page.getByRole("list", { name: "值班周历" });
    const wednesday = week.getByRole("region", { name: "9月30日 周三" });
    await wednesday.getByText("玉门市退役军人事务局").waitFor();
    expect(await wednesday.textContent()).toContain("张伟");
    const thursday = week.getByRole("region", { name: "10月1日 周四" });
    await thursday.getByText("国庆节", { exact: true }).waitFor();
    expect(await thursday.textContent()).not.toContain("张伟");
    expect(await thursday.textContent()).not.toContain("玉门市退役军人事务局");

    // The next week ends with a make-up working Saturday (调休上班).
    await page.getByRole("button", { name: "下一周" }).click();
    const saturday = week.getByRole("region", { name: "10月10日 周六" });
    await saturday.getByText("调休上班", { exact: true }).waitFor();
    expect(await saturday.textContent()).toContain("玉门市人民法院");
    expect(await week.getByRole("region", { name: "10月7日 周三" }).textContent()).not.toContain("张伟");
  });

  test("a double booking of a room, or of a mediator, is refused in the booking dialog", async () => {
    const page = await signIn(h, "yumen.admin");
    await openNav(page, "调解室");
    const studio = "首席调解员工作室（周广龙）";

    const book = async (room: string, title: string, from: string, to: string, mediator?: string) => {
      await page.getByRole("button", { name: `查看 ${room} 的预约` }).click();
      await page
        .getByRole("region", { name: `${room} · 预约时间轴` })
        .getByRole("button", { name: "预约时段" })
        .click();
      const dialog = page.getByRole("dialog", { name: "预约调解室" });
      await dialog.getByLabel("事由").fill(title);
      await dialog.getByLabel("日期", { exact: true }).fill("2026-12-01");
      await dialog.getByLabel("开始时间").fill(from);
      await dialog.getByLabel("结束时间").fill(to);
      if (mediator) await tick(dialog, mediator);
      await dialog.getByRole("button", { name: "确认预约" }).click();
      return dialog;
    };

    const first = await book(studio, "刘某与王某土地承包纠纷调解", "09:00", "10:00", "周广龙");
    await first.waitFor({ state: "detached" });
    const day = page.getByRole("list", { name: `${studio} 12月1日 周二的预约` });
    await day.getByRole("listitem").filter({ hasText: "09:00–10:00" }).filter({ hasText: "刘某与王某" }).waitFor();

    // The same room, overlapping: the database refuses it and the dialog names the room.
    const second = await book(studio, "另一起邻里纠纷调解", "09:30", "10:30");
    const refusal = second.getByRole("alert");
    await refusal.filter({ hasText: "已被预约" }).waitFor();
    expect(await refusal.textContent()).toContain(`${studio}在`);
    expect(await refusal.textContent()).toContain("刘某与王某土地承包纠纷调解");
    await second.getByRole("button", { name: "取消" }).click();

    // Another room at the same time, with the busy mediator: the dialog names the mediator.
    const third = await book("家事纠纷调解室", "婚姻家庭纠纷调解", "09:30", "10:30", "周广龙");
    await third.getByRole("alert").filter({ hasText: "调解员周广龙在该时段已有其他安排" }).waitFor();
    await third.getByRole("button", { name: "取消" }).click();

    const rows = await h.db.admin<{ title: string }[]>`select b.title from app.bookings b
      join app.mediation_rooms r on r.id = b.room_id where r.scope_code = '620981' and b.status = 'active'`;
    expect(rows.map((r) => r.title)).toEqual(["刘某与王某土地承包纠纷调解"]);
  });

  test("an on-call department without phone and response time shows the Chinese field errors", async () => {
    const page = await signIn(h, "yumen.admin");
    await page.goto("/centre/departments");
    const dialog = await openDialog(page, "新增入驻部门");
    await dialog.getByLabel("部门名称").fill("玉门市应急管理局");
    await dialog.getByRole("button", { name: "部门类别" }).click();
    await page.getByRole("option", { name: "民政局", exact: true }).click();
    await dialog.getByRole("radiogroup", { name: "入驻方式" }).getByText("随叫随驻", { exact: true }).click();
    await dialog.getByRole("button", { name: "保存" }).click();

    const phone = dialog.getByLabel("联系电话");
    const response = dialog.getByLabel("响应时限（分钟）");
    await dialog.getByText("请填写联系电话").waitFor();
    await dialog.getByText("请填写响应时限").waitFor();
    expect(await phone.getAttribute("aria-invalid")).toBe("true");
    expect(await response.getAttribute("aria-invalid")).toBe("true");

    // As the user types, the messages follow the input.
    await phone.fill("abc");
    await dialog.getByText("电话号码格式不正确").waitFor();
    await phone.fill("0937-3321000");
    await dialog.getByText("电话号码格式不正确").waitFor({ state: "detached" });
    await response.fill("1");
    await dialog.getByText("响应时限应为 5–10080 之间的整数（分钟）").waitFor();
    const [none] = await h.db.admin<{ n: number }[]>`
      select count(*)::int as n from app.stationings where name = '玉门市应急管理局'`;
    expect(none?.n).toBe(0);

    await response.fill("90");
    await dialog.getByText("即 1 小时 30 分钟").waitFor();
    await saveAndClose(dialog);
    await page
      .getByRole("table", { name: "随叫随驻部门" })
      .getByRole("row")
      .filter({ hasText: "玉门市应急管理局" })
      .filter({ hasText: "1 小时 30 分钟内到达" })
      .waitFor();
  });

  test("an edit based on a stale version is reported as a conflict", async () => {
    const page = await signIn(h, "yumen.admin");
    await page.goto("/centre/departments");
    const dialog = await openDialog(page, "编辑 玉门市妇联", "编辑入驻部门");
    await h.db.admin`update app.stationings set version = version + 1 where name = '玉门市妇联'`;
    await dialog.getByLabel("联系人").fill("妇联值班员");
    await dialog.getByRole("button", { name: "保存" }).click();
    await dialog.getByRole("alert").filter({ hasText: "记录已被他人修改" }).waitFor();
  });
  test("the window form checks with the API's own schema: an empty name and a taken number are refused before sending", async () => {
    const page = await signIn(h, "yumen.admin");
    await page.goto("/centre/windows");
    const [taken] = await h.db.admin<{ number: number; name: string }[]>`
      select number, name from app.service_windows where scope_code = '620981' order by number limit 1`;
    expect(taken).toBeDefined();
    const before = await h.db.admin<{ n: number }[]>`select count(*)::int as n from app.service_windows`;
    const dialog = await openDialog(page, "新增窗口");
    await dialog.getByLabel("窗口号").fill(String(taken!.number));
    await dialog.getByLabel("窗口名称").fill("   ");
    await dialog.getByRole("button", { name: "保存" }).click();
    await dialog.getByText("不能为空", { exact: true }).waitFor();
    await dialog.getByText(`窗口号已被“${taken!.name}”使用`).waitFor();
    const after = await h.db.admin<{ n: number }[]>`select count(*)::int as n from app.service_windows`;
    expect(after[0]?.n).toBe(before[0]?.n);

    await dialog.getByLabel("窗口号").fill("88");
    await dialog.getByLabel("窗口名称").fill("法律援助窗口");
    await saveAndClose(dialog);
    await page.getByRole("table", { name: "服务窗口" }).getByRole("row").filter({ hasText: "法律援助窗口" }).waitFor();
  });
  test("the room, booking, mediator, committee and department-kind forms check with the API's own schemas", async () => {
    const page = await signIn(h, "yumen.admin");
    const count = async (table: string) =>
      (await h.db.admin.unsafe<{ n: number }[]>(`select count(*)::int as n from app.${table}`))[0]?.n ?? 0;

    // A room for nobody: roomInput's capacity is 1–500.
    await page.goto("/centre/rooms");
    const rooms = await count("mediation_rooms");
    const room = await openDialog(page, "新增调解室");
    await room.getByLabel("调解室名称").fill("第三调解室");
    await room.getByLabel("容纳人数").fill("0");
    await room.getByRole("button", { name: "保存" }).click();
    await room.getByText("不能小于1").waitFor();
    expect(await count("mediation_rooms")).toBe(rooms);
    await room.getByLabel("容纳人数").fill("6");
    await saveAndClose(room);
    expect(await count("mediation_rooms")).toBe(rooms + 1);

    // A booking without a purpose that ends before it starts: the book procedure's schema (timeSpan).
    const bookings = await count("bookings");
    await page.getByRole("button", { name: "查看 家事纠纷调解室 的预约" }).click();
    await page
      .getByRole("region", { name: "家事纠纷调解室 · 预约时间轴" })
      .getByRole("button", { name: "预约时段" })
      .click();
    const booking = page.getByRole("dialog", { name: "预约调解室" });
    await booking.getByLabel("日期", { exact: true }).fill("2026-12-03");
    await booking.getByLabel("开始时间").fill("15:00");
    await booking.getByLabel("结束时间").fill("14:00");
    await booking.getByRole("button", { name: "确认预约" }).click();
    await booking.getByText("不能为空", { exact: true }).waitFor();
    await booking.getByText("结束时间须晚于开始时间").waitFor();
    expect(await count("bookings")).toBe(bookings);
    await booking.getByLabel("事由").fill("赡养纠纷调解");
    await booking.getByLabel("结束时间").fill("16:00");
    await booking.getByRole("button", { name: "确认预约" }).click();
    await booking.waitFor({ state: "detached" });
    expect(await count("bookings")).toBe(bookings + 1);

    // A mediator with a phone that is not one.
    await page.goto("/centre/mediators");
    const mediator = await openDialog(page, "新增调解员");
    await mediator.getByLabel("姓名", { exact: true }).fill("马永红");
    await mediator.getByLabel("联系电话（可选）").fill("电话");
    await mediator.getByRole("button", { name: "保存" }).click();
    await mediator.getByText("电话号码格式不正确").waitFor();
    await mediator.getByLabel("联系电话（可选）").fill("13909371234");
    await saveAndClose(mediator);
    const [med] = await h.db.admin<{ n: number }[]>`select count(*)::int as n from app.mediators where name = '马永红'`;
    expect(med?.n).toBe(1);

    // A committee whose name is longer than committeeInput's 60 characters.
    await page.goto("/centre/committees");
    const committee = await openDialog(page, "新增调委会");
    await committee.getByLabel("调委会名称").fill("玉".repeat(61));
    await committee.getByRole("button", { name: "保存" }).click();
    await committee.getByText("不能超过60个字符").waitFor();
    await committee.getByLabel("调委会名称").fill("玉门市旅游纠纷人民调解委员会");
    await saveAndClose(committee);
    const [com] = await h.db.admin<{ n: number }[]>`
      select count(*)::int as n from app.mediation_committees where name = '玉门市旅游纠纷人民调解委员会'`;
    expect(com?.n).toBe(1);

    // A department kind whose code starts with a digit: departmentKindInput's pattern.
    await page.goto("/centre/departments");
    const dept = await openDialog(page, "新增入驻部门");
    await dept.getByRole("button", { name: "新增类别" }).click();
    await dept.getByLabel("类别名称").fill("玉门市数据局");
    await refuse(dept, "类别代码", "1data", "代码为2–38位小写字母、数字或下划线，以字母开头", "添加类别");
    await dept.getByLabel("类别代码").fill("yumen_data");
    await dept.getByRole("button", { name: "添加类别" }).click();
    await page.getByText("已添加部门类别“玉门市数据局”").waitFor();

    // A rotation by date range without its dates: the slot schema names each missing end.
    await dept.getByLabel("部门名称").fill("玉门市数据局");
    await dept.getByRole("radiogroup", { name: "入驻方式" }).getByText("轮驻", { exact: true }).click();
    const slot = dept.getByRole("group", { name: "轮值安排 1" });
    await slot.getByRole("radiogroup").getByText("按日期区间", { exact: true }).click();
    await slot.getByLabel("值班人员", { exact: true }).fill("王晓东");
    await dept.getByRole("button", { name: "保存" }).click();
    await slot.getByText("请填写开始日期").waitFor();
    await slot.getByText("请填写结束日期").waitFor();
    const stationed = () => h.db.admin`select 1 from app.stationings where name = '玉门市数据局'`;
    expect(await stationed()).toHaveLength(0);
    await slot.getByLabel("开始日期", { exact: true }).fill("2026-12-07");
    await slot.getByLabel("结束日期", { exact: true }).fill("2026-12-11");
    await dept.getByRole("button", { name: "保存" }).click();
    await dept.waitFor({ state: "detached" });
    expect(await stationed()).toHaveLength(1);
  });
});
