import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { toAppError, transportRefusal } from "./errors.ts";
import {
  decimal,
  id,
  instant,
  int32,
  isoDate,
  isoMonth,
  keysetCursor,
  longText,
  secret,
  serialId,
  strict,
  text,
} from "./input.ts";

const ok = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;
/** The bilingual refusal a user would read for `value`. */
const refusal = (schema: z.ZodType, value: unknown) => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error(`expected ${JSON.stringify(value)} to be refused`);
  const app = toAppError(result.error)!;
  return { ...app.messages, fields: app.details?.fields as { path: string; zh: string; en: string }[] };
};

describe("text", () => {
  it("refuses NUL and other control characters, which PostgreSQL cannot store or should not", () => {
    for (const v of ["a\u0000b", "\u0000", "x\u0007", "\u001b[31m", "a\u007f", "a\u0085", "名\u009f"]) {
      expect(ok(text(60), v), JSON.stringify(v)).toBe(false);
      expect(ok(longText(60), v), JSON.stringify(v)).toBe(false);
    }
    expect(refusal(strict({ name: text(60) }), { name: "张\u0000三" }).zh).toBe(
      "输入有误：name 不能包含控制字符或换行",
    );
  });

  it("keeps line breaks and tabs in multi-line text only", () => {
    expect(ok(longText(60), "第一行\n第二行\r\n\t缩进")).toBe(true);
    expect(ok(text(60), "第一行\n第二行")).toBe(false);
    expect(ok(text(60), "a\tb")).toBe(false);
  });

  it("refuses lone surrogates (not text) but keeps emoji and Chinese", () => {
    expect(ok(text(60), "\ud800")).toBe(false);
    expect(ok(text(60), "x\udfffy")).toBe(false);
    expect(ok(text(60), "调解成功😀")).toBe(true);
  });

  it("is trimmed and bounded; an empty text is refused unless allowed", () => {
    expect(text(5).parse("  ab  ")).toBe("ab");
    expect(ok(text(5), "   ")).toBe(false);
    expect(ok(text(5, { min: 0 }), "")).toBe(true);
    expect(ok(text(5), "x".repeat(6))).toBe(false);
    expect(ok(text(5), "x".repeat(1 << 20))).toBe(false);
  });

  it("a secret is not trimmed but refuses control characters too", () => {
    expect(secret(20).parse(" pass word ")).toBe(" pass word ");
    expect(ok(secret(20), "pa\u0000ss")).toBe(false);
  });
});

