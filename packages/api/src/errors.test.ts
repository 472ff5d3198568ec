import { AppError } from "@zongzhi/domain";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { CONSTRAINT_MESSAGES } from "./constraint-messages.ts";
import { dataExceptionOf, fromPostgresError, toAppError } from "./errors.ts";

const pg = (code: string, extra: Record<string, unknown> = {}) => ({ name: "PostgresError", code, ...extra });

describe("fromPostgresError (what a database error means to a user)", () => {
  it("answers a known constraint with its own message", () => {
    const [name, known] = Object.entries(CONSTRAINT_MESSAGES).find(([, m]) => m.code === "CONFLICT")!;
    const e = fromPostgresError(pg("23505", { constraint_name: name }))!;
    expect(e).toBeInstanceOf(AppError);
    expect({ code: e.code, ...e.messages }).toEqual({ code: known.code, zh: known.zh, en: known.en });
  });

  it("answers a missing and a foreign row alike (NOT_FOUND), and a serialization failure with CONFLICT", () => {
    expect(fromPostgresError(pg("23503"))?.code).toBe("NOT_FOUND");
    expect(fromPostgresError(pg("42501"))?.code).toBe("NOT_FOUND");
    expect(fromPostgresError(pg("40001"))?.code).toBe("CONFLICT");
    expect(fromPostgresError(pg("23505", { constraint_name: "no_such_constraint" }))?.code).toBe("CONFLICT");
  });

  it("answers a database that is not there with UNAVAILABLE and a retry delay", () => {
    for (const code of ["ECONNREFUSED", "CONNECTION_CLOSED", "08006", "57P01"]) {
      const e = fromPostgresError(pg(code))!;
      expect(e.code).toBe("UNAVAILABLE");
      expect(e.details).toMatchObject({ retryAfterSeconds: 2 });
    }
  });

  it("turns a data exception into VALIDATION and logs it without the offending value", () => {
    const raw = pg("22P02", { message: 'invalid input syntax for type uuid: "secret-value"' });
    const e = fromPostgresError(raw)!;
    expect(e.code).toBe("VALIDATION");
    expect(dataExceptionOf(e)).toEqual({ sqlstate: "22P02", reason: 'invalid input syntax for type uuid: "…"' });
  });

  it("reads the driver's error behind Drizzle's wrapper as if the query had been raw SQL", () => {
    const [name, known] = Object.entries(CONSTRAINT_MESSAGES).find(([, m]) => m.code === "CONFLICT")!;
    const wrapped = (cause: unknown) => new DrizzleQueryError("insert into app.x values ($1)", ["v"], cause as Error);
    expect(toAppError(wrapped(pg("23505", { constraint_name: name }))))?.toMatchObject({
      code: known.code,
      messages: { zh: known.zh },
    });
    expect(fromPostgresError(wrapped(pg("23503")))?.code).toBe("NOT_FOUND");
    expect(fromPostgresError(wrapped(pg("08006")))?.code).toBe("UNAVAILABLE");
    const data = toAppError(wrapped(pg("22P02", { message: 'invalid input syntax for type uuid: "x"' })))!;
    expect(data.code).toBe("VALIDATION");
    expect(dataExceptionOf(data)?.sqlstate).toBe("22P02");
  });

  it("leaves what is not a user's fault to the 500 path", () => {
    expect(fromPostgresError(pg("XX000"))).toBeNull();
    expect(toAppError(new Error("boom"))).toBeNull();
  });
});
