/** Chinese strings of the escalation pages (keys prefixed "escalation."). */
export const escalationZh = {} as const;

/** English strings of the escalation pages: every key of the Chinese dictionary. */
export const escalationEn: Record<keyof typeof escalationZh, string> = {};
