/** Chinese strings of the cases pages (keys prefixed "cases."). */
export const casesZh = {} as const;

/** English strings of the cases pages: every key of the Chinese dictionary. */
export const casesEn: Record<keyof typeof casesZh, string> = {};
