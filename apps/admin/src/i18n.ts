import { nameOf } from "@zongzhi/domain/case-records";
import { CHINA_UTC_OFFSET_MS } from "@zongzhi/domain/dates";
import { LEVEL_NAMES, type Level } from "@zongzhi/domain/division";
import { AUDIT_KIND_NAMES } from "@zongzhi/domain/operations";
import { ROLE_NAMES, type Role } from "@zongzhi/domain/roles";
import { createSignal } from "solid-js";
import { bookingEn, bookingZh } from "./i18n/booking.ts";
import { casesEn, casesZh } from "./i18n/cases.ts";
import { centreEn, centreZh } from "./i18n/centre.ts";
import { channelsEn, channelsZh } from "./i18n/channels.ts";
import { cockpitEn, cockpitZh } from "./i18n/cockpit.ts";
import { consoleEn, consoleZh } from "./i18n/console.ts";
import { escalationEn, escalationZh } from "./i18n/escalation.ts";
import { fieldEn, fieldZh, gridEn, gridZh } from "./i18n/grid.ts";
import { mfaEn, mfaZh } from "./i18n/mfa.ts";
import { systemEn, systemZh } from "./i18n/system.ts";

/** The UI's languages: Chinese first, English second. */
export type Locale = "zh-CN" | "en";

const STORAGE_KEY = "zz.locale";

function initialLocale(): Locale {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "zh-CN";
  } catch {
    return "zh-CN";
  }
}

const [locale, setLocaleSignal] = createSignal<Locale>(initialLocale());

/** The current language (reactive). */
export { locale };

