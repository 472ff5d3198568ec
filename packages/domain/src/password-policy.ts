import type { Message } from "./errors.ts";

/** Minimum password length (MLPS 2.0 level 3 practice). */
export const PASSWORD_MIN_LENGTH = 8;

const CLASSES: [RegExp, Message][] = [
  [/[a-z]/, { zh: "小写字母", en: "a lower-case letter" }],
  [/[A-Z]/, { zh: "大写字母", en: "an upper-case letter" }],
  [/[0-9]/, { zh: "数字", en: "a digit" }],
  [/[^A-Za-z0-9]/, { zh: "特殊字符", en: "a symbol" }],
];

/**
 * Checks a new password: at least 8 characters with all 4 classes (lower, upper, digit,
 * symbol), not containing the login name. Returns the problems, empty when acceptable.
 */
export function passwordProblems(password: string, username?: string): Message[] {
  const problems: Message[] = [];
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    problems.push({ zh: `至少${PASSWORD_MIN_LENGTH}个字符`, en: `at least ${PASSWORD_MIN_LENGTH} characters` });
  }
  if (password.length > 128) problems.push({ zh: "不超过128个字符", en: "at most 128 characters" });
  for (const [pattern, name] of CLASSES) {
    if (!pattern.test(password)) problems.push({ zh: `须包含${name.zh}`, en: `must contain ${name.en}` });
  }
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    problems.push({ zh: "不能包含用户名", en: "must not contain the login name" });
  }
  return problems;
}
