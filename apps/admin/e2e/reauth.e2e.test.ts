import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEMO_PASSWORD, type Harness, startHarness } from "./harness.ts";
import { signIn } from "./helpers.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ cases: true });
});
afterAll(async () => {
  await h?.close();
});

describe("re-authentication (MLPS level 3)", () => {
  test("revealing a party's numbers from a session signed in long ago asks for the password first", async () => {
    const [row] = await h.db.admin<{ id: string }[]>`select c.id from app.cases c
      where c.owner_code like '620981%' and exists (select from app.case_parties p where p.case_id = c.id)
      order by c.registered_at desc limit 1`;
    const page = await signIn(h, "yumen.admin");
    // The session was opened 10 minutes ago and proved nothing since.
    await h.db.admin`update auth.sessions set created_at = now() - interval '10 minutes'
      where user_id = (select id from app.users where username = 'yumen.admin')`;
    await page.goto(`/cases/${row!.id}#parties`);
    const parties = page.getByRole("region", { name: "当事人", exact: true });
    await parties.getByRole("button", { name: "查看完整信息" }).click();

    const prompt = page.getByRole("dialog", { name: "验证身份" });
    await prompt.getByText("此操作须在最近 5 分钟内验证身份").waitFor();
    await prompt.getByLabel("登录密码").fill("wrong-password");
    await prompt.getByRole("button", { name: "验证", exact: true }).click();
    await prompt.getByText("密码不正确").waitFor();
    await prompt.getByLabel("登录密码").fill(DEMO_PASSWORD);
    await prompt.getByRole("button", { name: "验证", exact: true }).click();
    await prompt.waitFor({ state: "detached" });
    await parties.getByText("已显示完整信息（已记入审计日志）").waitFor();

    const lines = await h.db.admin<{ kind: string }[]>`select kind from app.audit_events
      where actor_id = (select id from app.users where username = 'yumen.admin')
        and kind in ('auth.reauthenticated', 'personal_data.revealed') order by id`;
    expect(lines.map((l) => l.kind)).toEqual(["auth.reauthenticated", "personal_data.revealed"]);
  });
});
