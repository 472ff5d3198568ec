import { type ScopeContext, type Sql, withScope } from "@zongzhi/db/client";
import { AppError, type CaseState, maskNumbersInText } from "@zongzhi/domain";
import type { PublicResult } from "../schemas/public.ts";
import { recordFollowUp } from "./mediation.ts";
import type { FieldCipher } from "./personal-data.ts";

/** The citizen's side of the reporter's loop on the lookup page (一码可查, schemas/public.ts). */
export type { PublicResult };

interface Target {
  id: string;
  tenant_id: string;
  owner_code: string;
  status: CaseState;
  public_channel: boolean;
  outcome: string | null;
  reworks: number;
  answered: boolean;
}

async function target(sql: Sql, cipher: FieldCipher, input: { code: string; phoneLast4: string }) {
  const digest = cipher.blindIndex("lookup", `${input.code}:${input.phoneLast4}`);
  const [row] = await sql<Target[]>`select id, tenant_id, owner_code, status, public_channel, outcome, reworks,
      answered from auth.public_case_feedback(${input.code}, ${digest})`;
  return row ?? null;
}

function resultOf(t: Target): PublicResult | null {
  if (!t.public_channel) return null;
  const resolved = t.outcome !== null && (t.status === "awaiting_follow_up" || t.status === "closed");
  return {
    // Read by whoever holds the code and four digits: numbers a handler wrote into it are masked.
    outcome: resolved ? maskNumbersInText(t.outcome as string) : null,
    reworks: t.reworks,
    canAnswer: t.status === "awaiting_follow_up" && !t.answered,
    answered: t.answered,
  };
}

/** The result part of the lookup page for a case found by code and phone (null: not a public channel's case). */
export async function publicResult(
  sql: Sql,
  cipher: FieldCipher,
  input: { code: string; phoneLast4: string },
): Promise<PublicResult | null> {
  const t = await target(sql, cipher, input);
  return t ? resultOf(t) : null;
}

/**
 * The person's answer to the result (满意 / 基本满意 / 不满意 with a reason): a follow-up of
 * method `online`, recorded at the case's owning unit by the system actor public_lookup. An
 * unsatisfied answer sends the case back for rework (重办, counted) as any unsatisfied
 * follow-up does. One answer per result; `null` when no case matches the code and phone.
 */
export async function answerPublicCase(
  sql: Sql,
  cipher: FieldCipher,
  input: {
    code: string;
    phoneLast4: string;
    satisfaction: "satisfied" | "basically_satisfied" | "unsatisfied";
    comment?: string | undefined;
  },
  requestId: string,
): Promise<{ reopened: boolean } | null> {
  const t = await target(sql, cipher, input);
  if (!t) return null;
  if (!t.public_channel) {
    throw new AppError("PRECONDITION_FAILED", {
      zh: "该案件由上报的网格员现场确认，查询页不能评价",
      en: "This case is confirmed on site by the grid worker who reported it, not on the lookup page",
    });
  }
  if (t.answered) {
    throw new AppError("CONFLICT", {
      zh: "您已评价过本次处理结果",
      en: "You have already answered this result",
    });
  }
  if (t.status !== "awaiting_follow_up") {
    throw new AppError("PRECONDITION_FAILED", {
      zh: "案件尚未办结，暂不能评价",
      en: "The case has no result to answer yet",
    });
  }
  if (input.satisfaction === "unsatisfied" && !input.comment) {
    throw new AppError("VALIDATION", { zh: "不满意时请填写理由", en: "Give a reason when not satisfied" });
  }
  const scope: ScopeContext = {
    userId: null,
    tenantId: t.tenant_id,
    scope: t.owner_code,
    roles: [],
    system: "public_lookup",
    requestId,
  };
  return withScope(sql, scope, (tx) =>
    recordFollowUp(tx, {
      caseId: t.id,
      method: "online",
      satisfaction: input.satisfaction,
      notes: input.comment ?? null,
    }),
  );
}
