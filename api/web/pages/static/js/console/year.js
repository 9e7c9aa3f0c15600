// 全年日历 The year plan: the community's fixed year, from GET /communities/{cid}/yearly-calendar
// — each month's theme (主题服务月) and 党员服务日, edited in place, and the recurring
// activities that come back every year, each with its rule in words (每月党员服务日,
// 3月 每月第2个周六, 每月5日) and its roles; a form adds one, a button stops one. The weekly
// plans make their activities from it. Only coordinators and street admins manage it.

import { api } from "../api.js";
import { h, mount, select, toast } from "../dom.js";
import { SKILL_NAMES, skillLabel, t } from "../i18n.js";
import { placePicker } from "../places.js";

const MONTHS = Array.from({ length: 12 }, (_, index) => index + 1);
const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6];
const WEEKS_OF_MONTH = [1, 2, 3, 4, 5];
const DAY_RULES = ["service_day", "day_of_month", "weekday"];
/** A second click on 停止 within this time stops the activity; after it the button resets. */
const CONFIRM_MS = 5000;
const MANAGERS = ["street_admin", "coordinator"];

/** Who may open the page (and see its tab). */
export function allowed(me) {
  return MANAGERS.includes(me.role);
}

/** A recurring activity's day in words: 每月党员服务日, 3月 每月第2个周六, 每月5日. */
export function ruleText(rule) {
  let text;
  if (rule.day_rule === "service_day") text = t("year.rule.serviceDay");
  else if (rule.day_rule === "day_of_month") text = t("year.rule.dayOfMonth", { day: rule.day_of_month });
  else if (rule.week_of_month) {
    text = t("year.rule.nthWeekday", { nth: t(`year.nth.${rule.week_of_month}`), weekday: t(`weekday.${rule.weekday}`) });
  } else text = t("year.rule.everyWeekday", { weekday: t(`weekday.${rule.weekday}`) });
  return rule.month ? t(`year.during.${rule.month}`, { rule: text }) : text;
}

function roleLabel(role) {
  return `${role.skill ? skillLabel(role.skill) : t("year.anySkill")} ×${role.headcount}`;
}

/** The middle of the grids' centres: where a new activity is placed unless moved. */
function centreOf(grids) {
  const placed = grids.filter((grid) => grid.center_lat !== null && grid.center_lat !== undefined);
  if (!placed.length) return null;
  const mean = (values) => Number((values.reduce((sum, value) => sum + value, 0) / values.length).toFixed(6));
  return { lat: mean(placed.map((grid) => grid.center_lat)), lng: mean(placed.map((grid) => grid.center_lng)) };
}

