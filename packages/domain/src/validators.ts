import { chinaToday } from "./dates.ts";
import type { Message } from "./errors.ts";

/** Outcome of checking a personal identifier: the canonical form, or a reason in both languages. */
export type Validation<T extends object = object> =
  | ({ ok: true; normalized: string } & T)
  | { ok: false; reason: Message };

/** Sex recorded in the 17th digit of a resident ID card number (odd: male, even: female). */
export type IdCardSex = "male" | "female";

/** A valid resident ID card number (居民身份证号码) with what it encodes. */
export type IdCardValidation = Validation<{ birthDate: string; sex: IdCardSex }>;

const fail = (zh: string, en: string): { ok: false; reason: Message } => ({ ok: false, reason: { zh, en } });

/** Canonical text of a typed identifier: full-width forms folded (NFKC), separators dropped, upper case. */
function compact(input: string): string {
  return input
    .normalize("NFKC")
    .replace(/[\s\-–—_.()]/g, "")
    .toUpperCase();
}

/** Province-level codes of GB/T 2260 (the first two digits of every division code). */
export const PROVINCE_CODES: ReadonlySet<string> = new Set([
  ...["11", "12", "13", "14", "15"],
  ...["21", "22", "23"],
  ...["31", "32", "33", "34", "35", "36", "37"],
  ...["41", "42", "43", "44", "45", "46"],
  ...["50", "51", "52", "53", "54"],
  ...["61", "62", "63", "64", "65"],
  ...["71", "81", "82"],
]);

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = "10X98765432";

/** The MOD 11-2 check character (ISO 7064) of the first 17 digits of a resident ID card number. */
export function idCardCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError("idCardCheckDigit expects 17 digits");
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK[sum % 11] as string;
}

/** True when year, month (1–12) and day name a real day of the Gregorian calendar. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * Checks a resident ID card number (居民身份证号码, GB 11643-1999): 18 characters, a county-like
 * region prefix, a real date of birth not in the future, and the MOD 11-2 check character.
 * `now` only bounds the date of birth; pass it for reproducible results.
 */
export function validateIdCardNumber(input: string, now: Date = new Date()): IdCardValidation {
  const id = compact(input);
  if (!/^\d{17}[\dX]$/.test(id)) {
    return fail(
      "身份证号码应为18位，前17位为数字，末位为数字或X",
      "must be 18 characters: 17 digits then a digit or X",
    );
  }
  const province = id.slice(0, 2);
  if (!PROVINCE_CODES.has(province) || id.slice(2, 4) === "00" || id.slice(4, 6) === "00") {
    return fail(
      "身份证号码的前6位不是有效的县级行政区划代码",
      "the first 6 digits are not a county-level division code",
    );
  }
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const birthDate = id.slice(6, 10) + "-" + id.slice(10, 12) + "-" + id.slice(12, 14);
  if (year < 1800 || !isCalendarDate(year, month, day) || birthDate > chinaToday(now)) {
    return fail("身份证号码中的出生日期无效", "the date of birth is not a valid date");
  }
  if (idCardCheckDigit(id.slice(0, 17)) !== id[17]) {
    return fail("身份证号码校验码不正确，请核对", "the check digit does not match; please re-check the number");
  }
  return { ok: true, normalized: id, birthDate, sex: Number(id[16]) % 2 === 1 ? "male" : "female" };
}

/** Checks a mainland mobile number (手机号码): 11 digits starting 1[3-9]; drops +86/0086, spaces and dashes. */
export function validateMobileNumber(input: string): Validation {
  let digits = compact(input);
  if (digits.startsWith("+86")) digits = digits.slice(3);
  else if (digits.startsWith("0086")) digits = digits.slice(4);
  else if (digits.length === 13 && digits.startsWith("86")) digits = digits.slice(2);
  if (!/^1[3-9]\d{9}$/.test(digits)) {
    return fail("手机号码应为以13–19开头的11位数字", "must be an 11-digit mainland mobile number starting 13–19");
  }
  return { ok: true, normalized: digits };
}

