import { ROLES } from "@zongzhi/domain";
import { z } from "zod";
import { pattern, say, strict, text } from "../input.ts";

/** Fields of a user that administrators set (the users page validates with it too). */
export const userInput = strict({
  username: pattern(
    /^[a-z0-9][a-z0-9._-]{2,47}$/,
    "登录名为3–48位小写字母、数字或 . _ -，以字母或数字开头",
    "3–48 lower-case letters, digits or . _ -, starting with a letter or digit",
    { normalise: true },
  ),
  displayName: text(60),
  roles: z.array(z.enum(ROLES)).min(1, say("请至少选择一个角色", "choose at least one role")).max(ROLES.length),
});