/** Switches the language and remembers it in this browser. */
export function setLocale(next: Locale): void {
  setLocaleSignal(next);
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

const zh = {
  "app.name": "综治中心平台",
  "app.nameSub": "社会治理综合服务平台",
  "app.loading": "加载中…",
  "app.retry": "重试",
  "app.networkError": "网络异常，请检查网络后重试",
  "app.forbidden": "您没有访问此页面的权限",
  "app.notFound": "页面不存在",
  "app.backHome": "返回首页",
  "app.notifications": "消息通知（Alt+T）",
  "lang.switch": "English",
  "lang.switchLabel": "切换为英文界面",
  "nav.label": "主导航",
  "nav.dashboard": "工作台",
  "nav.tenants": "单位管理",
  "nav.users": "用户管理",
  "nav.platform": "部署管理",
  "nav.audit": "审计日志",
  "header.changePassword": "修改密码",
  "header.logout": "退出登录",
  "header.platformOperator": "平台运维",
  "header.unit": "当前单位",
  "common.cancel": "取消",
  "reauth.title": "验证身份",
  "reauth.method": "验证方式",
  "reauth.password": "登录密码",
  "reauth.code": "两步验证码",
  "reauth.confirm": "验证",
  "common.close": "关闭",
  "common.confirm": "确认",
  "common.save": "保存",
  "common.search": "搜索",
  "common.loadMore": "加载更多",
  "common.older": "更早的记录",
  "common.code": "区划代码",
  "common.name": "名称",
  "common.level": "层级",
  "common.status": "状态",
  "common.actions": "操作",
  "common.none": "暂无数据",
  "common.active": "正常",
  "common.suspended": "已暂停",
  "common.disabled": "已停用",
  "common.optional": "（可选）",
  "common.copy": "复制链接",
  "common.copied": "已复制",
  "common.copyFailed": "复制失败，请手动选择链接复制",
  "common.saved": "已保存",
  "common.dismiss": "关闭提示",
  "upload.choose": "选择文件",
  "upload.none": "未选择文件",
  "date.invalid": "格式应为 {sample}",
  "date.sample.date": "2026-12-01",
  "date.sample.datetime-local": "2026-12-01 09:30",
  "date.sample.time": "09:30",
  "date.sample.month": "2026-12",
  "date.open": "打开日历",
  "date.calendar": "{label}：日历",
  "date.previous": "上个月",
  "date.next": "下个月",
  "date.month": "{year}年{month}月",
  "date.today": "今天",
  "date.openMonths": "选择月份",
  "date.months": "{label}：选择月份",
  "date.year": "{year}年",
  "date.previousYear": "上一年",
  "date.nextYear": "下一年",
  "date.weekday.1": "一",
  "date.weekday.2": "二",
  "date.weekday.3": "三",
  "date.weekday.4": "四",
  "date.weekday.5": "五",
  "date.weekday.6": "六",
  "date.weekday.7": "日",
  "setupLink.label": "一次性设置链接",
  "setupLink.expires": "有效期至 {time}",
  "setupLink.once": "此链接只显示这一次，请立即复制并通过安全渠道转交本人；对方打开后自行设置密码。",
  "setupLink.for": "{name}（{username}）的设置链接",
  "password.policyTitle": "密码要求",
  "password.mismatch": "两次输入的密码不一致",
  "password.show": "显示密码",
  "login.title": "登录",
  "login.subtitle": "请使用本单位分配的账号登录",
  "login.username": "登录名",
  "login.password": "密码",
  "login.submit": "登录",
  "login.submitting": "正在登录…",
  "login.expired": "登录已过期，请重新登录",
  "login.locked": "密码连续错误次数过多，账号已锁定至 {until}。请稍后再试，或联系管理员解锁。",
  "login.loggedOut": "您已安全退出",
  "login.required": "请输入登录名和密码",
  "login.footer": "本系统仅供授权人员使用，所有操作均记录审计日志",
  "changePassword.title": "修改密码",
  "changePassword.forced": "首次登录或管理员重置后，须先修改初始密码才能继续使用。",
  "changePassword.current": "当前密码",
  "changePassword.next": "新密码",
  "changePassword.confirm": "确认新密码",
  "changePassword.submit": "修改密码",
  "changePassword.done": "密码已修改",
  "setup.title": "设置密码",
  "setup.checking": "正在验证设置链接…",
  "setup.noToken": "链接不完整：请打开管理员发给您的完整设置链接。",
  "setup.for": "为 {name}（登录名 {username}）设置登录密码",
  "setup.password": "新密码",
  "setup.confirm": "确认新密码",
  "setup.submit": "设置密码并登录",
  "setup.toLogin": "前往登录",
  "dashboard.title": "工作台",
  "dashboard.welcome": "{name}，您好",
  "dashboard.myUnit": "本单位",
  "dashboard.path": "所在层级路径",
  "dashboard.roles": "我的角色",
  "dashboard.sessionUntil": "本次登录最晚有效至 {time}",
  "dashboard.counts": "已接入单位（含本单位）",
  "dashboard.operator": "您是平台运维人员，不属于任何单位。请在“部署管理”中管理各地部署。",
  "dashboard.toPlatform": "前往部署管理",
  "dashboard.unitsSuffix": "个",
  "tenants.title": "单位管理",
  "tenants.intro": "浏览本单位下辖的行政区划，接入下级综治中心，或暂停、恢复已接入的单位。",
  "tenants.tree": "下辖单位",
  "tenants.toggle": "{name}的下级单位",
  "tenants.onboarded": "已接入",
  "tenants.notOnboarded": "未接入",
  "tenants.childrenInfo": "下级 {onboarded}/{total} 已接入",
  "tenants.noChildren": "无下级区划",
  "tenants.select": "选择 {name}",
  "tenants.onboardOne": "接入",
  "tenants.onboardOneLabel": "接入 {name}",
  "tenants.onboardSelected": "接入所选（{n}）",
  "tenants.clearSelection": "清除选择",
  "tenants.suspend": "暂停",
  "tenants.suspendLabel": "暂停 {name}",
  "tenants.reactivate": "恢复",
  "tenants.reactivateLabel": "恢复 {name}",
  "tenants.ownUnit": "本单位",
  "tenants.searchLabel": "搜索区划（中文名称或代码）",
  "tenants.searchPlaceholder": "如：肃州、620902",
  "tenants.searchResults": "搜索结果",
  "tenants.searchEmpty": "未找到匹配的区划",
  "tenants.onboardTitle": "接入单位",
  "tenants.onboardDesc": "将以下行政区划接入平台，成为可独立使用的综治中心。上级中缺失的单位会一并接入。",
  "tenants.selectedUnits": "待接入单位",
  "tenants.branch": "包含整个分支（接入其全部下级单位）",
  "tenants.branchHint": "如乡镇连同其所有村（社区）一并接入",
  "tenants.firstAdmin": "首位管理员",
  "tenants.firstAdminHint": "填写后将为该单位创建中心管理员账号，并生成一次性设置链接。",
  "tenants.firstAdminOnlySingle": "选择多个单位时不创建首位管理员，可稍后在“用户管理”中创建。",
  "tenants.adminUsername": "管理员登录名",
  "tenants.adminDisplayName": "管理员姓名",
  "tenants.adminIncomplete": "请同时填写登录名和姓名，或都留空",
  "tenants.submitOnboard": "确认接入",
  "tenants.onboardDone": "接入完成",
  "tenants.createdCount": "新接入 {n} 个单位。",
  "tenants.already": "以下单位此前已接入：{codes}",
  "tenants.suspendTitle": "暂停单位",
  "tenants.suspendConfirm": "确定暂停“{name}”吗？该单位及其全部下级单位的用户将立即无法登录，数据保留。",
  "tenants.reactivateTitle": "恢复单位",
  "tenants.reactivateConfirm": "确定恢复“{name}”吗？其用户将可以重新登录。",
  "tenants.statusChanged": "已更新“{name}”的状态",
  "tenants.reload": "刷新列表",
  "users.title": "用户管理",
  "users.noSecurityAdmin":
    "本部署尚无安全管理员（三权分立）：角色授予、在线用户和两步验证要求无人管理。请联系平台运维添加首位安全管理员。",
  "users.unit": "所属单位",
  "users.childUnit": "切换到下级单位",
  "users.childUnitPlaceholder": "选择已接入的下级单位",
  "users.noChildUnits": "无已接入的下级单位",
  "users.unitOption": "{name}（{code}）",
  "users.operators": "平台运维账号",
  "users.searchLabel": "按登录名或姓名筛选",
  "users.create": "新建用户",
  "users.username": "登录名",
  "users.displayName": "姓名",
  "users.roles": "角色",
  "users.rolesLegend": "角色（至少选择一个）",
  "users.rolesBySecurity": "三权分立：角色由安全管理员授予或收回，您可修改姓名",
  "users.workingRolesOnly": "三权分立：您可授予业务角色；中心管理员、安全管理员、审计员角色由安全管理员授予",
  "users.rolesRequired": "请至少选择一个角色",
  "users.usernameHint": "3–48位小写字母、数字或 . _ -",
  "users.locked": "已锁定",
  "users.lockedUntil": "锁定至 {time}",
  "users.pendingSetup": "待设置密码",
  "users.mustChange": "须改密",
  "users.edit": "编辑",
  "users.editLabel": "编辑 {name}",
  "users.editTitle": "编辑用户",
  "users.disable": "停用",
  "users.disableLabel": "停用 {name}",
  "users.enable": "启用",
  "users.enableLabel": "启用 {name}",
  "users.unlock": "解锁",
  "users.unlockLabel": "解锁 {name}",
  "users.setupLink": "重置链接",
  "users.setupLinkLabel": "为 {name} 生成新的设置链接",
  "users.setupLinkTitle": "新的设置链接",
  "users.setupLinkConfirm": "生成新链接后，{name} 此前未使用的链接将失效；其现有密码在使用新链接设置前仍然有效。",
  "users.setupLinkGenerate": "生成链接",
  "users.createTitle": "新建用户",
  "users.createIn": "将在“{unit}”下创建用户，用户通过一次性链接自行设置密码。",
  "users.created": "用户已创建",
  "users.disableTitle": "停用用户",
  "users.disableConfirm": "确定停用“{name}”吗？其所有登录会话将立即结束。",
  "users.enableTitle": "启用用户",
  "users.enableConfirm": "确定重新启用“{name}”吗？",
  "users.unlocked": "已解锁“{name}”",
  "users.empty": "该单位暂无用户",
  "users.count": "共显示 {n} 个用户",
  "platform.title": "部署管理",
  "platform.intro": "每个部署是一棵独立的单位树，彼此数据完全隔离。",
  "platform.create": "新建部署",
  "platform.tenants": "单位数",
  "platform.users": "用户数",
  "platform.createdAt": "创建时间",
  "platform.createTitle": "新建部署",
  "platform.searchLabel": "选择根单位（搜索中文名称或代码）",
  "platform.pick": "选择",
  "platform.picked": "已选择",
  "platform.pickLabel": "选择 {name} 作为部署根单位",
  "platform.root": "根单位",
  "platform.overlaps": "与现有部署重叠",
  "platform.rootRequired": "请先搜索并选择部署的根单位",
  "platform.submit": "创建部署",
  "platform.firstSecurity": "首位安全管理员（三权分立，建议填写）",
  "platform.firstSecurityHint":
    "安全管理员负责授予角色、在线用户与强制退出、两步验证要求；只有安全管理员或平台运维可以授予该角色。",
  "platform.securityUsername": "安全管理员登录名",
  "platform.securityDisplayName": "安全管理员姓名",
  "platform.createdDone": "部署“{name}”已创建",
  "platform.suspendConfirm": "确定暂停部署“{name}”吗？该部署下所有用户的会话将立即结束。",
  "platform.reactivateConfirm": "确定恢复部署“{name}”吗？",
  "platform.empty": "尚无部署",
  "platform.securityAdmins": "安全管理员",
  "platform.noSecurity": "无安全管理员",
  "platform.noSecurityTitle": "该部署无人授予角色、管理在线用户和两步验证要求",
  "platform.noSecurityAlert":
    "以下部署尚无安全管理员（三权分立）：{names}。其角色授予、在线用户和两步验证要求无人管理，请为其添加首位安全管理员。",
  "platform.addSecurity": "添加安全管理员",
  "platform.addSecurityLabel": "为 {name} 添加首位安全管理员",
  "platform.addSecurityTitle": "添加首位安全管理员",
  "platform.addSecurityHint":
    "为“{name}”添加首位安全管理员，并生成一次性设置链接交给本人。此后新的安全管理员由其授予。此操作记入平台审计日志。",
  "platform.addSecurityDone": "已为“{name}”添加安全管理员",
  "audit.title": "审计日志",
  "audit.intro": "本单位及下辖单位的安全审计记录，按时间倒序。",
  "audit.at": "时间",
  "audit.kind": "事件",
  "audit.scope": "单位代码",
  "audit.actor": "操作人",
  "audit.subject": "对象",
  "audit.ip": "IP 地址",
  "audit.detail": "详情",
  "audit.system": "系统",
  "audit.end": "已显示全部记录",
  ...centreZh,
  ...gridZh,
  ...fieldZh,
  ...channelsZh,
  ...casesZh,
  ...bookingZh,
  ...escalationZh,
  ...mfaZh,
  ...consoleZh,
  ...cockpitZh,
  ...systemZh,
} as const;

/** A key of the dictionary. */
export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  "app.name": "Social-Governance Centre Platform",
  "app.nameSub": "Social governance services",
  "app.loading": "Loading…",
  "app.retry": "Retry",
  "app.networkError": "Network error; check your connection and retry",
  "app.forbidden": "You are not allowed to open this page",
  "app.notFound": "Page not found",
  "app.backHome": "Back to the dashboard",
  "app.notifications": "Notifications (Alt+T)",
  "lang.switch": "中文",
  "lang.switchLabel": "Switch to Chinese",
  "nav.label": "Main navigation",
  "nav.dashboard": "Dashboard",
  "nav.tenants": "Units",
  "nav.users": "Users",
  "nav.platform": "Deployments",
  "nav.audit": "Audit log",
  "header.changePassword": "Change password",
  "header.logout": "Sign out",
  "header.platformOperator": "Platform operations",
  "header.unit": "Current unit",
  "common.cancel": "Cancel",
  "reauth.title": "Confirm it is you",
  "reauth.method": "Method",
  "reauth.password": "Password",
  "reauth.code": "Verification code",
  "reauth.confirm": "Confirm",
  "common.close": "Close",
  "common.confirm": "Confirm",
  "common.save": "Save",
  "common.search": "Search",
  "common.loadMore": "Load more",
  "common.older": "Older entries",
  "common.code": "Division code",
  "common.name": "Name",
  "common.level": "Tier",
  "common.status": "Status",
  "common.actions": "Actions",
  "common.none": "Nothing here yet",
  "common.active": "Active",
  "common.suspended": "Suspended",
  "common.disabled": "Disabled",
  "common.optional": " (optional)",
  "common.copy": "Copy link",
  "common.copied": "Copied",
  "common.copyFailed": "Could not copy; select the link and copy it by hand",
  "common.saved": "Saved",
  "common.dismiss": "Dismiss",
  "upload.choose": "Choose a file",
  "upload.none": "No file chosen",
  "date.invalid": "Use the format {sample}",
  "date.sample.date": "2026-12-01",
  "date.sample.datetime-local": "2026-12-01 09:30",
  "date.sample.time": "09:30",
  "date.sample.month": "2026-12",
  "date.open": "Open the calendar",
  "date.calendar": "{label}: calendar",
  "date.previous": "Previous month",
  "date.next": "Next month",
  "date.month": "{year}-{mm}",
  "date.today": "Today",
  "date.openMonths": "Choose a month",
  "date.months": "{label}: months",
  "date.year": "{year}",
  "date.previousYear": "Previous year",
  "date.nextYear": "Next year",
  "date.weekday.1": "Mo",
  "date.weekday.2": "Tu",
  "date.weekday.3": "We",
  "date.weekday.4": "Th",
  "date.weekday.5": "Fr",
  "date.weekday.6": "Sa",
  "date.weekday.7": "Su",
  "setupLink.label": "One-time setup link",
  "setupLink.expires": "Valid until {time}",
  "setupLink.once":
    "This link is shown only once: copy it now and hand it to the person over a secure channel; they choose their own password with it.",
  "setupLink.for": "Setup link for {name} ({username})",
  "password.policyTitle": "Password rules",
  "password.mismatch": "The two passwords differ",
  "password.show": "Show password",
  "login.title": "Sign in",
  "login.subtitle": "Use the account your unit gave you",
  "login.username": "Login name",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.submitting": "Signing in…",
  "login.expired": "Your session has expired; please sign in again",
  "login.locked":
    "Too many wrong passwords: the account is locked until {until}. Try again later or ask an administrator to unlock it.",
  "login.loggedOut": "You have signed out",
  "login.required": "Enter your login name and password",
  "login.footer": "For authorised staff only; every action is recorded in the audit log",
  "changePassword.title": "Change password",
  "changePassword.forced": "You must change your initial password before you continue.",
  "changePassword.current": "Current password",
  "changePassword.next": "New password",
  "changePassword.confirm": "Confirm new password",
  "changePassword.submit": "Change password",
  "changePassword.done": "Password changed",
  "setup.title": "Set your password",
  "setup.checking": "Checking the setup link…",
  "setup.noToken": "The link is incomplete: open the full setup link your administrator sent you.",
  "setup.for": "Choose a password for {name} (login name {username})",
  "setup.password": "New password",
  "setup.confirm": "Confirm new password",
  "setup.submit": "Set password and sign in",
  "setup.toLogin": "Go to sign-in",
  "dashboard.title": "Dashboard",
  "dashboard.welcome": "Hello, {name}",
  "dashboard.myUnit": "My unit",
  "dashboard.path": "Tier path",
  "dashboard.roles": "My roles",
  "dashboard.sessionUntil": "This session ends at the latest at {time}",
  "dashboard.counts": "Onboarded units (including mine)",
  "dashboard.operator": "You are a platform operator and belong to no unit. Manage deployments under “Deployments”.",
  "dashboard.toPlatform": "Open deployments",
  "dashboard.unitsSuffix": "",
  "tenants.title": "Units",
  "tenants.intro":
    "Browse the divisions below your unit, onboard their centres, or suspend and reactivate onboarded units.",
  "tenants.tree": "Units below",
  "tenants.toggle": "Units below {name}",
  "tenants.onboarded": "Onboarded",
  "tenants.notOnboarded": "Not onboarded",
  "tenants.childrenInfo": "{onboarded}/{total} below onboarded",
  "tenants.noChildren": "No divisions below",
  "tenants.select": "Select {name}",
  "tenants.onboardOne": "Onboard",
  "tenants.onboardOneLabel": "Onboard {name}",
  "tenants.onboardSelected": "Onboard selected ({n})",
  "tenants.clearSelection": "Clear selection",
  "tenants.suspend": "Suspend",
  "tenants.suspendLabel": "Suspend {name}",
  "tenants.reactivate": "Reactivate",
  "tenants.reactivateLabel": "Reactivate {name}",
  "tenants.ownUnit": "My unit",
  "tenants.searchLabel": "Search divisions (Chinese name or code)",
  "tenants.searchPlaceholder": "e.g. 肃州, 620902",
  "tenants.searchResults": "Search results",
  "tenants.searchEmpty": "No matching division",
  "tenants.onboardTitle": "Onboard units",
  "tenants.onboardDesc":
    "These divisions join the platform as centres of their own. Missing units between yours and them are onboarded too.",
  "tenants.selectedUnits": "Units to onboard",
  "tenants.branch": "Include the whole branch (every unit below)",
  "tenants.branchHint": "e.g. a township together with all its villages",
  "tenants.firstAdmin": "First administrator",
  "tenants.firstAdminHint": "When filled in, a centre administrator account is created with a one-time setup link.",
  "tenants.firstAdminOnlySingle":
    "With several units selected no first administrator is created; add one later under “Users”.",
  "tenants.adminUsername": "Administrator login name",
  "tenants.adminDisplayName": "Administrator name",
  "tenants.adminIncomplete": "Fill in both the login name and the name, or neither",
  "tenants.submitOnboard": "Onboard",
  "tenants.onboardDone": "Onboarding done",
  "tenants.createdCount": "{n} unit(s) onboarded.",
  "tenants.already": "Already onboarded before: {codes}",
  "tenants.suspendTitle": "Suspend unit",
  "tenants.suspendConfirm":
    "Suspend “{name}”? Users of this unit and of every unit below it can no longer sign in; the data stays.",
  "tenants.reactivateTitle": "Reactivate unit",
  "tenants.reactivateConfirm": "Reactivate “{name}”? Its users can sign in again.",
  "tenants.statusChanged": "Status of “{name}” updated",
  "tenants.reload": "Reload",
  "users.title": "Users",
  "users.noSecurityAdmin":
    "This deployment has no security administrator (separation of duties): nobody grants roles, manages sessions or sets the second-factor rule. Ask the platform operator to add the first one.",
  "users.unit": "Unit",
  "users.childUnit": "Go to a unit below",
  "users.childUnitPlaceholder": "Choose an onboarded unit below",
  "users.noChildUnits": "No onboarded units below",
  "users.unitOption": "{name} ({code})",
  "users.operators": "Platform operator accounts",
  "users.searchLabel": "Filter by login name or name",
  "users.create": "New user",
  "users.username": "Login name",
  "users.displayName": "Name",
  "users.roles": "Roles",
  "users.rolesLegend": "Roles (at least one)",
  "users.rolesBySecurity":
    "Separation of duties: a security administrator grants and withdraws roles; you may change the name",
  "users.workingRolesOnly":
    "Separation of duties: you may give working roles; the centre administrator, security administrator and auditor roles are granted by a security administrator",
  "users.rolesRequired": "Choose at least one role",
  "users.usernameHint": "3–48 lower-case letters, digits or . _ -",
  "users.locked": "Locked",
  "users.lockedUntil": "Locked until {time}",
  "users.pendingSetup": "Password not set",
  "users.mustChange": "Must change password",
  "users.edit": "Edit",
  "users.editLabel": "Edit {name}",
  "users.editTitle": "Edit user",
  "users.disable": "Disable",
  "users.disableLabel": "Disable {name}",
  "users.enable": "Enable",
  "users.enableLabel": "Enable {name}",
  "users.unlock": "Unlock",
  "users.unlockLabel": "Unlock {name}",
  "users.setupLink": "Reset link",
  "users.setupLinkLabel": "New setup link for {name}",
  "users.setupLinkTitle": "New setup link",
  "users.setupLinkConfirm":
    "A new link voids {name}'s unused earlier links; the current password keeps working until the new link is used.",
  "users.setupLinkGenerate": "Create link",
  "users.createTitle": "New user",
  "users.createIn": "The user is created in “{unit}” and chooses a password through a one-time link.",
  "users.created": "User created",
  "users.disableTitle": "Disable user",
  "users.disableConfirm": "Disable “{name}”? All of their sessions end at once.",
  "users.enableTitle": "Enable user",
  "users.enableConfirm": "Enable “{name}” again?",
  "users.unlocked": "“{name}” unlocked",
  "users.empty": "This unit has no users yet",
  "users.count": "{n} user(s) shown",
  "platform.title": "Deployments",
  "platform.intro": "Each deployment is a tree of units of its own; deployments never see each other's data.",
  "platform.create": "New deployment",
  "platform.tenants": "Units",
  "platform.users": "Users",
  "platform.createdAt": "Created",
  "platform.createTitle": "New deployment",
  "platform.searchLabel": "Root unit (search by Chinese name or code)",
  "platform.pick": "Choose",
  "platform.picked": "Chosen",
  "platform.pickLabel": "Choose {name} as the deployment root",
  "platform.root": "Root unit",
  "platform.overlaps": "Overlaps a deployment",
  "platform.rootRequired": "Search for and choose the deployment's root unit first",
  "platform.submit": "Create deployment",
  "platform.firstSecurity": "First security administrator (separation of duties; recommended)",
  "platform.firstSecurityHint":
    "The security administrator grants roles, sees and ends sessions and sets the second-factor rule; only a security administrator or the operator can grant that role.",
  "platform.securityUsername": "Security administrator login name",
  "platform.securityDisplayName": "Security administrator name",
  "platform.createdDone": "Deployment “{name}” created",
  "platform.suspendConfirm": "Suspend the deployment “{name}”? Every session of its users ends at once.",
  "platform.reactivateConfirm": "Reactivate the deployment “{name}”?",
  "platform.empty": "No deployments yet",
  "platform.securityAdmins": "Security administrators",
  "platform.noSecurity": "None",
  "platform.noSecurityTitle": "Nobody in this deployment grants roles, manages sessions or sets the second-factor rule",
  "platform.noSecurityAlert":
    "These deployments have no security administrator (separation of duties): {names}. Nobody grants their roles, manages their sessions or sets their second-factor rule; add a first security administrator.",
  "platform.addSecurity": "Add security administrator",
  "platform.addSecurityLabel": "Add the first security administrator of {name}",
  "platform.addSecurityTitle": "Add the first security administrator",
  "platform.addSecurityHint":
    "Adds the first security administrator of “{name}” with a one-time setup link to hand over. Further security administrators are theirs to grant. The installation's audit log records this.",
  "platform.addSecurityDone": "Security administrator added to “{name}”",
  "audit.title": "Audit log",
  "audit.intro": "Security events of your unit and the units below it, newest first.",
  "audit.at": "Time",
  "audit.kind": "Event",
  "audit.scope": "Unit code",
  "audit.actor": "Actor",
  "audit.subject": "Subject",
  "audit.ip": "IP address",
  "audit.detail": "Detail",
  "audit.system": "System",
  "audit.end": "No older entries",
  ...centreEn,
  ...gridEn,
  ...fieldEn,
  ...channelsEn,
  ...casesEn,
  ...bookingEn,
  ...escalationEn,
  ...mfaEn,
  ...consoleEn,
  ...cockpitEn,
  ...systemEn,
};

