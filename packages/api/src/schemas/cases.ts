import { CHANNELS, RISK_GRADES } from "@zongzhi/domain";
import { z } from "zod";
import { decimal, int32, longText, pattern, strict, text } from "../input.ts";

// Input schemas of intake: the tRPC procedure and the field report's multipart route (apps/api)
// parse with the same rules and bilingual messages.

const optionalText = (max: number) => text(max, { min: 0 }).nullish();

const party = strict({
  role: z.enum(["applicant", "respondent", "third_party"]),
  kind: z.enum(["person", "organisation"]),
  name: text(60),
  idNumber: optionalText(30),
  phone: optionalText(20),
  address: optionalText(200),
  orgCode: optionalText(30),
});

/** A case as intake registers it (cases.register). */
export const caseInput = strict({
  categoryCode: text(40),
  channel: z.enum(CHANNELS),
  title: text(100),
  description: longText(5000),
  locationCode: pattern(/^\d{6,12}$/, "地点应为6–12位区划代码", "a location is a 6–12 digit division code"),
  address: optionalText(200),
  peopleCount: int32({ min: 1, max: 100000 }).default(1),
  amountYuan: decimal({ min: 0, max: 1e12 }).nullish(),
  groupDispute: z.boolean().default(false),
  riskGrade: z.enum(RISK_GRADES).default("none"),
  difficulty: z.enum(["simple", "complex"]).default("simple"),
  parties: z.array(party).min(1).max(50),
});

/** Where the reporter stood: the phone's position (WGS 84 degrees, accuracy in metres). */
export const reportPosition = strict({
  lat: decimal({ min: -90, max: 90 }),
  lng: decimal({ min: -180, max: 180 }),
  accuracy: int32({ min: 0, max: 100000 }).nullish(),
});

/** A field report (现场上报): the case, and the phone's position when the worker gave it. */
export const fieldReportInput = strict({
  report: caseInput,
  position: reportPosition.nullish(),
});