export function render(ctx) {
  const cid = ctx.community.id;
  const path = `/communities/${cid}/yearly-calendar`;
  const root = h("section", { class: "year-plan", "data-page": "year" });
  const toolbar = h("div", { class: "toolbar" }, h("h1", {}, t("nav.year"), h("span", { class: "muted" }, ` · ${ctx.community.name}`)));
  if (!allowed(ctx.me)) {
    mount(root, toolbar, h("p", { class: "notice" }, t("year.managersOnly")));
    return root;
  }
  const state = { grids: [], centre: null, places: [] };
  const months = h("div", { "data-test": "months" }, h("p", {}, t("common.loading")));
  const recurring = h("div", { "data-test": "recurring" }, h("p", {}, t("common.loading")));
  const formCard = h("div", { class: "card stack year-form" }, h("p", {}, t("common.loading")));

  mount(
    root,
    toolbar,
    h("p", { class: "muted" }, t("year.intro")),
    h("div", { class: "year-layout" },
      h("div", { class: "year-main" },
        h("section", { class: "card stack" }, h("h2", {}, t("year.months")), months),
        h("section", { class: "card stack" }, h("h2", {}, t("year.recurring")), recurring),
      ),
      formCard,
    ),
  );

  async function load() {
    state.grids = await api(`/communities/${cid}/grids`).catch(() => []);
    state.centre = centreOf(state.grids);
    state.places = await api(`/communities/${cid}/places`).catch(() => []);
    mount(formCard, activityForm());
    try {
      draw(await api(path));
    } catch (error) {
      mount(months, h("div", { class: "error" }, error.message));
      mount(recurring);
    }
  }

  function draw(year) {
    mount(months, monthTable(year.months));
    mount(recurring, recurringTable(year.recurring));
  }

  // the twelve months: January to June beside July to December ---------------------------
  function monthTable(rows) {
    const head = () => h("div", { class: "month-head muted small-text" },
      h("span", {}, t("year.month")), h("span", {}, t("year.theme")), h("span", {}, t("year.serviceDay")), h("span", {}));
    return h("div", { class: "month-list" }, head(), rows.slice(0, 6).map(monthRow), head(), rows.slice(6).map(monthRow));
  }

  function monthRow(row) {
    const name = t(`month.${row.month}`);
    const theme = h("input", { type: "text", name: "theme", maxlength: 200, value: row.theme || "", placeholder: t("year.noTheme"), "aria-label": `${name} ${t("year.theme")}` });
    const serviceDay = h("input", { type: "number", name: "service_day", min: 1, max: 28, placeholder: t("year.noServiceDay"), value: row.service_day || "", "aria-label": `${name} ${t("year.serviceDay")}` });
    const save = async () => {
      try {
        const year = await api(`${path}/months/${row.month}`, {
          method: "PUT",
          json: { theme: theme.value.trim(), service_day: serviceDay.value ? Number(serviceDay.value) : null },
        });
        toast(t("year.monthSaved", { month: name }));
        draw(year);
      } catch (error) {
        toast(error.message, { bad: true });
      }
    };
    const onEnter = (event) => {
      if (event.key === "Enter") save();
    };
    theme.addEventListener("keydown", onEnter);
    serviceDay.addEventListener("keydown", onEnter);
    return h("div", { class: "month-row", "data-month": row.month },
      h("span", { class: "month-name" }, name),
      theme,
      serviceDay,
      h("button", { type: "button", class: "small", "data-test": "save-month", onclick: save }, t("common.save")),
    );
  }

  // the recurring activities ------------------------------------------------------------
  function recurringTable(rules) {
    if (!rules.length) return h("p", { class: "muted" }, t("year.noRecurring"));
    return h("table", { class: "recurring-table" },
      h("thead", {}, h("tr", {},
        h("th", {}, t("year.activity")),
        h("th", {}, t("year.rule")),
        h("th", {}, t("year.time")),
        h("th", {}, t("year.place")),
        h("th", {}, t("year.roles")),
        h("th", {}, ""),
      )),
      h("tbody", {}, rules.map((rule) =>
        h("tr", { "data-rule": rule.id, class: rule.active ? null : "stopped" },
          h("td", {},
            h("div", {}, rule.name),
            h("div", { class: "muted small-text" }, [rule.category, rule.responsible_unit].filter(Boolean).join(" · ")),
            rule.party_members_only ? h("span", { class: "badge" }, t("year.partyOnly")) : null,
            rule.instructions ? h("div", { class: "muted small-text pre" }, `${t("task.instructions")}：${rule.instructions}`) : null,
            rule.what_to_bring ? h("div", { class: "muted small-text" }, `${t("task.bring")}：${rule.what_to_bring}`) : null,
          ),
          h("td", { class: "rule-text" }, ruleText(rule)),
          h("td", { class: "num" }, `${rule.start}–${rule.end}`),
          h("td", {}, rule.place || "–"),
          h("td", {}, h("div", { class: "role-badges" }, rule.roles.map((role) => h("span", { class: "badge" }, roleLabel(role))))),
          h("td", {}, rule.active ? stopButton(rule) : h("span", { class: "badge stopped" }, t("year.stopped"))),
        ),
      )),
    );
  }

  /** 停止 asks once more before stopping: no later week gets the activity after it. */
  function stopButton(rule) {
    let timer = null;
    const button = h("button", { type: "button", class: "small danger", "data-test": "stop", onclick: async () => {
      if (!button.classList.contains("confirming")) {
        button.classList.add("confirming");
        button.textContent = t("year.stopConfirm");
        timer = setTimeout(() => {
          button.classList.remove("confirming");
          button.textContent = t("year.stop");
        }, CONFIRM_MS);
        return;
      }
      clearTimeout(timer);
      button.disabled = true;
      try {
        await api(`/recurring-activities/${rule.id}`, { method: "DELETE" });
        toast(t("year.stoppedNote", { name: rule.name }));
        draw(await api(path));
      } catch (error) {
        toast(error.message, { bad: true });
        button.disabled = false;
      }
    } }, t("year.stop"));
    return button;
  }

  // adding one --------------------------------------------------------------------------
  function activityForm() {
    const field = (name, props = {}) => h("input", { name, ...props });
    const name = field("name", { type: "text", required: true, maxlength: 200 });
    const month = select({ name: "month" }, [["", t("year.everyMonth")], ...MONTHS.map((m) => [m, t(`month.${m}`)])], "");
    const dayRule = select({ name: "day_rule" }, DAY_RULES.map((rule) => [rule, t(`year.dayRule.${rule}`)]), "service_day");
    const dayOfMonth = field("day_of_month", { type: "number", min: 1, max: 31, value: 5, class: "short" });
    const weekday = select({ name: "weekday" }, WEEKDAYS.map((day) => [day, t(`weekday.${day}`)]), 5);
    const weekOfMonth = select({ name: "week_of_month" }, [["", t("year.everyWeek")], ...WEEKS_OF_MONTH.map((n) => [n, t(`year.nth.${n}`)])], "");
    const start = field("start", { type: "time", required: true, value: "09:00" });
    const end = field("end", { type: "time", required: true, value: "11:00" });
    // where: a place of the directory (the service hall by default); the words shown default
    // to its name
    const hall = state.places.find((p) => p.kind === "venue" && p.name.includes("党群服务中心"));
    const picker = placePicker(state.places, { selected: hall ? hall.id : null });
    const place = field("place", { type: "text", maxlength: 200, placeholder: t("year.placeWordsHint") });
    const category = field("category", { type: "text", maxlength: 32, list: "year-categories" });
    const categories = h("datalist", { id: "year-categories" }, SKILL_NAMES.map((skill) => h("option", { value: skill })));
    const unit = field("responsible_unit", { type: "text", maxlength: 200 });
    const grid = select({ name: "grid_id" }, [["", t("year.wholeCommunity")], ...state.grids.map((g) => [g.id, g.name])], "");
    const partyOnly = field("party_members_only", { type: "checkbox" });
    // coordinates only without a directory (then the community's or the grid's centre)
    const fallback = !state.places.length && state.centre;
    const lat = field("lat", { type: "number", step: "any", value: fallback ? state.centre.lat : "" });
    const lng = field("lng", { type: "number", step: "any", value: fallback ? state.centre.lng : "" });
    const roles = h("div", { class: "stack role-rows", "data-test": "roles" });
    // 说明 and 需携带: on the helpers' task cards and calendars
    const instructions = h("textarea", { name: "instructions", rows: 2, maxlength: 2000, placeholder: t("task.instructionsHint") });
    const bring = field("what_to_bring", { type: "text", maxlength: 2000, placeholder: t("task.bringHint") });
    const message = h("div", { class: "error", hidden: true, role: "alert" });

    const dayOfMonthField = h("label", {}, t("year.dayOfMonth"), dayOfMonth);
    const weekdayFields = h("div", { class: "field-row" }, h("label", {}, t("year.weekday"), weekday), h("label", {}, t("year.weekOfMonth"), weekOfMonth));
    const showRuleFields = () => {
      dayOfMonthField.hidden = dayRule.value !== "day_of_month";
      weekdayFields.hidden = dayRule.value !== "weekday";
    };
    dayRule.addEventListener("change", showRuleFields);
    showRuleFields();

    // a grid's activity is placed at the grid's centre, the community's at its middle
    grid.addEventListener("change", () => {
      if (state.places.length) return;
      const chosen = state.grids.find((g) => String(g.id) === grid.value);
      const point = chosen && chosen.center_lat !== null ? { lat: chosen.center_lat, lng: chosen.center_lng } : state.centre;
      if (point) {
        lat.value = point.lat;
        lng.value = point.lng;
      }
    });

    const addRole = (skill = "", headcount = 1) => {
      const row = h("div", { class: "field-row role-row" },
        h("label", {}, t("year.skill"), select({ name: "skill" }, [["", t("year.anySkill")], ...SKILL_NAMES.map((s) => [s, skillLabel(s)])], skill)),
        h("label", {}, t("year.headcount"), h("input", { type: "number", name: "headcount", min: 1, max: 200, value: headcount, class: "short" })),
      );
      row.append(h("button", { type: "button", class: "small", "aria-label": t("year.removeRole"), onclick: () => {
        if (roles.children.length > 1) row.remove();
      } }, "−"));
      roles.append(row);
    };
    addRole();

    const optional = (value) => (value === "" ? null : Number(value));
    return h("form", { class: "stack", "data-test": "recurring-form", onsubmit: async (event) => {
      event.preventDefault();
      message.hidden = true;
      const rule = dayRule.value;
      const typed = lat.value !== "" && lng.value !== "";
      if (!picker.value() && !typed) {
        message.textContent = t("places.needed");
        message.hidden = false;
        return;
      }
      const body = {
        name: name.value.trim(),
        month: optional(month.value),
        day_rule: rule,
        day_of_month: rule === "day_of_month" ? optional(dayOfMonth.value) : null,
        weekday: rule === "weekday" ? Number(weekday.value) : null,
        week_of_month: rule === "weekday" ? optional(weekOfMonth.value) : null,
        start: start.value,
        end: end.value,
        place: place.value.trim(),
        place_id: picker.value(),
        ...(typed ? { lat: Number(lat.value), lng: Number(lng.value) } : {}),
        category: category.value.trim(),
        responsible_unit: unit.value.trim(),
        party_members_only: partyOnly.checked,
        grid_id: optional(grid.value),
        instructions: instructions.value.trim(),
        what_to_bring: bring.value.trim(),
        roles: [...roles.querySelectorAll(".role-row")].map((row) => ({
          skill: row.querySelector("select[name=skill]").value || null,
          headcount: Number(row.querySelector("input[name=headcount]").value),
        })),
      };
      try {
        const added = await api(`${path}/activities`, { method: "POST", json: body });
        toast(t("year.added", { name: added.name }));
        name.value = "";
        draw(await api(path));
      } catch (error) {
        message.textContent = error.message;
        message.hidden = false;
      }
    } },
      h("h2", {}, t("year.new")),
      h("label", {}, t("year.activity"), name),
      h("div", { class: "field-row" }, h("label", {}, t("year.inMonth"), month), h("label", {}, t("year.rule"), dayRule)),
      dayOfMonthField,
      weekdayFields,
      h("div", { class: "field-row" }, h("label", {}, t("year.start"), start), h("label", {}, t("year.end"), end)),
      h("fieldset", { "data-test": "activity-place" }, h("legend", {}, t("places.place")),
        picker.element,
        h("label", {}, t("year.placeWords"), place),
        h("details", { class: "exact-location", open: !state.places.length },
          h("summary", {}, t("places.exactSummary")),
          h("p", { class: "muted small-text" }, state.places.length ? t("places.exactHint") : t("year.locationHint")),
          h("div", { class: "field-row" }, h("label", { class: "coordinate" }, t("common.lat"), lat), h("label", { class: "coordinate" }, t("common.lng"), lng)),
        ),
      ),
      h("div", { class: "field-row" }, h("label", {}, t("year.category"), category, categories), h("label", { class: "grow" }, t("year.unit"), unit)),
      h("label", {}, t("common.grid"), grid),
      h("label", { class: "check" }, partyOnly, h("span", {}, t("year.partyOnly"))),
      h("label", {}, t("task.instructions"), instructions),
      h("label", {}, t("task.bring"), bring),
      h("fieldset", {}, h("legend", {}, t("year.roles")), roles,
        h("button", { type: "button", class: "small", "data-test": "add-role", onclick: () => addRole() }, t("year.addRole"))),
      message,
      h("button", { type: "submit", class: "primary", "data-test": "add-recurring" }, t("year.add")),
    );
  }

  load();
  return root;
}
