import { hashPassword } from "@zongzhi/auth";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal, startTestApi, type TestApi } from "./test-harness.ts";

// The grid (issue 13 §1): grids on their tiers with codes from the unit's division code,
// boundaries validated as GeoJSON, grid workers assigned with one leader, and the same
// visibility as every configuration table (a village sees the township's grids and workers,
// a sibling township sees neither).

let api: TestApi;
type Client = ReturnType<TestApi["client"]>;
let town: Client;
let village: Client;
let sibling: Client;
let villageCode = "";
const PASSWORD = "Grid#Fixture-2026!";

const square = (lon: number, lat: number, d = 0.01) => ({
  type: "Polygon" as const,
  coordinates: [
    [
      [lon, lat],
      [lon + d, lat],
      [lon + d, lat + d],
      [lon, lat + d],
      [lon, lat],
    ],
  ],
});

beforeAll(async () => {
  api = await startTestApi();
  town = api.client(await api.login("yumenzhen.admin"));
  const hash = await hashPassword(PASSWORD);
  const [v] = await api.db.admin<{ code: string }[]>`select code from app.tenants
    where parent_id = (select id from app.tenants where code = '620981101') order by code limit 1`;
  villageCode = v!.code;
  for (const [username, code] of [
    ["grid.village.admin", villageCode],
    ["grid.sibling.admin", "620981102"],
  ] as const) {
    await api.db.admin`insert into app.users (tenant_id, username, display_name, roles, password_hash,
        must_change_password, password_changed_at)
      values ((select id from app.tenants where code = ${code}), ${username}, ${username}, '{tenant_admin}', ${hash},
        false, now())`;
  }
  village = api.client(await api.login("grid.village.admin", PASSWORD));
  sibling = api.client(await api.login("grid.sibling.admin", PASSWORD));
});
afterAll(() => api.close());

describe("grids", () => {
  it("builds three tiers, micro and exclusive grids with codes from the unit's division code", async () => {
    const top = await town.grids.create.mutate({
      tier: "township",
      number: "01",
      name: "玉门镇一级网格",
      households: 3200,
      population: 9100,
      boundary: square(97.04, 40.28, 0.2),
    });
    expect(top.code).toBe("620981101-01");
    expect(top.boundary?.type).toBe("Polygon");
    const villageGrid = await town.grids.create.mutate({
      parentId: top.id,
      tier: "village",
      number: "03",
      name: "东渠村二级网格",
      households: 420,
      population: 1300,
    });
    expect(villageGrid.code).toBe("620981101-01-03");
    // A village hangs its own grids under the township's; its codes begin with its own code.
    const group = await village.grids.create.mutate({
      parentId: villageGrid.id,
      tier: "group",
      number: "1",
      name: "一组",
      households: 60,
      population: 190,
    });
    expect(group.code).toBe(`${villageCode}-1`);
    const micro = await village.grids.create.mutate({
      parentId: group.id,
      tier: "micro",
      number: "A",
      name: "一组微网格A",
      households: 15,
      population: 44,
    });
    expect(micro.code).toBe(`${villageCode}-1-A`);
    const school = await village.grids.create.mutate({
      parentId: group.id,
      tier: "group",
      exclusiveType: "school",
      number: "S1",
      name: "东渠小学专属网格",
      households: 0,
      population: 320,
    });
    expect(school.exclusiveType).toBe("school");

    // Tier order: a village grid cannot sit under a micro-grid; a regular grid not beside its parent.
    const below = await refusal(
      village.grids.create.mutate({
        parentId: micro.id,
        tier: "village",
        number: "9",
        name: "错误层级",
        households: 0,
        population: 0,
      }),
    );
    expect(below.appCode).toBe("VALIDATION");
    expect(below.zh).toContain("低一级");
    // The same number twice at the same place is taken.
    const taken = await refusal(
      village.grids.create.mutate({
        parentId: group.id,
        tier: "micro",
        number: "A",
        name: "重复",
        households: 0,
        population: 0,
      }),
    );
    expect(taken.appCode).toBe("CONFLICT");

    const townList = await town.grids.list.query();
    expect(townList.map((g) => g.code)).toEqual(
      expect.arrayContaining(["620981101-01", "620981101-01-03", `${villageCode}-1`, `${villageCode}-1-A`]),
    );
    // A sibling township sees none of them, and cannot hang a grid under them.
    expect((await sibling.grids.list.query()).filter((g) => g.code.startsWith("620981101"))).toEqual([]);
    const foreign = await refusal(
      sibling.grids.create.mutate({
        parentId: top.id,
        tier: "village",
        number: "1",
        name: "越界",
        households: 0,
        population: 0,
      }),
    );
    expect(foreign.appCode).toBe("NOT_FOUND");
    // Nor change them.
    const edit = await refusal(
      sibling.grids.edit.mutate({ id: top.id, version: top.version, name: "改", households: 0, population: 0 }),
    );
    expect(edit.appCode).toBe("NOT_FOUND");
    // The village sees the township's grid but cannot change it.
    const up = await refusal(
      village.grids.edit.mutate({ id: top.id, version: top.version, name: "改", households: 0, population: 0 }),
    );
    expect(up.appCode).toBe("FORBIDDEN");
  });

  it("validates the boundary as GeoJSON", async () => {
    const base = { tier: "township" as const, name: "边界测试", households: 1, population: 1 };
    const open = await refusal(
      town.grids.create.mutate({
        ...base,
        number: "B1",
        boundary: {
          type: "Polygon",
          coordinates: [
            [
              [97, 40],
              [97.1, 40],
              [97.1, 40.1],
              [97, 40.1],
            ],
          ],
        },
      }),
    );
    expect(open.appCode).toBe("VALIDATION");
    expect(JSON.stringify(open.fields)).toContain("闭合");
    const lat = await refusal(town.grids.create.mutate({ ...base, number: "B2", boundary: square(97, 95) as never }));
    expect(lat.appCode).toBe("VALIDATION");
    const kind = await refusal(
      town.grids.create.mutate({ ...base, number: "B3", boundary: { type: "Point", coordinates: [97, 40] } as never }),
    );
    expect(kind.appCode).toBe("VALIDATION");
    const multi = await town.grids.create.mutate({
      ...base,
      number: "B4",
      boundary: { type: "MultiPolygon", coordinates: [square(97, 40).coordinates, square(98, 40).coordinates] },
    });
    expect(multi.boundary?.type).toBe("MultiPolygon");
    const cleared = await town.grids.edit.mutate({
      id: multi.id,
      version: multi.version,
      name: multi.name,
      households: 2,
      population: 5,
      boundary: null,
    });
    expect(cleared.boundary).toBeNull();
    expect(cleared.version).toBe(multi.version + 1);
    const stale = await refusal(
      town.grids.edit.mutate({ id: multi.id, version: multi.version, name: "旧", households: 0, population: 0 }),
    );
    expect(stale.appCode).toBe("CONFLICT");
  });
});