const dictionaries: Record<Locale, Record<MessageKey, string>> = { "zh-CN": zh, en };

/** Translates a key in the current language, filling `{name}` placeholders. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[locale()][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Picks the current language from a bilingual message (server errors, domain names). */
export function pick(message: { zh: string; en: string }): string {
  return locale() === "en" ? message.en : message.zh;
}

/**
 * The name of `value` in one of the domain's vocabularies (summons states, session outcomes …),
 * in the current language; an unknown value as it is.
 */
export function named<K extends string>(names: Record<K, { zh: string; en: string }>, value: string): string {
  return nameOf(names, value, locale() === "en" ? "en" : "zh");
}

/** Name of a tier (省级, 市级 …). */
export function levelName(level: Level): string {
  return pick(LEVEL_NAMES[level]);
}

/** Name of a role; unknown roles show as they are. */
export function roleName(role: string): string {
  const names = ROLE_NAMES[role as Role];
  return names ? pick(names) : role;
}

// The UI's one date format, the same in both languages and whatever the browser's locale:
// 2026-12-01 and 2026-12-01 15:17, in China Standard Time (the units' own clock; no DST).
// Date-only columns arrive as UTC midnight, which is the same day in China. Printed papers
// spell the day in words instead (formatPaperDate).

/** A moment or date-only value as China's wall clock, `YYYY-MM-DDTHH:MM:SS`. */
function chinaWallClock(value: Date | string): string {
  const date = typeof value === "string" ? new Date(value.length === 10 ? `${value}T00:00:00Z` : value) : value;
  return new Date(date.getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 19);
}

/** Date and time (2026-12-01 15:17; with `seconds`, 15:17:08), China Standard Time. */
export function formatDateTime(value: Date | string, options: { seconds?: boolean } = {}): string {
  const wall = chinaWallClock(value);
  return `${wall.slice(0, 10)} ${wall.slice(11, options.seconds ? 19 : 16)}`;
}

/** The day of a moment or a date-only value (2026-12-01), China Standard Time; — when absent. */
export function formatDay(value: Date | string | null | undefined): string {
  return value ? chinaWallClock(value).slice(0, 10) : "—";
}

/** The day as printed papers spell it: 2026年12月1日 (zh) / 1 December 2026 (en). */
export function formatPaperDate(value: Date | string): string {
  const [y, m, d] = formatDay(value).split("-").map(Number);
  if (locale() === "en") return `${d} ${EN_MONTHS[(m ?? 1) - 1]} ${y}`;
  return `${y}年${m}月${d}日`;
}

const EN_MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** Readable name of an audit event kind (the raw kind when unknown). */
export function auditKindName(kind: string): string {
  const names = AUDIT_KIND_NAMES[kind];
  return names ? pick(names) : kind;
}
