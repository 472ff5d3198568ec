/** Chinese strings of the second factor (TOTP): sign-in step, /mfa page, users page (keys prefixed "mfa."). */
export const mfaZh = {
  "mfa.header": "两步验证",
  "mfa.title": "两步验证",
  "mfa.intro":
    "登录时除密码外，还须输入手机验证器应用（如腾讯身份验证器、Microsoft Authenticator 等）显示的6位动态验证码。",
  "mfa.forced": "本单位要求工作人员启用两步验证。请先绑定验证器，完成后才能继续使用系统。",
  "mfa.enabledSince": "已启用两步验证。",
  "mfa.notEnabled": "尚未启用两步验证。",
  "mfa.start": "开始绑定验证器",
  "mfa.restart": "重新生成二维码",
  "mfa.step1": "第一步：用验证器扫描二维码",
  "mfa.qrAlt": "两步验证二维码（含密钥，请勿截图外传）",
  "mfa.manual": "无法扫码时，在验证器中手动输入以下密钥（基于时间，30秒，6位）：",
  "mfa.secretLabel": "密钥",
  "mfa.secretWarning": "密钥只显示这一次。请勿拍照、截图或转发给他人。",
  "mfa.expiresAt": "请在 {time} 前完成绑定",
  "mfa.step2": "第二步：输入验证器显示的6位验证码",
  "mfa.code": "6位验证码",
  "mfa.codeHint": "验证码每30秒更新一次",
  "mfa.codeRequired": "请输入6位数字验证码",
  "mfa.confirm": "确认绑定",
  "mfa.enabled": "两步验证已启用，下次登录时需要输入验证码",
  "mfa.toHome": "进入工作台",
  "mfa.disableTitle": "停用两步验证",
  "mfa.disableIntro": "停用后，登录只需密码。请输入当前密码和验证器显示的验证码确认。",
  "mfa.disableRequired": "本单位要求启用两步验证，不能停用。如更换手机，请联系管理员重置。",
  "mfa.password": "当前密码",
  "mfa.disable": "停用两步验证",
  "mfa.disabled": "两步验证已停用",
  "mfa.back": "返回",
  "mfa.logout": "退出登录",

  "mfa.login.title": "两步验证",
  "mfa.login.prompt": "密码正确。请输入手机验证器中显示的6位验证码。",
  "mfa.login.submit": "验证",
  "mfa.login.submitting": "正在验证…",
  "mfa.login.wrong": "验证码错误",
  "mfa.login.expired": "验证码已过期，请重新登录",
  "mfa.login.locked": "验证码连续错误次数过多，账号已锁定至 {until}。请稍后再试，或联系管理员解锁。",
  "mfa.login.back": "返回重新登录",

  "mfa.requirement.title": "两步验证要求",
  "mfa.requirement.label": "要求本部署所有工作人员启用两步验证",
  "mfa.requirement.hint":
    "开启后，本部署各级单位的管理员、领导、审计员、受理员、调解员和入驻部门联络员（网格员除外）须绑定验证器才能使用系统。",
  "mfa.requirement.on": "已要求本部署启用两步验证",
  "mfa.requirement.off": "已取消两步验证要求",
  "mfa.requirement.needOwn": "请先在“两步验证”页面为自己的账号启用两步验证。",

  "mfa.users.badge": "两步验证",
  "mfa.users.badgeTitle": "已启用两步验证",
  "mfa.users.reset": "重置两步验证",
  "mfa.users.resetLabel": "重置 {name} 的两步验证",
  "mfa.users.resetTitle": "重置两步验证",
  "mfa.users.resetConfirm":
    "确定重置“{name}”的两步验证吗？其原验证器将失效；如本单位要求两步验证，对方下次登录时须重新绑定。适用于手机丢失或更换。",
  "mfa.users.resetDone": "已重置“{name}”的两步验证",
};