describe("grid workers", () => {
  it("assigns full-time, part-time and exclusive workers with one leader; a village uses the township's workers", async () => {
    const grid = await town.grids.create.mutate({
      tier: "township",
      number: "W1",
      name: "网格员测试网格",
      households: 100,
      population: 300,
    });
    const leader = await town.grids.addWorker.mutate({ name: "韩秀文", phone: "13909371111", kind: "full_time" });
    const member = await town.grids.addWorker.mutate({ name: "王兴龙", kind: "part_time" });
    const guard = await town.grids.addWorker.mutate({ name: "护林员李强", kind: "exclusive" });
    const assigned = await town.grids.assign.mutate({
      id: grid.id,
      version: grid.version,
      workers: [
        { workerId: leader.id, leader: true },
        { workerId: member.id, leader: false },
        { workerId: guard.id, leader: false },
      ],
    });
    expect(assigned.workers.map((w) => [w.name, w.leader])).toEqual([
      ["韩秀文", true],
      ["护林员李强", false],
      ["王兴龙", false],
    ]);
    const twoLeaders = await refusal(
      town.grids.assign.mutate({
        id: grid.id,
        version: assigned.version,
        workers: [
          { workerId: leader.id, leader: true },
          { workerId: member.id, leader: true },
        ],
      }),
    );
    expect(twoLeaders.appCode).toBe("CONFLICT");
    const workers = await town.grids.workers.query();
    expect(workers.find((w) => w.id === leader.id)?.grids).toEqual([
      { gridId: grid.id, code: "620981101-W1", name: "网格员测试网格", leader: true },
    ]);

    // A village staffs its grid with a township worker; the sibling township cannot.
    const villageGrid = await village.grids.create.mutate({
      tier: "village",
      number: "W",
      name: "村网格",
      households: 50,
      population: 150,
    });
    const staffed = await village.grids.assign.mutate({
      id: villageGrid.id,
      version: villageGrid.version,
      workers: [{ workerId: member.id, leader: true }],
    });
    expect(staffed.workers[0]?.name).toBe("王兴龙");
    const siblingGrid = await sibling.grids.create.mutate({
      tier: "township",
      number: "W",
      name: "赤金镇网格",
      households: 1,
      population: 1,
    });
    const foreign = await refusal(
      sibling.grids.assign.mutate({
        id: siblingGrid.id,
        version: siblingGrid.version,
        workers: [{ workerId: member.id, leader: false }],
      }),
    );
    expect(foreign.appCode).toBe("NOT_FOUND");
    // A deactivated worker cannot be newly assigned.
    const retired = await town.grids.editWorker.mutate({
      id: guard.id,
      version: guard.version,
      name: guard.name,
      kind: "exclusive",
      active: false,
    });
    expect(retired.active).toBe(false);
    const inactive = await refusal(
      village.grids.assign.mutate({
        id: villageGrid.id,
        version: staffed.version,
        workers: [{ workerId: guard.id, leader: false }],
      }),
    );
    expect(inactive.appCode).toBe("VALIDATION");
  });
});
