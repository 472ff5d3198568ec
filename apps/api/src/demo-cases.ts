import type { FieldCipher } from "@zongzhi/api";
import { registerCase, transitionCase } from "@zongzhi/api/services/cases";
import {
  applyForConfirmation,
  recordAgreement,
  recordConfirmationStep,
  recordFollowUp,
} from "@zongzhi/api/services/mediation";
import { summonDepartments } from "@zongzhi/api/services/summons";
import { type Sql, type Tx, withScope } from "@zongzhi/db/client";
import { type CaseAction, idCardCheckDigit } from "@zongzhi/domain";

type Step = [CaseAction, Record<string, unknown>?];

const ID = (seventeen: string) => seventeen + idCardCheckDigit(seventeen);

/** Paths that leave a case in each state of the workflow. */
const PATHS: Record<string, Step[]> = {
  registered: [],
  returned: [["return", { reason: "缺少当事人联系方式，请补正" }]],
  accepted: [["accept"]],
  triaged: [["accept"], ["triage", { route: { kind: "joint_consultation", note: "多部门会商研判" } }]],
  in_mediation: [["accept"], ["triage", { route: { kind: "room" } }], ["start_mediation"]],
  on_hold: [
    ["accept"],
    ["triage", { route: { kind: "room" } }],
    ["hold", { reason: "当事人外出务工，待返乡", holdUntil: "" }],
  ],
  resolved: [["accept"], ["triage", { route: { kind: "room" } }], ["resolve", { outcome: "双方和解，当场履行" }]],
  not_resolved: [
    ["accept"],
    ["triage", { route: { kind: "room" } }],
    ["start_mediation"],
    ["fail", { reason: "被申请人拒绝调解" }],
  ],
  referred: [
    ["accept"],
    ["triage", { route: { kind: "litigation_docking" } }],
    ["refer", { referral: { kind: "litigation", receivingBody: "玉门市人民法院" } }],
  ],
  awaiting_follow_up: [
    ["accept"],
    ["triage", { route: { kind: "room" } }],
    ["resolve", { outcome: "已化解" }],
    ["await_follow_up"],
  ],
  reopened: [
    ["accept"],
    ["triage", { route: { kind: "room" } }],
    ["resolve", { outcome: "已化解" }],
    ["await_follow_up"],
  ],
  closed: [
    ["accept"],
    ["triage", { route: { kind: "room" } }],
    ["resolve", { outcome: "已化解" }],
    ["await_follow_up"],
  ],
  archived: [["accept"], ["triage", { route: { kind: "room" } }], ["start_mediation"]],
  cancelled: [["cancel", { reason: "申请人撤回申请" }]],
  duplicate: [],
};

