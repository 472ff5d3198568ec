import { AppError, type Message } from "@zongzhi/domain";
import { type MatchExtended, ZxcvbnFactory, type ZxcvbnResult } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";

/**
 * Lowest accepted zxcvbn score (0–4). 3 means about 10^8 guesses or more: "safely unguessable:
 * moderate protection from offline slow-hash scenario" in zxcvbn's terms; common passwords and
 * their l33t variants (P@ssw0rd, Passw0rd!, Admin@123) score 0–2.
 */
export const MIN_PASSWORD_SCORE = 3;

let factory: ZxcvbnFactory | undefined;

/** The estimator with its common-password list, English words and names, and keyboard layouts (built once, on first use). */
function estimator(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return factory;
}

/** What made a password easy to guess, in both languages (one line per kind of weakness found). */
function weaknessOf(match: MatchExtended): Message | null {
  switch (match.pattern) {
    case "dictionary":
      if (String(match.dictionaryName).startsWith("passwords")) {
        return {
          zh: "是常见密码或其变体（如 P@ssw0rd）",
          en: "it is a common password or a variant of one (like P@ssw0rd)",
        };
      }
      if (match.dictionaryName === "userInputs") {
        return { zh: "包含登录名或姓名", en: "it contains your login name or name" };
      }
      return { zh: "主要由常见单词或人名组成", en: "it is mostly a common word or name" };
    case "spatial":
      return { zh: "包含键盘上相邻的按键（如 qwerty、1qaz）", en: "it contains a keyboard run (like qwerty)" };
    case "repeat":
      return { zh: "包含重复的字符（如 aaa、abcabc）", en: "it repeats characters (like aaa)" };
    case "sequence":
      return { zh: "包含连续的字符（如 abc、123）", en: "it contains a sequence (like abc or 123)" };
    case "regex":
    case "date":
      return { zh: "包含年份或日期", en: "it contains a year or a date" };
    default:
      return null;
  }
}

/**
 * The estimate for a password; `context` are words it must not lean on (login name, name). Each is
 * also split at dots, dashes, underscores, spaces and digits (`yumen.clerk` → `yumen`, `clerk`),
 * so that "Yumen#Clerk2027" counts as built from the login name.
 */
export function estimatePassword(password: string, context: string[] = []): ZxcvbnResult {
  const words = new Set<string>();
  for (const item of context) {
    if (!item) continue;
    words.add(item.toLowerCase());
    for (const part of item.toLowerCase().split(/[\s._\-@0-9]+/)) if ([...part].length >= 3) words.add(part);
  }
  return estimator().check(password, [...words]);
}

/**
 * Throws PASSWORD_POLICY when a password is easy to guess (zxcvbn score below
 * {@link MIN_PASSWORD_SCORE}): common passwords and their variants, words and names, keyboard
 * runs, repeats, sequences, years. The message says why and how to do better, in both languages.
 */
export async function assertPasswordStrength(password: string, context: string[] = []): Promise<void> {
  const result = estimatePassword(password, context);
  if (result.score >= MIN_PASSWORD_SCORE) return;
  const reasons: Message[] = [];
  for (const match of result.sequence) {
    const reason = weaknessOf(match);
    if (reason && !reasons.some((r) => r.zh === reason.zh)) reasons.push(reason);
  }
  const why = reasons.length > 0 ? reasons : [{ zh: "太短或太有规律", en: "it is short or follows a pattern" }];
  throw new AppError(
    "PASSWORD_POLICY",
    {
      zh: `密码太容易被猜到：${why.map((r) => r.zh).join("；")}。请换一个更长、没有规律的密码，例如几个互不相关的词加数字和符号`,
      en: `This password is easy to guess: ${why.map((r) => r.en).join("; ")}. Choose a longer one without a pattern, e.g. a few unrelated words with digits and symbols`,
    },
    {
      problems: why,
      score: result.score,
      hint: {
        zh: "可以用几个互不相关的词组成一句话，再加入数字和符号",
        en: result.feedback.suggestions[0] ?? "Use a few unrelated words with digits and symbols",
      },
    },
  );
}
