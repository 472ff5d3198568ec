import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  maskAddress,
  maskIdCardNumber,
  maskMobileNumber,
  maskNumbersInText,
  maskPersonName,
  PROVINCE_CODES,
  validateCreditCode,
  validateIdCardNumber,
  validateMobileNumber,
} from "./validators.ts";

const NOW = new Date("2026-06-01T04:00:00Z");

/** MOD 11-2 written independently of the module: weight i is 2^(17-i) mod 11; the sum with the check ≡ 1 (mod 11). */
function withIdCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const check = (12 - (sum % 11)) % 11;
  return first17 + (check === 10 ? "X" : String(check));
}

const USCC_SET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** GB 32100 check written independently: weight i is 3^i mod 31; the check makes the sum ≡ 0 (mod 31). */
function withUsccCheck(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_SET.indexOf(first17[i] as string) * (3 ** i % 31);
  return first17 + USCC_SET[(31 - (sum % 31)) % 31];
}

describe("resident ID card numbers (GB 11643-1999)", () => {
  it.each([
    ["11010519491231002X", "11010519491231002X", "1949-12-31", "female"],
    ["440524188001010014", "440524188001010014", "1880-01-01", "male"],
    [withIdCheck("62098119900307123"), withIdCheck("62098119900307123"), "1990-03-07", "male"],
    [withIdCheck("11010520000229004"), withIdCheck("11010520000229004"), "2000-02-29", "female"],
    ["11010519491231002x", "11010519491231002X", "1949-12-31", "female"],
    [" 110105 19491231 002X ", "11010519491231002X", "1949-12-31", "female"],
    ["１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X", "1949-12-31", "female"],
  ])("accepts %s", (input, normalized, birthDate, sex) => {
    expect(validateIdCardNumber(input, NOW)).toEqual({ ok: true, normalized, birthDate, sex });
  });

  it.each([
    ["", "18 characters"],
    ["110105491231002", "18 characters"],
    ["1101051949123100", "18 characters"],
    ["11010519491231002Y", "18 characters"],
    ["X10105194912310021", "18 characters"],
    [withIdCheck("00010519491231002"), "county-level"],
    [withIdCheck("99010519491231002"), "county-level"],
    [withIdCheck("11000019491231002"), "county-level"],
    [withIdCheck("11000519491231002"), "county-level"],
    [withIdCheck("11010019491231002"), "county-level"],
    [withIdCheck("11010519490231002"), "date of birth"],
    [withIdCheck("11010519000229002"), "date of birth"],
    [withIdCheck("11010519491301002"), "date of birth"],
    [withIdCheck("11010517991231002"), "date of birth"],
    [withIdCheck("11010520260602002"), "date of birth"],
    ["110105194912310021", "check digit"],
    ["110105194912310023", "check digit"],
  ])("refuses %j (%s)", (input, reason) => {
    const result = validateIdCardNumber(input, NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason.en).toContain(reason);
      expect(result.reason.zh).toMatch(/身份证/);
    }
  });

  it("accepts a birth date of today in China even while it is still yesterday in UTC", () => {
    const id = withIdCheck("62098120260601001");
    expect(validateIdCardNumber(id, new Date("2026-05-31T17:00:00Z")).ok).toBe(true);
    expect(validateIdCardNumber(id, new Date("2026-05-31T15:00:00Z")).ok).toBe(false);
  });

  const validId = fc
    .record({
      province: fc.constantFrom(...PROVINCE_CODES),
      city: fc.integer({ min: 1, max: 99 }),
      county: fc.integer({ min: 1, max: 99 }),
      born: fc.date({
        min: new Date("1800-01-01T00:00:00Z"),
        max: new Date("2026-05-31T23:59:59Z"),
        noInvalidDate: true,
      }),
      sequence: fc.integer({ min: 0, max: 999 }),
    })
    .map(({ province, city, county, born, sequence }) => {
      const birthDate = born.toISOString().slice(0, 10);
      const pad = (n: number, w: number) => String(n).padStart(w, "0");
      const first17 = province + pad(city, 2) + pad(county, 2) + birthDate.replaceAll("-", "") + pad(sequence, 3);
      return { id: withIdCheck(first17), birthDate, sex: sequence % 2 === 1 ? "male" : "female" };
    });

  it("accepts every well-formed number and reads its birth date and sex", () => {
    fc.assert(
      fc.property(validId, ({ id, birthDate, sex }) => {
        expect(validateIdCardNumber(id, NOW)).toEqual({ ok: true, normalized: id, birthDate, sex });
      }),
    );
  });

  it("refuses a valid number with any one character changed", () => {
    fc.assert(
      fc.property(validId, fc.nat(17), fc.nat(10), ({ id }, position, pick) => {
        const choices = (position === 17 ? "0123456789X" : "0123456789").replace(id[position] as string, "");
        const changed = id.slice(0, position) + choices[pick % choices.length] + id.slice(position + 1);
        expect(validateIdCardNumber(changed, NOW).ok).toBe(false);
      }),
    );
  });
});