const STORIES: {
  unit: string;
  state: string;
  category: string;
  channel: string;
  title: string;
  description: string;
  people?: number;
  amount?: number;
  group?: boolean;
  risk?: string;
}[] = [
  {
    unit: "620981",
    state: "archived",
    category: "labour",
    channel: "visit",
    title: "17名农民工被拖欠工资32万元",
    description:
      "李某等17名农民工在诉调对接中心窗口反映包工头拖欠工资近32万元；劳动监察、首席调解员、法律援助律师联动，两天达成协议并当场司法确认。",
    people: 17,
    amount: 320000,
    group: true,
    risk: "red",
  },
  {
    unit: "620981101",
    state: "closed",
    category: "land",
    channel: "visit",
    title: "邻里宅基地边界纠纷",
    description: "两户村民因宅基地边界发生争执，在周广龙调解室调解成功。",
  },
  {
    unit: "620981101001",
    state: "in_mediation",
    category: "neighbour",
    channel: "grid_patrol",
    title: "楼道堆放杂物引发邻里矛盾",
    description: "网格员巡查发现两户居民因楼道堆物争吵。",
  },
  {
    unit: "620981101001",
    state: "registered",
    category: "marriage_family",
    channel: "grid_patrol",
    title: "赡养老人费用分担纠纷",
    description: "三兄弟就父母赡养费分担产生矛盾。",
  },
  {
    unit: "620981101",
    state: "awaiting_follow_up",
    category: "property",
    channel: "hotline_12345",
    title: "物业垃圾清运费上涨投诉",
    description: "市民拨打12345反映卫生费由每年36元上涨到200元，网格员上门解释。",
  },
  {
    unit: "620981",
    state: "referred",
    category: "traffic",
    channel: "department_transfer",
    title: "交通事故赔偿纠纷",
    description: "交警部门转办的交通事故赔偿争议，调解不成转诉讼。",
  },
  {
    unit: "620981101",
    state: "triaged",
    category: "labour",
    channel: "township_report",
    title: "20名工人被拖欠工资97万元",
    description: "某建筑公司拖欠20名工人工资约97万元，启动欠薪专项联动。",
    people: 20,
    amount: 970000,
    group: true,
    risk: "red",
  },
  {
    unit: "620981",
    state: "accepted",
    category: "medical",
    channel: "online",
    title: "医疗费用争议",
    description: "患者家属对治疗费用有异议，网上预约调解。",
  },
  {
    unit: "620981101",
    state: "returned",
    category: "contract",
    channel: "visit",
    title: "借款合同纠纷",
    description: "民间借贷纠纷，材料不全。",
  },
  {
    unit: "620981101001",
    state: "on_hold",
    category: "land",
    channel: "grid_patrol",
    title: "承包地流转费用纠纷",
    description: "承包户与合作社就流转费用产生争议。",
  },
  {
    unit: "620981",
    state: "resolved",
    category: "consumer",
    channel: "phone",
    title: "预付卡退费纠纷",
    description: "健身房关门后会员要求退费。",
  },
  {
    unit: "620981101",
    state: "not_resolved",
    category: "demolition",
    channel: "visit",
    title: "征地补偿标准争议",
    description: "被征地农户对补偿标准有异议。",
    risk: "yellow",
  },
  {
    unit: "620981101",
    state: "reopened",
    category: "neighbour",
    channel: "visit",
    title: "噪音扰民纠纷",
    description: "回访时当事人表示问题反复，重办。",
  },
  {
    unit: "620981",
    state: "cancelled",
    category: "contract",
    channel: "visit",
    title: "买卖合同纠纷（已撤回）",
    description: "申请人自行和解后撤回。",
  },
  {
    unit: "620981",
    state: "duplicate",
    category: "labour",
    channel: "hotline_12345",
    title: "欠薪投诉（重复来电）",
    description: "同一欠薪事项的重复来电。",
  },
];

/**
 * Demo cases in every state of the workflow across Yumen's tiers (county, 玉门镇, a village),
 * taken from the seeds' own stories, driven through the real services so that codes,
 * encryption and the hash-chained timelines are exactly what production would produce.
 */
