/**
 * The built-in case categories (ref.case_categories, seeded by migration 0006) with their
 * English names, in the seed's order; a deployment adds its own (`x_…`, app.case_categories).
 * `domain-rules.integration.test.ts` holds the seed to this list.
 */
export const CASE_CATEGORIES = [
  { code: "marriage_family", zh: "婚姻家庭", en: "Marriage & family" },
  { code: "neighbour", zh: "邻里纠纷", en: "Neighbours" },
  { code: "labour", zh: "劳动争议/欠薪", en: "Labour / unpaid wages" },
  { code: "land", zh: "土地/山林", en: "Land / forest" },
  { code: "property", zh: "物业纠纷", en: "Property management" },
  { code: "traffic", zh: "道路交通", en: "Road traffic" },
  { code: "medical", zh: "医疗纠纷", en: "Medical" },
  { code: "demolition", zh: "征地拆迁", en: "Land requisition & demolition" },
  { code: "contract", zh: "合同/债务", en: "Contract / debt" },
  { code: "consumer", zh: "消费纠纷", en: "Consumer" },
  { code: "petition", zh: "信访事项", en: "Petition" },
  { code: "other", zh: "其他", en: "Other" },
] as const;
/** Code of a built-in case category. */
export type CaseCategory = (typeof CASE_CATEGORIES)[number]["code"];
