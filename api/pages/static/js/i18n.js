// Every word the pages show, in Simplified Chinese (the default) and English, and the switch
// between them. The choice is remembered in localStorage and sent to the API as
// Accept-Language, so the API's errors come back in the same language.
//
// One entry a line — "key": ["中文", "English"] — with {name} for values filled in by t().

const STORE_KEY = "tongxin.lang";
const listeners = new Set();
let current = localStorage.getItem(STORE_KEY) === "en" ? "en" : "zh";

export const MESSAGES = {
  // shared words
  "common.loading": ["正在加载…", "Loading…"],
  "common.logout": ["退出登录", "Log out"],
  "common.cancel": ["取消", "Cancel"],
  "common.close": ["关闭", "Close"],
  "common.edit": ["修改", "Edit"],
  "common.save": ["保存", "Save"],
  "common.filter": ["筛选", "Filter"],
  "common.grid": ["网格", "Grid"],
  "common.allGrids": ["全部网格", "All grids"],
  "common.lat": ["纬度", "Latitude"],
  "common.lng": ["经度", "Longitude"],
  "common.minutes": ["{n} 分钟", "{n} min"],
  "common.total": ["共 {n} 条", "{n} in all"],
  "common.prev": ["上一页", "Previous"],
  "common.next": ["下一页", "Next"],
  "common.pageOf": ["第 {from}–{to} 条，共 {total} 条", "{from}–{to} of {total}"],
  "error.network": ["无法连接服务器，请检查网络", "Cannot reach the server; check the network"],
  "error.status": ["请求失败（{status}）", "The request failed ({status})"],

  // logging in
  "login.username": ["用户名", "Username"],
  "login.password": ["密码", "Password"],
  "login.submit": ["登录", "Log in"],

  // kinds, statuses and other names from the API
  "kind.party_member": ["在职党员", "Party member"],
  "kind.volunteer": ["志愿者", "Volunteer"],
  "kind.social_worker": ["社工", "Social worker"],
  "role.street_admin": ["街道管理员", "Street admin"],
  "role.coordinator": ["社区协调人", "Coordinator"],
  "role.grid_leader": ["网格长", "Grid leader"],
  "role.member": ["党员/志愿者", "Member"],
  "demand.wish": ["微心愿", "Wish"],
  "demand.shift": ["服务岗位", "Post shift"],
  "demand.activity": ["主题活动", "Activity"],
  "assignment.proposed": ["待确认", "To confirm"],
  "assignment.confirmed": ["已确认", "Confirmed"],
  "assignment.declined": ["已谢绝", "Declined"],
  "assignment.done": ["已完成", "Done"],
  "assignment.no_show": ["未到岗", "No show"],
  "fill.full": ["已排满", "Full"],
  "fill.partial": ["部分排满", "Partly filled"],
  "fill.empty": ["无人", "Empty"],
  "wish.recorded": ["已录入", "Recorded"],
  "wish.verified": ["已核实", "Verified"],
  "wish.open": ["待认领", "Open"],
  "wish.assigned": ["已派单", "Assigned"],
  "wish.done": ["已办结", "Done"],
  "wish.followed_up": ["已回访", "Followed up"],
  "situation.elderly_alone": ["独居老人", "Elderly, living alone"],
  "situation.disabled": ["残疾人", "Disabled"],
  "situation.seriously_ill": ["重病患者", "Seriously ill"],
  "situation.poor_family": ["困难家庭", "Family in hardship"],
  "situation.left_behind_child": ["留守儿童", "Left-behind child"],
  "override.pin": ["固定", "Pinned"],
  "override.forbid": ["排除", "Forbidden"],
  "override.assign": ["指派", "Assigned"],
  "override.unassign": ["取消", "Unassigned"],

  // the volunteer pages
  "m.brand": ["同心 · 志愿服务", "Tongxin · Volunteering"],
  "m.menu": ["菜单", "Menu"],
  "m.assignments": ["我的任务", "My tasks"],
  "m.availability": ["空闲时间", "Free times"],
  "m.loginTitle": ["登录", "Log in"],
  "m.loginSubtitle": ["在职党员、志愿者登录后查看任务、登记空闲时间。", "Members and volunteers: log in to see your tasks and set your free times."],
  "m.noAccount": ["还没有账号？", "No account yet?"],
  "m.register": ["到社区报到", "Register with your community"],
  "m.hello": ["{name}，您好", "Hello, {name}"],
  "m.notMember": ["这些页面供在职党员和志愿者使用。协调人请使用工作台。", "These pages are for members and volunteers. Coordinators use the console."],
  "m.toConsole": ["打开协调工作台", "Open the console"],

  "register.title": ["到社区报到", "Register with your community"],
  "register.intro": ["工作在单位、活动在社区：登记您居住的社区、专长，社区会就近为您安排服务。", "Work at your unit, serve where you live: register your community and skills, and it will find you service close to home."],
  "register.username": ["用户名", "Username"],
  "register.password": ["密码", "Password"],
  "register.passwordHint": ["至少 8 个字符", "At least 8 characters"],
  "register.name": ["姓名", "Name"],
  "register.kind": ["身份", "I am a"],
  "register.community": ["居住社区", "Community where you live"],
  "register.grid": ["网格", "Grid"],
  "register.gridNearest": ["按住处自动选择最近的网格", "The grid nearest to my home"],
  "register.home": ["住处位置", "Where you live"],
  "register.homeHint": ["只用于就近安排服务，不会给其他人看。", "Used only to find service near you; never shown to anyone."],
  "register.useLocation": ["使用我当前的位置", "Use my current location"],
  "register.locating": ["正在定位…", "Finding your location…"],
  "register.located": ["已填入当前位置", "Your location is filled in"],
  "register.noGeolocation": ["无法获取位置，请手动填写经纬度", "Location unavailable; enter the coordinates by hand"],
  "register.lat": ["纬度", "Latitude"],
  "register.lng": ["经度", "Longitude"],
  "register.workUnit": ["工作单位", "Work unit"],
  "register.phone": ["手机号（选填）", "Mobile number (optional)"],
  "register.phoneHint": ["加密保存，任何页面都只显示部分号码。", "Stored encrypted; every page shows it only masked."],
  "register.skills": ["专长", "Skills"],
  "register.privacy": ["隐私说明（{version}）", "Privacy notice ({version})"],
  "register.consent": ["我已阅读并同意隐私说明", "I have read and accept the privacy notice"],
  "register.consentField": ["隐私说明", "Privacy notice"],
  "register.submit": ["报到", "Register"],
  "register.haveAccount": ["已有账号，去登录", "I have an account: log in"],
  "register.done": ["报到成功，请登录。", "You are registered; please log in."],

  "availability.title": ["我的空闲时间", "My free times"],
  "availability.hint": ["点按每周通常有空的时段，再点一次取消，然后保存。", "Tap the hours you are usually free each week, tap again to clear, then save."],
  "availability.free": ["有空", "Free"],
  "availability.partly": ["部分有空", "Partly free"],
  "availability.busy": ["没空", "Busy"],
  "availability.summary": ["每周空闲", "Free each week"],
  "availability.none": ["尚未登记空闲时间", "No free times yet"],
  "availability.save": ["保存空闲时间", "Save free times"],
  "availability.saved": ["空闲时间已保存", "Free times saved"],

  "assignments.title": ["我的任务", "My tasks"],
  "assignments.calendar": ["加入日历", "Add to calendar"],
  "assignments.none": ["暂时没有待办的任务。", "No tasks waiting for you."],
  "assignments.past": ["已处理", "Answered and past"],
  "assignments.confirm": ["确认参加", "Confirm"],
  "assignments.decline": ["谢绝", "Decline"],
  "assignments.reason": ["谢绝原因", "Why you cannot come"],
  "assignments.reasonHint": ["如：临时出差", "e.g. away on business"],
  "assignments.sendDecline": ["提交谢绝", "Send"],
  "assignments.confirmed": ["已确认，谢谢！", "Confirmed. Thank you!"],
  "assignments.declined": ["已谢绝，社区会另行安排", "Declined; the community will find someone else"],
  "assignments.visit": ["服务对象", "Visiting"],
  "assignments.address": ["地址", "Address"],
  "assignments.phone": ["电话", "Phone"],
  "assignments.call": ["拨打", "Call"],

  // the console
  "console.brand": ["同心 · 社区协调", "Tongxin · Coordination"],
  "console.menu": ["主菜单", "Main menu"],
  "console.community": ["社区", "Community"],
  "console.loginTitle": ["同心工作台", "Tongxin console"],
  "console.loginSubtitle": ["社区协调人、街道管理员登录。", "For community coordinators and street admins."],
  "console.memberHint": ["在职党员、志愿者请使用", "Members and volunteers use"],
  "console.toMobile": ["手机页面", "the phone pages"],
  "console.memberOnly": ["您的账号是党员/志愿者账号，请使用手机页面。", "Yours is a member's account; please use the phone pages."],
  "console.noCommunity": ["此账号没有可管理的社区。", "This account has no community to work on."],
  "nav.board": ["排班周表", "Week board"],
  "nav.wishes": ["微心愿", "Wishes"],
  "nav.map": ["地图", "Map"],
  "nav.people": ["人员", "People"],
  "nav.dashboard": ["统计", "Dashboard"],

  "board.week": ["周", "Week"],
  "board.prevWeek": ["上一周", "Previous week"],
  "board.nextWeek": ["下一周", "Next week"],
  "board.thisWeek": ["本周", "This week"],
  "board.timeLimit": ["求解时长", "Time limit"],
  "board.seconds": ["{n} 秒", "{n} s"],
  "board.solve": ["排班", "Solve"],
  "board.resolve": ["重新排班", "Re-solve"],
  "board.publish": ["发布", "Publish"],
  "board.published": ["已发布排班 #{id}", "Schedule #{id} published"],
  "board.pending": ["{n} 项调整待重新排班", "{n} changes wait for a re-solve"],
  "board.draftRun": ["草稿 #{id}", "Draft #{id}"],
  "board.publishedRun": ["已发布 #{id}", "Published #{id}"],
  "board.noRun": ["本周尚未排班", "Not yet solved"],
  "board.solverFigures": ["目标值 {objective} · 用时 {seconds} 秒", "Objective {objective} · {seconds} s"],
  "board.empty": ["本周没有岗位班次、活动或心愿。", "Nothing to staff this week: no shifts, activities or wishes."],
  "board.nothing": ["无任务", "Nothing"],
  "board.panel": ["任务详情与候选人", "Slot and candidates"],
  "board.essential": ["必需", "Essential"],
  "board.essentialHeads": ["至少 {n} 人", "at least {n}"],
  "board.flexible": ["{day}前任意时间", "any time by {day}"],
  "board.gap": ["缺口原因", "Why unfilled"],
  "board.assigned": ["已安排", "Assigned"],
  "board.nobody": ["尚无人安排", "Nobody yet"],
  "board.pinned": ["已固定", "Pinned"],
  "board.overrides": ["本周调整", "Overrides this week"],
  "board.withdraw": ["撤销", "Withdraw"],
  "board.withdrawn": ["已撤销，重新排班后生效", "Withdrawn; applies at the next re-solve"],
  "board.candidates": ["候选人（按匹配度排序）", "Candidates, best first"],
  "board.role": ["人手类别", "Role"],
  "board.anyone": ["不限专长", "Any skill"],
  "board.reason": ["调整理由（选填）", "Reason (optional)"],
  "board.reasonHint": ["如：熟悉岗位", "e.g. knows the post"],
  "board.overrideHint": ["固定、排除、指派、取消在重新排班时生效。", "Pin, forbid, assign and unassign apply at the next re-solve."],
  "board.noCandidates": ["没有符合条件的候选人。", "No eligible candidates."],
  "board.find": ["查找", "Find"],
  "board.findPerson": ["输入姓名查找候选人", "Type a name to find a candidate"],
  "board.moreCandidates": ["另有 {n} 位候选人，可按姓名查找", "{n} more candidates; find them by name"],
  "board.person": ["人员", "Person"],
  "board.distance": ["距离", "Distance"],
  "board.quarter": ["本季服务", "This quarter"],
  "board.hoursWeek": ["本周时长", "Hours this week"],
  "board.why": ["理由", "Why"],
  "board.assignedHere": ["已安排在此", "assigned here"],
  "board.pin": ["固定", "Pin"],
  "board.forbid": ["排除", "Forbid"],
  "board.assign": ["指派", "Assign"],
  "board.unassign": ["取消", "Unassign"],
  "board.done.pin": ["已固定 {name}，重新排班后生效", "{name} pinned; applies at the next re-solve"],
  "board.done.forbid": ["已排除 {name}，重新排班后生效", "{name} forbidden; applies at the next re-solve"],
  "board.done.assign": ["已指派 {name}，重新排班后生效", "{name} assigned; applies at the next re-solve"],
  "board.done.unassign": ["已取消 {name}，重新排班后生效", "{name} unassigned; applies at the next re-solve"],
  "board.progress": ["排班进度", "Solve progress"],
  "board.solving": ["正在排班…", "Solving…"],
  "board.solved": ["排班完成，用时 {seconds} 秒", "Solved in {seconds} s"],
  "board.failed": ["排班失败，已发布的安排未受影响。", "The solve failed; the published plan is unchanged."],
  "board.moves": ["变动", "What moved"],
  "board.movesAgainst": ["与排班 #{id} 相比：新增 {added} 人次，移出 {removed} 人次", "Against run #{id}: {added} added, {removed} removed"],
  "board.firstDraft": ["本周第一份草稿。", "The week's first draft."],
  "board.nothingMoved": ["没有人员变动。", "Nobody moved."],
  "board.moreMoves": ["另有 {n} 项变动", "{n} more"],
  "board.roleChanged": ["换了人手类别", "another role"],

  "wishes.status": ["状态", "Status"],
  "wishes.allStatuses": ["全部状态", "All statuses"],
  "wishes.new": ["记录心愿", "Record a wish"],
  "wishes.record": ["记录", "Record"],
  "wishes.edit": ["修改心愿", "Edit the wish"],
  "wishes.detail": ["心愿详情", "Wish"],
  "wishes.title": ["心愿", "Wish"],
  "wishes.beneficiary": ["服务对象", "Beneficiary"],
  "wishes.category": ["类别", "Category"],
  "wishes.deadline": ["办结期限", "Deadline"],
  "wishes.earliest": ["最早日期", "Earliest"],
  "wishes.window": ["办理时间", "When"],
  "wishes.duration": ["时长（分钟）", "Duration (minutes)"],
  "wishes.headcount": ["人数", "People needed"],
  "wishes.priority": ["优先级", "Priority"],
  "wishes.skills": ["所需专长", "Skills needed"],
  "wishes.rating": ["评价", "Rating"],
  "wishes.comment": ["居民意见", "The resident's words"],
  "wishes.late": ["已逾期", "Late"],
  "wishes.none": ["没有符合条件的心愿。", "No wishes match."],
  "wishes.household": ["服务对象（保密）", "Household (private)"],
  "wishes.address": ["地址", "Address"],
  "wishes.phone": ["电话", "Phone"],
  "wishes.situations": ["情况", "Situation"],
  "wishes.privateNote": ["地址和电话加密保存，只给本社区协调人和被派去的人看。", "Address and phone are stored encrypted and shown only to this community's coordinators and the helper sent."],
  "wishes.contactHidden": ["地址和电话只对本社区协调人显示。", "Address and phone are shown to this community's coordinators only."],
  "wishes.location": ["位置", "Location"],
  "wishes.locationHint": ["默认为所选网格的中心，可改为住户的实际位置。", "The chosen grid's centre by default; change it to the household's own place."],
  "wishes.followUp": ["回访", "Follow up"],
  "wishes.followUps": ["回访记录", "Follow-up visits"],
  "wishes.followUpTitle": ["回访：{title}", "Follow-up: {title}"],
  "wishes.followedUp": ["回访已记录", "Follow-up recorded"],
  "wishes.recorded": ["心愿已记录", "Wish recorded"],
  "wishes.saved": ["已保存", "Saved"],
  "wishes.advanced": ["「{title}」已改为{status}", "“{title}” is now {status}"],
  "wishes.to.verified": ["核实", "Verify"],
  "wishes.to.open": ["开放认领", "Open"],
  "wishes.to.done": ["办结", "Mark done"],

  "map.caption": ["{name}示意图", "Sketch map of {name}"],
  "map.legend": ["图例", "Legend"],
  "map.gridCentre": ["网格中心（登记人数）", "Grid centre (people)"],
  "map.openWish": ["待办心愿", "Wish to serve"],
  "map.homes": ["党员、志愿者住处（按格汇总）", "Members' homes, counted per cell"],
  "map.radius": ["步行服务半径 {distance}", "Walking radius {distance}"],
  "map.privacy": ["住处只按约 {cell} 见方的格汇总显示，不足 {min} 人的格不显示，看不到单个住址。", "Homes appear only as counts per cell of about {cell}; cells of fewer than {min} people are left out, so no single home shows."],
  "map.empty": ["这个社区还没有网格中心或人员住处可画。", "This community has no grid centres or homes to draw yet."],
  "map.wishesCoordinatorsOnly": ["心愿的位置只对本社区协调人显示。", "Wish locations are shown to this community's coordinators only."],
  "map.homesHere": ["此处住有 {n} 人", "{n} people live here"],
  "map.gridPeople": ["{name}：{n} 人", "{name}: {n} people"],
  "map.wishes": ["心愿（{n}）", "Wishes ({n})"],
  "map.noWishes": ["没有待办心愿。", "No wishes to serve."],
  "map.grids": ["网格", "Grids"],
  "map.people": ["{n} 人", "{n} people"],
  "map.north": ["北 ↑", "N ↑"],

  "people.name": ["姓名", "Name"],
  "people.kind": ["身份", "Kind"],
  "people.skill": ["专长", "Skill"],
  "people.skills": ["专长", "Skills"],
  "people.anySkill": ["全部专长", "Any skill"],
  "people.anyKind": ["全部身份", "Anyone"],
  "people.workUnit": ["工作单位", "Work unit"],
  "people.quarter": ["本季服务次数", "Services this quarter"],
  "people.minServices": ["本季服务至少", "Services at least"],
  "people.maxServices": ["本季服务至多", "Services at most"],
  "people.phone": ["手机", "Phone"],

  "roster.title": ["导入花名册", "Import a roster"],
  "roster.hint": ["按模板填写 Excel 表格。只要有一行有误，整份花名册都不会导入。", "Fill in the Excel template. If any row is wrong, nothing in the roster is imported."],
  "roster.template": ["下载模板", "Download the template"],
  "roster.file": ["Excel 文件（.xlsx）", "Excel file (.xlsx)"],
  "roster.check": ["检查", "Check"],
  "roster.import": ["导入", "Import"],
  "roster.chooseFile": ["请先选择文件", "Choose a file first"],
  "roster.working": ["正在处理…", "Working…"],
  "roster.checked": ["检查通过：可新增 {imported} 人，更新 {updated} 人，跳过 {skipped} 人（尚未导入）", "Check passed: {imported} to add, {updated} to update, {skipped} to skip (nothing imported yet)"],
  "roster.imported": ["导入完成：新增 {imported} 人，更新 {updated} 人，跳过 {skipped} 人", "Imported: {imported} added, {updated} updated, {skipped} skipped"],
  "roster.refused": ["花名册有误", "The roster has errors"],
  "roster.row": ["行", "Row"],
  "roster.column": ["列", "Column"],
  "roster.value": ["内容", "Value"],
  "roster.reason": ["原因", "Reason"],

  "exports.title": ["导出", "Export"],
  "exports.schedule": ["一周排班", "The week's schedule"],
  "exports.records": ["季度服务登记", "Quarterly service records"],
  "exports.year": ["年", "Year"],
  "exports.quarter": ["季度", "Quarter"],

  "dashboard.coverage": ["每周覆盖率", "Weekly coverage"],
  "dashboard.coverageNote": ["最近 {weeks} 周已发布排班中已排人次占所需人次的比例", "Heads filled of heads needed in the published plans of the last {weeks} weeks"],
  "dashboard.covered": ["覆盖率", "Coverage"],
  "dashboard.wishes": ["每月心愿：收到与办结", "Wishes per month: received and fulfilled"],
  "dashboard.received": ["收到", "Received"],
  "dashboard.fulfilled": ["办结", "Fulfilled"],
  "dashboard.hours": ["各网格服务时长（小时）", "Hours served per grid"],
  "dashboard.load": ["服务次数分布", "Spread of services across people"],
  "dashboard.loadNote": ["所示各周已发布排班中每人的任务数（横轴）与人数（纵轴）· 平均 {mean} · 最多 {max} · 基尼系数 {gini}（越接近 0 越均衡）", "Tasks per person in the published plans of the weeks shown (across) by people (up) · mean {mean} · max {max} · Gini {gini} (0 is perfectly even)"],
  "dashboard.asOf": ["截至 {day}", "As of {day}"],
  "dashboard.people": ["人数", "People"],
  "dashboard.noData": ["暂无数据", "No data yet"],
  "dashboard.noPublished": ["这几周没有已发布的排班。", "No published schedule in these weeks."],
};