describe("numbers", () => {
  it("a 32-bit integer refuses what an integer column cannot hold", () => {
    expect(ok(int32(), 2 ** 31 - 1)).toBe(true);
    for (const v of [2 ** 31, 2 ** 53, 2 ** 53 - 1, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "5", null]) {
      expect(ok(int32(), v), String(v)).toBe(false);
    }
    expect(ok(int32({ min: -5, max: 5 }), -5)).toBe(true);
    expect(() => int32({ max: 2 ** 31 })).toThrow(RangeError);
    expect(refusal(strict({ version: int32({ min: 1 }) }), { version: 2 ** 31 }).en).toBe(
      "Invalid input: version must be at most 2147483647",
    );
  });

  it("a bigint id stays inside JavaScript's safe integers; a decimal is finite and bounded", () => {
    expect(ok(serialId(), Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(ok(serialId(), 2 ** 53)).toBe(false);
    expect(ok(serialId(), 0)).toBe(false);
    expect(ok(decimal({ min: 0, max: 1 }), 0.5)).toBe(true);
    expect(ok(decimal({ min: 0, max: 1, exclusive: true }), 1)).toBe(false);
    expect(ok(decimal({ min: 0, max: 1e12 }), Number.NaN)).toBe(false);
    expect(ok(decimal({ min: 0, max: 1e12 }), Number.POSITIVE_INFINITY)).toBe(false);
  });
});

describe("dates", () => {
  it("an instant must lie between 1900-01-01 and 2199-12-31", () => {
    expect(ok(instant(), new Date("1900-01-01T00:00:00Z"))).toBe(true);
    expect(ok(instant(), new Date("2199-12-31T23:59:59Z"))).toBe(true);
    for (const d of [
      new Date(-8.64e15),
      new Date(8.64e15),
      new Date("0000-01-01T00:00:00Z"),
      new Date("1899-12-31T23:59:59Z"),
      new Date("2200-01-01T00:00:00Z"),
      new Date(Number.NaN),
    ]) {
      expect(ok(instant(), d), String(d)).toBe(false);
    }
    expect(refusal(strict({ startsAt: instant() }), { startsAt: new Date(-8.64e15) })).toMatchObject({
      zh: "输入有误：startsAt 日期须在 1900-01-01 至 2199-12-31 之间",
    });
  });

  it("a calendar day is a real day as YYYY-MM-DD inside the same range", () => {
    expect(ok(isoDate(), "2024-02-29")).toBe(true);
    for (const d of [
      "2023-02-29",
      "2024-02-30",
      "0000-01-01",
      "1899-12-31",
      "2200-01-01",
      "2024-1-1",
      "2024-01-01T00:00",
    ]) {
      expect(ok(isoDate(), d), d).toBe(false);
    }
  });

  it("a month is YYYY-MM inside the same range, so the month before and a year back stay dates", () => {
    for (const m of ["1900-01", "2026-12", "2199-12"]) expect(ok(isoMonth(), m), m).toBe(true);
    for (const m of ["0030-01", "1899-12", "2200-01", "2026-13", "2026-00", "2026-1", "2026-01-01"]) {
      expect(ok(isoMonth(), m), m).toBe(false);
    }
    expect(refusal(strict({ month: isoMonth() }), { month: "0030-01" }).en).toContain(
      "a month between 1900-01 and 2199-12",
    );
  });

  it("a page cursor is an instant in range and an id", () => {
    expect(ok(keysetCursor(), "2026-03-02T08:00:00.000Z|0a878763-e060-4a1a-beca-9b7d1b722593")).toBe(true);
    for (const c of [
      "a|b",
      "2026-03-02T08:00:00.000Z|",
      "9999-99-99T00:00:00.000Z|0a878763-e060-4a1a-beca-9b7d1b722593",
    ]) {
      expect(ok(keysetCursor(), c), c).toBe(false);
    }
  });
});

describe("objects and ids", () => {
  it("refuses unknown keys and names them", () => {
    const r = refusal(strict({ id: id(), data: strict({ reason: text(10) }) }), {
      id: "0a878763-e060-4a1a-beca-9b7d1b722593",
      isAdmin: true,
      data: { reason: "x", scope_code: "62" },
    });
    expect(r.fields.map((f) => f.path).sort()).toEqual(["", "data"]);
    expect(r.en).toContain('unknown field(s): "isAdmin"');
    expect(r.zh).toContain('data 包含未知字段："scope_code"');
  });

  it("speaks of the input as a whole when the input itself is wrong, never in zod's words", () => {
    const r = refusal(strict({ id: id() }), 5);
    expect(r).toMatchObject({
      zh: "输入有误：输入缺少或不是对象",
      en: "Invalid input: input missing or not an object",
    });
    expect(refusal(strict({ id: id() }), { id: "zz" }).en).toBe("Invalid input: id must be a valid id (UUID)");
  });
});

describe("requests tRPC itself cannot read", () => {
  it("are VALIDATION with our message, never the decoder's", () => {
    expect(transportRefusal("BAD_REQUEST")).toEqual({
      appCode: "VALIDATION",
      zh: "请求内容无法解析，请检查输入格式",
      en: "The request could not be read; check the input's format",
    });
    expect(transportRefusal("NOT_FOUND").appCode).toBe("NOT_FOUND");
  });
});
