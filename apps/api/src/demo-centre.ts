import type postgres from "postgres";

type Tx = postgres.TransactionSql;

/** Yumen's centre as the seed describes it: 13 departments, 20 windows, 8 committees, 3 studios. */
const YUMEN_DEPARTMENTS: [
  kind: string,
  name: string,
  residency: "permanent" | "rotating" | "on_call",
  extra?: string,
][] = [
  ["political_legal", "玉门市委政法委", "permanent"],
  ["court", "玉门市人民法院（诉调对接中心）", "permanent"],
  ["petition", "玉门市信访局", "permanent"],
  ["justice", "玉门市司法局（公共法律服务中心）", "permanent"],
  ["human_resources", "玉门市人社局（劳动仲裁·劳动监察）", "permanent"],
  ["procuratorate", "玉门市人民检察院", "rotating", "2"],
  ["public_security", "玉门市公安局", "rotating", "1,3,5"],
  ["natural_resources", "玉门市自然资源局（土地仲裁）", "rotating", "4"],
  ["housing", "玉门市住建局", "rotating", "3"],
  ["women_federation", "玉门市妇联", "rotating", "5"],
  ["trade_union", "玉门市总工会", "rotating", "1"],
  ["health", "玉门市卫健委（医患纠纷）", "on_call", "120"],
  ["market_regulation", "玉门市市场监管局", "on_call", "240"],
];

const YUMEN_WINDOWS: [name: string, dept: string | null, temporary?: boolean][] = [
  ["综合受理", "玉门市委政法委"],
  ["综合维权", "玉门市妇联"],
  ["公证", "玉门市司法局（公共法律服务中心）"],
  ["法律援助", "玉门市司法局（公共法律服务中心）"],
  ["法律咨询", "玉门市司法局（公共法律服务中心）"],
  ["司法鉴定", "玉门市司法局（公共法律服务中心）"],
  ["劳动仲裁", "玉门市人社局（劳动仲裁·劳动监察）"],
  ["劳动监察", "玉门市人社局（劳动仲裁·劳动监察）"],
  ["土地仲裁", "玉门市自然资源局（土地仲裁）"],
  ["速裁立案", "玉门市人民法院（诉调对接中心）"],
  ["民事立案", "玉门市人民法院（诉调对接中心）"],
  ["执行立案", "玉门市人民法院（诉调对接中心）"],
  ["信访接待", "玉门市信访局"],
  ["人民调解", "玉门市司法局（公共法律服务中心）"],
  ["诉前调解", "玉门市人民法院（诉调对接中心）"],
  ["政法系统领导轮值接访", "玉门市委政法委"],
  ["工青妇维权", "玉门市总工会"],
  ["社保（临时）", "玉门市人社局（劳动仲裁·劳动监察）", true],
  ["医保（临时）", null, true],
  ["农民工服务（临时）", "玉门市人社局（劳动仲裁·劳动监察）", true],
];

const YUMEN_COMMITTEES: [name: string, field: string][] = [
  ["玉门市联合人民调解委员会", "joint"],
  ["玉门市劳动人事争议调解委员会", "labour"],
  ["玉门市医患纠纷人民调解委员会", "medical"],
  ["玉门市农村土地承包纠纷调解委员会", "rural_land"],
  ["玉门市水事纠纷调解委员会", "water"],
  ["玉门市物业纠纷人民调解委员会", "property"],
  ["玉门市道路交通事故纠纷人民调解委员会", "traffic"],
  ["玉门市婚姻家庭纠纷人民调解委员会", "marriage_family"],
];

const YUMEN_MEDIATORS: [name: string, grade: string, specialties: string[], affiliation: string, org: string][] = [
  ["周广龙", "chief", ["land", "neighbour"], "notable_villager", "农村土地承包纠纷调解委员会"],
  ["马有信", "chief", ["neighbour", "marriage_family"], "committee", "联合人民调解委员会"],
  ["王振华", "chief", ["labour", "contract"], "retired_judge", "原玉门市人民法院"],
  ["李淑芳", "senior", ["marriage_family"], "committee", "婚姻家庭纠纷人民调解委员会"],
  ["张建国", "senior", ["traffic"], "committee", "道路交通事故纠纷人民调解委员会"],
  ["刘卫东", "senior", ["medical"], "committee", "医患纠纷人民调解委员会"],
  ["陈晓梅", "standard", ["property", "consumer"], "committee", "物业纠纷人民调解委员会"],
  ["赵立新", "standard", ["labour"], "lawyer", "甘肃玉泽律师事务所"],
  ["孙志强", "standard", ["land", "demolition"], "department", "玉门市自然资源局"],
  ["何玉兰", "standard", ["petition", "neighbour"], "psychologist", "玉门市心理咨询服务中心"],
];