/** 专长 the matcher knows (matcher.domain.SKILLS), Chinese → English. */
export const SKILLS = {
  纠纷调解: "mediation",
  法律援助: "legal aid",
  环保监督: "environmental watch",
  帮困助弱: "helping the needy",
  宣传教育: "publicity and education",
  医疗卫生: "medical and health",
  家政服务: "housekeeping",
  家电维修: "appliance repair",
  水电维修: "plumbing and wiring",
  助老: "elderly care",
  辅导功课: "homework tutoring",
  心理疏导: "counselling",
  治安巡逻: "security patrol",
  垃圾分类: "waste sorting",
  文艺演出: "performing arts",
  理发: "haircuts",
  摄影: "photography",
  驾驶: "driving",
  电脑手机: "computers and phones",
  代购跑腿: "errands",
};
export const SKILL_NAMES = Object.keys(SKILLS);

const WEEKDAYS = [
  ["周一", "Mon"],
  ["周二", "Tue"],
  ["周三", "Wed"],
  ["周四", "Thu"],
  ["周五", "Fri"],
  ["周六", "Sat"],
  ["周日", "Sun"],
];

export function lang() {
  return current;
}

function markDocument() {
  document.documentElement.lang = current === "en" ? "en" : "zh-CN";
}
markDocument();