export async function loadDemoCases(
  adminSql: Sql,
  cipher: FieldCipher,
  clerkIds: Map<string, string>,
): Promise<number> {
  let firstWageCase: string | null = null;
  let n = 0;
  for (const [i, s] of STORIES.entries()) {
    const ctx = {
      userId: clerkIds.get(s.unit) ?? null,
      tenantId: null,
      scope: s.unit,
      roles: ["tenant_admin", "intake_clerk", "mediator", "leader"],
    };
    await withScope(adminSql, ctx, async (tx: Tx) => {
      const [t] = await tx.sql<{ id: string }[]>`select id from app.tenants where code = ${s.unit}`;
      const scoped: Tx = { ...tx, ctx: { ...tx.ctx, tenantId: t!.id } };
      const { id } = await registerCase(
        scoped,
        {
          categoryCode: s.category,
          channel: s.channel as never,
          title: s.title,
          description: s.description,
          locationCode: s.unit.length >= 9 ? s.unit : "620981101",
          address: "玉门市玉门镇",
          peopleCount: s.people ?? 2,
          amountYuan: s.amount ?? null,
          groupDispute: s.group ?? false,
          riskGrade: (s.risk ?? (s.group ? "red" : "blue")) as never,
          difficulty: s.group ? "complex" : "simple",
          parties: [
            {
              role: "applicant",
              kind: "person",
              name: ["李建军", "张秀英", "王海涛", "刘桂兰"][i % 4]!,
              idNumber: ID(`62098119800101${String(100 + i)}`),
              phone: `1380937${String(1000 + i).padStart(4, "0")}`,
            },
            {
              role: "respondent",
              kind: "person",
              name: ["赵德胜", "孙立强", "周文华"][i % 3]!,
              phone: `1390937${String(2000 + i).padStart(4, "0")}`,
            },
          ],
        },
        cipher,
      );
      if (s.category === "labour" && !firstWageCase) firstWageCase = id;
      let version = 1;
      const steps = [...(PATHS[s.state] ?? [])];
      for (const [action, data] of steps) {
        const payload = { ...(data ?? {}) } as Record<string, unknown>;
        if (action === "hold")
          payload.holdUntil = new Date(Date.now() + 8 * 3600e3 + 14 * 86400e3).toISOString().slice(0, 10);
        if (action === "start_mediation" && s.group) {
          const stationings = await scoped.sql<
            { id: string }[]
          >`select id from app.stationings where scope_code = ${s.unit} limit 2`;
          if (stationings.length)
            await summonDepartments(scoped, { caseId: id, stationingIds: stationings.map((x) => x.id), dueHours: 24 });
        }
        version = (await transitionCase(scoped, { id, version, action, data: payload })).version;
      }
      if (s.state === "archived" && s.group) {
        // The Yumen story: agreement within two days, judicial confirmation on the spot.
        const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
        const agreement = await recordAgreement(scoped, {
          caseId: id,
          signedOn: today,
          facts: "包工头拖欠17名农民工工资近32万元",
          disputedMatters: "欠薪金额及支付方式",
          terms: "包工头当场按比例支付部分工资，余款30日内付清",
          performanceManner: "现金及银行转账",
          performancePlace: "玉门市社会治理综合服务中心",
          performanceDeadline: today,
          mediatorNames: ["王振华"],
        });
        const conf = await applyForConfirmation(scoped, {
          agreementId: agreement.id,
          courtName: "玉门市人民法院",
          appliedOn: today,
          matters: [],
        });
        await recordConfirmationStep(scoped, { id: conf.id, version: 1, step: "accepted", on: today });
        await recordConfirmationStep(scoped, { id: conf.id, version: 2, step: "confirmed", on: today });
        const [c] = await scoped.sql<{ version: number }[]>`select version from app.cases where id = ${id}`;
        version = (await transitionCase(scoped, { id, version: c!.version, action: "await_follow_up", data: {} }))
          .version;
      }
      if (["closed", "archived"].includes(s.state)) {
        await recordFollowUp(scoped, {
          caseId: id,
          method: "phone",
          satisfaction: "satisfied",
          notes: "当事人表示满意",
        });
        version = (await transitionCase(scoped, { id, version, action: "close", data: {} })).version;
        if (s.state === "archived") await transitionCase(scoped, { id, version, action: "archive", data: {} });
      }
      if (s.state === "reopened") {
        await recordFollowUp(scoped, {
          caseId: id,
          method: "visit",
          satisfaction: "unsatisfied",
          notes: "问题反复出现",
        });
      }
      if (s.state === "duplicate" && firstWageCase) {
        await transitionCase(scoped, { id, version, action: "mark_duplicate", data: { duplicateOf: firstWageCase } });
      }
    });
    n++;
  }
  await summonLabourInspection(adminSql);
  return n;
}

/**
 * 欠薪专项联动: the county summons its stationed human-resources bureau (labour inspection) to
 * the township's 20-worker wage case, so that the demo liaison (yumen.liaison) has a summons
 * waiting in its inbox.
 */
async function summonLabourInspection(adminSql: Sql): Promise<void> {
  const [county] = await adminSql<{ id: string }[]>`select id from app.tenants where code = '620981'`;
  const [liaison] = await adminSql<{ id: string }[]>`select id from app.users where username = 'yumen.liaison'`;
  const ctx = { userId: null, tenantId: county!.id, scope: "620981", roles: ["tenant_admin", "intake_clerk"] };
  await withScope(adminSql, ctx, async (tx) => {
    const [stationing] = await tx.sql<{ id: string }[]>`select id from app.stationings
      where scope_code = '620981' and kind_code = 'human_resources'`;
    const [wageCase] = await tx.sql<
      { id: string }[]
    >`select id from app.cases where title = '20名工人被拖欠工资97万元'`;
    if (!stationing || !wageCase || !liaison) return;
    await tx.sql`insert into app.stationing_liaisons (stationing_id, user_id) values (${stationing.id}, ${liaison.id})`;
    await summonDepartments(tx, {
      caseId: wageCase.id,
      stationingIds: [stationing.id],
      dueHours: 24,
      instructions: "欠薪专项联动：请劳动监察大队到场核实工资发放情况",
    });
  });
}