/** Loads the Yumen centre's and 玉门镇's configuration into the demo (superuser connection). */
export async function loadDemoCentres(tx: Tx): Promise<void> {
  const ym = "620981";
  const ids = new Map<string, string>();
  for (const [kind, name, residency, extra] of YUMEN_DEPARTMENTS) {
    const [row] = await tx<{ id: string }[]>`insert into app.stationings (scope_code, kind_code, name, residency,
        contact_name, contact_phone, response_minutes)
      values (${ym}, ${kind}, ${name}, ${residency}, ${residency === "on_call" ? "值班联络人" : null},
        ${residency === "on_call" ? "0937-3300000" : null}, ${residency === "on_call" ? Number(extra) : null})
      returning id`;
    ids.set(name, row!.id);
    if (residency === "rotating") {
      const weekdays = extra!.split(",").map(Number);
      await tx`insert into app.rotation_slots (stationing_id, weekdays, staff_name) values (${row!.id}, ${weekdays}, ${"轮值干部"})`;
    }
  }
  let n = 1;
  for (const [name, dept, temporary] of YUMEN_WINDOWS) {
    await tx`insert into app.service_windows (scope_code, number, name, stationing_id, temporary)
      values (${ym}, ${n++}, ${name}, ${dept ? ids.get(dept)! : null}, ${temporary ?? false})`;
  }
  const mediators = new Map<string, string>();
  for (const [name, grade, specialties, affiliation, org] of YUMEN_MEDIATORS) {
    const [row] = await tx<
      { id: string }[]
    >`insert into app.mediators (scope_code, name, grade, specialties, affiliation, affiliation_name)
      values (${ym}, ${name}, ${grade}, ${specialties}, ${affiliation}, ${org}) returning id`;
    mediators.set(name, row!.id);
  }
  for (const [name, field] of YUMEN_COMMITTEES) {
    await tx`insert into app.mediation_committees (scope_code, name, field) values (${ym}, ${name}, ${field})`;
  }
  await tx`insert into app.committee_members (committee_id, mediator_id, role)
    select c.id, ${mediators.get("马有信")!}, 'director' from app.mediation_committees c where c.name = '玉门市联合人民调解委员会'`;
  await tx`insert into app.committee_members (committee_id, mediator_id, role)
    select c.id, ${mediators.get("周广龙")!}, 'director' from app.mediation_committees c where c.name = '玉门市农村土地承包纠纷调解委员会'`;
  const rooms: [string, string, string | null, string | null, string][] = [
    ["首席调解员工作室（周广龙）", "land", "周广龙调解室", "周广龙", "resolution"],
    ["首席调解员工作室（马有信）", "neighbour", "马有信特色调解室", "马有信", "resolution"],
    ["首席调解员工作室（王振华）", "labour", "老法官调解室", "王振华", "resolution"],
    ["家事纠纷调解室", "family", null, "李淑芳", "resolution"],
    ["诉前调解室", "litigation", null, null, "resolution"],
    ["引导受理区洽谈室", "general", null, null, "intake"],
    ["指挥调度室", "general", null, null, "command"],
  ];
  for (const [name, kind, studio, chief, area] of rooms) {
    await tx`insert into app.mediation_rooms (scope_code, name, kind, studio_name, chief_mediator_id, area, capacity)
      values (${ym}, ${name}, ${kind}, ${studio}, ${chief ? mediators.get(chief)! : null}, ${area}, 10)`;
  }

  // Online booking (网上预约): visits at the intake window (two seats a half hour) and mediation
  // slots in the family room, 9:00–17:30 with a break 12:00–14:30, two weeks ahead.
  const [intake] = await tx<{ id: string }[]>`select id from app.service_windows
    where scope_code = ${ym} and number = 1`;
  const [family] = await tx<{ id: string }[]>`select id from app.mediation_rooms
    where scope_code = ${ym} and name = '家事纠纷调解室'`;
  await tx`insert into app.booking_offers (county_code, scope_code, kind, window_id, title, slot_minutes, opens_at,
      closes_at, break_from, break_to, capacity, days_ahead, notice_hours)
    values (${ym.slice(0, 6)}, ${ym}, 'visit', ${intake!.id}, '综合受理来访', 30, 540, 1050, 720, 870, 2, 14, 1)`;
  await tx`insert into app.booking_offers (county_code, scope_code, kind, room_id, title, slot_minutes, opens_at,
      closes_at, break_from, break_to, capacity, days_ahead, notice_hours)
    values (${ym.slice(0, 6)}, ${ym}, 'mediation', ${family!.id}, '家事纠纷调解', 60, 540, 1050, 720, 870, 1, 14, 2)`;

  const town = "620981101";
  const [sfs] = await tx<{ id: string }[]>`insert into app.stationings (scope_code, kind_code, name, residency)
    values (${town}, 'judicial_office', '玉门镇司法所', 'permanent') returning id`;
  const [pcs] = await tx<{ id: string }[]>`insert into app.stationings (scope_code, kind_code, name, residency)
    values (${town}, 'police_station', '玉门镇派出所', 'rotating') returning id`;
  await tx`insert into app.rotation_slots (stationing_id, weekdays, staff_name) values (${pcs!.id}, ${[1, 4]}, '社区民警')`;
  await tx`insert into app.stationings (scope_code, kind_code, name, residency, contact_name, contact_phone, response_minutes)
    values (${town}, 'township_enforcement', '玉门镇综合执法队', 'on_call', '执法队长', '0937-3311000', 60)`;
  await tx`insert into app.service_windows (scope_code, number, name, stationing_id)
    values (${town}, 1, '综合受理', null), (${town}, 2, '人民调解', ${sfs!.id}), (${town}, 3, '法律服务', ${sfs!.id})`;
  const [m] = await tx<
    { id: string }[]
  >`insert into app.mediators (scope_code, name, grade, specialties, affiliation, affiliation_name)
    values (${town}, '王桂香', 'senior', ${["neighbour", "marriage_family"]}, 'committee', '玉门镇人民调解委员会') returning id`;
  await tx`insert into app.mediation_rooms (scope_code, name, kind, chief_mediator_id, capacity, area)
    values (${town}, '玉门镇调解室', 'neighbour', ${m!.id}, 8, 'resolution'), (${town}, '玉门镇接待室', 'general', null, 6, 'intake')`;
  await tx`insert into app.mediation_committees (scope_code, name, field) values (${town}, '玉门镇人民调解委员会', 'joint')`;
}
