import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

// Patrols (issue 13 §4): a grid worker records patrols (time, distance, events found); the
// township sees each worker's week against the norm ("235" by default, its own when set,
// inherited down the tree).

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let town: Client;
let grid: Client;

beforeAll(async () => {
  api = await startTestApi();
  town = api.client(await api.login("yumenzhen.admin"));
  grid = api.client(await api.login("cun.grid"));
});
afterAll(() => api.close());

/** A patrol on `day` (China time) from 09:00 for `minutes`. */
const patrol = (day: string, minutes: number, metres: number, events: number) => ({
  startedAt: new Date(`${day}T01:00:00Z`),
  endedAt: new Date(Date.parse(`${day}T01:00:00Z`) + minutes * 60_000),
  distanceMetres: metres,
  eventsFound: events,
});

describe("patrols", () => {
  it("a worker's week is measured against the 235 norm, then against the township's own", async () => {
    expect((await refusal(grid.patrols.record.mutate(patrol("2026-11-16", 130, 3200, 2)))).appCode).toBe(
      "PRECONDITION_FAILED",
    );
    const [user] = await api.db.admin<{ id: string }[]>`select id from app.users where username = 'cun.grid'`;
    const worker = await town.grids.addWorker.mutate({ name: "王兴龙", kind: "full_time", userId: user!.id });

    // With a track the distance is measured along it (0.03° of latitude: 3,336 m), whatever the phone claimed.
    const tracked = await grid.patrols.record.mutate({
      ...patrol("2026-11-16", 130, 9999, 2),
      track: {
        type: "LineString",
        coordinates: [
          [97.04, 40.28],
          [97.04, 40.29],
          [97.04, 40.3],
          [97.04, 40.31],
        ],
      },
    });
    expect(tracked.distanceMetres).toBe(3336);
    await grid.patrols.record.mutate(patrol("2026-11-17", 125, 3100, 2));
    await grid.patrols.record.mutate(patrol("2026-11-18", 60, 1500, 1));
    await grid.patrols.record.mutate(patrol("2026-11-18", 70, 1600, 0));
    // The next week does not count.
    await grid.patrols.record.mutate(patrol("2026-11-23", 200, 5000, 9));

    const week = await town.patrols.figures.query({ day: "2026-11-19" });
    expect(week.weekOf).toBe("2026-11-16");
    expect(week.norm).toMatchObject({ minutesPerDay: 120, metresPerDay: 3000, eventsPerWeek: 5, daysPerWeek: 5 });
    const mine = week.workers.find((w) => w.workerId === worker.id);
    expect(mine).toMatchObject({ patrols: 4, minutes: 385, metres: 9536, events: 5, daysMet: 3, meetsNorm: false });

    // The township measures by three days a week: met. The village below follows it.
    await town.patrols.setNorm.mutate({ minutesPerDay: 120, metresPerDay: 3000, eventsPerWeek: 5, daysPerWeek: 3 });
    const again = await town.patrols.figures.query({ day: "2026-11-19" });
    expect(again.workers.find((w) => w.workerId === worker.id)?.meetsNorm).toBe(true);
    expect(await grid.patrols.norm.query()).toMatchObject({ daysPerWeek: 3, scopeCode: "620981101" });

    // Refusals: an end before the start; a grid worker may not set the norm.
    const backwards = await refusal(
      grid.patrols.record.mutate({ ...patrol("2026-11-20", 60, 100, 0), endedAt: new Date("2026-11-20T00:00:00Z") }),
    );
    expect(backwards.appCode).toBe("VALIDATION");
    // A track no patrol makes: 111 km in 30 minutes; a latitude off the globe; neither track nor distance.
    const { distanceMetres: _, ...noDistance } = patrol("2026-11-20", 30, 0, 0);
    const flight = await refusal(
      grid.patrols.record.mutate({
        ...noDistance,
        track: {
          type: "LineString",
          coordinates: [
            [97.0, 40.0],
            [97.0, 41.0],
          ],
        },
      }),
    );
    expect(flight).toMatchObject({ appCode: "VALIDATION", zh: expect.stringContaining("与巡查时长不符") });
    const offGlobe = await refusal(
      grid.patrols.record.mutate({
        ...noDistance,
        track: {
          type: "LineString",
          coordinates: [
            [97.0, 40.0],
            [97.0, 95.0],
          ],
        },
      }),
    );
    expect(offGlobe.appCode).toBe("VALIDATION");
    expect((await refusal(grid.patrols.record.mutate(noDistance))).fields?.[0]?.path).toBe("distanceMetres");
    expect(
      (await refusal(grid.patrols.setNorm.mutate({ minutesPerDay: 1, metresPerDay: 1, eventsPerWeek: 1 }))).appCode,
    ).toBe("FORBIDDEN");
  });
});
