/** Chinese strings of the centre pages (keys prefixed "centre."). */
export const centreZh = {} as const;

/** English strings of the centre pages: every key of the Chinese dictionary. */
export const centreEn: Record<keyof typeof centreZh, string> = {};