/** The 31 characters of a unified social credit code (no I, O, S, V, Z), in value order. */
const USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/** The check character of the first 17 characters of a unified social credit code (GB 32100-2015). */
export function creditCodeCheckChar(first17: string): string {
  if (first17.length !== 17) throw new RangeError("creditCodeCheckChar expects 17 characters");
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_CHARSET.indexOf(first17[i] as string);
    if (value < 0) throw new RangeError("creditCodeCheckChar: character outside the GB 32100 set");
    sum += value * (USCC_WEIGHTS[i] ?? 0);
  }
  return USCC_CHARSET[(31 - (sum % 31)) % 31] as string;
}

/**
 * Checks a unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters of the
 * standard's set, a 6-digit division code in positions 3–8, and the mod-31 check character.
 */
export function validateCreditCode(input: string): Validation {
  const code = compact(input);
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) {
    return fail(
      "统一社会信用代码应为18位数字或大写字母（不含I、O、S、V、Z）",
      "must be 18 digits or capital letters (without I, O, S, V, Z)",
    );
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) {
    return fail("统一社会信用代码第3–8位应为行政区划代码", "positions 3–8 must be a division code");
  }
  if (creditCodeCheckChar(code.slice(0, 17)) !== code[17]) {
    return fail("统一社会信用代码校验码不正确，请核对", "the check character does not match; please re-check the code");
  }
  return { ok: true, normalized: code };
}

/** Keeps the first `head` and last `tail` characters and stars the rest; all stars when too short to hide `minHidden`. */
function maskMiddle(chars: string[], head: number, tail: number, minHidden: number): string {
  const hidden = chars.length - head - tail;
  if (hidden < minHidden) return "*".repeat(chars.length);
  return chars.slice(0, head).join("") + "*".repeat(hidden) + chars.slice(chars.length - tail).join("");
}

/** ID card number for display: first 3 and last 4 characters (`620***********1234`). */
export function maskIdCardNumber(id: string): string {
  // Why: the value is masked as given (no normalising) so at most its own first 3 and last 4
  // characters leave the server; a value too short to hide 8 characters is starred entirely.
  return maskMiddle(Array.from(id.trim()), 3, 4, 8);
}

/** Mobile number for display: first 3 and last 4 digits (`138****5678`). */
export function maskMobileNumber(phone: string): string {
  const parsed = validateMobileNumber(phone);
  return maskMiddle(Array.from(parsed.ok ? parsed.normalized : phone.trim()), 3, 4, 4);
}

/** Address for display: its first 6 characters then `****` (fewer when the address itself is short). */
export function maskAddress(address: string): string {
  const chars = Array.from(address.trim());
  const keep = chars.length > 6 ? 6 : Math.floor(chars.length / 2);
  return chars.slice(0, keep).join("") + "****";
}

/** Two-character surnames (复姓) kept whole when masking a name. */
const COMPOUND_SURNAMES = new Set([
  "欧阳",
  "司马",
  "上官",
  "诸葛",
  "东方",
  "皇甫",
  "尉迟",
  "公孙",
  "慕容",
  "长孙",
  "宇文",
  "司徒",
  "夏侯",
  "轩辕",
  "令狐",
  "端木",
  "南宫",
  "西门",
  "独孤",
  "呼延",
  "澹台",
  "公冶",
  "太史",
  "申屠",
  "钟离",
  "闾丘",
  "万俟",
  "司空",
  "单于",
]);

/** Person's name for display: the surname, one star per other character (`张**`, `欧阳*`). */
export function maskPersonName(name: string): string {
  const chars = Array.from(name.trim());
  if (chars.length <= 1) return "*".repeat(chars.length);
  const keep = chars.length >= 3 && COMPOUND_SURNAMES.has(chars.slice(0, 2).join("")) ? 2 : 1;
  return chars.slice(0, keep).join("") + "*".repeat(chars.length - keep);
}

/**
 * Free text for a reader outside the unit (the lookup page's result): every ID-card number and
 * mobile number written into it is masked as those fields are (`620***********1234`,
 * `138****5678`); other text is left as written.
 */
export function maskNumbersInText(text: string): string {
  return text
    .replace(/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g, maskIdCardNumber)
    .replace(/(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)/g, maskMobileNumber);
}
