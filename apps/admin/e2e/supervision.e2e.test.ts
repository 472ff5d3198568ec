import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { registerCase, signIn, useHarness } from "./helpers.ts";

const h = useHarness();

const TOWN = "620981101";
const VILLAGE = "620981101001";

/** YYYY-MM-DD in China, `days` from today. */
function chinaDay(days: number): string {
  return new Date(Date.now() + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
}

/** Registers a case at the township through the API, as its mediator; returns its id and code. */
async function registerAtTown(page: Page, title: string): Promise<{ id: string; code: string }> {
  return registerCase(page, h.origin, {
    channel: "visit",
    title,
    description: "两户因院墙界线争执，多次调解未果",
    locationCode: VILLAGE,
    riskGrade: "yellow",
    parties: [{ role: "applicant", kind: "person", name: "王大妈", phone: "13609375678" }],
  });
}

/** The supervision list's row of a case. */
const rowOf = (page: Page, code: string) =>
  page.getByRole("table", { name: "督办列表" }).getByRole("row").filter({ hasText: code });

describe("supervision (督办) in the browser", () => {
  test("a county leader opens one on a township's case (the form checks first), the township answers it, the leader takes charge", async () => {
    const mediator = await signIn(h, "yumenzhen.mediator");
    const { id, code } = await registerAtTown(mediator, "院墙界线纠纷久调未决");

    // The county's leader opens a supervision from the list page and finds the case there.
    const leader = await signIn(h, "yumen.leader");
    await leader.goto("/supervision");
    await leader.getByRole("heading", { name: "督办", level: 1 }).waitFor();
    await leader.getByRole("button", { name: "发起督办", exact: true }).click();
    const open = leader.getByRole("dialog", { name: "发起督办" });
    await open.waitFor();
    // Sent with nothing chosen and nothing written: the procedure's own schema and the page's
    // checks answer in the dialog, and nothing reaches the server.
    await open.getByLabel("督办要求").fill("");
    await open.getByRole("button", { name: "督办", exact: true }).click();
    await open.getByText("请选择案件").waitFor();
    expect(await open.getByLabel("督办要求").getAttribute("aria-invalid")).toBe("true");
    const [none] = await h.db.admin<
      { n: number }[]
    >`select count(*)::int as n from app.supervisions where case_id = ${id}`;
    expect(none!.n).toBe(0);

    await open.getByLabel("查找案件（编号或名称）").fill(code);
    await open.getByLabel("查找案件（编号或名称）").press("Enter");
    await open.getByRole("radio", { name: new RegExp(`^${code} 院墙界线纠纷久调未决`) }).check();
    expect(await open.getByText("请选择案件").count()).toBe(0);
    await open.getByLabel("督办要求").fill("请镇综治中心三日内组织双方现场勘界并书面回复");
    const due = chinaDay(3);
    await open.getByLabel("回复期限").fill(due);
    await open.getByRole("button", { name: "督办", exact: true }).click();
    await open.waitFor({ state: "detached" });
    await leader.getByText(`已对 ${code} 发起督办`).waitFor();
    const opened = rowOf(leader, code);
    await opened.getByText("待回复", { exact: true }).waitFor();
    await opened.getByText("领导督办").waitFor();
    await opened.getByText("请镇综治中心三日内组织双方现场勘界并书面回复").waitFor();
    // The leader above neither answers for the township nor loses the 包案 action.
    expect(await opened.getByRole("button", { name: `回复 ${code} 的督办` }).count()).toBe(0);

    const [stored] = await h.db.admin<{ addressed_to: string; opened_by: string; status: string; due: string }[]>`
      select addressed_to, opened_by, status, to_char(due_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI') as due
      from app.supervisions where case_id = ${id}`;
    expect(stored).toEqual({ addressed_to: TOWN, opened_by: "leader", status: "open", due: `${due} 23:59` });

    // The township reads it as its own and answers it.
    const town = await signIn(h, "yumenzhen.admin");
    await town.goto("/supervision");
    const mine = rowOf(town, code);
    await mine.getByText("本单位", { exact: true }).waitFor();
    await mine.getByRole("button", { name: `回复 ${code} 的督办` }).click();
    const answer = town.getByRole("dialog", { name: "回复督办" });
    await answer.getByText("督办要求：请镇综治中心三日内组织双方现场勘界并书面回复").waitFor();
    // An empty answer is refused in the dialog by the procedure's schema.
    await answer.getByRole("button", { name: "回复", exact: true }).click();
    expect(await answer.getByLabel("回复内容").getAttribute("aria-invalid")).toBe("true");
    await answer.getByLabel("回复内容").fill("已于次日组织双方及村委会现场勘界，界线已确认，双方签字认可");
    await answer.getByRole("button", { name: "回复", exact: true }).click();
    await answer.waitFor({ state: "detached" });
    await town.getByText("已回复督办").waitFor();
    // Answered: it leaves the open list and shows under 已回复 with the answer.
    await expect.poll(() => rowOf(town, code).count()).toBe(0);
    await town.getByRole("button", { name: "已回复", exact: true }).click();
    await rowOf(town, code).getByText("已于次日组织双方及村委会现场勘界，界线已确认，双方签字认可").waitFor();

    // The leader sees the answer and takes personal charge of the case (包案).
    await leader.reload();
    await leader.getByRole("button", { name: "全部", exact: true }).click();
    const answered = rowOf(leader, code);
    await answered.getByText("已回复", { exact: true }).waitFor();
    await answered.getByRole("button", { name: `包案 ${code}` }).click();
    const charge = leader.getByRole("dialog", { name: "领导包案" });
    await charge.getByText(`由您本人包案负责案件 ${code}“院墙界线纠纷久调未决”？`).waitFor();
    await charge.getByRole("button", { name: "包案", exact: true }).click();
    await charge.waitFor({ state: "detached" });
    await leader.getByText(`已包案 ${code}`).waitFor();

    const [after] = await h.db.admin<{ status: string; answer: string; leader: string | null; events: string[] }[]>`
      select s.status, s.answer, u.username as leader,
        (select array_agg(e.kind order by e.seq) from app.case_events e where e.case_id = c.id) as events
      from app.supervisions s join app.cases c on c.id = s.case_id left join app.users u on u.id = c.leader_id
      where s.case_id = ${id}`;
    expect(after).toMatchObject({
      status: "answered",
      answer: "已于次日组织双方及村委会现场勘界，界线已确认，双方签字认可",
      leader: "yumen.leader",
    });
    expect(after!.events).toEqual(
      expect.arrayContaining(["supervision.opened", "supervision.answered", "case.leader_in_charge"]),
    );
  });
});
