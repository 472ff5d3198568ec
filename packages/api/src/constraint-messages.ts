import type { ErrorCode, Message } from "@zongzhi/domain";

// What a user is told when the database refuses a write, by the name of the constraint that
// refused it. Every CHECK, UNIQUE, EXCLUDE, foreign-key and trigger-raised constraint a user
// can reach has its own message saying what to do; the ones nobody can reach are listed with
// the reason in packages/api/src/constraint-messages.integration.test.ts, which reads the
// catalog and fails on a constraint that is in neither list.

/** A message for a constraint, and the error code it is answered with. */
export interface ConstraintMessage extends Message {
  code: ErrorCode;
}

const check = (zh: string, en: string): ConstraintMessage => ({ code: "VALIDATION", zh, en });
const taken = (zh: string, en: string): ConstraintMessage => ({ code: "CONFLICT", zh, en });
/** Between `min` and `max` characters (min 0: at most `max`). */
const chars = (zh: string, en: string, max: number, min = 1): ConstraintMessage =>
  min > 0
    ? check(`${zh}须为${min}–${max}个字符`, `${en} must be ${min}–${max} characters`)
    : check(`${zh}不能超过${max}个字符`, `${en} must be at most ${max} characters`);
const between = (zh: string, en: string, min: number, max: number, unitZh = "", unitEn = ""): ConstraintMessage =>
  check(`${zh}须在${min}到${max}${unitZh}之间`, `${en} must be between ${min} and ${max}${unitEn ? ` ${unitEn}` : ""}`);
const choose = (zh: string, en: string): ConstraintMessage =>
  check(`请从列表中选择${zh}`, `Choose ${en} from the list`);
const phone = (zh: string, en: string): ConstraintMessage =>
  check(`${zh}须为5–20位数字（可含 + - 空格）`, `${en} must be 5–20 digits (with + - or spaces allowed)`);
/**
 * A reference to a row that does not exist, belongs to another unit or is not one the row may
 * use: all three read the same (no oracle), and say what to do.
 */
const missing = (zh: string, en: string): ConstraintMessage => ({
  code: "NOT_FOUND",
  zh: `所选${zh}不存在或不属于可用范围，请重新选择`,
  en: `The chosen ${en} does not exist or is not one you may use; choose another`,
});
/** A deactivated row that may no longer be newly linked. */
const inactive = (zh: string, en: string, action: Message): ConstraintMessage =>
  check(
    `${zh}已停用，不能${action.zh}；请选择其他${zh}，或请管理员重新启用`,
    `The ${en} is deactivated and cannot be ${action.en}; choose another, or ask an administrator to reactivate it`,
  );