export function setLang(value) {
  current = value === "en" ? "en" : "zh";
  localStorage.setItem(STORE_KEY, current);
  markDocument();
  for (const listener of listeners) listener(current);
}

/** Run ``listener`` whenever the language changes (pages render themselves again). */
export function onLangChange(listener) {
  listeners.add(listener);
}

/** The message ``key`` in the current language, with {name} filled from ``values``. */
export function t(key, values = {}) {
  const pair = MESSAGES[key];
  const text = pair ? pair[current === "en" ? 1 : 0] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** A {zh, en} text from the API in the current language. */
export function pick(text) {
  if (!text) return "";
  if (typeof text === "string") return text;
  return (current === "en" ? text.en : text.zh) || text.zh || text.en || "";
}

export function skillLabel(skill) {
  return current === "en" && SKILLS[skill] ? SKILLS[skill] : skill;
}

export function weekdayShort(weekday) {
  return WEEKDAYS[weekday][current === "en" ? 1 : 0];
}

/** The button that switches between 中文 and English, on every page. */
export function langToggle() {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "lang-toggle";
  button.dataset.test = "lang-toggle";
  // each language is offered in its own words
  button.textContent = current === "en" ? "中文" : "English";
  button.lang = current === "en" ? "zh-CN" : "en";
  button.setAttribute("aria-label", current === "en" ? "切换到中文" : "Switch to English");
  button.addEventListener("click", () => setLang(current === "en" ? "zh" : "en"));
  return button;
}