describe("mainland mobile numbers", () => {
  it.each([
    ["13800138000", "13800138000"],
    ["+86 138 0013 8000", "13800138000"],
    ["0086-138-0013-8000", "13800138000"],
    ["86 13800138000", "13800138000"],
    ["(+86) 199-1234-5678", "19912345678"],
    ["１３８００１３８０００", "13800138000"],
  ])("accepts %j as %s", (input, normalized) => {
    expect(validateMobileNumber(input)).toEqual({ ok: true, normalized });
  });

  it.each([
    "",
    "12800138000",
    "1380013800",
    "138001380001",
    "0937-1234567",
    "+852 6123 4567",
    "+1 138 0013 8000",
    "1380013800O",
  ])("refuses %j", (input) => {
    const result = validateMobileNumber(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason.zh).toMatch(/手机号码/);
  });
});

describe("unified social credit codes (GB 32100-2015)", () => {
  it.each([
    ["91350100M000100Y43", "91350100M000100Y43"],
    ["91440300708461136T", "91440300708461136T"],
    ["91110000802100433B", "91110000802100433B"],
    ["91350100m000100y43", "91350100M000100Y43"],
    [" 9135 0100 M000 100Y 43", "91350100M000100Y43"],
    [withUsccCheck("52620981MJY000001"), withUsccCheck("52620981MJY000001")],
  ])("accepts %j", (input, normalized) => {
    expect(validateCreditCode(input)).toEqual({ ok: true, normalized });
  });

  it.each([
    ["", "18 digits"],
    ["91350100M000100Y4", "18 digits"],
    ["91350100M000100Y431", "18 digits"],
    ["91350100I000100Y43", "18 digits"],
    ["91350100O000100Y43", "18 digits"],
    ["91350100M000100S43", "18 digits"],
    [withUsccCheck("91A50100M000100Y4"), "division code"],
    ["91350100M000100Y44", "check character"],
    ["91350100M000100Y4X", "check character"],
  ])("refuses %j (%s)", (input, reason) => {
    const result = validateCreditCode(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason.en).toContain(reason);
      expect(result.reason.zh).toMatch(/统一社会信用代码/);
    }
  });

  const char = fc.constantFrom(...USCC_SET);
  const digit = fc.constantFrom(..."0123456789");
  const validCode = fc
    .tuple(
      fc.array(char, { minLength: 2, maxLength: 2 }),
      fc.array(digit, { minLength: 6, maxLength: 6 }),
      fc.array(char, { minLength: 9, maxLength: 9 }),
    )
    .map(([head, region, body]) => withUsccCheck([...head, ...region, ...body].join("")));

  it("accepts every well-formed code and refuses it with any one character changed", () => {
    fc.assert(
      fc.property(validCode, fc.nat(17), fc.nat(30), (code, position, pick) => {
        expect(validateCreditCode(code)).toEqual({ ok: true, normalized: code });
        const choices = USCC_SET.replace(code[position] as string, "");
        const changed = code.slice(0, position) + choices[pick % choices.length] + code.slice(position + 1);
        expect(validateCreditCode(changed).ok).toBe(false);
      }),
    );
  });
});

