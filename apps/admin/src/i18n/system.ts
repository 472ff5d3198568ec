/** Strings of the system pages of issue 12: online users, dictionaries, notices, the calendar. Chinese first. */
export const systemZh = {
  "system.nav.online": "在线用户",
  "online.title": "在线用户",
  "online.intro": "本单位及下级单位当前登录的用户（30 分钟内有操作）。强制退出后，该用户须重新登录。",
  "online.user": "用户",
  "online.unit": "单位",
  "online.signedInAt": "登录时间",
  "online.lastActive": "最近操作",
  "online.ip": "IP 地址",
  "online.browser": "浏览器",
  "online.current": "本会话",
  "online.signOut": "强制退出",
  "online.confirm": "确定让 {name} 立即退出登录？",
  "online.done": "{name} 已被强制退出",
  "online.count": "共 {n} 个会话",
} as const;

export const systemEn: Record<keyof typeof systemZh, string> = {
  "system.nav.online": "Online users",
  "online.title": "Online users",
  "online.intro":
    "Users of this unit and the units below who are signed in (active in the last 30 minutes). After a forced sign-out they must sign in again.",
  "online.user": "User",
  "online.unit": "Unit",
  "online.signedInAt": "Signed in",
  "online.lastActive": "Last active",
  "online.ip": "IP address",
  "online.browser": "Browser",
  "online.current": "This session",
  "online.signOut": "Sign out",
  "online.confirm": "Sign {name} out now?",
  "online.done": "{name} has been signed out",
  "online.count": "{n} sessions",
};
