import { isDivisionCode, ROLES } from "@zongzhi/domain";
import { z } from "zod";

/** A division code of any tier (2, 4, 6, 9 or 12 digits). */
export const divisionCode = z.string().refine((v) => isDivisionCode(v), {
  params: { zh: "区划代码应为2、4、6、9或12位数字", en: "a division code has 2, 4, 6, 9 or 12 digits" },
});

/** Fields of a user that administrators set. */
export const userInput = z.object({
  username: z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => /^[a-z0-9][a-z0-9._-]{2,47}$/.test(v), {
      params: {
        zh: "登录名为3–48位小写字母、数字或 . _ -，以字母或数字开头",
        en: "3–48 lower-case letters, digits or . _ -, starting with a letter or digit",
      },
    }),
  displayName: z.string().trim().min(1).max(60),
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
});