/** Messages by constraint name (names repeat across schemas only for identical rules). */
export const CONSTRAINT_MESSAGES: Record<string, ConstraintMessage> = {
  // Units and accounts.
  tenants_code_key: taken("该单位已接入", "This unit is already onboarded"),
  tenants_code_matches_level: check(
    "区划代码位数与层级不符（省2位、市4位、县6位、乡镇9位、村12位）",
    "The division code does not fit the level (province 2 digits, city 4, county 6, township 9, village 12)",
  ),
  tenants_name_check: chars("单位名称", "The unit's name", 100),
  tenants_parent_id_fkey: missing("上级单位", "parent unit"),
  tenants_root_is_prefix: check("下级单位须在本部署范围内", "A unit must lie inside its deployment"),
  tenants_root_has_no_parent: check(
    "只有部署的顶级单位没有上级；请从上级单位接入",
    "Only a deployment's top unit has no parent; onboard it from its parent",
  ),
  tenants_child_extends_parent: check("下级区划代码须以上级代码开头", "A child's code must extend its parent's"),
  deployments_do_not_overlap: taken("该单位与已有部署的范围重叠", "This unit overlaps an existing deployment"),
  users_username_key: taken("该登录名已被使用，请换一个", "This login name is taken; choose another"),
  users_username_check: check(
    "登录名须为3–48位小写字母、数字或 . _ -，并以字母或数字开头",
    "A login name is 3–48 lower-case letters, digits or . _ -, starting with a letter or digit",
  ),
  users_display_name_check: chars("姓名", "The display name", 60),
  users_roles_check: check("请至少选择一个有效角色", "Choose at least one valid role"),
  users_operator_shape: check(
    "平台运维角色只能授予平台账号，单位账号不能持有；平台账号只能是平台运维或平台审计员",
    "The platform-operator role belongs to platform accounts only, never to a unit's account; a platform account is an operator or the installation's auditor",
  ),
  users_separation_of_duties: check(
    "三权分立：系统管理员（中心管理员）、安全管理员、审计员三种角色不能由同一账号兼任",
    "Separation of duties: one account cannot combine the system (centre) administrator, security administrator and auditor roles",
  ),
  users_roles_not_own: {
    code: "FORBIDDEN",
    zh: "不能更改自己的角色，请由其他安全管理员操作",
    en: "You cannot change your own roles; another security administrator must",
  },
  users_roles_granted_by_security: {
    code: "FORBIDDEN",
    zh: "授予或收回角色须由安全管理员操作（中心管理员只能以业务角色新建账号）",
    en: "Only a security administrator grants or withdraws roles (a centre administrator creates accounts with working roles only)",
  },
  users_totp_reset_by_security: {
    code: "FORBIDDEN",
    zh: "重置他人的两步验证须由安全管理员操作",
    en: "Only a security administrator resets another user's second factor",
  },
  users_totp_key_by_enrolment: {
    code: "FORBIDDEN",
    zh: "两步验证密钥只能由本人绑定验证器时写入",
    en: "A second-factor key is written only when its owner sets up the authenticator",
  },
  users_tenant_id_fkey: missing("单位", "unit"),
  users_totp_already_enabled: taken(
    "已启用两步验证；如需更换验证器，请先停用",
    "A second factor is already set up; turn it off first to replace it",
  ),
  user_setup_tokens_user_id_fkey: missing("用户", "user"),

  // Department catalogue and stationed departments.
  department_kinds_code_check: check(
    "类别代码须为小写字母、数字和下划线（2–38位，以字母开头）",
    "A kind's code is 2–38 lower-case letters, digits or underscores, starting with a letter",
  ),
  department_kinds_name_check: chars("类别名称", "The kind's name", 60),
  department_kinds_scope_code_code_key: taken("已有相同代码的部门类别", "A department kind with this code exists"),
  stationings_name_check: chars("部门名称", "The department's name", 60),
  stationings_name_unique: taken("已有同名的入驻部门，请换一个名称", "A stationed department of this name exists"),
  stationings_contact_name_check: chars("联系人", "The contact name", 30, 0),
  stationings_contact_phone_check: phone("联系电话", "The contact phone"),
  stationings_notes_check: chars("备注", "The notes", 500, 0),
  stationings_response_minutes_check: between("响应时限", "The response time", 5, 10080, "分钟", "minutes"),
  stationings_on_call_has_response: check(
    "随叫随驻部门须填写联系电话和响应时限",
    "An on-call department needs a contact phone and a response time",
  ),
  rotation_slots_stationing_id_fkey: missing("入驻部门", "stationed department"),
  rotation_slots_weekdays_check: check("请选择至少一个星期几（周一至周日）", "Choose at least one weekday (Mon–Sun)"),
  rotation_slots_every_weeks_check: between("轮值间隔", "The rotation interval", 1, 8, "周", "weeks"),
  rotation_slots_anchor: check("隔周轮值须指定起始日期", "A multi-week rotation needs an anchor date"),
  rotation_slots_pattern_or_range: check("请选择星期或填写起止日期", "Choose weekdays or a date range"),
  rotation_slots_range_order: check("结束日期不能早于开始日期", "The end date is before the start date"),
  rotation_slots_staff_name_check: chars("值班人员", "The staff name", 30),
  rotation_slots_staff_phone_check: phone("值班电话", "The staff phone"),
  stationing_liaisons_pkey: taken("同一联络员只能添加一次", "Add each liaison once"),
  stationing_liaisons_stationing_id_fkey: missing("入驻部门", "stationed department"),
  stationing_liaisons_user_id_fkey: missing("联络员账号", "liaison account"),

  // Windows, mediators, rooms, committees.
  service_windows_name_check: chars("窗口名称", "The window's name", 40),
  service_windows_number_check: between("窗口编号", "The window number", 1, 999),
  service_windows_number_unique: taken("该窗口编号已被使用，请换一个", "This window number is taken; choose another"),
  service_windows_stationing_id_fkey: missing("入驻部门", "stationed department"),
  service_windows_stationing_id_active: inactive("入驻部门", "stationed department", {
    zh: "安排到窗口",
    en: "put at a window",
  }),
  mediators_name_check: chars("调解员姓名", "The mediator's name", 30),
  mediators_affiliation_name_check: chars("所属单位名称", "The affiliation's name", 60, 0),
  mediators_phone_check: phone("调解员电话", "The mediator's phone"),
  mediators_user_id_fkey: missing("账号", "account"),
  mediation_rooms_name_check: chars("调解室名称", "The room's name", 40),
  mediation_rooms_name_unique: taken("已有同名的调解室，请换一个名称", "A room of this name exists"),
  mediation_rooms_studio_name_check: chars("工作室名称", "The studio's name", 40, 0),
  mediation_rooms_location_check: chars("位置", "The location", 60, 0),
  mediation_rooms_capacity_check: between("容纳人数", "The capacity", 1, 500, "人", "people"),
  mediation_rooms_chief_mediator_id_fkey: missing("首席调解员", "chief mediator"),
  mediation_committees_name_check: chars("调委会名称", "The committee's name", 60),
  mediation_committees_name_unique: taken("已有同名的调委会，请换一个名称", "A committee of this name exists"),
  committee_members_pkey: taken("同一调解员只能加入一次", "Add each mediator once"),
  committee_members_committee_id_fkey: missing("调委会", "committee"),
  committee_members_mediator_id_fkey: missing("调解员", "mediator"),
  committee_members_role_check: choose("成员职务", "the member's role"),

  // The grid (0060).
  grids_code_key: taken("该网格编号已被使用，请换一个", "This grid number is taken; choose another"),
  grids_code_shape: check(
    "网格编码由本单位区划代码和1–6段编号组成，每段1–8位数字或大写字母；下级网格层数过多",
    "A grid code is the unit's division code and 1–6 numbers of 1–8 digits or capitals; the grid is nested too deep",
  ),
  grids_name_check: chars("网格名称", "The grid's name", 60),
  grids_households_check: between("户数", "The households", 0, 1000000, "户", "households"),
  grids_population_check: between("人口", "The population", 0, 10000000, "人", "people"),
  grids_exclusive_type_check: choose("专属网格类型", "the exclusive grid's type"),
  grids_boundary_shape: check(
    "边界须为 GeoJSON 的 Polygon 或 MultiPolygon，且不超过256 KB",
    "A boundary is a GeoJSON Polygon or MultiPolygon of at most 256 KB",
  ),
  grids_not_own_parent: check("网格不能是自己的上级", "A grid cannot be its own parent"),
  grids_tier_below_parent: check(
    "网格须比上级网格低一级（专属网格可与上级同级）",
    "A grid sits on a tier below its parent (an exclusive grid may share the parent's tier)",
  ),
  grids_parent_id_fkey: missing("上级网格", "parent grid"),
  grids_parent_id_active: inactive("上级网格", "parent grid", { zh: "设为上级", en: "used as a parent" }),
  grid_workers_name_check: chars("网格员姓名", "The grid worker's name", 30),
  grid_workers_phone_check: phone("网格员电话", "The grid worker's phone"),
  grid_workers_user_id_fkey: missing("账号", "account"),
  grid_workers_user_unique: taken("该账号已登记为网格员", "This account is already a grid worker here"),
  grid_assignments_pkey: taken("同一网格员在一个网格中只能分配一次", "Assign each worker to a grid once"),
  grid_assignments_one_leader: taken("每个网格只能有一名网格长", "A grid has one leader at most"),
  grid_assignments_grid_id_fkey: missing("网格", "grid"),
  grid_assignments_worker_id_fkey: missing("网格员", "grid worker"),
  grid_assignments_worker_id_active: inactive("网格员", "grid worker", { zh: "分配到网格", en: "assigned to a grid" }),

  // Open channels (0061).
  api_keys_name_check: chars("密钥名称", "The key's name", 60),
  api_keys_name_unique: taken("已有同名的接口密钥，请换一个名称", "A key of this name exists"),
  api_keys_channel_check: choose("来源渠道", "the channel"),
  api_keys_rate_per_minute_check: between("每分钟请求上限", "The rate limit", 1, 6000, "次", "requests a minute"),
  channel_requests_external_id_check: chars("工单号", "The work order number", 64),
  channel_requests_external_unique: taken(
    "该工单号已提交过，请查询原诉求而不是重复提交",
    "This work order number was already submitted; read the first request instead",
  ),

  webhooks_url_check: check(
    "推送地址须为 https 地址（或本机的 http 地址），不超过500个字符",
    "A webhook URL is https (or http to this machine), at most 500 characters",
  ),
  webhooks_api_key_id_fkey: missing("接口密钥", "API key"),

  // Patrols (0063).
  patrols_distance_m_check: between("巡查里程", "The distance", 0, 200000, "米", "metres"),
  patrols_events_found_check: between("发现事件数", "The events found", 0, 1000),
  patrols_track_check: check(
    "巡查轨迹须为 GeoJSON LineString，且不超过256 KB",
    "A track is a GeoJSON LineString of at most 256 KB",
  ),
  patrols_span: check(
    "巡查须先开始后结束，且一次不超过16小时",
    "A patrol ends after it starts and lasts at most 16 hours",
  ),
  patrols_worker_id_fkey: missing("网格员", "grid worker"),
  patrols_worker_id_active: inactive("网格员", "grid worker", { zh: "记录巡查", en: "recorded on a patrol" }),
  patrols_grid_id_fkey: missing("网格", "grid"),
  patrols_grid_id_active: inactive("网格", "grid", { zh: "记录巡查", en: "patrolled" }),
  patrol_norms_minutes_per_day_check: between("每日巡查时长", "The minutes a day", 0, 960, "分钟", "minutes"),
  patrol_norms_metres_per_day_check: between("每日巡查里程", "The metres a day", 0, 100000, "米", "metres"),
  patrol_norms_events_per_week_check: between("每周上报事件数", "The events a week", 0, 500),
  patrol_norms_days_per_week_check: between("每周考核天数", "The days a week", 1, 7, "天", "days"),

  // Bookings.
  bookings_during_check: check(
    "预约须有开始和结束时间，且一次不超过12小时；更长的调解请分多次预约",
    "A booking needs a start and an end and lasts at most 12 hours; book longer mediation as several sessions",
  ),
  bookings_title_check: chars("预约事由", "The booking's title", 100),
  bookings_room_id_fkey: missing("调解室", "room"),
  bookings_room_id_active: inactive("调解室", "room", { zh: "预约", en: "booked" }),
  bookings_case_id_fkey: missing("案件", "case"),
  bookings_room_no_overlap: taken(
    "该调解室在此时段已被预约，请换一个时段或调解室",
    "The room is already booked at that time; choose another time or room",
  ),
  booking_mediators_pkey: taken("同一调解员只能预约一次", "Book each mediator once"),
  booking_mediators_mediator_id_fkey: missing("调解员", "mediator"),
  booking_mediators_mediator_id_active: inactive("调解员", "mediator", { zh: "预约", en: "booked" }),
  booking_mediators_no_overlap: taken(
    "调解员在该时段已有其他安排，请换一个时段或调解员",
    "A mediator is already booked at that time; choose another time or mediator",
  ),

  // Online booking (网上预约): what a centre opens, and the bookings people make.
  booking_offers_title_check: chars("预约项目名称", "The offer's title", 40),
  booking_offers_slot_minutes_check: between("每个时段时长", "The slot length", 10, 240, "分钟", "minutes"),
  booking_offers_opens_at_check: check(
    "开始时间须在 00:00 至 24:00 之间",
    "The opening time is between 00:00 and 24:00",
  ),
  booking_offers_closes_at_check: check(
    "结束时间须在 00:00 至 24:00 之间",
    "The closing time is between 00:00 and 24:00",
  ),
  booking_offers_break_from_check: check(
    "午休开始须在 00:00 至 24:00 之间",
    "The break starts between 00:00 and 24:00",
  ),
  booking_offers_break_to_check: check("午休结束须在 00:00 至 24:00 之间", "The break ends between 00:00 and 24:00"),
  booking_offers_capacity_check: between("每个时段可约人数", "The seats per slot", 1, 50),
  booking_offers_days_ahead_check: between("可提前预约天数", "The days ahead", 1, 60, "天", "days"),
  booking_offers_notice_hours_check: between("提前截止小时数", "The notice", 0, 168, "小时", "hours"),
  booking_offers_resource: check(
    "窗口来访须选择服务窗口，调解预约须选择调解室",
    "A visit needs a service window and a mediation slot needs a room",
  ),
  booking_offers_hours: check(
    "结束时间须晚于开始时间，且至少容纳一个时段",
    "The closing time must be after opening, leaving room for at least one slot",
  ),
  booking_offers_break: check(
    "午休须同时填写开始和结束，且在营业时间之内",
    "A break needs a start and an end, both within the opening hours",
  ),
  booking_offers_room_capacity: check("调解室每个时段只能预约一场", "A room takes one mediation per slot"),
  booking_offers_window_unique: taken(
    "该服务窗口已开放预约，请编辑已有的预约项目",
    "This window is already open for booking; edit its offer",
  ),
  booking_offers_room_unique: taken(
    "该调解室已开放预约，请编辑已有的预约项目",
    "This room is already open for booking; edit its offer",
  ),
  booking_offers_window_id_fkey: missing("服务窗口", "service window"),
  booking_offers_window_id_active: inactive("服务窗口", "service window", { zh: "开放预约", en: "opened for booking" }),
  booking_offers_room_id_fkey: missing("调解室", "room"),
  booking_offers_room_id_active: inactive("调解室", "room", { zh: "开放预约", en: "opened for booking" }),
  appointments_offer_id_fkey: missing("预约项目", "booking offer"),
  appointments_offer_id_active: inactive("预约项目", "booking offer", { zh: "预约", en: "booked" }),
  appointments_room_booking_id_fkey: missing("调解室预约", "room booking"),
  appointments_case_id_fkey: missing("案件", "case"),
  appointments_code_check: check("预约码格式不正确", "The booking code is malformed"),
  appointments_code_key: taken("预约码重复，请重试", "The booking code is taken; retry"),
  appointments_seat_check: between("座位号", "The seat", 1, 50),
  appointments_within_capacity: taken("该时段已约满，请选择其他时段", "That slot is fully booked; choose another"),
  appointments_no_double_booking: taken("该时段已约满，请选择其他时段", "That slot is fully booked; choose another"),
  appointments_span: check(
    "预约时段须有开始和结束，且不超过4小时",
    "A slot has a start and an end and lasts at most 4 hours",
  ),
  appointments_name_masked_check: chars("姓名", "The name", 30),
  appointments_phone_masked_check: phone("手机号码", "The mobile number"),
  appointments_category_code_check: choose("纠纷类别", "a category"),
  appointments_matter_check: chars("事由", "The matter", 500),
  appointments_cancel_reason_check: chars("取消原因", "The reason for cancelling", 200),
  appointments_idempotency_key_check: check(
    "Idempotency-Key 须为8–100个可见 ASCII 字符",
    "Idempotency-Key is 8–100 visible ASCII characters",
  ),
  appointments_idempotency: taken(
    "该幂等键已用于内容不同的预约",
    "This Idempotency-Key was already used for a different booking",
  ),
  appointments_converted_case: check(
    "只有已接待登记的预约关联案件",
    "Only a booking received as a case names its case",
  ),
  appointments_case_once: taken("该案件已关联其他预约", "This case already comes from another booking"),

  // Cases and what hangs off them.
  case_categories_code_check: check(
    "类别代码须为小写字母、数字和下划线（2–38位，以字母开头）",
    "A category's code is 2–38 lower-case letters, digits or underscores, starting with a letter",
  ),
  case_categories_name_check: chars("类别名称", "The category's name", 40),
  case_categories_scope_code_code_key: taken("已有相同代码的纠纷类别", "A category with this code exists"),
  dictionary_entries_name_check: chars("字典项名称", "The entry's name", 40),
  dictionary_entries_name_key: taken(
    "本单位该字典中已有同名字典项，请换一个名称",
    "An entry with this name exists in this dictionary of your unit; choose another name",
  ),
  cases_title_check: chars("案件标题", "The case title", 100),
  cases_description_check: chars("案情描述", "The description", 5000),
  cases_people_count_check: between("涉及人数", "The number of people", 1, 100000),
  cases_amount_cents_check: check("涉及金额不能为负数", "The amount cannot be negative"),
  cases_difficulty_check: choose("难易程度", "the difficulty"),
  cases_position_shape: check("事发位置的经纬度无效", "The event's latitude and longitude are not valid"),
  cases_location_in_scope: check("发生地须在本县（区）辖区内", "The location must be inside your county"),
  cases_owner_on_path: check("只能上报给上级单位", "A case moves only to a unit above it"),
  cases_handler_named_from_above: check("只能由上级单位交办", "Only a unit above may assign it"),
  cases_mediator_id_fkey: missing("调解员", "mediator"),
  cases_mediator_id_active: inactive("调解员", "mediator", { zh: "分派", en: "assigned" }),
  cases_room_id_fkey: missing("调解室", "room"),
  cases_room_id_active: inactive("调解室", "room", { zh: "分派", en: "assigned" }),
  cases_window_id_fkey: missing("窗口", "window"),
  cases_window_id_active: inactive("窗口", "window", { zh: "分派", en: "assigned" }),
  cases_committee_id_fkey: missing("调委会", "committee"),
  cases_committee_id_active: inactive("调委会", "committee", { zh: "分派", en: "assigned" }),
  cases_duplicate_of_fkey: missing("原案件", "original case"),
  case_parties_case_id_fkey: missing("案件", "case"),
  case_parties_kind_check: choose("当事人类型", "the party's kind"),
  case_parties_org_code_check: check(
    "统一社会信用代码须为18位（数字和大写字母，不含 I O Z S V）",
    "A credit code is 18 digits and capital letters (no I, O, Z, S, V)",
  ),
  case_events_case_id_fkey: missing("案件", "case"),
  case_links_case_id_fkey: missing("案件", "case"),
  case_links_related_id_fkey: missing("关联案件", "related case"),
  idempotency_keys_key_check: check(
    "Idempotency-Key 须为8–100个字符",
    "The Idempotency-Key header must be 8–100 characters",
  ),
  case_summons_case_id_fkey: missing("案件", "case"),
  case_summons_stationing_id_fkey: missing("入驻部门", "stationed department"),
  case_summons_stationing_id_active: inactive("入驻部门", "stationed department", { zh: "召集", en: "summoned" }),
  case_summons_instructions_check: chars("召集说明", "The instructions", 1000, 0),
  mediation_sessions_case_id_fkey: missing("案件", "case"),
  mediation_sessions_check: check("调解结束时间须晚于开始时间", "A session must end after it starts"),
  mediation_sessions_notes_check: chars("调解记录", "The notes", 10000, 0),
  mediation_sessions_outcome_check: choose("调解结果", "the outcome"),
  agreements_case_id_fkey: missing("案件", "case"),
  agreements_check: check("履行期限不能早于签订日期", "The performance deadline cannot be before the signing date"),
  agreements_facts_check: chars("纠纷事实", "The facts", 10000),
  agreements_disputed_matters_check: chars("争议事项", "The disputed matters", 5000),
  agreements_terms_check: chars("协议内容", "The terms", 10000),
  agreements_performance_manner_check: chars("履行方式", "The manner of performance", 1000),
  agreements_performance_place_check: chars("履行地点", "The place of performance", 200),
  agreements_performance_status_check: choose("履行情况", "the performance status"),
  judicial_confirmations_case_id_fkey: missing("案件", "case"),
  judicial_confirmations_agreement_id_fkey: missing("调解协议", "agreement"),
  judicial_confirmations_agreement_id_key: taken(
    "该调解协议已申请过司法确认，请在原申请上记录法院的进展",
    "This agreement already has a judicial-confirmation application; record the court's steps on it",
  ),
  judicial_confirmations_court_name_check: chars("法院名称", "The court's name", 60),
  referrals_case_id_fkey: missing("案件", "case"),
  referrals_kind_check: choose("转办方式", "the kind of referral"),
  referrals_receiving_body_check: chars("接收机关", "The receiving body", 100),
  follow_ups_case_id_fkey: missing("案件", "case"),
  follow_ups_method_check: choose("回访方式", "the follow-up method"),
  follow_ups_satisfaction_check: choose("满意度", "the satisfaction"),
  follow_ups_notes_check: chars("回访记录", "The notes", 2000, 0),
  follow_ups_override_reason_check: chars("不重办的理由", "The reason", 1000, 0),
  attachments_case_id_fkey: missing("案件", "case"),
  attachments_filename_check: chars("文件名", "The file name", 200),
  attachments_size_bytes_check: check("文件不能为空", "The file is empty"),
  case_hops_case_id_fkey: missing("案件", "case"),
  case_hops_reason_check: chars("原因", "The reason", 1000, 0),
  case_hops_instructions_check: chars("交办要求", "The instructions", 2000, 0),
  case_hops_urgency_check: choose("紧急程度", "the urgency"),
  notifications_case_id_fkey: missing("案件", "case"),
  notification_reads_notification_id_fkey: missing("通知", "notification"),

  // Deadlines and supervision.
  deadline_policies_amount_check: between("时限", "The amount", 1, 3650),
  deadline_policies_note_check: chars("说明", "The note", 200, 0),
  deadline_policies_stage_check: choose("环节", "the stage"),
  deadline_policies_yellow_share_check: check(
    "黄色预警比例须大于0且小于1（如0.333表示剩余三分之一时变黄）",
    "The yellow share is between 0 and 1 exclusive (0.333: yellow when a third of the time is left)",
  ),
  deadline_policies_version_key: taken(
    "该时限规则刚被他人修改，请刷新后重试",
    "Someone changed this rule at the same moment; reload and retry",
  ),
  case_deadlines_case_id_fkey: missing("案件", "case"),
  case_deadlines_due_after_start: check("期限须晚于开始时间", "A deadline must lie after the clock's start"),
  mediation_sessions_outcome_after_start: check(
    "调解尚未进行，不能登记结果；请在调解当天或之后登记",
    "The session has not taken place yet; record its outcome on that day or later",
  ),
  agreements_signed_on_not_in_future: check(
    "签订日期不能晚于今天：请登记已经签订的协议",
    "The signing date cannot be after today: record an agreement once it is signed",
  ),
  supervisions_case_id_fkey: missing("案件", "case"),
  supervisions_instructions_check: chars("督办要求", "The instructions", 2000, 0),
  supervisions_answer_check: chars("督办回复", "The answer", 2000, 0),

  // Notices (0049).
  notices_title_check: chars("通知标题", "The notice's title", 100),
  notices_body_check: chars("通知正文", "The notice's text", 5000),
  notices_levels_known: choose("发送层级", "the tiers"),
  notice_reads_notice_id_fkey: missing("通知", "notice"),
  notice_attachments_notice_id_fkey: missing("通知", "notice"),
  centre_contacts_phone_shape: check("电话号码格式不正确", "invalid phone number"),
  centre_contacts_address_check: chars("地址", "The address", 200),
  centre_contacts_opening_hours_check: chars("办公时间", "The opening hours", 100),
  notice_attachments_filename_check: chars("文件名", "The file name", 200),
  notice_attachments_size_bytes_check: check("文件不能为空", "The file is empty"),
  notice_reads_user_id_fkey: missing("用户", "user"),
  notice_reads_pkey: taken("已确认阅读过该通知", "You have acknowledged this notice already"),

  // The calendar's entries (0047).
  calendar_days_day_check: check("日期须在2000年至2100年之间", "The date must lie between 2000 and 2100"),
  calendar_days_name_check: chars("节日名称", "The holiday's name", 20),
  calendar_days_note_check: chars("说明", "The note", 200, 0),
  calendar_days_one_per_day: taken(
    "本单位该日期已有调整，请修改已有的那一条",
    "Your unit already has an entry for this date; edit that one",
  ),
  calendar_days_name_on_holiday: check("调休上班日不填节日名称", "A worked day has no holiday name"),
};

/**
 * What to say when a row cannot be removed because others still refer to it, by the foreign
 * key that refers to it; `count` is how many distinct cases (or rows) do.
 */
export const IN_USE_MESSAGES: Record<string, (count: number) => ConstraintMessage> = {
  case_summons_stationing_id_fkey: (n) => ({
    code: "CONFLICT",
    zh: `该部门已被召集参与${n}件案件，不能删除——请改为停用`,
    en: `This department was summoned to ${n} case${n === 1 ? "" : "s"}; deactivate it instead of removing it`,
  }),
};