describe("masking for display", () => {
  it.each([
    ["620102199003071234", "620***********1234"],
    ["11010519491231002X", "110***********002X"],
    ["110105491231002", "110********1002"],
    ["1101054912", "**********"],
    ["", ""],
  ])("ID %j shows as %s", (input, masked) => {
    expect(maskIdCardNumber(input)).toBe(masked);
  });

  it.each([
    ["13800005678", "138****5678"],
    ["+86 138-0000-5678", "138****5678"],
    ["09371234567", "093****4567"],
    ["110", "***"],
  ])("phone %j shows as %s", (input, masked) => {
    expect(maskMobileNumber(input)).toBe(masked);
  });

  it.each([
    ["甘肃省玉门市新市区人民路12号", "甘肃省玉门市****"],
    ["  玉门镇代家滩村三组  ", "玉门镇代家滩****"],
    ["玉门市", "玉****"],
    ["", "****"],
  ])("address %j shows as %s", (input, masked) => {
    expect(maskAddress(input)).toBe(masked);
  });

  it.each([
    ["张三丰", "张**"],
    ["张三", "张*"],
    ["欧阳修", "欧阳*"],
    ["欧阳", "欧*"],
    ["阿依古丽·买买提", "阿*******"],
    ["王", "*"],
    ["", ""],
  ])("name %j shows as %s", (input, masked) => {
    expect(maskPersonName(input)).toBe(masked);
  });

  it.each([
    ["已协调赔偿，联系人电话13800005678，已回访", "已协调赔偿，联系人电话138****5678，已回访"],
    ["身份证620102199003071234核实无误", "身份证620***********1234核实无误"],
    ["号码 +86 138-0000-5678 与 11010519491231002X", "号码 138****5678 与 110***********002X"],
    ["赔偿50000元，案件620981101-2026-000123已办结", "赔偿50000元，案件620981101-2026-000123已办结"],
    ["编号1380000567812不是手机号", "编号1380000567812不是手机号"],
  ])("free text %j shows as %s", (input, masked) => {
    expect(maskNumbersInText(input)).toBe(masked);
  });

  it("free text never keeps a full mobile or ID number written into it", () => {
    const digits = (n: number) => fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: n, maxLength: n });
    const mobile = fc.tuple(fc.constantFrom(..."3456789"), digits(9)).map(([d, rest]) => `1${d}${rest}`);
    const id = digits(17).map(withIdCheck);
    const words = fc.constantFrom("", "电话", "身份证号", "已办结。", " ");
    fc.assert(
      fc.property(fc.array(fc.oneof(mobile, id, words), { maxLength: 8 }), (parts) => {
        // A number stands as one when nothing alphanumeric touches it (two side by side are one longer run).
        const masked = maskNumbersInText(parts.join("，"));
        for (const part of parts) if (/^\d{11,}/.test(part)) expect(masked).not.toContain(part);
      }),
    );
  });

  const anyText = fc.string({ unit: "binary", maxLength: 40 });
  /** Positions of `masked` (by code point) that are not stars. */
  const shown = (masked: string) => Array.from(masked).flatMap((c, i) => (c === "*" ? [] : [i]));

  it("never shows more of an ID than its first 3 and last 4 characters", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const chars = Array.from(text.trim());
        const masked = Array.from(maskIdCardNumber(text));
        expect(masked).toHaveLength(chars.length);
        for (const i of shown(masked.join(""))) {
          expect(i < 3 || i >= chars.length - 4).toBe(true);
          expect(masked[i]).toBe(chars[i]);
        }
        expect(chars.length - shown(masked.join("")).length).toBeGreaterThanOrEqual(Math.min(chars.length, 8));
      }),
    );
  });

  it("never shows more of a phone than 7 of its digits, and always hides the middle 4 of a mobile", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fc.stringMatching(/^1[3-9]\d{9}$/)), (text) => {
        const masked = maskMobileNumber(text);
        expect(shown(masked).length).toBeLessThanOrEqual(7);
        const parsed = validateMobileNumber(text);
        if (parsed.ok) expect(masked).toBe(parsed.normalized.slice(0, 3) + "****" + parsed.normalized.slice(7));
      }),
    );
  });

  it("never shows more of an address than its first 6 characters, nor the whole of a short one", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const chars = Array.from(text.trim());
        const masked = maskAddress(text);
        expect(masked.endsWith("****")).toBe(true);
        const kept = Array.from(masked.slice(0, -4));
        expect(kept.length).toBeLessThanOrEqual(6);
        if (chars.length > 0) expect(kept.length).toBeLessThan(chars.length);
        expect(kept).toEqual(chars.slice(0, kept.length));
      }),
    );
  });

  it("never shows more of a name than a surname of at most 2 characters", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const chars = Array.from(text.trim());
        const masked = Array.from(maskPersonName(text));
        expect(masked).toHaveLength(chars.length);
        const kept = masked.indexOf("*");
        const head = kept === -1 ? masked.length : kept;
        expect(head).toBeLessThanOrEqual(Math.min(2, Math.max(0, chars.length - 1)));
        expect(masked.slice(head).every((c) => c === "*")).toBe(true);
        expect(masked.slice(0, head)).toEqual(chars.slice(0, head));
      }),
    );
  });
});
