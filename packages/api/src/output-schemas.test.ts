import { describe, expect, it } from "vitest";
import { listProcedures } from "./procedures.ts";

/**
 * The procedures whose answer is a contract (other clients, an idempotent retry, the UI's
 * session and its cockpit, the case pages): each declares `.output()`, so that tRPC checks every
 * answer against the schema and the UI's types are the schema's. Removing one fails here.
 */
const CONTRACTS = [
  "appointments.list",
  "appointments.mark",
  "appointments.offers",
  "appointments.receive",
  "appointments.saveOffer",
  "audit.list",
  "audit.search",
  "auth.changePassword",
  "auth.me",
  "auth.reauthenticate",
  "cases.acknowledgeSummons",
  "cases.applyForConfirmation",
  "cases.counts",
  "cases.followUpRate",
  "cases.get",
  "cases.integrity",
  "cases.liaisonInbox",
  "cases.list",
  "cases.myReports",
  "cases.objectToSummons",
  "cases.recordAgreement",
  "cases.recordConfirmationStep",
  "cases.recordFollowUp",
  "cases.recordSession",
  "cases.register",
  "cases.scheduleSession",
  "cases.suggestMediators",
  "cases.summon",
  "cases.summonsFeedback",
  "cases.transition",
  "cases.updatePerformance",
  "channels.createKey",
  "channels.createWebhook",
  "channels.deliveries",
  "channels.keys",
  "channels.replayDelivery",
  "channels.revokeKey",
  "channels.webhooks",
  "cockpit.figures",
  "cockpit.ranking",
  "cockpit.saveSettings",
  "cockpit.settings",
  "cockpit.supervision",
  "escalation.ancestors",
  "escalation.answerSupervision",
  "escalation.assignDown",
  "escalation.deadlineCounts",
  "escalation.effectivePolicy",
  "escalation.escalate",
  "escalation.holdingByTier",
  "escalation.inbox",
  "escalation.markRead",
  "escalation.openSupervision",
  "escalation.path",
  "escalation.policies",
  "escalation.returnCase",
  "escalation.setPolicy",
  "escalation.signFor",
  "escalation.supervisions",
  "escalation.takeCharge",
  "grids.addWorker",
  "grids.assign",
  "grids.create",
  "grids.edit",
  "grids.editWorker",
  "grids.list",
  "grids.workers",
  "notices.acknowledge",
  "notices.list",
  "notices.publish",
  "notices.receipts",
  "patrols.figures",
  "patrols.norm",
  "patrols.record",
  "patrols.setNorm",
];

describe("the output contracts", () => {
  const procedures = listProcedures();

  it("are declared by every procedure whose answer is a contract", () => {
    const declared = procedures.filter((p) => p.output).map((p) => p.path);
    expect(CONTRACTS.filter((path) => !declared.includes(path))).toEqual([]);
  });

  it("name procedures that exist", () => {
    const paths = procedures.map((p) => p.path);
    expect(CONTRACTS.filter((path) => !paths.includes(path))).toEqual([]);
  });
});