/** English strings of the second factor. */
export const mfaEn: Record<keyof typeof mfaZh, string> = {
  "mfa.header": "Two-step verification",
  "mfa.title": "Two-step verification",
  "mfa.intro":
    "Besides the password, signing in asks for the 6-digit code shown by an authenticator app on your phone (Microsoft Authenticator, Google Authenticator, …).",
  "mfa.forced":
    "Your deployment requires two-step verification for staff. Set up an authenticator to continue using the system.",
  "mfa.enabledSince": "Two-step verification is on.",
  "mfa.notEnabled": "Two-step verification is off.",
  "mfa.start": "Set up an authenticator",
  "mfa.restart": "New QR code",
  "mfa.step1": "Step 1: scan the QR code with the authenticator",
  "mfa.qrAlt": "Two-step verification QR code (contains the secret; do not share)",
  "mfa.manual": "If you cannot scan, enter this key in the authenticator (time-based, 30 seconds, 6 digits):",
  "mfa.secretLabel": "Key",
  "mfa.secretWarning": "The key is shown only this once. Do not photograph, screenshot or forward it.",
  "mfa.expiresAt": "Finish before {time}",
  "mfa.step2": "Step 2: enter the 6-digit code the authenticator shows",
  "mfa.code": "6-digit code",
  "mfa.codeHint": "The code changes every 30 seconds",
  "mfa.codeRequired": "Enter the 6-digit code",
  "mfa.confirm": "Confirm",
  "mfa.enabled": "Two-step verification is on; the next sign-in asks for a code",
  "mfa.toHome": "Go to the dashboard",
  "mfa.disableTitle": "Turn off two-step verification",
  "mfa.disableIntro": "Afterwards signing in needs the password only. Confirm with your password and a current code.",
  "mfa.disableRequired":
    "Your deployment requires two-step verification; it cannot be turned off. For a new phone, ask an administrator to reset it.",
  "mfa.password": "Current password",
  "mfa.disable": "Turn off",
  "mfa.disabled": "Two-step verification is off",
  "mfa.back": "Back",
  "mfa.logout": "Sign out",

  "mfa.login.title": "Two-step verification",
  "mfa.login.prompt": "Password accepted. Enter the 6-digit code from your authenticator app.",
  "mfa.login.submit": "Verify",
  "mfa.login.submitting": "Verifying…",
  "mfa.login.wrong": "Wrong verification code",
  "mfa.login.expired": "The sign-in has expired; please sign in again",
  "mfa.login.locked":
    "Too many wrong codes; the account is locked until {until}. Try again later or ask an administrator to unlock it.",
  "mfa.login.back": "Back to sign-in",

  "mfa.requirement.title": "Two-step verification requirement",
  "mfa.requirement.label": "Require two-step verification of all staff of this deployment",
  "mfa.requirement.hint":
    "When on, administrators, leaders, auditors, clerks, mediators and department liaisons of every unit of this deployment (not grid workers) must set up an authenticator to use the system.",
  "mfa.requirement.on": "Two-step verification is now required",
  "mfa.requirement.off": "Two-step verification is no longer required",
  "mfa.requirement.needOwn": "Turn on two-step verification for your own account first.",

  "mfa.users.badge": "2-step",
  "mfa.users.badgeTitle": "Two-step verification is on",
  "mfa.users.reset": "Reset 2-step",
  "mfa.users.resetLabel": "Reset two-step verification of {name}",
  "mfa.users.resetTitle": "Reset two-step verification",
  "mfa.users.resetConfirm":
    "Reset the two-step verification of “{name}”? The old authenticator stops working; where it is required, the user sets up a new one at the next sign-in. Use this for a lost or replaced phone.",
  "mfa.users.resetDone": "Two-step verification of “{name}” was reset",
};

/** Names of the second factor's audit events. */
export const MFA_AUDIT_KINDS: Record<string, { zh: string; en: string }> = {
  "auth.totp_challenged": { zh: "密码正确，等待验证码", en: "Password accepted, code pending" },
  "auth.totp_failed": { zh: "验证码错误", en: "Wrong verification code" },
  "auth.totp_enabled": { zh: "启用两步验证", en: "Two-step verification on" },
  "auth.totp_disabled": { zh: "停用两步验证", en: "Two-step verification off" },
  "user.totp_reset": { zh: "重置两步验证", en: "Two-step verification reset" },
  "tenant.require_totp": { zh: "设置两步验证要求", en: "Two-step requirement set" },
};
