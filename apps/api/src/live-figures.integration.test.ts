import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenEvents, startTestApi, type TestApi, villageDispute } from "./test-harness.ts";

/**
 * The cockpit's live counters (issue 10 §4): a case that arrives or changes state pushes a
 * `figures` event (migration 0160) to the streams of its origin unit and of every unit above it,
 * and to no other unit's.
 */
let api: TestApi;
beforeAll(async () => {
  api = await startTestApi({ centres: true });
});
afterAll(() => api.close());

const VILLAGE = "620981101001";
const TOWN = "620981101";

/** A case registered at `scope` now, written directly (the trigger fires for any writer). */
async function insertCase(scope: string, n: number): Promise<void> {
  const year = Number(new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 4));
  await api.db.admin`insert into app.cases (scope_code, owner_code, code, year, seq, category_code, channel,
      title, description, location_code, status, registered_at)
    values (${scope}, ${scope}, ${`${scope}-${year}-${990000 + n}`}, ${year}, ${990000 + n}, 'neighbour', 'visit',
      '测试', '测试', ${scope}, 'registered', now())`;
}

/** Opens the SSE stream as `username`; `next()` resolves with the next `figures` event's unit. */
async function listen(username: string): Promise<{ next: () => Promise<string>; close: () => void }> {
  const stream = await listenEvents(api, await api.login(username), "figures");
  return {
    next: async () => (JSON.parse((await stream.next()).data) as { unit: string }).unit,
    close: stream.close,
  };
}

describe("live figures", () => {
  it("a village's new case moves the cockpits of the village and every unit above it, not another county's", async () => {
    const streams = {
      village: await listen("cun.mediator"),
      town: await listen("yumenzhen.admin"),
      county: await listen("yumen.admin"),
      city: await listen("jiuquan.admin"),
      province: await listen("gansu.admin"),
      elsewhere: await listen("yongji.admin"),
    };
    try {
      const village = api.client(await api.login("cun.mediator"));
      const { id } = await village.cases.register.mutate(villageDispute("排水沟纠纷"));
      for (const s of [streams.village, streams.town, streams.county, streams.city, streams.province])
        expect(await s.next()).toBe(VILLAGE);
      // A change of state moves them again.
      await village.cases.transition.mutate({ id, version: 1, action: "accept", data: {} });
      expect(await streams.county.next()).toBe(VILLAGE);
      // A write that leaves the state as it was and a rolled-back change move nothing: the next
      // event the county hears is of the township's case after them.
      await api.db.admin`update app.cases set status = status where id = ${id}`;
      await api.db.admin
        .begin(async (tx) => {
          await tx`update app.cases set status = 'cancelled' where id = ${id}`;
          throw new Error("rolled back");
        })
        .catch(() => undefined);
      await insertCase(TOWN, 1);
      expect(await streams.county.next()).toBe(TOWN);

      // Another county's stream heard none of it: its first event is its own unit's case; and
      // Yumen's units hear nothing of that one: the county's next event is the township's again.
      await insertCase("140881", 2);
      expect(await streams.elsewhere.next()).toBe("140881");
      await insertCase(TOWN, 3);
      expect(await streams.county.next()).toBe(TOWN);
      expect(await streams.province.next()).toBe(VILLAGE);
      expect(await streams.province.next()).toBe(TOWN);
      expect(await streams.province.next()).toBe(TOWN);
      // The village, below the township, hears nothing of the township's own cases.
      expect(await streams.village.next()).toBe(VILLAGE);
      await insertCase(VILLAGE, 4);
      expect(await streams.village.next()).toBe(VILLAGE);
    } finally {
      for (const s of Object.values(streams)) s.close();
    }
  });
});
